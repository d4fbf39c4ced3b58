"""Rebuild ``occupations.csv`` from the published files in ``../shared/data/occupations``.

Run ``python -m content.occupations.build [--source DIR]``. The shipped CSV is exactly what this
writes (``tests/test_occupations_data.py`` rebuilds it and compares), so a figure can always be
traced back to its published file. One row per SOC 2018 detailed occupation; each measure is
joined to it the way the source data's README describes, and where a figure comes from another
code (a SOC 2010 code, a broad group, several codes averaged) the codes it came from are kept in
the ``*_from`` column so the card can say so.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from statistics import fmean

HERE = Path(__file__).parent
SHIPPED = HERE / "occupations.csv"
DEFAULT_SOURCE = HERE.parents[1].parent / "shared" / "data" / "occupations"
"""``../shared/data/occupations`` seen from the repository root, as in the test set-up."""

COLUMNS = (
    "soc",
    "title",
    "eloundou_gpt4",
    "eloundou_human",
    "eloundou_from",
    "tomlinson",
    "tomlinson_from",
    "felten",
    "felten_from",
    "frey",
    "frey_from",
    "reported_titles",
)

FREY_OES_CODES: dict[str, tuple[str, ...]] = {
    "29-1111": ("29-1141",),
    "29-2037": ("29-2034",),
    "39-4831": ("39-4031",),
    "15-1179": ("15-1122", "15-1134", "15-1143"),
    "15-1799": ("15-1199",),
    "25-3999": ("25-3099",),
    "29-2799": ("29-2099",),
    "29-9799": ("29-9099",),
    "31-9799": ("31-9099",),
    "47-4799": ("47-4099",),
    "49-9799": ("49-9099",),
    "51-9399": ("51-9199",),
    "13-1078": ("13-1071", "13-1075", "13-1151"),
}
"""Frey & Osborne coded a few occupations with the older OES codes (and SOC 2000 codes for
nurses and radiologic technologists) rather than SOC 2010; these are the SOC 2010 codes each
stands for. Broad-group codes ending in 0 are expanded by prefix instead."""

TOMLINSON_COMBINED: dict[str, tuple[str, ...]] = {
    "21-1018": ("21-1011", "21-1014"),
    "25-2052": ("25-2055", "25-2056"),
    "25-9045": ("25-9042", "25-9043", "25-9049"),
    "51-2028": ("51-2022", "51-2023"),
    "53-1047": ("53-1042", "53-1043", "53-1049"),
}
"""Tomlinson et al. use a few combined BLS codes; the detailed SOC 2018 codes each covers."""

NOT_TITLES = ("sorry", "requested page", "please try")
"""Rows of the O*NET reported-titles file that hold a scraped error page instead of titles."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _expand(code: str, known: Iterable[str], explicit: dict[str, tuple[str, ...]]) -> list[str]:
    """The codes an aggregate code covers: listed explicitly, or by prefix for a broad group."""
    if code in explicit:
        return list(explicit[code])
    prefix = code.rstrip("0")
    if code.endswith("0") and len(prefix) >= 4:
        return sorted(c for c in known if c.startswith(prefix) and c != code)
    return []


def _by_code(
    values: dict[str, float], known: set[str], explicit: dict[str, tuple[str, ...]]
) -> tuple[dict[str, list[str]], list[str]]:
    """Map each known code to the source codes whose figure it takes; list what cannot join.

    A code's own figure wins; an aggregate figure fills only codes that have none.
    """
    sources: dict[str, list[str]] = {c: [c] for c in values if c in known}
    dropped: list[str] = []
    for code in sorted(values):
        if code in known:
            continue
        targets = [t for t in _expand(code, known, explicit) if t in known]
        if not targets:
            dropped.append(code)
        for target in targets:
            if target not in values:
                sources.setdefault(target, []).append(code)
    return sources, dropped


def build(source: Path) -> tuple[str, list[str]]:
    """The CSV text, and notes on source rows that could not be joined to any occupation."""
    titles = {r["soc_2018"]: r["title"] for r in _rows(source / "soc2018_titles.csv")}
    detailed = set(titles)
    notes: list[str] = []

    eloundou: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows(source / "eloundou2023_occ_level.csv"):
        eloundou[row["O*NET-SOC Code"][:7]].append(row)

    tomlinson = {
        r["SOC Code"]: float(r["ai_applicability_score"])
        for r in _rows(source / "tomlinson2025_ai_applicability.csv")
    }
    tom_sources, dropped = _by_code(tomlinson, detailed, TOMLINSON_COMBINED)
    notes += [f"tomlinson: {c} joins no SOC 2018 occupation" for c in dropped]

    to_2018: dict[str, set[str]] = defaultdict(set)
    for row in _rows(source / "soc2010_to_soc2018.csv"):
        to_2018[row["2010 SOC Code"]].add(row["2018 SOC Code"])
    felten = {r["soc_2010"]: float(r["aioe"]) for r in _rows(source / "felten2021_aioe.csv")}
    frey = {r["SOC code"]: float(r["Probability"]) for r in _rows(source / "frey_osborne2013.csv")}

    def via_2010(values: dict[str, float], name: str) -> dict[str, list[str]]:
        own, dropped = _by_code(values, set(to_2018), FREY_OES_CODES)
        notes.extend(f"{name}: {c} joins no SOC 2010 code in the crosswalk" for c in dropped)
        result: dict[str, list[str]] = defaultdict(list)
        for code_2010, used in own.items():
            for code_2018 in sorted(to_2018[code_2010]):
                result[code_2018].extend(c for c in used if c not in result[code_2018])
        return result

    felten_sources = via_2010(felten, "felten")
    frey_sources = via_2010(frey, "frey")

    reported: dict[str, list[str]] = defaultdict(list)
    for row in _rows(source / "onet_reported_titles.csv"):
        text = row["reported_titles"]
        if any(marker in text.lower() for marker in NOT_TITLES):
            continue
        soc = row["onet_soc"][:7]
        for title in (t.strip() for t in text.split(",")):
            if title and title not in reported[soc]:
                reported[soc].append(title)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for soc in sorted(detailed):
        el_rows = eloundou.get(soc, [])
        base = [r for r in el_rows if r["O*NET-SOC Code"].endswith(".00")]
        used = base or el_rows
        el_from = "" if base or not used else " ".join(r["O*NET-SOC Code"] for r in used)

        def el_mean(column: str, used: list[dict[str, str]] = used) -> float | None:
            return fmean(float(r[column]) for r in used) if used else None

        def joined(
            sources: dict[str, list[str]], values: dict[str, float], soc: str = soc
        ) -> tuple[str, str]:
            codes = sources.get(soc, [])
            if not codes:
                return "", ""
            value = fmean(values[c] for c in codes)
            return _fmt(value), "" if codes == [soc] else " ".join(codes)

        tom, tom_from = joined(tom_sources, tomlinson)
        fel, fel_from = joined(felten_sources, felten)
        fo, fo_from = joined(frey_sources, frey)
        writer.writerow(
            (
                soc,
                titles[soc],
                _fmt(el_mean("dv_rating_beta")),
                _fmt(el_mean("human_rating_beta")),
                el_from,
                tom,
                tom_from,
                fel,
                fel_from,
                fo,
                fo_from,
                "; ".join(t.replace(";", ",") for t in reported.get(soc, [])),
            )
        )
    return out.getvalue(), notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)
    text, notes = build(args.source)
    args.out.write_text(text, encoding="utf-8")
    for note in notes:
        print("not joined:", note, file=sys.stderr)
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} occupations)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
