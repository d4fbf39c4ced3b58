"""Any occupation's published AI-exposure figures: the card, and finding the occupation meant.

A card shows each published measure beside the others (never averaged into one number), says
which measures have no figure, reads them together in a few plain sentences, ranks the job among
all occupations and names neighbours more and less exposed. Role packs win where they exist:
the callers (``/risk``, ``/roles``, free text) ask the role index first and come here only when
no pack fits.
"""

from __future__ import annotations

import re

from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from bot.services import Services
from content.occupations import ATTRIBUTION, ORDERING, Figure, Found, Match, Occupation
from content.occupations.mention import jobs_asked
from handlers.common import answer
from handlers.occupation_charts import measures_chart

router = Router("occupations")

HIGH, LOW = 67, 33
"""Percentile bands used by the reading: top third, bottom third."""
EXPOSURE = ("eloundou", "felten", "tomlinson")
SHOWN = 60
"""How much of what someone typed is repeated back."""

PACK_SECTIONS = (
    ("Tasks at risk", "tasks"),
    ("Protection plan", "plan"),
    ("Certifications", "certs"),
)


def _figure_row(fig: Figure) -> tuple[str, str]:
    m = fig.measure
    label = f"{m.name} — {m.study}, {m.year}"
    if fig.value is None:
        return label, "no figure for this occupation."
    value = fig.text
    if fig.second is not None:
        value += f" (GPT-4's rating; people rated it {m.format(fig.second)})"
    text = f"{value}. Higher than {fig.percentile}% of the {fig.out_of} occupations measured. "
    text += m.meaning
    if fig.from_codes:
        joined = ", ".join(fig.from_codes)
        several = len(fig.from_codes) > 1
        text += (
            f" Taken from the study's {'codes' if several else 'code'} {joined}"
            f"{' (averaged)' if several else ''}, which the official crosswalk maps to this job."
        )
    return label, text


def _band(percentile: int) -> str:
    return "high" if percentile >= HIGH else "low" if percentile <= LOW else "middle"


