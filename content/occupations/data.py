"""The published AI-exposure figures for every SOC 2018 occupation, loaded and checked once.

The shipped ``occupations.csv`` is generated (see :mod:`content.occupations.build`); this module
reads it, validates it (codes well formed and unique, every value inside its measure's range,
every alias and pack link pointing at a real occupation) and computes each figure's percentile.
Every number a card or chart shows is a :class:`Figure` from here, so there is one copy of it.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from content.loader import ContentError, PackProblem

HERE = Path(__file__).parent
DATA_FILE = HERE / "occupations.csv"
ALIASES_FILE = HERE / "aliases.yaml"
SOC = re.compile(r"^\d{2}-\d{4}$")
SOURCE_CODE = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")


@dataclass(frozen=True, slots=True)
class Measure:
    """One published measure: what it is, whose study, and what its numbers can be."""

    key: str
    name: str
    meaning: str
    study: str
    year: int
    licence: str
    low: float
    high: float
    """The range a value must fall in; anything outside is a data error."""
    unit: str
    """How a value is written: "share" (0–1 as a percentage), "score" (0–1) or "index" (±)."""

    def format(self, value: float, digits: int = 0) -> str:
        """``digits`` more than usual, for figures that would otherwise read as equal."""
        if self.unit == "share":
            return f"{value:.{digits}%}"
        return f"{value:+.{2 + digits}f}" if self.unit == "index" else f"{value:.{2 + digits}f}"


MEASURES: tuple[Measure, ...] = (
    Measure(
        "eloundou",
        "Tasks exposed to language models",
        "The share of the job's tasks that a large language model, on its own or inside other "
        "software, could do in half the time or less; rated by GPT-4, with people's ratings "
        "alongside.",
        "Eloundou, Manning, Mishkin & Rock",
        2024,
        "data under the MIT licence",
        0.0,
        1.0,
        "share",
    ),
    Measure(
        "tomlinson",
        "Observed AI use",
        "How much of the job's work people actually got done with a generative-AI assistant "
        "(Bing Copilot, 2024), weighted by how well it went; the top occupation scores about 0.49.",
        "Tomlinson, Jaffe, Wang, Counts & Suri",
        2025,
        "CC BY 4.0",
        0.0,
        1.0,
        "score",
    ),
    Measure(
        "felten",
        "AI occupational exposure (AIOE)",
        "How closely the abilities the job calls for line up with ten common AI applications; "
        "0 is the average occupation and 1 is one standard deviation above it, not a probability.",
        "Felten, Raj & Seamans",
        2021,
        "published data appendix",
        -5.0,
        5.0,
        "index",
    ),
    Measure(
        "frey",
        "Probability of computerisation",
        "A 2013 model's chance that computer-controlled equipment could take over the job within "
        "a decade or two; it was made before today's language models and forecasts no job losses.",
        "Frey & Osborne",
        2013,
        "figures from the published appendix",
        0.0,
        1.0,
        "share",
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
_POSITION = {m.key: i for i, m in enumerate(MEASURES)}
ORDERING = "eloundou"
"""The measure "more / less exposed" neighbours are ordered by: the one covering most jobs."""
ATTRIBUTION = (
    "Figures: Eloundou et al., Science 2024 (MIT licence); Tomlinson et al. 2025 (CC BY 4.0); "
    "Felten et al., SMJ 2021; Frey & Osborne 2013/2017. Titles: US BLS SOC 2018; reported job "
    "titles from O*NET 29 by USDOL/ETA (CC BY 4.0; O*NET® is a trademark of USDOL/ETA). "
    "Joined and summarised by careerbot."
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One measure's value for one occupation, and where it ranks; ``value`` None = no figure."""

    measure: Measure
    value: float | None
    percentile: int | None
    """Share of occupations with a figure on this measure that score lower, 0–100."""
    from_codes: tuple[str, ...] = ()
    """Codes the figure was taken from when not the occupation's own (older or grouped codes)."""
    second: float | None = None
    """Eloundou et al. only: the rating people gave, beside GPT-4's."""
    out_of: int = 0
    """How many occupations have a figure on this measure (what the percentile ranks among)."""

    @property
    def text(self) -> str:
        return "" if self.value is None else self.measure.format(self.value)


