"""Named fixture submissions per exercise and their exact expected autograded scores.

Each case edits answer cells of the *released* notebook (by grade id). ``auto`` is the points the
autograder must give; ``status`` is what the grading pipeline must report: ``needs_manual`` when
a text answer waits for the lecturer, ``graded`` when nothing is left to mark, ``flagged`` when
the integrity cell reports tampering or nbgrader cells were deleted (``reason``). The tests run
in their own kernel, so tampering gains nothing: ``auto`` is also nbgrader's own gradebook score.
``bare_auto`` is what stock nbgrader (tests in the participant's kernel) gave: the bypass.
"""

from __future__ import annotations

# An object equal to everything: the classic way to fool `assert x == expected`.
ALWAYS_EQUAL = '''
class _Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __hash__(self):
        return 0
'''

# Removes every assert statement from later cells (wrong answers then "pass").
STRIP_ASSERTS = '''
import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
'''

# Turns every later cell into `pass` (including the tests and the canary).
BLANK_CELLS = '''
get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])
'''

# Makes every float comparison succeed.
PATCH_ISCLOSE = '''
import math
math.isclose = lambda *args, **kwargs: True
'''

# Shadows `type` so that `type(x) is str` holds for the always-equal object.
SHADOW_TYPE = ALWAYS_EQUAL + '''
type = lambda obj: str
'''

# Adds a line transform that empties every later cell.
LINE_TRANSFORM = '''
get_ipython().input_transformer_manager.line_transforms.append(lambda lines: [])
'''

PROFILE_TEXT = (
    "Sonyachna is a town community in Poltava oblast with about 24,000 inhabitants. "
    "We host many internally displaced people. Our priorities are energy efficiency of schools "
    "and clean water. We can share our experience of running shelters and volunteer networks. "
    "We chose Sindelfingen because it is a similar mid-sized town and started Cities4Cities."
)

PROJECT_TEXT = (
    "Core problem: School No. 3 loses most of its heat in winter.\n\n"
    "Causes: old windows; no insulation; an outdated heating substation.\n\n"
    "Effects: high heating bills; cold classrooms; lessons cancelled in frosts.\n\n"
    "Objective: heat use of School No. 3 falls by 30% by December 2026 (meter readings).\n\n"
    "Summary: We want to modernise School No. 3 in Sonyachna, which 600 pupils attend. "
    "The estimated budget is EUR 400,000. We look for a partner town with experience in "
    "energy-efficient public buildings."
)

FUNDING_TEXT = (
    "Programme: LIFE. It covers energy and the environment, municipalities may apply and "
    "Ukraine is associated. Deadline: not given in the table. Funding plan: EUR 400,000 in "
    "total; the rate is not in the table, so we will check the call before planning shares."
)

CASE_TEXT = (
    "Case id: ovruch_cedry_wielkie. The communities met at the World for Ukraine forum in "
    "Rzeszów, signed a memorandum, and Cedry Wielkie gave Ovruch a fire truck. We can repeat: "
    "go to a forum with a clear list of needs. Differently: we are a rural community, so we "
    "would look for a partner of similar size."
)

PLAN_TEXT = (
    "Partner in Ukraine: a neighbouring community, form: joint project (Law 1508-VII). "
    "EU partner and programme: a Polish town, Interreg NEXT Poland-Ukraine, because Lviv oblast "
    "is in its area. Roles: we apply, partners run activities. First steps: council decision, "
    "letter of intent, joint concept note."
)

