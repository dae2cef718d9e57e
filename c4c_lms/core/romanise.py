"""Ukrainian -> Latin romanisation by Ukraine's official system.

Cabinet of Ministers of Ukraine Resolution No. 55 of 27 January 2010 ("Про впорядкування
транслітерації українського алфавіту латиницею"); the table and its positional rules are
reproduced in ISO-free form here because no maintained Python package implements this system
(``cyrtranslit`` and ``transliterate`` use scholarly/other tables). The apostrophe and the soft
sign are dropped; Є Ї Й Ю Я are written Ye Yi Y Yu Ya at the start of a word and ie i i iu ia
elsewhere; "зг" is written "zgh" to keep it apart from "ж" (zh).
"""

from __future__ import annotations

import re

_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "", "`": "",
}  # fmt: skip
_WORD_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_WORD = re.compile(r"[А-Яа-яЄєІіЇїҐґ'’ʼ`]+")


def _word(word: str) -> str:
    out: list[str] = []
    lower = word.lower()
    for i, ch in enumerate(lower):
        if ch == "г" and i > 0 and lower[i - 1] == "з":
            latin = "gh"
        elif i == 0 and ch in _WORD_INITIAL:
            latin = _WORD_INITIAL[ch]
        else:
            latin = _BASE.get(ch, ch)
        if latin and word[i].isupper():
            # Capital letter: capitalise the first Latin letter, or all if the word is uppercase.
            latin = latin.upper() if word.isupper() and len(word) > 1 else latin.capitalize()
        out.append(latin)
    return "".join(out)


def romanise(text: str) -> str:
    """Romanise Ukrainian ``text``; Latin letters, digits and punctuation pass through.

    >>> romanise("Згорани, Єнакієве, Знам'янка")
    'Zghorany, Yenakiieve, Znamianka'
    """
    return _WORD.sub(lambda m: _word(m.group(0)), text)


def has_cyrillic(text: str) -> bool:
    """True if ``text`` contains any Cyrillic letter (used to flag untranslated English fields)."""
    return bool(re.search(r"[\u0400-\u04FF]", text))
