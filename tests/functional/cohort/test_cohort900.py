"""The whole chain on a generated cohort shaped like the real course: 900 participants, 572 certified."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from c4c_lms.cohort import attendance
from c4c_lms.cohort import certificates
from c4c_lms.cohort.data import load_cohort
from c4c_lms.cohort.completion import evaluate, rules_from_course
from c4c_lms.core.config import load_course
from conftest import invoke

# The whole 900-participant cohort is generated and run through every command: a slow tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chain(cohort900):
    root, truth, outputs = cohort900
    return root, truth, outputs, load_course(root)


def test_imports_detect_every_layout(chain):
    """Were the five exports read with the right layout and encoding, and only strangers left over?"""
    root, truth, outputs, course = chain
    expected = ["format zoom, encoding utf-8-bom", "format teams, encoding utf-16", "format plain, encoding cp1251",
                "format zoom, encoding utf-8", "format teams_events, encoding utf-16"]  # fmt: skip
    for day, text in enumerate(expected, start=1):
        assert outputs[f"import{day}"].exit_code == 0, outputs[f"import{day}"].output
        assert text in outputs[f"import{day}"].output
    waiting = attendance.pending(attendance.load_state(course.workdir))
    on_roster = [a for _ref, a in waiting if a["status"] == "ambiguous"]
    # Only namesakes are ambiguous, and only on day 5 (the report without emails).
    assert on_roster and all(ref.startswith("5:") for ref, a in waiting if a["status"] == "ambiguous")
    assert {c[0] for a in on_roster for c in a["candidates"]} <= set(truth["namesakes"])
    assert sum(a["status"] == "phone" for _r, a in waiting) == 15  # three numbers a day


def test_minutes_match_the_design(chain):
    """Does every matched participant-day carry exactly the minutes the generator intended?"""
    root, truth, outputs, course = chain
    stored = attendance.minutes_by_day(attendance.load_state(course.workdir))
    wrong = []
    for pid, days in truth["minutes"].items():
        for day, minutes in days.items():
            if pid in truth["namesakes"] and day == 5:
                continue
            got = stored.get(pid, {}).get(day)
            if got is None or abs(got - minutes) > 0.02:
                wrong.append((pid, day, minutes, got))
    assert wrong == []


def test_exactly_572_certified(chain):
    """Do the rules certify exactly the 572 participants designed to pass, and nobody else?"""
    root, truth, outputs, course = chain
    out = evaluate(load_cohort(course), rules_from_course(course))
    assert sorted(out.index[out["eligible"]]) == truth["certified"]
    assert len(truth["certified"]) == 572
    text = invoke(root, "completion").output
    assert "eligible for a certificate: 572" in text


def test_completion_explains_one_participant(chain):
    """Does ``c4c completion --participant`` say which rule a near-miss participant lacks?"""
    root, truth, outputs, course = chain
    pid = next(p for p, g in truth["groups"].items() if g == "required_missing")
    result = invoke(root, "completion", "--participant", pid)
    assert "✗ required exercise ex01_partners passed" in result.output
    assert "✓ days attended" in result.output


def test_certificates_pdf_text_and_qr(chain, signing_key):
    """Are there 572 PDFs whose extracted text holds both names and the course, with a QR that verifies?"""
    import zxingcpp

    root, truth, outputs, course = chain
    assert outputs["issue"].exit_code == 0, outputs["issue"].output
    assert "Certificates: 572 (572 new, 0 redrawn, 0 unchanged)" in outputs["issue"].output
    registry = certificates.load_registry(course.workdir)
    assert len(registry) == 572 and len(list((course.workdir / "certificates" / "pdf").glob("*.pdf"))) == 572
    people = load_cohort(course).participants
    for number in sorted(registry)[:: 571 // 5]:
        entry = registry[number]
        page = PdfReader(course.workdir / "certificates" / entry["file"]).pages[0]
        text = page.extract_text()
        p = people.loc[entry["participant_id"]]
        for expected in [f"{p['first_name_uk']} {p['last_name_uk']}", f"{p['first_name_lat']} {p['last_name_lat']}",
                         "Міжнародна співпраця для громад", "International Cooperation for Communities",
                         "15–19 січня 2024, 15 годин", "15–19 January 2024, 15 hours", "SALAR International", number]:  # fmt: skip
            assert expected in text, (expected, text)
        found = zxingcpp.read_barcodes(page.images[0].image)
        assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
        assert found[0].text.startswith("https://verify.example.org/c4c?code=" + number)
        verdict = invoke(root, "certificates", "verify", found[0].text)
        assert verdict.exit_code == 0 and "VALID" in verdict.output and p["last_name_lat"] in verdict.output


def test_reissue_is_idempotent(chain):
    """Does issuing again keep every number, code, issue date and PDF, drawing nothing anew?"""
    root, truth, outputs, course = chain
    before = json.loads((course.workdir / "certificates" / "registry.json").read_text("utf-8"))
    pdf = course.workdir / "certificates" / next(iter(before["certificates"].values()))["file"]
    stamp = pdf.stat().st_mtime_ns
    again = invoke(root, "certificates", "issue")
    assert "Certificates: 572 (0 new, 0 redrawn, 572 unchanged)" in again.output
    after = json.loads((course.workdir / "certificates" / "registry.json").read_text("utf-8"))
    assert after == before and pdf.stat().st_mtime_ns == stamp


def test_revocation_and_tampering(chain, signing_key):
    """Is a revoked certificate reported revoked, and a tampered code invalid, with exit status 1?"""
    root, truth, outputs, course = chain
    number = sorted(certificates.load_registry(course.workdir))[-1]
    code = certificates.verification_code(signing_key, number)
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    bad = invoke(root, "certificates", "verify", tampered)
    assert bad.exit_code == 1 and "INVALID" in bad.output
    assert invoke(root, "certificates", "revoke", code, "--reason", "issued in error").exit_code == 0
    revoked = invoke(root, "certificates", "verify", code, lang="uk")
    assert revoked.exit_code == 1 and "ВІДКЛИКАНО" in revoked.output and "issued in error" in revoked.output


def test_no_key_no_certificates(chain, monkeypatch):
    """Without the signing key, does ``issue`` stop with a message naming the variable?"""
    root, *_ = chain
    monkeypatch.delenv("C4C_TEST_CERT_KEY")
    result = invoke(root, "certificates", "issue")
    assert result.exit_code == 2 and "C4C_TEST_CERT_KEY" in result.output


def test_report_is_self_contained(chain, tmp_path):
    """Is the report one HTML file with every section, embedded plots and no outside resources?"""
    root, truth, outputs, course = chain
    out = tmp_path / "report.html"
    result = invoke(root, "report", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    for title in ["Completion funnel", "Attendance per day", "Score distributions per exercise",
                  "Per-question difficulty and discrimination", "Participants by oblast",
                  "Participants by community type", "Who needs attention"]:  # fmt: skip
        assert f"<h2>{title}</h2>" in page
    assert page.count('src="data:image/png;base64,') >= 6
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<td>900</td><td>820</td>" in page  # registered, attended
    some = next(p for p, g in truth["groups"].items() if g == "day_short")
    people = load_cohort(course).participants
    assert people.loc[some, "email"] in page  # named in the needs-attention list


def test_pseudonymised_report_has_no_personal_data(chain, tmp_path):
    """Does ``--pseudonymise`` drop every name, email and participant id from the report?"""
    root, truth, outputs, course = chain
    out = tmp_path / "anon.html"
    assert invoke(root, "report", "-o", str(out), "--pseudonymise", lang="uk").exit_code == 0
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", out.read_text("utf-8"))
    assert "Воронка завершення" in page and re.search(r"P-[0-9A-F]{8}", page)
    people = load_cohort(course).participants
    leaks = [v for pid, p in people.iterrows() for v in (pid, p["email"], f"{p['first_name_uk']} {p['last_name_uk']}")
             if v in page]  # fmt: skip
    assert leaks == []


@pytest.mark.notebooks
def test_voila_notebook_lays_out_the_report(chain, monkeypatch):
    """Does the Voilà dashboard notebook run on the cohort without errors and show every section?"""
    import nbformat
    from nbclient import NotebookClient

    root, truth, outputs, course = chain
    monkeypatch.setenv("C4C_COURSE_ROOT", str(root))
    app = Path(__file__).resolve().parents[3] / "voila_apps" / "cohort_report"
    nb = nbformat.read(app / "index.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(app)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
    assert "Воронка завершення" in state and "Кому варто допомогти" in state
