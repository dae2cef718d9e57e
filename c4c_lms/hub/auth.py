"""The hub's authenticator: participants sign in with a link, staff with a password.

Built on JupyterHub's ``Authenticator`` base class and its ``BaseHandler``: the link page
(``/hub/c4c-signin?t=…``) shows one button that posts the token back, so a mail scanner that
opens links does not spend them; the hub then sets its usual login cookie. Who may sign in is
re-read from ``accounts.json`` at each login, so a roster change applies without a restart.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from traitlets import Unicode

from c4c_lms.core.i18n import Catalogue
from c4c_lms.hub.accounts import read_accounts_file
from c4c_lms.hub.links import LOGIN_PATH, LinkRefused, check_token, password_ok, spend

M = Catalogue.load("hub")

PAGE = """<!doctype html><html lang="uk"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
button{{font-size:1.2rem;padding:.6rem 1.4rem}}</style></head><body><h1>{title}</h1>{body}</body></html>"""


class LinkLoginHandler(BaseHandler):
    """GET: a page with one sign-in button; POST: spend the link and sign in."""

    async def get(self):
        token = self.get_argument("t", "")
        body = (f'<form method="post"><input type="hidden" name="t" value="{html.escape(token)}">'
                f'<input type="hidden" name="_xsrf" value="{html.escape(self.xsrf_token.decode())}">'
                f'<p>{html.escape(M.both("signin_prompt"))}</p>'
                f'<button type="submit">{html.escape(M.both("signin_button"))}</button></form>')  # fmt: skip
        self.finish(PAGE.format(title=html.escape(M.both("signin_title")), body=body))

    async def post(self):
        user = await self.login_user({"c4c_link": self.get_argument("t", "")})
        if user is None:
            reason = getattr(self, "_c4c_refused", "forged")
            self.set_status(403)
            body = f"<p>{html.escape(M.both('link_' + reason))}</p>"
            self.finish(PAGE.format(title=html.escape(M.both("signin_title")), body=body))
            return
        self.redirect(self.get_next_url(user))


class C4CAuthenticator(Authenticator):
    """Sign-in links for participants (and staff), passwords for staff."""

    state_dir = Unicode(help="The hub's private folder (accounts.json, used links, passwords).").tag(config=True)
    link_secret_env = Unicode("C4C_HUB_SECRET", help="Variable holding the link key.").tag(config=True)

    def _accounts(self) -> dict[str, list[str]]:
        return read_accounts_file(Path(self.state_dir) / "accounts.json")

    def get_handlers(self, app):
        return [*super().get_handlers(app), (LOGIN_PATH.removeprefix("/hub"), LinkLoginHandler)]

    async def authenticate(self, handler, data):
        accounts = self._accounts()
        people = set(accounts["participant"]) | set(accounts["lecturer"]) | set(accounts["grader"])
        if data.get("c4c_link"):
            try:
                claim = check_token(os.environ.get(self.link_secret_env, ""), data["c4c_link"])
                if claim["u"] not in people:
                    raise LinkRefused("unknown")
                spend(Path(self.state_dir) / "used_links", claim["n"])
            except LinkRefused as refused:
                handler._c4c_refused = refused.code
                self.log.warning("Sign-in link refused: %s", refused.code)
                return None
            return claim["u"]
        username, password = data.get("username", ""), data.get("password", "")
        staff = set(accounts["lecturer"]) | set(accounts["grader"])
        if username in staff and password_ok(Path(self.state_dir) / "staff_passwords.json", username, password):
            return username
        return None

    def check_allowed(self, username, authentication=None):
        accounts = self._accounts()
        return username in {*accounts["participant"], *accounts["lecturer"], *accounts["grader"]}
