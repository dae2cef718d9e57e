"""Trees, logframe checks, work plan, partners, risks and the project file."""

from __future__ import annotations

import copy

import pytest
from planner_sample import sample_project

from c4c_lms.content import planner


@pytest.mark.parametrize("problem, objective", [
    ("Low energy efficiency of schools", "Improved energy efficiency of schools"),
    ("High heating costs and lack of insulation", "Reduced heating costs and sufficient insulation"),
    ("Низька енергоефективність шкіл", "Висока енергоефективність шкіл"),
    ("Високі витрати на опалення", "Знижені витрати на опалення"),
    ("Відсутність укриттів у школах", "Наявність укриттів у школах"),
    ("Застарілий автопарк", "Сучасний автопарк"),
    ("Немає проєктної документації", "Забезпечено наявність проєктної документації"),
    ("У громаді немає укриттів", "У громаді забезпечено наявність укриттів"),
])
def test_mirror_turns_problems_into_objectives(problem, objective):
    """Does the mirror turn a negative statement into its positive objective in both languages?"""
    assert planner.mirror(problem) == objective


def test_mirror_does_not_replace_twice_and_keeps_unknown_text():
    """Is 'low' mirrored once (not on to 'reduced') and is an unknown statement kept as typed?"""
    assert planner.mirror("low") == "improved"
    assert planner.mirror("Young people leave the town") == "Young people leave the town"
    assert planner.mirror("   ") == ""


def test_objective_tree_maps_core_causes_effects():
    """Do core, causes and effects become core objective, means and ends, skipping blank lines?"""
    tree = planner.objective_tree({"core": "Poor water supply", "causes": ["Damaged pipes", " "],
                                   "effects": ["Unsafe drinking water"]})
    assert tree == {"core": "Good water supply", "means": ["Repaired pipes"],
                    "ends": ["Safe drinking water"]}


def test_statements_that_cannot_be_mirrored_become_marked_drafts():
    """Is a consequence the word list cannot turn positive marked as a draft (never passed off as
    an objective), and does the overall objective it feeds say it is a draft?"""
    tree = planner.objective_tree({"core": "Немає проєктної документації", "causes": [],
                                   "effects": ["Молодь виїжджає з громади", "Низька якість послуг"]})
    assert tree["core"] == "Забезпечено наявність проєктної документації"
    assert tree["ends"] == [planner.DRAFT + "Молодь виїжджає з громади", "Висока якість послуг"]
    p = planner.new_project()
    p["objective_tree"] = tree
    overall = planner.tree_to_logframe(p)["logframe"]["overall"]
    assert planner.is_draft(overall) and overall.count(planner.DRAFT.strip()) == 1
    assert planner.objective_tree({"core": "", "causes": [], "effects": []})["core"] == ""


def test_tree_to_logframe_fills_only_empty_fields():
    """Does copying the tree into the logframe keep what the learner already wrote?"""
    p = planner.new_project()
    p["objective_tree"] = {"core": "Good water", "means": ["New pipes", "Trained staff"],
                           "ends": ["Healthier people"]}
    p["logframe"]["specific"] = "My own objective"
    out = planner.tree_to_logframe(p)
    assert out["logframe"]["specific"] == "My own objective"
    assert out["logframe"]["overall"] == "Healthier people"
    assert [r["id"] for r in out["logframe"]["results"]] == ["R1", "R2"]
    assert p["logframe"]["results"] == []  # the input is not modified


def test_complete_logframe_has_no_issues():
    """Does the sample project's logframe pass every check?"""
    assert planner.logframe_issues(sample_project()) == []


def test_logframe_checks_find_each_gap():
    """Are a result without a target, an orphan activity and duplicate ids each reported?"""
    p = sample_project()
    lf = p["logframe"]
    lf["indicators"][1]["target"] = ""  # R1 has no target now
    lf["activities"][1]["result"] = "R9"  # points nowhere; R2 has no activity now
    lf["results"].append({"id": "R1", "text": "again", "assumptions": ""})
    lf["indicators"].append({"level": "R7", "text": "x", "baseline": "", "target": "1", "source": ""})
    keys = {(k, tuple(sorted(v.items()))) for _, k, v in planner.logframe_issues(p)}
    names = {k for k, _ in keys}
    assert {"lf_result_no_target", "lf_activity_no_result", "lf_duplicate_id",
            "lf_result_no_activity", "lf_indicator_bad_level", "lf_indicator_no_source"} <= names
    assert ("lf_activity_no_result", (("id", "A2.1"), ("result", "R9"), ("row", 2))) in keys


def test_empty_logframe_errors():
    """Does an empty project report both missing objectives and no results?"""
    names = {k for _, k, _ in planner.logframe_issues(planner.new_project())}
    assert {"lf_missing_overall", "lf_missing_specific", "lf_no_results"} <= names