@dataclass(frozen=True, slots=True)
class Occupation:
    soc: str
    title: str
    figures: tuple[Figure, ...]
    reported_titles: tuple[str, ...]

    def figure(self, key: str) -> Figure:
        """``figures`` always holds every measure, in the order of :data:`MEASURES`."""
        return self.figures[_POSITION[key]]

    @property
    def present(self) -> list[Figure]:
        return [f for f in self.figures if f.value is not None]

    @property
    def absent(self) -> list[Figure]:
        return [f for f in self.figures if f.value is None]


@dataclass(frozen=True, slots=True)
class Aliases:
    names: dict[str, str]
    """Extra names (lower case) → SOC code: everyday and non-US words for a job."""
    packs: dict[str, tuple[str, ...]]
    """Role pack id → the SOC codes it is written for or stands beside."""
    filed_under: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Short role pack id → the nearest SOC codes (the SOC has none for such a job): where a
    pack has no score of its own, their published figures are the next best thing to show."""


class OccupationData:
    """Every occupation by code, plus the ranking each percentile and neighbour list uses."""

    def __init__(self, occupations: list[Occupation], aliases: Aliases) -> None:
        self.occupations = occupations
        self.by_soc = {o.soc: o for o in occupations}
        self.aliases = aliases
        self.pack_for: dict[str, str] = {
            soc: pack for pack, codes in aliases.packs.items() for soc in codes
        }
        self._groups: dict[str, list[Occupation]] = defaultdict(list)
        for occ in occupations:
            if occ.figure(ORDERING).value is not None:
                self._groups[occ.soc[:4]].append(occ)
                self._groups[occ.soc[:2]].append(occ)
        for members in self._groups.values():
            members.sort(key=lambda o: (o.figure(ORDERING).value or 0.0, o.soc))

    def get(self, soc: str) -> Occupation | None:
        return self.by_soc.get(soc)

    def nearby(self, occ: Occupation, n: int = 2) -> tuple[list[Occupation], list[Occupation]]:
        """Occupations in the same SOC group just above and just below on :data:`ORDERING`."""
        if occ.figure(ORDERING).value is None:
            return [], []
        group = self._groups[occ.soc[:4]]
        if len(group) < 2 * n + 1:
            group = self._groups[occ.soc[:2]]
        i = group.index(occ)
        return group[i + 1 : i + 1 + n], list(reversed(group[max(0, i - n) : i]))


def _percentiles(values: list[float]) -> dict[float, int]:
    ordered = sorted(values)
    return {v: round(100 * bisect_left(ordered, v) / len(ordered)) for v in set(values)}


def _number(raw: str, measure: Measure, where: str, problems: list[PackProblem]) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(PackProblem(DATA_FILE.name, where, f"not a number: {raw!r}"))
        return None
    if not measure.low <= value <= measure.high:
        problems.append(
            PackProblem(DATA_FILE.name, where, f"{value} is outside {measure.low}–{measure.high}")
        )
        return None
    return value


def _read_rows(path: Path, problems: list[PackProblem]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        problems.append(PackProblem(path.name, "(file)", f"cannot read: {exc}"))
        return []


@dataclass(slots=True)
class _Row:
    soc: str
    title: str
    values: dict[str, tuple[float | None, tuple[str, ...]]]
    human: float | None
    titles: tuple[str, ...]


def _parse(rows: list[dict[str, str]], problems: list[PackProblem]) -> list[Occupation]:
    parsed: list[_Row] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        soc, title = row.get("soc", ""), (row.get("title") or "").strip()
        where = f"line {line}"
        if not SOC.match(soc):
            problems.append(PackProblem(DATA_FILE.name, where, f"bad SOC code {soc!r}"))
            continue
        if soc in seen:
            problems.append(PackProblem(DATA_FILE.name, where, f"duplicate SOC code {soc}"))
            continue
        seen.add(soc)
        if not title:
            problems.append(PackProblem(DATA_FILE.name, where, "empty title"))
        values: dict[str, tuple[float | None, tuple[str, ...]]] = {}
        for m in MEASURES:
            column = "eloundou_gpt4" if m.key == "eloundou" else m.key
            value = _number(row.get(column, ""), m, f"{where}.{column}", problems)
            codes = tuple((row.get(f"{m.key}_from") or "").split())
            bad = [c for c in codes if not SOURCE_CODE.match(c)]
            if bad:
                problems.append(
                    PackProblem(DATA_FILE.name, f"{where}.{m.key}_from", f"bad codes {bad}")
                )
            values[m.key] = (value, codes)
        human = _number(
            row.get("eloundou_human", ""),
            MEASURE_BY_KEY["eloundou"],
            f"{where}.eloundou_human",
            problems,
        )
        titles = tuple(t for t in (row.get("reported_titles") or "").split("; ") if t)
        parsed.append(_Row(soc, title, values, human, titles))
    present = {
        m.key: [r.values[m.key][0] for r in parsed if r.values[m.key][0] is not None]
        for m in MEASURES
    }
    ranks = {key: _percentiles(values) for key, values in present.items() if values}

    def figure(row: _Row, m: Measure) -> Figure:
        value, codes = row.values[m.key]
        return Figure(
            m,
            value,
            None if value is None else ranks[m.key][value],
            codes,
            row.human if m.key == "eloundou" else None,
            len(present[m.key]),
        )

    return [
        Occupation(r.soc, r.title, tuple(figure(r, m) for m in MEASURES), r.titles) for r in parsed
    ]


def _aliases(
    path: Path,
    codes: set[str],
    pack_ids: set[str] | None,
    strict_packs: bool,
    problems: list[PackProblem],
) -> Aliases:
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(PackProblem(path.name, "(file)", f"cannot read: {exc}"))
        return Aliases({}, {})
    names: dict[str, str] = {}
    for soc, words in (data.get("aliases") or {}).items():
        if str(soc) not in codes:
            problems.append(
                PackProblem(path.name, f"aliases.{soc}", "no occupation with this code")
            )
            continue
        for word in words or []:
            key = " ".join(str(word).lower().split())
            if key in names and names[key] != soc:
                problems.append(
                    PackProblem(path.name, f"aliases.{soc}", f"{word!r} already names {names[key]}")
                )
            names[key] = str(soc)
    packs = _pack_codes(path, "packs", data, codes, pack_ids, strict_packs, problems)
    filed_under = _pack_codes(path, "filed_under", data, codes, pack_ids, strict_packs, problems)
    return Aliases(names, packs, filed_under)


def _pack_codes(
    path: Path,
    key: str,
    data: dict,
    codes: set[str],
    pack_ids: set[str] | None,
    strict_packs: bool,
    problems: list[PackProblem],
) -> dict[str, tuple[str, ...]]:
    """A mapping of role pack ids to SOC codes, each id and code checked. A pack that is not
    loaded is an error when ``strict_packs`` (the shipped packs: a typo), else left out (a
    folder of one's own packs need not have every shipped one)."""
    found: dict[str, tuple[str, ...]] = {}
    for pack, socs in (data.get(key) or {}).items():
        if pack_ids is not None and pack not in pack_ids:
            if not strict_packs:
                continue
            problems.append(PackProblem(path.name, f"{key}.{pack}", "no role pack with this id"))
        missing = [s for s in socs or [] if s not in codes]
        if missing:
            problems.append(PackProblem(path.name, f"{key}.{pack}", f"unknown codes {missing}"))
        found[pack] = tuple(s for s in socs or [] if s in codes)
    return found


def load_occupations(
    data_file: Path = DATA_FILE,
    aliases_file: Path = ALIASES_FILE,
    pack_ids: set[str] | None = None,
    strict_packs: bool = True,
) -> OccupationData:
    """Load and check the shipped data; raise :class:`ContentError` listing every problem.
    ``strict_packs=False``: mappings for role packs not in ``pack_ids`` are left out, not
    errors (a bot started with a roles folder of its own)."""
    problems: list[PackProblem] = []
    occupations = _parse(_read_rows(data_file, problems), problems)
    if not occupations and not problems:
        problems.append(PackProblem(data_file.name, "(file)", "no occupations"))
    aliases = _aliases(aliases_file, {o.soc for o in occupations}, pack_ids, strict_packs, problems)
    if problems:
        raise ContentError(problems)
    return OccupationData(occupations, aliases)
