"""A small but complete project and reference data shaped like c4c_lms/data, for the tests."""

from __future__ import annotations

import pandas as pd

from c4c_lms.content import planner


def sample_project() -> dict:
    p = planner.new_project()
    p.update(title="Warm schools", start="2026-03", duration_months="12",
             themes=["energy", "education_youth"])
    p["problem_tree"] = {"core": "Low energy efficiency of schools",
                         "causes": ["Outdated windows", "Lack of insulation"],
                         "effects": ["High heating costs"]}
    p["objective_tree"] = planner.objective_tree(p["problem_tree"])
    p = planner.tree_to_logframe(p)
    lf = p["logframe"]
    lf["specific"] = "Cut heating energy use of 3 schools in Zhovkva by 30 % by 2027"
    lf["activities"] = [
        {"id": "A1.1", "result": "R1", "text": "Replace windows", "inputs": "contractor",
         "assumptions": "", "start": "2", "end": "6", "partner": "Zhovkva"},
        {"id": "A2.1", "result": "R2", "text": "Insulate roofs", "inputs": "",
         "assumptions": "", "start": "5", "end": "14", "partner": "Sindelfingen"},
    ]
    lf["indicators"] = [
        {"level": "specific", "text": "Heat use, MWh/yr", "baseline": "900", "target": "630",
         "source": "meter readings"},
        {"level": "R1", "text": "Windows replaced", "baseline": "0", "target": "120",
         "source": "acceptance report"},
        {"level": "R2", "text": "Roofs insulated", "baseline": "0", "target": "3",
         "source": "acceptance report"},
    ]
    p["partners"]["rows"] = [
        {"name": "Zhovkva", "country": "UA", "kind": "ua", "role": "lead", "type": "municipality",
         "contribution": "coordination", "benefits": ""},
        {"name": "Sindelfingen", "country": "DE", "kind": "eu", "role": "partner",
         "type": "municipality", "contribution": "know-how", "benefits": ""},
    ]
    p["budget"]["lines"] = [
        {"partner": "Zhovkva", "category": "works", "description": "windows", "quantity": "120",
         "unit_cost": "333,33"},
        {"partner": "Sindelfingen", "category": "travel", "description": "visits", "quantity": "3",
         "unit_cost": "1 250.10"},
    ]
    p["risks"] = [{"risk": "Prices rise", "likelihood": "4", "impact": "4", "mitigation": "reserve"},
                  {"risk": "Winter delays", "likelihood": "2", "impact": "2", "mitigation": ""}]
    return p


PROGRAMME_COLUMNS = ["id", "name_en", "name_uk", "managed_by", "themes", "applicant_types",
                     "ukraine_status", "ukraine_since", "grant_min_eur", "grant_max_eur",
                     "max_cofinancing_rate", "call_months", "next_deadline", "url", "summary_en",
                     "summary_uk", "source_url", "checked_on"]


def programmes() -> pd.DataFrame:
    rows = [
        dict(id="energy_fund", name_en="Energy fund", themes="energy;education_youth",
             applicant_types="municipality;ngo", ukraine_status="associated",
             ukraine_since="2022-06-23", grant_min_eur="10000", grant_max_eur="100000",
             call_months="9", next_deadline="2026-12-01"),
        dict(id="culture_fund", name_en="Culture fund", themes="culture_heritage",
             applicant_types="municipality", ukraine_status="associated", grant_min_eur="",
             grant_max_eur="", call_months="", next_deadline=""),
        dict(id="sme_only", name_en="SME only", themes="energy", applicant_types="sme",
             ukraine_status="eligible", grant_min_eur="1000", grant_max_eur="4000",
             call_months="", next_deadline=""),
        dict(id="cbc", name_en="Cross-border", themes="energy;environment_climate",
             applicant_types="municipality", ukraine_status="partner_country",
             grant_min_eur="200000", grant_max_eur="2500000", call_months="5",
             next_deadline=""),
    ]
    df = pd.DataFrame(rows).reindex(columns=PROGRAMME_COLUMNS).astype(object).fillna("")
    return df


def events() -> pd.DataFrame:
    return pd.DataFrame([
        dict(id="e1", kind="deadline", name_en="Energy fund call", name_uk="Конкурс",
             programme_id="energy_fund", month="9", day="15", date="", recurrence="yearly",
             url="https://example.org"),
        dict(id="e2", kind="deadline", name_en="CBC call", name_uk="Конкурс CBC",
             programme_id="cbc", month="5", day="", date="", recurrence="yearly", url=""),
        dict(id="e3", kind="event", name_en="Europe Day", name_uk="День Європи",
             programme_id="", month="5", day="9", date="", recurrence="yearly", url=""),
    ])
