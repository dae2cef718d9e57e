"""One exception class per failure mode, all under :class:`C4CError`."""

from __future__ import annotations


class C4CError(Exception):
    """Base class: a problem the lecturer can fix; the CLI prints it without a traceback."""


class ConfigError(C4CError):
    """``course.toml`` or the syllabus is missing, malformed or inconsistent.

    ``problems`` holds ``file:line: message`` strings, one per problem.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class InputFileError(C4CError):
    """A file the lecturer gave us (roster, attendance, submissions) cannot be used.

    ``problems`` holds ``(row_or_name, message)`` pairs; nothing from the file was applied.
    """

    def __init__(self, path: str, problems: list[tuple[str, str]]):
        self.path = path
        self.problems = problems
        lines = [f"{path}: {where}: {msg}" for where, msg in problems]
        super().__init__("\n".join(lines))


class GradingInfrastructureError(C4CError):
    """The grading machinery itself failed (not a participant's notebook)."""


class CertificateError(C4CError):
    """Certificates cannot be issued or verified (e.g. no signing key in the environment)."""


class BusyError(C4CError):
    """Another run of the same command holds the working folder (``core.processes.CommandLock``).

    Carries data, not a sentence: the CLI says it in the lecturer's language.
    """

    def __init__(self, command: str, pid: int, started: str):
        self.command, self.pid, self.started = command, pid, started
        super().__init__(f"another `c4c {command}` (process {pid}, started {started}) is running")


class WriteError(C4CError):
    """A file could not be written; the previous version is intact.

    ``code`` is ``disk_full``, ``read_only`` or ``write_failed``; ``path`` the file we tried.
    """

    def __init__(self, code: str, path: str, detail: str = ""):
        self.code, self.path, self.detail = code, path, detail
        super().__init__(f"{code}: {path}" + (f" ({detail})" if detail else ""))


class ArchiveNamesError(C4CError):
    """A ZIP's file names carry no UTF-8 flag and read as neither UTF-8 nor Windows Cyrillic
    (cp866/cp1251) unambiguously; nothing was imported. ``names`` shows a few, ``count`` all."""

    def __init__(self, path: str, names: list[str], count: int):
        self.path, self.names, self.count = path, names, count
        super().__init__(f"{path}: cannot tell the encoding of {count} file name(s): {', '.join(names)}")
