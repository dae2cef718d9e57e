"""What every ``c4c`` command shares: the console, the language and course from the click
context, error printing, and the catalogue of the lecturer's messages."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from c4c_lms.core.exceptions import ArchiveNamesError, BusyError, C4CError, InputFileError, WriteError
from c4c_lms.core.i18n import Catalogue

M = Catalogue.load("cli")
console = Console(highlight=False, soft_wrap=True)


def lang() -> str:
    """The language chosen at the root (``--lang`` or ``C4C_LANG``), for the current command."""
    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("lang") if ctx else None) or "uk"


def course_root() -> Path | None:
    """The ``--course-root`` given at the root, if any."""
    ctx = click.get_current_context()
    return (ctx.find_root().obj or {}).get("root")


def friendly_errors(fn):
    """Print a C4CError as a message (no traceback) and exit with status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputFileError as err:
            key = "roster_rejected" if "roster" in fn.__name__ else None
            console.print(M.t(key, lang()) if key else M.t("error", lang(), message=err.path))
            for where, message in err.problems:
                console.print(f"  {err.path}: {where}: {message}", markup=False)
            sys.exit(2)
        except BusyError as err:
            console.print(M.t("busy", lang(), command=err.command, pid=err.pid, started=err.started), markup=False)
            sys.exit(2)
        except ArchiveNamesError as err:
            console.print(M.t("zip_names_unreadable", lang(), path=err.path, count=err.count), markup=False)
            for name in err.names:
                console.print(f"  {name}", markup=False)
            sys.exit(2)
        except WriteError as err:
            console.print(M.t(f"write_{err.code}", lang(), path=err.path, detail=err.detail), markup=False)
            sys.exit(2)
        except C4CError as err:  # errors that carry a message code translate themselves
            text = err.message(lang()) if callable(getattr(err, "message", None)) else str(err)
            console.print(M.t("error", lang(), message=text), markup=False)
            sys.exit(2)

    return wrapper


def print_table(title: str | None, columns: list[str], rows: list[list[object]]) -> None:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*[str(c) for c in row])
    console.print(table)


class LecturerOrder(click.Group):
    """Lists commands in the order a lecturer uses them, not alphabetically; the root's help
    follows ``--lang``/``C4C_LANG`` (``help_<command>`` and ``help_opt_<option>`` messages)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        import os

        language = ctx.params.get("lang") or os.environ.get("C4C_LANG") or "uk"
        language = language if language in ("uk", "en") else "uk"
        if ctx.parent is None:
            self.help = M.t("help_root", language)
            for param in self.params:
                key = f"help_opt_{param.name}"
                if key in M.entries and isinstance(param, click.Option):
                    param.help = M.t(key, language)
            help_option = self.get_help_option(ctx)
            if help_option is not None:
                help_option.help = M.t("help_opt_help", language)
            for name, command in self.commands.items():
                if f"help_{name}" in M.entries:
                    command.short_help = M.t(f"help_{name}", language)
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        with formatter.section(M.t("help_usage_options", language)):
            formatter.write_dl([r for p in self.get_params(ctx) if (r := p.get_help_record(ctx))])
        commands = [(n, c) for n in self.list_commands(ctx) if (c := self.get_command(ctx, n)) and not c.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(n) for n, _ in commands)
            with formatter.section(M.t("help_usage_commands", language)):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in commands])