def test_smart_hints_only_claim_what_text_shows():
    """Do S, M and T hints follow the text and indicators, while A and R are left to the learner?"""
    p = sample_project()
    assert planner.smart_hints(p) == {"S": True, "M": True, "A": None, "R": None, "T": True}
    p["logframe"]["specific"] = "Better schools"
    p["logframe"]["indicators"][0]["baseline"] = ""
    p["start"] = ""
    assert planner.smart_hints(p) == {"S": False, "M": False, "A": None, "R": None, "T": False}


def test_workplan_flags_activities_outside_the_period():
    """Are activities past the project end, reversed, or with unreadable months flagged?"""
    p = sample_project()
    issues = planner.workplan_issues(p)
    assert issues == [("warning", "wp_outside_period",
                       {"row": 2, "id": "A2.1", "end": 14, "duration": 12})]
    p["logframe"]["activities"][0].update(start="6", end="2")
    p["logframe"]["activities"][1].update(start="x")
    p["duration_months"] = "a year"
    names = [k for _, k, _ in planner.workplan_issues(p)]
    assert names == ["wp_bad_duration", "wp_end_before_start", "wp_bad_month"]


def test_month_labels_and_start_parsing():
    """Are project months labelled as calendar months across a year end?"""
    assert planner.parse_start("2026-11") == (2026, 11)
    assert planner.parse_start("03.2026") == (2026, 3)
    assert planner.parse_start("2026-13") is None
    assert planner.month_label((2026, 11), 3) == "2027-01"
    assert planner.month_label(None, 3) == "M3"


def test_gantt_png_is_a_png():
    """Is the Gantt chart a PNG, and absent when no activity has valid months?"""
    p = sample_project()
    assert planner.gantt_png(p, "t").startswith(b"\x89PNG")
    for a in p["logframe"]["activities"]:
        a["start"] = ""
    assert planner.gantt_png(p) is None


def test_partner_checks_and_mutual_beneficiaries():
    """Are the lead count, unknown beneficiaries and mutual pairs found for a joint application?"""
    p = sample_project()
    assert planner.partner_issues(p) == []
    p["partners"]["joint_domestic"] = True
    p["partners"]["rows"] = [
        {"name": "Rukshyn", "kind": "ua", "role": "lead", "benefits": "Mykolaivka"},
        {"name": "Mykolaivka", "kind": "ua", "role": "partner", "benefits": "Rukshyn; Nowhere"},
        {"name": "Third", "kind": "ua", "role": "lead", "benefits": "Rukshyn"},
    ]
    names = [(k, v) for _, k, v in planner.partner_issues(p)]
    assert ("pt_lead_count", {"count": 2}) in names
    assert ("pt_unknown_beneficiary", {"name": "Mykolaivka", "other": "Nowhere"}) in names
    assert planner.mutual_beneficiaries(p) == [("Mykolaivka", "Rukshyn")]


def test_partners_from_shortlist_csv():
    """Does the partner finder's shortlist CSV become EU partner rows, and a wrong CSV an error?"""
    rows = planner.partners_from_shortlist("\ufeffname,country,score\nGniezno,PL,80\n,DE,1\n")
    assert rows == [{"name": "Gniezno", "country": "PL", "kind": "eu", "role": "partner",
                     "type": "municipality", "contribution": "", "benefits": ""}]
    with pytest.raises(ValueError, match="shortlist_columns"):
        planner.partners_from_shortlist("a,b\n1,2\n")


def test_risks_scored_sorted_and_checked():
    """Are risks scored likelihood × impact, sorted, levelled, and bad scales or gaps reported?"""
    p = sample_project()
    p["risks"].append({"risk": "Odd", "likelihood": "6", "impact": "1", "mitigation": ""})
    p["risks"].append({"risk": "War damage", "likelihood": "3", "impact": "5", "mitigation": ""})
    risks, issues = planner.scored_risks(p)
    assert [(r["risk"], r["score"], r["level"]) for r in risks] == [
        ("Prices rise", 16, "high"), ("War damage", 15, "high"), ("Winter delays", 4, "low")]
    assert ("error", "rk_bad_scale", {"row": 3}) in issues
    assert ("warning", "rk_high_no_mitigation", {"row": 4}) in issues
    assert planner.risk_level(3, 3) == "medium"
    assert planner.risk_matrix_png(risks, ("L", "I", "T")).startswith(b"\x89PNG")


def test_json_round_trip_and_bad_files():
    """Does a project survive save and re-load, and are non-JSON or foreign files refused?"""
    p = sample_project()
    assert planner.loads(planner.dumps(p)) == p
    assert "Жовква" in planner.dumps({**p, "title": "Жовква"})  # readable, not \\u escapes
    older = copy.deepcopy(p)
    del older["risks"]
    assert planner.loads(planner.dumps(older))["risks"] == []  # missing keys are filled
    for text, key in (("{nope", "not_json"), ('{"schema": "c4c-profile/1"}', "wrong_schema"),
                      ("[1]", "wrong_schema")):
        with pytest.raises(ValueError, match=key):
            planner.loads(text)
