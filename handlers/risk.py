"""/risk: the AI automation risk score (see domain.risk.RISK_DEFINITION), its three factors,
and how it is computed."""

from __future__ import annotations

from bot.actions import action
from bot.charts.specs import Factor, RiskChart
from bot.context import Context
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.schema import RolePack
from domain.risk import RISK_DEFINITION, RISK_FORMULA, RISK_NAME, RISK_WEIGHTS
from handlers.common import answer, missing, named_role, nav, reviewed_footer, target_role
from handlers.occupations import neighbours_section, occupation_reply

router = Router("risk")

FACTOR_LABELS = {
    "repetitiveness": "Repetitiveness",
    "ai_adoption": "AI adoption",
    "human_judgment": "Human judgement",
}


def risk_reply(role: RolePack) -> Reply | None:
    risk = role.risk
    if risk is None:
        return None
    reply = Reply(title=f"{RISK_NAME} score: {role.title}")
    reply.add(
        Section(
            paragraphs=[
                f"{risk.score}/100: {risk.level} {RISK_NAME}.",
                f"The score is {RISK_DEFINITION}.",
                risk.context,
            ]
        )
    )
    reply.add(
        Section(
            heading="The three factors (1–10)",
            rows=[
                (
                    FACTOR_LABELS[name],
                    f"{getattr(risk.factors, name).score}/10 — {getattr(risk.factors, name).why}",
                )
                for name in FACTOR_LABELS
            ],
            paragraphs=[
                "More repetitive work and faster AI adoption raise the score; "
                "more human judgement lowers it."
            ],
        )
    )
    reply.chart = RiskChart(
        reply.title or role.title,
        tuple(
            Factor(label, getattr(risk.factors, name).score, lowers=name == "human_judgment")
            for name, label in FACTOR_LABELS.items()
        ),
        risk.score,
        risk.level,
        measure=f"{RISK_NAME} score",
    )
    reply.buttons = nav(
        role,
        ("Check my own risk", "check"),
        ("How is this computed?", "method"),
        ("Tasks at risk", "tasks"),
        ("Protection plan", "plan"),
    )
    reply.footer = reviewed_footer(role, risk.sources, risk.reviewed)
    return reply


def method_reply(role: RolePack) -> Reply | None:
    risk = role.risk
    if risk is None:
        return None
    f = risk.factors
    parts = [
        (
            "Repetitiveness",
            RISK_WEIGHTS["repetitiveness"],
            f.repetitiveness.score,
            RISK_WEIGHTS["repetitiveness"] * f.repetitiveness.score,
        ),
        (
            "AI adoption",
            RISK_WEIGHTS["ai_adoption"],
            f.ai_adoption.score,
            RISK_WEIGHTS["ai_adoption"] * f.ai_adoption.score,
        ),
        (
            "Human judgement (as 11 − score)",
            RISK_WEIGHTS["human_judgment"],
            11 - f.human_judgment.score,
            RISK_WEIGHTS["human_judgment"] * (11 - f.human_judgment.score),
        ),
    ]
    raw = sum(p[3] for p in parts)
    reply = Reply(title=f"How the {RISK_NAME} score is computed: {role.title}")
    reply.add(
        Section(
            heading="What it measures",
            paragraphs=[f"The {RISK_NAME} score is {RISK_DEFINITION}."],
        )
    )
    reply.add(Section(heading="Formula", paragraphs=[RISK_FORMULA]))
    reply.add(
        Section(
            heading="This role's numbers",
            rows=[(name, f"{w:.2f} × {v} = {c:.2f}") for name, w, v, c in parts]
            + [("Raw", f"{raw:.2f} → ({raw:.2f} − 1) ÷ 9 × 100 = {risk.score}")],
            paragraphs=["Bands: under 30 is low, 30–70 medium, over 70 high."],
        )
    )
    reply.add(Section(heading="Where the factor scores come from", paragraphs=[risk.derivation]))
    if risk.published_measures:
        reply.add(
            Section(
                heading="Published measures for neighbouring occupations",
                bullets=[
                    f"{m.measure}, {m.occupation}: {m.value}. {m.meaning} Source: {m.source}."
                    for m in risk.published_measures
                ],
            )
        )
    reply.buttons = nav(role, ("Back to the score", "risk"))
    reply.footer = reviewed_footer(role, risk.sources, risk.reviewed)
    return reply


@router.command(
    "risk",
    "How much of a role's work AI could take over, and why",
    takes_role=True,
    also=("occupation", "occupations", "exposure", "score", "job"),
)
async def risk(ctx: Context) -> Reply:
    if ctx.action is None and ctx.args and named_role(ctx, ctx.args) is None:
        return occupation_reply(ctx, ctx.args)
    role = target_role(ctx)
    return answer(ctx, risk_reply(role) or no_score(ctx, role))


def no_score(ctx: Context, role: RolePack) -> Reply:
    """A short pack has no score of its own; the published figures for the occupations such a
    job is filed under are the next best answer, so they are offered rather than a dead end."""
    reply = missing(ctx, role, f"{RISK_NAME} score")
    data = ctx.services.occupations
    found = [o for soc in data.aliases.filed_under.get(role.id, ()) if (o := data.get(soc))]
    if found:
        reply.add(
            Section(
                heading="Published figures instead",
                paragraphs=[
                    f"US official statistics have no code for {role.title}; the nearest "
                    "occupations are "
                    + " and ".join(f"{o.title} (SOC {o.soc})" for o in found)
                    + ". Published studies measure how exposed those are to AI."
                ],
            )
        )
        reply.buttons[:0] = [[Button(o.title, action("occ", o.soc))] for o in found]
    return reply


router.action("risk")(risk)


@router.action("method")
async def method(ctx: Context) -> Reply:
    role = target_role(ctx)
    reply = method_reply(role)
    if reply is None:
        return no_score(ctx, role)
    neighbours = neighbours_section(ctx.services, role.id)
    if neighbours is not None:
        reply.sections.insert(len(reply.sections) - 1, neighbours)
    return answer(ctx, reply)
