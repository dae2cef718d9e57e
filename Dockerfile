# Images for hosting the course on Kubernetes with Zero to JupyterHub (`c4c hub k8s-values`).
# Not built in CI (no container engine there); see README "Hosting a cohort".
#
#   docker build --target singleuser -t registry.example.org/c4c/singleuser:2025.1 .
#   docker build --target hub        -t registry.example.org/c4c/singleuser-hub:2025.1 .
#
# [hub] image in course.toml names the single-user image; the hub image is the same name + "-hub".

# -- the course pages' script (c4c_lms/lms/widgets_page), bundled as `make install` does -----------
FROM node:20-bookworm-slim AS page
COPY c4c_lms/lms/widgets_page /src/c4c_lms/lms/widgets_page
WORKDIR /src/c4c_lms/lms/widgets_page
RUN npm ci --no-audit --no-fund && npm run build

# -- a participant's server: JupyterLab, nbgrader's assignment list, Voila, this package ----------
FROM python:3.11-slim-bookworm AS singleuser
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --create-home --uid 1000 --shell /bin/bash jovyan
COPY pyproject.toml README.md /opt/c4c/
COPY c4c_lms /opt/c4c/c4c_lms
COPY --from=page /src/c4c_lms/lms/jupyter/voila/templates/c4c/static/page /opt/c4c/c4c_lms/lms/jupyter/voila/templates/c4c/static/page
RUN pip install /opt/c4c && rm -rf /opt/c4c \
 # staff tools and language servers stay off in participants' servers (as with `make hub`)
 && jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
 && jupyter server extension disable --sys-prefix nbgrader.server_extensions.course_list \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:course-list \
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment
# The course material each participant gets a copy of on start (the values' postStart hook).
COPY course /srv/course/course
COPY modules /srv/course/modules
COPY voila_apps /srv/course/voila_apps
USER 1000
WORKDIR /home/jovyan
EXPOSE 8888
CMD ["jupyterhub-singleuser"]

# -- the hub: the chart's hub image plus this package (authenticator, staff services) -----------
FROM quay.io/jupyterhub/k8s-hub:4.4.0 AS hub
USER root
COPY pyproject.toml README.md /opt/c4c/
COPY c4c_lms /opt/c4c/c4c_lms
RUN pip install --no-cache-dir /opt/c4c && rm -rf /opt/c4c
# formgrader and report services work on the course (exercises with solutions: hub image only)
COPY course /srv/course/course
COPY exercises /srv/course/exercises
COPY modules /srv/course/modules
COPY nbgrader_config.py /srv/course/
USER ${NB_USER}
