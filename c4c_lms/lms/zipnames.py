"""File names in ZIP archives written without the UTF-8 flag.

A ZIP entry's name is UTF-8 only when bit 11 of its flags says so; otherwise Python reads it as
cp437 (the ZIP standard's default) and Cyrillic names turn into mojibake. Windows archivers
write the OEM code page (cp866 for Ukrainian and Russian Windows; Explorer's "compressed
folder", 7-Zip and Info-ZIP by default), some tools the ANSI one (cp1251), and Info-ZIP on Linux
or macOS writes UTF-8 without setting the flag. We take the archive's raw name bytes back and
decode them all with one encoding, chosen as:

1. UTF-8, when every name decodes strictly (bytes in cp866/cp1251 Cyrillic almost never do);
2. otherwise cp866 or cp1251, among those that give readable names (letters of the Ukrainian
   and Russian alphabets, Latin, digits, common punctuation), the one whose names match more
   participants on the roster;
3. none when no candidate reads or two read equally well with different names: the import is
   refused (:class:`~c4c_lms.core.exceptions.ArchiveNamesError`), nothing is imported.
"""

from __future__ import annotations

import string
import zipfile
from collections.abc import Callable

from c4c_lms.core.exceptions import ArchiveNamesError

UTF8_FLAG = 0x800
CYRILLIC = set("АБВГҐДЕЄЁЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя")
PLAIN = set(string.ascii_letters + string.digits + " ._-()[]{},'’&+@!#%=~/№")
WINDOWS = ("cp866", "cp1251")


def raw_name(info: zipfile.ZipInfo) -> bytes | None:
    """The name bytes as stored, for a non-ASCII name stored without the UTF-8 flag; else None."""
    if info.flag_bits & UTF8_FLAG or info.filename.isascii():
        return None
    return info.filename.encode("cp437")  # zipfile decoded them as cp437, which maps every byte


def readable(name: str) -> bool:
    """Could a person have typed this file name (no box-drawing or stray symbols)?"""
    return all(ch in CYRILLIC or ch in PLAIN for ch in name)


def choose_encoding(raws: list[bytes], on_roster: Callable[[str], bool]) -> str | None:
    """The encoding of a set of stored names (see the module's rules), or None if unclear."""
    try:
        if all(readable(r.decode("utf-8")) for r in raws):
            return "utf-8"
    except UnicodeDecodeError:
        pass
    readable_in = {}
    for encoding in WINDOWS:
        names = [r.decode(encoding, "replace") for r in raws]  # cp1251 leaves 0x98 undefined
        if all(readable(n) for n in names):
            readable_in[encoding] = names
    if len(readable_in) == 1:  # the usual case: the roster is asked only to break a tie
        return next(iter(readable_in))
    scored = sorted(((sum(1 for n in names if on_roster(n)), encoding, names)
                     for encoding, names in readable_in.items()), key=lambda s: -s[0])  # fmt: skip
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0] and scored[0][2] != scored[1][2]):
        return None
    return scored[0][1]


def decoded_names(path: str, infos: list[zipfile.ZipInfo], on_roster: Callable[[str], bool]) -> dict[str, str]:
    """``{info.filename: the name as its author wrote it}`` for every entry of ``infos``.

    Raises :class:`ArchiveNamesError` (with the undecodable names) when the encoding is unclear.
    """
    raws = {info.filename: raw_name(info) for info in infos}
    stored = [raw for raw in raws.values() if raw is not None]
    if not stored:
        return {name: name for name in raws}
    encoding = choose_encoding(stored, on_roster)
    if encoding is None:
        shown = [raw.decode("cp1251", "replace") for raw in stored[:5]]
        raise ArchiveNamesError(path, shown, len(stored))
    return {name: (raw.decode(encoding, "replace") if raw is not None else name) for name, raw in raws.items()}


__all__ = ["choose_encoding", "decoded_names", "raw_name", "readable"]
