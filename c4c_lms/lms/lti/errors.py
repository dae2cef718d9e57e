"""The LTI layer's one exception: a code (translated by the CLI through ``lti.toml``) and the
values its message needs."""

from __future__ import annotations

from c4c_lms.core.exceptions import C4CError


class LtiError(C4CError):
    """Refusal or failure with a message code from ``core/messages/lti.toml``."""

    def __init__(self, code: str, **values: object):
        self.code, self.values = code, values
        super().__init__(f"{code}: {values}")

    def message(self, lang: str) -> str:
        from c4c_lms.core.i18n import Catalogue

        return Catalogue.load("lti").t(self.code, lang, **self.values)
