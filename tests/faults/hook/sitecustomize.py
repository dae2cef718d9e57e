"""Fault injection for tests/faults: kill this very process at a chosen point of a write.

``C4C_FAULT=<call>:<n>[:after]`` makes the n-th call of ``os.<call>`` (``replace``, ``rename``
or ``fsync``) in the command's main process send SIGKILL to itself, before the call (default)
or after it. The variable is removed at once, so no process started later inherits it; forked
children see the patch but never fire (they are not the main process). Nothing here is part of
the product: tests put this folder on PYTHONPATH only for the command under test.
"""

import os

_SPEC = os.environ.pop("C4C_FAULT", "")

if _SPEC:
    import signal

    _MAIN = os.getpid()
    _CALL, _N, *_WHEN = _SPEC.split(":")
    _AT, _AFTER, _SEEN = int(_N), bool(_WHEN and _WHEN[0] == "after"), [0]

    def _armed(original):
        def call(*args, **kwargs):
            if os.getpid() != _MAIN:
                return original(*args, **kwargs)
            _SEEN[0] += 1
            if _SEEN[0] == _AT and not _AFTER:
                os.kill(_MAIN, signal.SIGKILL)
            result = original(*args, **kwargs)
            if _SEEN[0] == _AT and _AFTER:
                os.kill(_MAIN, signal.SIGKILL)
            return result

        return call

    setattr(os, _CALL, _armed(getattr(os, _CALL)))
