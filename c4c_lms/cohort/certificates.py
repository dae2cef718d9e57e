"""Certificates of completion: numbered, signed, verifiable offline, one PDF per participant.

* The **number** is derived from the course id and the participant id (``C4C-ICC-2024-7KD3M2QX``),
  so re-issuing gives the same number to the same person.
* The **verification code** is the number plus an HMAC-SHA256 signature (80 bits, base32) made
  with the key in the environment variable named by ``[certificates] signing_key_env``; the key
  is never stored. The QR code carries the same code (behind ``verify_url`` when one is set).
* ``verify`` needs only the key and the revocation list: valid / invalid / revoked.
* PDFs are drawn with fpdf2 and matplotlib's DejaVu Sans (Cyrillic). For speed, one worker draws
  a whole batch into one document (the font is parsed and subset once) and splits it into
  one-page files with pypdf.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from c4c_lms.core.exceptions import CertificateError
from c4c_lms.core.files import write_json_atomic
from c4c_lms.core.i18n import LANGUAGES, Catalogue

M = Catalogue.load("certificates")
SIGNATURE_CONTEXT = b"c4c-certificate/1|"
CODE = re.compile(r"^(?P<number>[A-Z0-9-]+-\d{4}-[A-Z2-7]{8})-(?P<sig>[A-Z2-7]{4}(?:-?[A-Z2-7]{4}){3})$")


# -- numbers, codes, signatures ------------------------------------------------------------------
KEY_MIN_LENGTH = 32
KEY_MIN_DISTINCT = 10  # a rough check: token_urlsafe(32) has about 28 different characters


def signing_key(env_name: str, *, lang: str = "uk") -> bytes:
    """The signing key from environment variable ``env_name``; a clear error when it is absent,
    shorter than :data:`KEY_MIN_LENGTH` characters or made of fewer than
    :data:`KEY_MIN_DISTINCT` different characters (``"a" * 40``, sixteen spaces, ``"1212…"``)."""
    value = os.environ.get(env_name, "")
    if not value:
        raise CertificateError(M.t("no_key", lang, env=env_name))
    if len(value) < KEY_MIN_LENGTH:
        raise CertificateError(M.t("short_key", lang, env=env_name, length=len(value), minimum=KEY_MIN_LENGTH))
    if len(set(value)) < KEY_MIN_DISTINCT:
        raise CertificateError(M.t("weak_key", lang, env=env_name, distinct=len(set(value)),
                                   minimum=KEY_MIN_DISTINCT))  # fmt: skip
    return value.encode("utf-8")


def new_signing_key() -> str:
    """A fresh key with real entropy (256 random bits, URL-safe text of 43 characters)."""
    import secrets

    return secrets.token_urlsafe(32)


def certificate_number(course_id: str, year: int, participant_id: str) -> str:
    """Deterministic, unique within a course: ``<COURSE-ID>-<year>-<8 base32 chars>``."""
    digest = hashlib.sha256(f"{course_id}|{participant_id}".encode()).digest()
    return f"{course_id.upper()}-{year}-{base64.b32encode(digest).decode()[:8]}"


def _signature(key: bytes, number: str) -> str:
    mac = hmac.new(key, SIGNATURE_CONTEXT + number.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode()[:16]


def verification_code(key: bytes, number: str) -> str:
    """The number followed by its signature in four groups of four characters."""
    sig = _signature(key, number)
    return f"{number}-" + "-".join(sig[i : i + 4] for i in range(0, 16, 4))


def parse_code(text: str) -> tuple[str, str] | None:
    """(number, signature) from a code as typed or scanned (URL, spaces, lower case); else None."""
    text = text.strip()
    if "://" in text:
        url = urlparse(text)
        text = parse_qs(url.query).get("code", [url.path.rstrip("/").rsplit("/", 1)[-1]])[0]
    text = re.sub(r"\s+", "", text).upper()
    m = CODE.match(text)
    return (m["number"], m["sig"].replace("-", "")) if m else None


@dataclass
class Verification:
    status: str  # valid | invalid | revoked
    number: str = ""
    holder_uk: str = ""
    holder_lat: str = ""
    issued_on: str = ""
    reason: str = ""

    def message(self, lang: str = "uk") -> str:
        return M.t(f"verify_{self.status}", lang, number=self.number or "?", holder=self.holder_lat or "-",
                   issued_on=self.issued_on or "-", reason=self.reason or "-")  # fmt: skip


def verify(workdir: Path, key: bytes, text: str) -> Verification:
    """Check a verification code offline: signature, then the revocation list.

    Parameters
    ----------
    workdir : Path
        Working folder holding the registry (holder's name) and the revocation list.
    key : bytes
        The signing key.
    text : str
        The code as printed, typed (any case, spaces) or scanned from the QR code (a URL).

    Returns
    -------
    Verification
        ``status`` is ``valid``, ``invalid`` or ``revoked``.
    """
    parsed = parse_code(text)
    if parsed is None:
        return Verification("invalid")
    number, sig = parsed
    if not hmac.compare_digest(sig, _signature(key, number)):
        return Verification("invalid", number)
    revoked = load_revoked(workdir).get(number)
    entry = load_registry(workdir).get(number, {})
    result = Verification("valid", number, entry.get("name_uk", ""), entry.get("name_lat", ""),
                          entry.get("issued_on", ""))  # fmt: skip
    if revoked:
        result.status, result.reason = "revoked", revoked["reason"]
    return result


# -- registry and revocation list ----------------------------------------------------------------
def cert_dir(workdir: Path) -> Path:
    return Path(workdir) / "certificates"


def load_registry(workdir: Path) -> dict[str, dict]:
    path = cert_dir(workdir) / "registry.json"
    return json.loads(path.read_text("utf-8"))["certificates"] if path.is_file() else {}


def load_revoked(workdir: Path) -> dict[str, dict]:
    path = cert_dir(workdir) / "revoked.json"
    return json.loads(path.read_text("utf-8"))["revoked"] if path.is_file() else {}


def _save(workdir: Path, name: str, key: str, value: dict) -> None:
    write_json_atomic(cert_dir(workdir) / name, {"schema": "c4c-certificates/1", key: value})


def revoke(workdir: Path, key: bytes, number_or_code: str, reason: str, *, lang: str = "uk") -> str:
    """Add a certificate to the revocation list; returns its number."""
    parsed = parse_code(number_or_code)
    number = parsed[0] if parsed else number_or_code.strip().upper()
    if number not in load_registry(workdir):
        raise CertificateError(M.t("unknown_number", lang, number=number))
    if parsed and not hmac.compare_digest(parsed[1], _signature(key, number)):
        raise CertificateError(M.t("verify_invalid", lang, number=number))
    revoked = load_revoked(workdir)
    revoked[number] = {"reason": reason, "revoked_on": dt.date.today().isoformat()}
    _save(workdir, "revoked.json", "revoked", revoked)
    return number


def forget_holder(workdir: Path, participant_id: str) -> int:
    """Purge: drop the holder's names and PDF, keep the number (it still verifies)."""
    registry = load_registry(workdir)
    count = 0
    for number, entry in registry.items():
        if entry.get("participant_id") == participant_id:
            (cert_dir(workdir) / entry.get("file", "")).unlink(missing_ok=True)
            entry.update(participant_id="", name_uk="", name_lat="", file="", purged=True)
            count += 1
    if count:
        _save(workdir, "registry.json", "certificates", registry)
    return count


# -- drawing -------------------------------------------------------------------------------------
@dataclass
class Spec:
    """Everything printed on one certificate."""

    participant_id: str
    number: str
    code: str
    qr_payload: str
    name_uk: str
    name_lat: str
    issued_on: str
    file: str


def date_range(start: dt.date, end: dt.date, lang: str) -> str:
    """``15–19 січня 2024`` / ``15–19 January 2024`` (babel month names)."""
    from babel.dates import format_date

    last = format_date(end, "d MMMM y", locale=lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}" if start != end else last
    return f"{format_date(start, 'd MMMM', locale=lang)} – {last}"


def hours_text(hours: int, lang: str) -> str:
    from babel import Locale

    return M.t(f"hours_{Locale(lang).plural_form(hours)}", lang, hours=hours)


def _page_texts(course_info) -> dict[str, str]:
    texts = {}
    for lang in LANGUAGES:
        for key in ("title", "certifies", "completed", "organisers", "number", "code", "issued_on"):
            texts[f"{key}_{lang}"] = M.t(f"pdf_{key}", lang)
        texts[f"when_{lang}"] = (f"{date_range(course_info.start, course_info.end, lang)}, "
                                 f"{hours_text(course_info.hours, lang)}")  # fmt: skip
    texts["course_uk"], texts["course_en"] = course_info.title_uk, course_info.title_en
    texts["organisers"] = " · ".join(course_info.organisers)
    return texts


def _fonts(pdf) -> None:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font("DejaVu", "", str(ttf / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(ttf / "DejaVuSans-Bold.ttf"))


def _draw(pdf, spec: Spec, t: dict[str, str], verify_url: str) -> None:
    import segno

    pdf.add_page()
    pdf.set_draw_color(31, 78, 121)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, 275, 188)

    def line(text: str, size: float, style: str = "", h: float = 0, color=(20, 20, 20)) -> None:
        # One cell per line: fpdf2's multi_cell re-measures the line per character (slow).
        pdf.set_font("DejaVu", style, size)
        while pdf.get_string_width(text) > 257 and size > 7:
            size -= 1
            pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        pdf.set_x(20)
        pdf.cell(257, h or size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(18)
    line(t["organisers"], 10, color=(80, 80, 80))
    pdf.ln(4)
    line(t["title_uk"], 30, "B", color=(31, 78, 121))
    line(t["title_en"], 16, "B", color=(31, 78, 121))
    pdf.ln(4)
    line(f"{t['certifies_uk']} / {t['certifies_en']}", 11, color=(80, 80, 80))
    pdf.ln(2)
    line(spec.name_uk or spec.name_lat, 26, "B")
    if spec.name_uk and spec.name_lat:
        line(spec.name_lat, 16)
    pdf.ln(3)
    line(t["completed_uk"], 12)
    line(t["course_uk"], 16, "B")
    line(t["completed_en"], 12)
    line(t["course_en"], 16, "B")
    pdf.ln(2)
    line(f"{t['when_uk']} / {t['when_en']}", 11)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(60, 60, 60)
    footer = [f"{t['number_uk']} / {t['number_en']}: {spec.number}",
              f"{t['issued_on_uk']} / {t['issued_on_en']}: {spec.issued_on}",
              f"{t['code_uk']} / {t['code_en']}: {spec.code}",
              f"{t['organisers_uk']} / {t['organisers_en']}: {t['organisers']}"]  # fmt: skip
    if verify_url:
        footer.append(verify_url)
    for i, text in enumerate(footer):
        pdf.set_xy(20, 166 + 5 * i)
        pdf.cell(210, 5, text)
    # A fixed mask skips segno's mask scoring (the slowest step); every mask is valid QR.
    qr = segno.make(spec.qr_payload, error="m", micro=False, mask=3, boost_error=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=5, border=4)
    buf.seek(0)
    pdf.image(buf, x=240, y=155, w=38, h=38)


def render_batch(specs: list[dict], texts: dict[str, str], verify_url: str, folder: str) -> list[str]:
    """Draw certificates into one document, then write one single-page PDF per participant."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    _fonts(pdf)
    spec_objs = [Spec(**s) for s in specs]
    for spec in spec_objs:
        _draw(pdf, spec, texts, verify_url)
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    written = []
    for spec, page in zip(spec_objs, reader.pages):
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Title": f"{texts['title_en']} {spec.number}", "/Subject": texts["course_en"]})
        target = Path(folder) / Path(spec.file).name
        with target.open("wb") as fh:
            writer.write(fh)
        written.append(spec.file)
    return written


@dataclass
class IssueResult:
    issued: list[str]  # numbers of every eligible participant's certificate
    new: int  # drawn for the first time
    redrawn: int  # drawn again because something printed on them changed (or --force)
    unchanged: int  # already there, identical content: left alone
    skipped_revoked: list[str]
    folder: Path


def content_hash(spec: Spec, texts: dict[str, str], verify_url: str) -> str:
    """Fingerprint of everything printed on a certificate (re-draw only when it changes)."""
    payload = json.dumps([asdict(spec), texts, verify_url], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def build_specs(course, eligible: list[dict], key: bytes, registry: dict, today: dt.date, *,
                lang: str = "uk") -> list[Spec]:
    info = course.config.course
    verify_url = course.config.certificates.verify_url
    specs, seen = [], {}
    for p in eligible:
        number = certificate_number(info.id, info.start.year, p["id"])
        if number in seen:  # 40 bits: practically never; refuse rather than print two equal numbers
            raise CertificateError(M.t("number_clash", lang, a=seen[number], b=p["id"]))
        seen[number] = p["id"]
        code = verification_code(key, number)
        payload = f"{verify_url}?code={code}" if verify_url else code
        issued_on = registry.get(number, {}).get("issued_on", today.isoformat())
        name_uk = f"{p.get('first_name_uk', '')} {p.get('last_name_uk', '')}".strip()
        name_lat = f"{p.get('first_name_lat', '')} {p.get('last_name_lat', '')}".strip()
        specs.append(Spec(p["id"], number, code, payload, name_uk, name_lat, issued_on, f"pdf/{number}.pdf"))
    return specs


def issue(course, eligible: list[dict], workers: int = 2, today: dt.date | None = None,
          force: bool = False, *, lang: str = "uk") -> IssueResult:  # fmt: skip
    """Write one PDF per eligible participant (dicts of roster fields with ``id``); idempotent.

    Numbers, codes and issue dates never change for a person; a PDF is drawn again only when
    its content would differ (or ``force``). All PDFs are drawn into a temporary folder first;
    files and registry change only at the end.
    """
    key = signing_key(course.config.certificates.signing_key_env, lang=lang)
    workdir = course.workdir
    registry, revoked = load_registry(workdir), load_revoked(workdir)
    specs = build_specs(course, eligible, key, registry, today or dt.date.today(), lang=lang)
    skipped = [s.number for s in specs if s.number in revoked]
    specs = [s for s in specs if s.number not in revoked]
    texts = _page_texts(course.config.course)
    verify_url = course.config.certificates.verify_url
    out = cert_dir(workdir)
    hashes = {s.number: content_hash(s, texts, verify_url) for s in specs}
    todo = [s for s in specs if force or registry.get(s.number, {}).get("content") != hashes[s.number]
            or not (out / s.file).is_file()]  # fmt: skip
    (out / "pdf").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out, prefix=".issue-"))
    try:
        workers = max(1, min(workers, len(todo) // 50 or 1))
        chunks = [[asdict(s) for s in todo[i::workers]] for i in range(workers)]
        if not todo:
            pass
        elif workers == 1:
            render_batch(chunks[0], texts, verify_url, str(tmp))
        else:
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(render_batch, chunks, [texts] * workers, [verify_url] * workers,
                              [str(tmp)] * workers))  # fmt: skip
        for s in todo:
            os.replace(tmp / Path(s.file).name, out / s.file)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    new = sum(1 for s in todo if s.number not in registry)
    for s in specs:
        registry[s.number] = {"participant_id": s.participant_id, "name_uk": s.name_uk, "name_lat": s.name_lat,
                              "issued_on": s.issued_on, "file": s.file, "content": hashes[s.number]}  # fmt: skip
    _save(workdir, "registry.json", "certificates", registry)
    return IssueResult([s.number for s in specs], new, len(todo) - new, len(specs) - len(todo), skipped,
                       out / "pdf")  # fmt: skip