def reading(occ: Occupation) -> list[str]:
    """What the figures say together, in our words: agreement, disagreement and why."""
    exposure = [f for f in occ.present if f.measure.key in EXPOSURE]
    bands = {
        f.measure.study.split(",")[0].split(" ")[0]: _band(f.percentile or 0) for f in exposure
    }
    said: list[str] = []
    if not exposure:
        said.append("None of the newer exposure studies covers this occupation.")
    elif len(set(bands.values())) == 1:
        where = next(iter(bands.values()))
        said.append(
            {
                "high": "The exposure studies agree: more of this job is within AI's reach than "
                "for most occupations.",
                "low": "The exposure studies agree: less of this job is within AI's reach than "
                "for most occupations.",
                "middle": "The exposure studies agree on a middle position: about as much of "
                "this job is within AI's reach as for a typical occupation.",
            }[where]
        )
    else:
        parts = []
        for band, where in (
            ("high", "above most jobs"),
            ("middle", "in the middle"),
            ("low", "below most"),
        ):
            names = [name for name, b in bands.items() if b == band]
            if names:
                parts.append(f"{' and '.join(names)} {'put' if parts else 'rank'} it {where}")
        said.append(
            "The exposure studies disagree"
            + (": " + "; ".join(parts) + "." if parts else ".")
            + " They look at different things: which tasks a language model could speed up, "
            "which abilities match AI applications, and what people really used an assistant for."
        )
    frey = occ.figure("frey")
    if frey.value is not None and exposure:
        typical = sorted(f.percentile or 0 for f in exposure)[len(exposure) // 2]
        gap = (frey.percentile or 0) - typical
        if gap >= 34:
            said.append(
                "Frey & Osborne's 2013 model, built around robots and routine office software "
                "before language models, thought it far more automatable than the newer "
                "studies suggest."
            )
        elif gap <= -34:
            said.append(
                "Frey & Osborne's 2013 model thought it hard to automate; the studies made after "
                "language models arrived see much more of it within reach."
            )
        else:
            said.append("Frey & Osborne's older automation estimate points roughly the same way.")
    tom, elo = occ.figure("tomlinson"), occ.figure("eloundou")
    if tom.value is not None and elo.value is not None:
        if (elo.percentile or 0) - (tom.percentile or 0) >= 34:
            said.append(
                "So far people use AI assistants for less of this work than the task ratings "
                "say they could."
            )
        elif (tom.percentile or 0) - (elo.percentile or 0) >= 34:
            said.append("People already use AI assistants for more of this work than most jobs.")
    said.append(
        "Exposure is not replacement: a high figure means AI can do or speed up much of the work, "
        "which often changes a job rather than ending it."
    )
    return said


def figures_line(occ: Occupation) -> str:
    """Every measure for one occupation on one line, for side-by-side comparisons."""
    return "; ".join(
        f"{f.measure.study.split(',')[0].split(' ')[0]} {f.measure.year}: "
        + (f"{f.text} (above {f.percentile}% of jobs)" if f.value is not None else "no figure")
        for f in occ.figures
    )


def neighbours_section(services: Services, pack_id: str) -> Section | None:
    """The published figures for the occupations a role pack stands beside."""
    codes = services.occupations.aliases.packs.get(pack_id, ())
    found = [o for o in (services.occupations.get(c) for c in codes) if o is not None]
    if not found:
        return None
    return Section(
        heading="Published figures for the neighbouring occupations",
        rows=[(f"{o.title} ({o.soc})", figures_line(o)) for o in found],
        paragraphs=[
            "The role has no official occupation code of its own, so these are the closest "
            "ones; /risk with any of their names shows each in full."
        ],
    )


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip(" ,") + "…"


def occupation_card(services: Services, occ: Occupation, match: Match | None = None) -> Reply:
    reply = Reply(title=f"AI exposure: {occ.title} (SOC {occ.soc})")
    intro = [
        "Four published studies, each measuring something different, so they are shown side by "
        "side rather than averaged."
    ]
    if match is not None and not match.exact and match.name != occ.title:
        intro.insert(0, f"Closest match: “{match.name}”, which is this occupation.")
    elif match is not None and match.name not in (occ.title, occ.soc):
        intro.insert(0, f"“{match.name}” is filed under this occupation.")
    reply.add(Section(paragraphs=intro))
    reply.add(Section(heading="The published figures", rows=[_figure_row(f) for f in occ.present]))
    reply.chart = measures_chart(reply.title or occ.title, occ)
    if occ.absent:
        reply.add(
            Section(
                heading="No figure",
                paragraphs=[
                    "These studies did not cover this occupation: "
                    + "; ".join(f"{f.measure.study} ({f.measure.year})" for f in occ.absent)
                    + "."
                ],
            )
        )
    reply.add(Section(heading="Reading them together", paragraphs=reading(occ)))
    more, less = services.occupations.nearby(occ)
    if more or less:
        heading, bullets = nearby_lines(occ, more + less)
        reply.add(Section(heading=heading, bullets=bullets))
    buttons = [[Button("Check my own risk", action("check", occ.soc))]]
    pack = services.library.get(services.occupations.pack_for.get(occ.soc, ""))
    if pack is not None:
        reply.add(
            Section(
                heading=f"Full guide: {pack.title}",
                paragraphs=[
                    f"This occupation neighbours the {pack.title} role, which has a full guide: "
                    "its tasks at risk, protection plan and certifications."
                ],
            )
        )
        buttons.append([Button(label, action(name, pack.id)) for label, name in PACK_SECTIONS])
    nearby = [Button(_short(o.title), action("occ", o.soc)) for o in (*more, *less)]
    buttons += [nearby[i : i + 2] for i in range(0, len(nearby), 2)]
    buttons.append([Button("Main menu", action("menu", services.library.default.id))])
    reply.buttons = buttons
    reply.footer = ATTRIBUTION
    return reply


def choices_reply(found: Found, asked: str) -> Reply:
    """Two or three fits, dozens, or none: say which, and offer buttons to pick from."""
    shown = " ".join(asked.split())[:SHOWN] or "that"
    buttons = [
        [Button(_short(m.occupation.title, 60), action("occ", m.occupation.soc))]
        for m in found.matches
    ]
    if found.kind == "few":
        reply = Reply.text(f"“{shown}” fits more than one occupation. Which one is yours?")
    elif found.kind == "many":
        reply = Reply.text(
            f"“{shown}” fits {found.total} occupations. Add a word or two to say which "
            "(the field, or what you work on), or pick one of these:"
        )
    elif found.matches:
        reply = Reply.text(
            f"I don't know a role or occupation called “{shown}”. The closest I have are "
            "below; or try another word for the job."
        )
    else:
        reply = Reply.text(
            f"I don't know a role or occupation called “{shown}”. Try the job title you would "
            "put on a CV, such as “accountant” or “truck driver”, or a SOC code such as 13-2011."
        )
    reply.buttons = buttons
    return reply


def occupation_reply(ctx: Context, text: str) -> Reply:
    """The card for the occupation ``text`` names, or the choices when it is not clear."""
    if not text.strip():
        return Reply.text(
            "Which job? Send it after the command, for example /risk paralegal or /risk 13-2011."
        )
    found = ctx.services.occupation_index.find(text[:200])
    if found.kind == "one":
        return occupation_card(ctx.services, found.matches[0].occupation, found.matches[0])
    return guides_named(ctx, text) or choices_reply(found, text)


def guides_named(ctx: Context, text: str) -> Reply | None:
    """ "/risk ai": the role guides whose names have every word typed (the four AI roles),
    before any occupation that only shares a word ("AI technician" is an animal breeder's)."""
    typed = set(re.findall(r"[a-z0-9]+", text.lower()))
    guides = [
        pack
        for pack in ctx.services.library.packs
        if typed and typed <= set(re.findall(r"[a-z0-9]+", pack.title.lower()))
    ]
    if not guides:
        return None
    shown = " ".join(text.split())[:SHOWN]
    reply = Reply.text(
        f"“{shown}” is in the name of {len(guides)} roles I have guides for: pick one. "
        if len(guides) > 1
        else f"“{shown}” is in the name of a role I have a guide for. ",
        "For an occupation, add what you work on: /risk ai researcher, /risk civil engineer.",
    )
    reply.buttons = [[Button(pack.title, action("risk", pack.id))] for pack in guides]
    return reply


def occupation_in_text(ctx: Context) -> Reply | None:
    """Free text that names an occupation (and no role pack): its card, or the choices.

    Anything else returns None and is left to the question search, so "will AI replace ML
    engineers?" still reaches the ML engineer's FAQ.
    """
    text = ctx.inbound.text.strip()
    index = ctx.services.index
    if index.role_in(text) is not None:
        return None
    asked = jobs_asked(text)
    for job in asked or ([text] if len(text.split()) <= 4 else []):
        if index.resolve_role(job) is not None:
            return None
        found = ctx.services.occupation_index.find(job)
        if found.kind == "one" and (asked or found.matches[0].exact):
            return occupation_card(ctx.services, found.matches[0].occupation, found.matches[0])
        if asked and found.kind in ("few", "many"):
            return choices_reply(found, job)
    return None


@router.action("occ")
async def occupation_button(ctx: Context) -> Reply:
    occ = ctx.services.occupations.get((ctx.action.arg(0) if ctx.action else None) or "")
    if occ is None:
        raise StaleAction("occ")
    return answer(ctx, occupation_card(ctx.services, occ))


def nearby_lines(occ: Occupation, others: list[Occupation]) -> tuple[str, list[str]]:
    """Neighbours on the ordering measure, each said to be more, less or about as exposed:
    rounded figures can look equal (33% and 33%), so digits are added until each figure that
    differs also reads differently, and this job's own figure is shown beside them; figures
    equal even then are "about as exposed", or "more exposed" would read as a mistake."""
    own = occ.figure(ORDERING)
    measure, mine = own.measure, own.value or 0.0
    values = [o.figure(ORDERING).value or 0.0 for o in others]
    digits = next(
        (
            d
            for d in range(_MAX_DIGITS + 1)
            if all(measure.format(v, d) != measure.format(mine, d) for v in values if v != mine)
        ),
        _MAX_DIGITS,
    )
    heading = f"Nearby jobs, by {measure.name.lower()}"
    if digits or mine in values:
        heading += f" (this job: {measure.format(mine, digits)})"
    bullets = []
    for o, value in zip(others, values, strict=True):
        shown = measure.format(value, digits)
        if shown == measure.format(mine, digits):
            side = "About as exposed"
        else:
            side = "More exposed" if value > mine else "Less exposed"
        bullets.append(f"{side}: {o.title} ({shown})")
    return heading, bullets


_MAX_DIGITS = 2
"""Digits added at most: figures closer than that are the same for any reader."""
