"""The nbgrader side: workspace, roster, release, submissions, grading, feedback, export, serve.

Importing this layer prepares the process for nbgrader (learners' notebooks never import it,
so they do not pay for it):
"""

from __future__ import annotations

import os
import sys

# jsonschema (imported by nbformat and nbgrader) loads rfc3987_syntax when installed, which
# builds a parser for ~2 s per process; no schema we use has the "iri" format it checks.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

# nbgrader runs the `alembic` executable from PATH when it opens a gradebook; make the tools
# installed beside this interpreter findable even when the virtualenv is not activated.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
