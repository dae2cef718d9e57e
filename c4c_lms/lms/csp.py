"""A Content-Security-Policy on the formgrader's pages, which show participants' work.

A Jupyter server extension (``c4c serve`` and the hub's formgrader service load it with
:data:`SERVER_ARGUMENT`). Every HTML page under ``/formgrader`` gets a policy whose
``script-src`` allows only

* script files from the formgrader's own ``static/`` folder (not ``'self'``: files a
  participant submitted are served from the same origin), and MathJax's folder on cdnjs;
* inline scripts and ``onclick`` handlers that have the shape of one in nbgrader's installed
  formgrader templates (their ``{{ … }}`` values limited to id and path characters), by
  SHA-256 hash, and on the submission page only before the notebook begins.

nbgrader's formgrade page needs inline script of its own (``var submission_id = …``), so
``'unsafe-inline'`` is never given; a script or handler that reached a page from a notebook
(should the sanitiser in :mod:`c4c_lms.lms.grading.sanitise` ever miss one) does not run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path

from tornado.web import OutputTransform

SERVER_ARGUMENT = "--ServerApp.jpserver_extensions=c4c_lms.lms.csp=True"
MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/"
NOTEBOOK_START = 'id="notebook-container"'
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"""\son[a-z]+="(?P<body>[^"]*)\"""", re.I)
VALUE = r"[A-Za-z0-9_./:%+-]*"  # what a {{ … }} may put into an accepted script


@functools.cache
def template_shapes() -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """Patterns of the inline scripts and event handlers in nbgrader's formgrader templates
    and nbconvert's MathJax macro, read from the installed packages."""
    import nbgrader
    from jupyter_core.paths import jupyter_path

    folders = [Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"]
    texts = [p.read_text(encoding="utf-8") for f in folders for p in sorted(f.rglob("*")) if p.is_file()]
    for share in jupyter_path("nbconvert", "templates", "base"):
        if (Path(share) / "mathjax.html.j2").is_file():
            texts.append((Path(share) / "mathjax.html.j2").read_text(encoding="utf-8"))
            break
    scripts, handlers = set(), set()
    for text in texts:
        scripts |= {m["body"] for m in SCRIPT.finditer(text) if "src=" not in m["attrs"] and m["body"].strip()}
        handlers |= {m["body"] for m in HANDLER.finditer(text)}
    return tuple(_shape(s) for s in sorted(scripts)), tuple(_shape(h) for h in sorted(handlers))


def _shape(template: str) -> re.Pattern:
    parts = re.split(r"\{\{.*?\}\}", template)
    if any("{%" in part for part in parts):
        return re.compile(r"(?!)")  # a script with template logic is never accepted
    return re.compile(VALUE.join(re.escape(part) for part in parts), re.S)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def policy(html: str, static_url: str) -> str:
    """The policy for one formgrader page: its template scripts by hash, nothing inline else."""
    scripts, handlers = template_shapes()
    end = html.find(NOTEBOOK_START)
    trusted = html if end < 0 else html[:end]
    hashes = sorted({_hash(m["body"]) for m in SCRIPT.finditer(trusted)
                     if any(s.fullmatch(m["body"]) for s in scripts)}  # fmt: skip
                    | {_hash(m["body"]) for m in HANDLER.finditer(trusted)
                       if any(h.fullmatch(m["body"]) for h in handlers)})  # fmt: skip
    sources = " ".join([static_url, MATHJAX, *hashes, *(["'unsafe-hashes'"] if hashes else [])])
    return (f"script-src {sources}; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors 'self'")  # fmt: skip


class FormgraderCSP(OutputTransform):
    """Adds :func:`policy` to every HTML response under ``<base_url>formgrader``."""

    base_url = "/"

    def __init__(self, request):
        self.request = request

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        path = self.request.path
        kind = headers.get("Content-Type", "")
        if path.startswith(self.base_url + "formgrader") and kind.startswith("text/html"):
            page = chunk.decode("utf-8", "replace") if finishing else ""  # a partial page: no hashes
            origin = f"{self.request.protocol}://{self.request.host}"
            static = f"{origin}{self.base_url}formgrader/static/"
            # Ours replaces the server's (which only sets frame-ancestors and a report-uri).
            try:
                headers["Content-Security-Policy"] = policy(page, static)
            except Exception:  # never a page without a policy: then no inline script at all
                headers["Content-Security-Policy"] = policy("", static)
        return status_code, headers, chunk


def _jupyter_server_extension_points():
    return [{"module": "c4c_lms.lms.csp"}]


def _load_jupyter_server_extension(serverapp) -> None:
    base = serverapp.base_url if serverapp.base_url.endswith("/") else serverapp.base_url + "/"
    transform = type("CourseFormgraderCSP", (FormgraderCSP,), {"base_url": base})
    serverapp.web_app.transforms.insert(0, transform)  # before any compression sees the page


__all__ = ["FormgraderCSP", "SERVER_ARGUMENT", "policy", "template_shapes"]
