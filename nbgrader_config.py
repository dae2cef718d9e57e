# nbgrader (and its formgrader in JupyterLab) read their settings from course/course.toml through
# c4c_lms, so the CLI, the formgrader and the tests always agree on folders and the gradebook.
# The formgrader's "autograde" runs participants' code in the same sandbox as `c4c grade`.
from c4c_lms.core.config import load_course
from c4c_lms.lms.grading.batch import sandbox_config
from c4c_lms.lms.workspace import nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
course = load_course()
c.merge(nbgrader_config(course))
c.merge(sandbox_config(course))
