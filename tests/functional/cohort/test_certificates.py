"""Certificate numbers and signed codes: deterministic, tamper-evident, revocable, key required."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from c4c_lms.cohort import certificates as certs
from c4c_lms.core.exceptions import CertificateError

KEY = b"unit-test-key-0123456789"
NUMBER = certs.certificate_number("c4c-icc", 2024, "p0001")
CODE = certs.verification_code(KEY, NUMBER)


def test_number_is_deterministic_and_distinct():
    """Is the number the same for the same person and course, and different otherwise?"""
    assert NUMBER == certs.certificate_number("c4c-icc", 2024, "p0001")
    assert NUMBER.startswith("C4C-ICC-2024-")
    others = {certs.certificate_number("c4c-icc", 2024, f"p{i:04d}") for i in range(2000)}
    assert len(others) == 2000
    assert certs.certificate_number("other-course", 2024, "p0001") != NUMBER


def test_code_verifies_in_every_form(tmp_path):
    """Does the code verify as typed, in lower case with spaces, and as the scanned QR URL?"""
    for text in [CODE, CODE.lower().replace("-", " - "), f"https://verify.example.org/c4c?code={CODE}"]:
        assert certs.verify(tmp_path, KEY, text).status == "valid", text


def test_wrong_key_and_garbage_are_invalid(tmp_path):
    """Is a code checked with another key, or not a code at all, reported invalid?"""
    assert certs.verify(tmp_path, b"another-key-0123456789", CODE).status == "invalid"
    assert certs.verify(tmp_path, KEY, "hello").status == "invalid"


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(CODE) - 1), st.sampled_from(ALPHABET))
def test_any_tampered_character_fails(position, letter):
    """Does changing any one character of a code make it invalid?"""
    if CODE[position] == "-" or CODE[position] == letter:
        return
    tampered = CODE[:position] + letter + CODE[position + 1 :]
    assert certs.verify(__import__("pathlib").Path("/nonexistent"), KEY, tampered).status == "invalid"


def test_missing_or_short_key_is_a_clear_error(monkeypatch):
    """Without the environment variable (or with a short key), is the error message clear?"""
    monkeypatch.delenv("C4C_NO_SUCH_KEY", raising=False)
    with pytest.raises(CertificateError, match="C4C_NO_SUCH_KEY"):
        certs.signing_key("C4C_NO_SUCH_KEY", lang="en")
    monkeypatch.setenv("C4C_NO_SUCH_KEY", "short")
    with pytest.raises(CertificateError, match="at least 32"):
        certs.signing_key("C4C_NO_SUCH_KEY", lang="en")


@pytest.mark.parametrize("key, words", [
    (" " * 16, "too short (16 characters): at least 32 random characters"),  # the case
    ("k" * 31 + "!", "not random: only 2 different characters"),
    (" " * 40, "not random: only 1 different characters"),
    ("12" * 20, "not random: only 2 different characters"),
    ("abcdefghi" * 4, "not random: only 9 different characters (at least 10 are needed)"),
])  # fmt: skip
def test_keys_without_entropy_are_refused(monkeypatch, key, words):
    """Are keys shorter than 32 characters, or of one or a few repeated characters, refused
    with a message naming the variable, in English and Ukrainian?"""
    monkeypatch.setenv("C4C_TEST_WEAK_KEY", key)
    with pytest.raises(CertificateError) as err:
        certs.signing_key("C4C_TEST_WEAK_KEY", lang="en")
    assert "C4C_TEST_WEAK_KEY" in str(err.value) and words in str(err.value)
    with pytest.raises(CertificateError, match="C4C_TEST_WEAK_KEY.*c4c certificates key"):
        certs.signing_key("C4C_TEST_WEAK_KEY", lang="uk")


def test_generated_key_is_accepted_and_new_each_time(monkeypatch):
    """Does `c4c certificates key` print a fresh key that signing_key accepts?"""
    from click.testing import CliRunner

    from c4c_lms.cli.main import cli

    keys = [CliRunner().invoke(cli, ["certificates", "key"]).output.strip() for _ in range(2)]
    assert keys[0] != keys[1] and all(len(k) == 43 for k in keys)
    monkeypatch.setenv("C4C_TEST_NEW_KEY", keys[0])
    assert certs.signing_key("C4C_TEST_NEW_KEY", lang="en") == keys[0].encode()


def test_dates_and_hours_in_both_languages():
    """Are course dates and hours written the Ukrainian and the English way?"""
    import datetime as dt

    start, end = dt.date(2024, 1, 15), dt.date(2024, 1, 19)
    assert certs.date_range(start, end, "uk") == "15–19 січня 2024"
    assert certs.date_range(start, end, "en") == "15–19 January 2024"
    assert [certs.hours_text(n, "uk") for n in (1, 3, 15, 21)] == ["1 година", "3 години", "15 годин", "21 година"]
    assert certs.hours_text(15, "en") == "15 hours"