CASES: dict[str, dict] = {
    # ---------------------------------------------------------------- ex01 (Ukrainian variant)
    "ex01_partners": {
        "assignment": "ex01_partners",
        "max_auto": 7,
        "cases": {
            "complete": {
                "answers": {
                    "q1_1_answer": 'my_community = "Sonyachna"\nmy_population = 24000',
                    "q1_2_answer": 'answer1_2 = ["energy", "water_waste"]',
                    "q2_1_answer": 'answer2_1 = len(candidates[candidates["country"] == "SE"])',
                    "q2_2_answer": 'answer2_2 = len(candidates[candidates["population"].between(my_population / 2, my_population * 2)])',
                    "q2_3_answer": 'answer2_3 = "Sindelfingen"',
                    "q2_4_answer": 'answer2_4 = "B"',
                    "q3_1": PROFILE_TEXT,
                },
                "auto": 7, "status": "needs_manual",
            },
            "blank": {"answers": {}, "auto": 0, "status": "graded"},
            "partial": {
                # right: 1.1, 1.2, 2.3 (1+1+1); wrong: 2.1 (Poland), 2.2 (wrong bounds), 2.4
                "answers": {
                    "q1_1_answer": 'my_community = "Sonyachna"\nmy_population = 24000',
                    "q1_2_answer": 'answer1_2 = ["energy"]',
                    "q2_1_answer": 'answer2_1 = len(candidates[candidates["country"] == "PL"])',
                    "q2_2_answer": 'answer2_2 = len(candidates[candidates["population"].between(10000, 40000)])',
                    "q2_3_answer": 'answer2_3 = "Sindelfingen"',
                    "q2_4_answer": 'answer2_4 = "A"',
                },
                "auto": 3, "status": "graded",
            },
            "wrongtype": {
                # 1.1 population as text, 2.1 always-equal object, 2.4 always-equal object,
                # 2.3 an int; only 1.2 (1) and 2.2 (2; computed with the str population → fails)
                "answers": {
                    "q1_1_answer": 'my_community = "Sonyachna"\nmy_population = "24000"',
                    "q1_2_answer": 'answer1_2 = ["energy"]',
                    "q2_1_answer": ALWAYS_EQUAL + "answer2_1 = _Anything()",
                    "q2_2_answer": "answer2_2 = 3.0",
                    "q2_3_answer": "answer2_3 = 7",
                    "q2_4_answer": ALWAYS_EQUAL + "answer2_4 = _Anything()",
                },
                "auto": 1, "status": "graded",
            },
            "tamper": {
                "answers": {
                    "q1_1_answer": STRIP_ASSERTS + 'my_community = "Сонячна"\nmy_population = -5',
                    "q1_2_answer": 'answer1_2 = ["football"]',
                    "q2_1_answer": "answer2_1 = -1",
                    "q2_2_answer": "answer2_2 = -1",
                    "q2_3_answer": 'answer2_3 = "Atlantis"',
                    "q2_4_answer": 'answer2_4 = "Z"',
                },
                "auto": 0, "bare_auto": 7, "status": "flagged",
            },
            # The same tampering, with the canary cell's tag removed or the cell deleted: the
            # pipeline finds the canary from the released notebook, not from the submission.
            "untagged": {
                "answers": {"q1_1_answer": STRIP_ASSERTS + "my_community = 1\nmy_population = -5"},
                "edit": "untag_canary",
                "auto": 0, "bare_auto": 7, "status": "flagged",
            },
            "nocanary": {
                "answers": {"q1_1_answer": STRIP_ASSERTS + "my_community = 1\nmy_population = -5"},
                "edit": "delete_canary",
                "auto": 0, "bare_auto": 7, "status": "flagged", "reason": "cells_changed",
            },
        },
    },
    # ---------------------------------------------------------------- ex02 (English variant)
    "ex02_project_design": {
        "assignment": "ex02_project_design_en",
        "max_auto": 7,
        "cases": {
            "complete": {
                "answers": {
                    "q1_1_answer": 'answer1_1 = "CADB"',
                    "q1_2_answer": 'answer1_2 = "B"',
                    "q1_3_answer": 'answer1_3 = "B"',
                    "q2_1_answer": 'answer2_1 = len(logframe[logframe["level"] == "activity"])',
                    "q2_2_answer": 'answer2_2 = logframe[logframe["parent"] == "O2"]["cost_eur"].sum()',
                    "q3_1": PROJECT_TEXT,
                },
                "auto": 7, "status": "needs_manual",
            },
            "blank": {"answers": {}, "auto": 0, "status": "graded"},
            "partial": {
                # right: 1.2, 2.1 (1+1); wrong: 1.1 order, 1.3, 2.2 (cost of O1 instead of O2)
                "answers": {
                    "q1_1_answer": 'answer1_1 = "CDAB"',
                    "q1_2_answer": 'answer1_2 = "B"',
                    "q1_3_answer": 'answer1_3 = "A"',
                    "q2_1_answer": 'answer2_1 = len(logframe[logframe["level"] == "activity"])',
                    "q2_2_answer": 'answer2_2 = logframe[logframe["parent"] == "O1"]["cost_eur"].sum()',
                },
                "auto": 2, "status": "graded",
            },
            "wrongtype": {
                # a list for the order, the always-equal object, a number in quotes;
                # right: 1.3 (1) and 2.2 as a plain int (2)
                "answers": {
                    "q1_1_answer": 'answer1_1 = ["C", "A", "D", "B"]',
                    "q1_2_answer": ALWAYS_EQUAL + "answer1_2 = _Anything()",
                    "q1_3_answer": 'answer1_3 = "B"',
                    "q2_1_answer": 'answer2_1 = "7"',
                    "q2_2_answer": "answer2_2 = 73000",
                },
                "auto": 3, "status": "graded",
            },
            "tamper": {
                "answers": {
                    "q1_1_answer": BLANK_CELLS + 'answer1_1 = "DCBA"',
                    "q2_2_answer": "answer2_2 = -1",
                },
                "auto": 0, "bare_auto": 7, "status": "flagged",
            },
        },
    },
    # ---------------------------------------------------------------- ex03 (Ukrainian variant)
    "ex03_funding": {
        "assignment": "ex03_funding",
        "max_auto": 8,
        "cases": {
            "complete": {
                "answers": {
                    "q1_1_answer": 'answer1_1 = len(programmes[programmes["ukraine_status"] == "partner_country"])',
                    "q1_2_answer": 'my_theme = "energy"\nanswer1_2 = len(programmes[programmes["themes"].str.contains(my_theme) & programmes["applicant_types"].str.contains("municipality")])',
                    "q2_1_answer": "answer2_1 = 400000 - 400000 * 0.9",
                    "q2_2_answer": "answer2_2 = 120000 + 120000 * 0.07",
                    "q2_3_answer": 'answer2_3 = "B"',
                    "q4_1_answer": 'calendar2027 = events[((events["year"] == 2027) | ((events["recurrence"] == "yearly") & events["year"].isna())) & events["month"].notna()].sort_values(["month", "day"])',
                    "q3_1": FUNDING_TEXT,
                },
                "auto": 8, "status": "needs_manual",
            },
            "blank": {"answers": {}, "auto": 0, "status": "graded"},
            "partial": {
                # right: 1.1, 2.3 (1+1); wrong: 1.2 (no municipality filter: 8, not 7),
                # 2.1 (EU share instead of own contribution), 2.2 (indirect costs only),
                # 4.1 (every row with a month: past editions and unknown recurrence included)
                "answers": {
                    "q1_1_answer": 'answer1_1 = len(programmes[programmes["ukraine_status"] == "partner_country"])',
                    "q1_2_answer": 'my_theme = "energy"\nanswer1_2 = len(programmes[programmes["themes"].str.contains(my_theme)])',
                    "q2_1_answer": "answer2_1 = 400000 * 0.9",
                    "q2_2_answer": "answer2_2 = 120000 * 0.07",
                    "q2_3_answer": 'answer2_3 = "B"',
                    "q4_1_answer": 'calendar2027 = events[events["month"].notna()].sort_values(["month", "day"])',
                },
                "auto": 2, "status": "graded",
            },
            "wrongtype": {
                # numbers in quotes and the always-equal object; right: 2.2 as an int (1);
                # the calendar as a list of ids instead of a table (0)
                "answers": {
                    "q1_1_answer": 'answer1_1 = "7"',
                    "q1_2_answer": 'my_theme = "energy"\n' + ALWAYS_EQUAL + "answer1_2 = _Anything()",
                    "q2_1_answer": 'answer2_1 = "40000"',
                    "q2_2_answer": "answer2_2 = 128400",
                    "q2_3_answer": ALWAYS_EQUAL + "answer2_3 = _Anything()",
                    "q4_1_answer": 'calendar2027 = list(events["id"])',
                },
                "auto": 1, "status": "graded",
            },
            "tamper": {
                # math.isclose patched: the two float questions "pass" with wrong values
                "answers": {
                    "q1_1_answer": PATCH_ISCLOSE + "answer1_1 = 0",
                    "q1_2_answer": 'my_theme = "energy"\nanswer1_2 = 0',
                    "q2_1_answer": "answer2_1 = 1.0",
                    "q2_2_answer": "answer2_2 = 130000.0",
                    "q2_3_answer": 'answer2_3 = "A"',
                },
                "auto": 0, "bare_auto": 2, "status": "flagged",
            },
        },
    },
    # ---------------------------------------------------------------- ex04 (English variant)
    "ex04_case_analysis": {
        "assignment": "ex04_case_analysis_en",
        "max_auto": 7,
        "cases": {
            "complete": {
                "answers": {
                    "q1_1_answer": 'answer1_1 = len(cases[cases["partner_country"] == "SE"])',
                    "q1_2_answer": 'answer1_2 = "FR"',
                    "q1_3_answer": 'answer1_3 = len(cases[cases["themes"].str.contains("social_inclusion")])',
                    "q2_1_answer": 'answer2_1 = "B"',
                    "q2_2_answer": "answer2_2 = 17",
                    "q2_3_answer": 'answer2_3 = "BDAC"',
                    "q3_1": CASE_TEXT,
                },
                "auto": 7, "status": "needs_manual",
            },
            "blank": {"answers": {}, "auto": 0, "status": "graded"},
            "partial": {
                # right: 1.2, 1.3, 2.2 (1+1+1); wrong: 1.1 (Poland), 2.1, 2.3 order
                "answers": {
                    "q1_1_answer": 'answer1_1 = len(cases[cases["partner_country"] == "PL"])',
                    "q1_2_answer": 'answer1_2 = "fr"',
                    "q1_3_answer": 'answer1_3 = len(cases[cases["themes"].str.contains("social_inclusion")])',
                    "q2_1_answer": 'answer2_1 = "C"',
                    "q2_2_answer": "answer2_2 = 17",
                    "q2_3_answer": 'answer2_3 = "BADC"',
                },
                "auto": 3, "status": "graded",
            },
            "wrongtype": {
                # a float count, the always-equal object, a number in quotes, a list;
                # right: 2.1 (1)
                "answers": {
                    "q1_1_answer": "answer1_1 = 3.0",
                    "q1_2_answer": ALWAYS_EQUAL + "answer1_2 = _Anything()",
                    "q1_3_answer": 'answer1_3 = "2"',
                    "q2_1_answer": 'answer2_1 = "B"',
                    "q2_2_answer": ALWAYS_EQUAL + "answer2_2 = _Anything()",
                    "q2_3_answer": 'answer2_3 = ["B", "D", "A", "C"]',
                },
                "auto": 1, "status": "graded",
            },
            "tamper": {
                "answers": {
                    "q1_1_answer": LINE_TRANSFORM + "answer1_1 = -1",
                    "q2_1_answer": 'answer2_1 = "Z"',
                },
                "auto": 0, "bare_auto": 7, "status": "flagged",
            },
        },
    },
    # ---------------------------------------------------------------- ex05 (Ukrainian variant)
    "ex05_joint_application": {
        "assignment": "ex05_joint_application",
        "max_auto": 7,
        "cases": {
            "complete": {
                "answers": {
                    "q1_1_answer": 'answer1_1 = "A"',
                    "q1_2_answer": "answer1_2 = 5",
                    "q1_3_answer": 'answer1_3 = "B"',
                    "q2_1_answer": 'answer2_1 = len(areas[areas["programme"] == "interreg_next_ro_ua"])',
                    "q2_2_answer": 'my_oblast = "UA-46"',
                    "q2_3_answer": 'answer2_3 = len(areas[areas["iso_code"] == my_oblast])',
                    "q2_4_answer": "answer2_4 = 4",
                    "q3_1": PLAN_TEXT,
                },
                "auto": 7, "status": "needs_manual",
            },
            "blank": {"answers": {}, "auto": 0, "status": "graded"},
            "partial": {
                # right: 1.2, 1.3, 2.2 (1+1+1); wrong: 1.1, 2.1 (Poland-Ukraine), 2.3, 2.4
                "answers": {
                    "q1_1_answer": 'answer1_1 = "B"',
                    "q1_2_answer": "answer1_2 = 5",
                    "q1_3_answer": 'answer1_3 = "B"',
                    "q2_1_answer": 'answer2_1 = len(areas[areas["programme"] == "interreg_next_pl_ua"])',
                    "q2_2_answer": 'my_oblast = "UA-46"',
                    "q2_3_answer": "answer2_3 = 0",
                    "q2_4_answer": "answer2_4 = 2",
                },
                "auto": 3, "status": "graded",
            },
            "wrongtype": {
                # the always-equal object, a number in quotes, an int for a letter, a float,
                # an int oblast code (so 2.3 cannot count either); right: 2.4 (1)
                "answers": {
                    "q1_1_answer": ALWAYS_EQUAL + "answer1_1 = _Anything()",
                    "q1_2_answer": 'answer1_2 = "5"',
                    "q1_3_answer": "answer1_3 = 2",
                    "q2_1_answer": "answer2_1 = 4.0",
                    "q2_2_answer": "my_oblast = 46",
                    "q2_3_answer": "answer2_3 = 0",
                    "q2_4_answer": "answer2_4 = 4",
                },
                "auto": 1, "status": "graded",
            },
            "tamper": {
                # `type` shadowed so that `type(x) is str` holds for the always-equal object:
                # the value conversions already stop it, and the canary flags it
                "answers": {
                    "q1_1_answer": SHADOW_TYPE + "answer1_1 = _Anything()",
                    "q1_2_answer": "answer1_2 = _Anything()",
                    "q1_3_answer": "answer1_3 = _Anything()",
                    "q2_1_answer": "answer2_1 = _Anything()",
                    "q2_2_answer": "my_oblast = _Anything()",
                    "q2_3_answer": "answer2_3 = _Anything()",
                    "q2_4_answer": "answer2_4 = _Anything()",
                },
                "auto": 0, "bare_auto": 0, "status": "flagged",
            },
        },
    },
}
