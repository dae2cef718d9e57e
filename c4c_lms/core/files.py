"""Reading lecturers' spreadsheets: CSV in any of the encodings they meet, and XLSX.

Encodings seen in practice: UTF-8 with or without a BOM (LibreOffice, Google Sheets, newer
Excel) and cp1251 (older Windows Excel in Ukrainian). We try them in that order and say which
one was used, because a silent wrong guess corrupts every Cyrillic name.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from c4c_lms.core.exceptions import InputFileError, WriteError

ENCODINGS = ("utf-8-sig", "cp1251")


@dataclass
class Table:
    """Rows of a spreadsheet as dicts keyed by normalised header, with 1-based file row numbers."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str
    source: str


def normalise_header(name: str) -> str:
    return " ".join(name.strip().lower().replace("\ufeff", "").split())


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Decode ``raw`` with the first encoding that fits; (text, encoding)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputFileError(path, [("1", "unknown text encoding (expected UTF-8 or cp1251)")])


def read_csv_text(text: str, path: str, encoding: str) -> Table:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header_row = next(reader)
    except StopIteration:
        raise InputFileError(path, [("1", "the file is empty")]) from None
    except csv.Error as err:
        raise InputFileError(path, [("1", f"unreadable CSV: {err}")]) from None
    header = [normalise_header(h) for h in header_row]
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[str, str]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                problems.append((f"row {line}", f"{len(values)} values but {len(header)} columns"))
                continue
            values = values + [""] * (len(header) - len(values))
            rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
    except csv.Error as err:
        problems.append((f"row {reader.line_num}", f"unreadable CSV: {err}"))
    if problems:
        raise InputFileError(path, problems)
    return Table(header, rows, encoding, path)


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for broken files
        raise InputFileError(str(path), [("1", f"not a readable XLSX workbook: {err}")]) from None
    sheet = wb.active
    it = sheet.iter_rows(values_only=True)
    try:
        header = [normalise_header(str(h or "")) for h in next(it)]
    except StopIteration:
        raise InputFileError(str(path), [("1", "the workbook is empty")]) from None
    rows = []
    for number, values in enumerate(it, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            rows.append((number, dict(zip(header, cells + [""] * (len(header) - len(cells))))))
    wb.close()
    return Table(header, rows, "xlsx", str(path))


def read_table(path: Path) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(str(path), [("-", "file not found")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    text, encoding = decode(path.read_bytes(), str(path))
    return read_csv_text(text, str(path), encoding)


# A formula trigger at the start of the text, or after a separator a spreadsheet may split on
# (Ukrainian Excel reads CSV with ";"; tab-separated paste), spaces allowed in between.
FORMULA_AT = re.compile(r"(^|[,;\t])( *)([=+\-@\t\r])")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise_formula(value: object) -> object:
    """Make a spreadsheet cell inert against formula injection (CSV and XLSX exports alike).

    Text that starts with ``= + - @``, tab or CR, or has one after a ``,`` ``;`` or tab (where a
    spreadsheet reading the file with that separator starts a new cell), gets a ``'`` before
    that character: ``Bondar;=1+2;`` becomes ``Bondar;'=1+2;``. Numbers, and text that is just
    a number (``-2.50``), pass through unchanged: a negative score is not a formula.
    """
    if not isinstance(value, str) or not value or PLAIN_NUMBER.fullmatch(value):
        return value
    return FORMULA_AT.sub(lambda m: f"{m[1]}{m[2]}'{m[3]}", value)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A crash or a full disk mid-write leaves the previous file intact, never half of a new one;
    a full disk or a read-only folder raises :class:`WriteError` after removing the temporary file.
    """
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """:func:`write_text_atomic` for bytes (PDFs, spreadsheets)."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the new content is on disk before it replaces the old
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise write_error(err, path) from err
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_error(err: OSError, path: Path) -> WriteError:
    """The :class:`WriteError` for an ``OSError`` met while writing ``path``."""
    code = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EROFS: "read_only",
            errno.EACCES: "read_only", errno.EPERM: "read_only"}.get(err.errno, "write_failed")  # fmt: skip
    return WriteError(code, str(path), err.strerror or str(err))


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON through a temporary file in the same folder, then rename over ``path``."""
    write_text_atomic(Path(path), json.dumps(data, ensure_ascii=False, indent=1))


_RENAME_EXCHANGE = 2  # Linux renameat2 flag: swap two paths in one step


def staging_folder(final: Path) -> Path:
    """A new, empty hidden folder beside ``final`` to build its next version in."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.staging-"))


def replace_folder(staged: Path, final: Path) -> None:
    """Put the folder ``staged`` in place of ``final`` in one step, then delete the old one.

    On Linux the two are swapped atomically (``renameat2(RENAME_EXCHANGE)``), so a crash
    leaves either the whole old folder or the whole new one at ``final``; a leftover staging
    folder is hidden and removed by :func:`remove_stale_staging`.
    """
    import ctypes
    import shutil

    staged, final = Path(staged), Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        if not final.exists():
            os.rename(staged, final)
            return
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd = -100
        if libc.renameat2(at_fdcwd, os.fsencode(staged), at_fdcwd, os.fsencode(final), _RENAME_EXCHANGE) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(final))
    except OSError as err:
        raise write_error(err, final) from err
    shutil.rmtree(staged, ignore_errors=True)  # now holds the old version


def remove_stale_staging(parent: Path) -> int:
    """Delete staging folders a crashed command left under ``parent`` (one level); their count."""
    import shutil

    removed = 0
    for leftover in Path(parent).glob("*/.*.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
        removed += 1
    return removed
