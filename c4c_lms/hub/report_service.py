"""The cohort report as a JupyterHub service (``/services/report/``), for staff only.

Access is JupyterHub's: the service authenticates each browser through the hub's OAuth
(``HubOAuthenticated``), and the hub grants ``access:services!service=report`` only to the
``formgrade-<course>`` group, so a participant gets 403 from the hub before reaching us.
Run by the hub as ``python -m c4c_lms.hub.report_service`` (with JUPYTERHUB_* set).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from c4c_lms.cohort.data import load_cohort
from c4c_lms.cohort.report import render_html
from c4c_lms.core.config import load_course


class ReportHandler(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self):
        lang = self.get_argument("lang", "uk")
        course = load_course(Path(os.environ["C4C_COURSE_ROOT"]))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(render_html(course, load_cohort(course), lang if lang in ("uk", "en") else "uk"))


def main() -> None:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    app = web.Application([
        (prefix, ReportHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))  # fmt: skip
    address = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(address.port, address.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
