# nbgrader (and its formgrader in JupyterLab) read their settings from course/course.toml through
# c4c_lms, so the CLI, the formgrader and the tests always agree on folders and the gradebook.
from c4c_lms.config import load_course
from c4c_lms.workspace import nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(nbgrader_config(load_course()))
