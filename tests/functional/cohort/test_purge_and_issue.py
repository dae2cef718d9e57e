"""Small-course checks: re-drawing only what changed, and purging one participant's personal data."""

from __future__ import annotations

import json

from c4c_lms.cohort import attendance
from c4c_lms.cohort import certificates
from c4c_lms.cohort.data import load_cohort
from c4c_lms.lms.roster import load_roster
from conftest import invoke
from test_attendance import ZOOM, write


def _people(course):
    return [p.model_dump() for p in load_roster(course)][:2]


def test_issue_redraws_only_changed(small_course, signing_key):
    """Is a PDF redrawn only when its content changes (or with force), keeping the number?"""
    first = certificates.issue(small_course, _people(small_course), workers=1)
    assert (first.new, first.redrawn, first.unchanged) == (2, 0, 0)
    again = certificates.issue(small_course, _people(small_course), workers=1)
    assert (again.new, again.redrawn, again.unchanged) == (0, 0, 2)
    renamed = _people(small_course)
    renamed[0]["last_name_lat"] = "Kovalj"
    changed = certificates.issue(small_course, renamed, workers=1)
    assert (changed.new, changed.redrawn, changed.unchanged) == (0, 1, 1) and changed.issued == first.issued
    forced = certificates.issue(small_course, renamed, workers=1, force=True)
    assert forced.redrawn == 2


def test_purge_keeps_only_anonymous_statistics(small_course, signing_key, tmp_path):
    """After ``c4c cohort purge``, is the person gone everywhere while counts and their certificate survive?"""
    root = small_course.root
    invoke(root, "attendance", "import", str(write(tmp_path / "z.csv", ZOOM, "utf-8")), "--day", "1")
    issued = certificates.issue(small_course, _people(small_course), workers=1)
    number = issued.issued[0]
    result = invoke(root, "cohort", "purge", "p1", "--yes")
    assert result.exit_code == 0, result.output
    assert "p1" not in {p.id for p in load_roster(small_course)}
    state_text = attendance.state_path(small_course.workdir).read_text("utf-8")
    assert "olena@hromada.ua" not in state_text and '"p1"' not in state_text
    entry = certificates.load_registry(small_course.workdir)[number]
    assert entry["purged"] and entry["name_uk"] == "" and not list((small_course.workdir / "certificates" / "pdf")
                                                                    .glob(f"{number}.pdf"))  # fmt: skip
    code = certificates.verification_code(signing_key, number)
    assert certificates.verify(small_course.workdir, signing_key, code).status == "valid"
    anon = json.loads((small_course.workdir / "cohort" / "anonymous.json").read_text("utf-8"))
    assert anon == [{"oblast": "UA-46", "community_type": "city", "eligible": False,
                     "days": {"1": 80.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 0.0},
                     "scores": {e: None for e in load_cohort(small_course).points}}]  # fmt: skip
    report = tmp_path / "r.html"
    assert invoke(root, "report", "-o", str(report)).exit_code == 0
    page = report.read_text("utf-8")
    assert "Including 1 participants whose personal data was removed" in page and "<td>5</td>" in page
    assert invoke(root, "cohort", "purge", "p1", "--yes").exit_code == 2
