"""/check: a personal risk check, eight button questions, compared with the person's job.

Each answer is stored at once (table ``risk_checks``), and the buttons carry the check's id and
the question's number, so the check carries on after a restart, a retake makes the old buttons
stale, and a button pressed after /forget changes nothing. Typed text while a check is open gets
the question again rather than a guess at which answer was meant.
"""

from __future__ import annotations

import re

from bot.actions import action
from bot.context import Context
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.occupations.check import (
    FACTOR_NAMES,
    QUESTIONS,
    CheckResult,
    level,
    occupation_factors,
    own_score,
    pack_factors,
    result,
)
from content.occupations.mention import jobs_asked
from domain.risk import RISK_DEFINITION, RISK_NAME
from handlers.common import answer
from handlers.occupation_charts import check_chart
from handlers.occupations import choices_reply
from storage.checks import answers_of
from storage.models import RiskCheck

router = Router("check")

STATE = "check"
ASK_JOB = "check_job"


def _subject_title(ctx: Context, subject: str) -> str | None:
    """The title of what a check compares with: a role pack with a score, or an occupation."""
    pack = ctx.services.library.get(subject)
    if pack is not None:
        return pack.title if pack.risk is not None else None
    occ = ctx.services.occupations.get(subject)
    return occ.title if occ is not None else None


def _question(ctx: Context, check: RiskCheck, note: str | None = None) -> Reply:
    answers = answers_of(check)
    number = len(answers)
    q = QUESTIONS[number]
    title = _subject_title(ctx, check.subject) or check.subject
    reply = Reply(title=f"Your own risk check · {number + 1} of {len(QUESTIONS)}", personal=True)
    if note:
        reply.add(Section(paragraphs=[note]))
    if number == 0:
        reply.add(
            Section(
                paragraphs=[
                    f"Eight quick questions about your own work, compared with {title}. "
                    "Answer for your job as it is now."
                ]
            )
        )
    reply.add(Section(paragraphs=[q.text]))
    buttons = [
        Button(label, action("chk", check.take, number, i)) for i, label in enumerate(q.answers)
    ]
    reply.buttons = [buttons[:2], buttons[2:]]
    return reply


async def start_check(ctx: Context, subject: str) -> Reply:
    check = await ctx.services.checks.start(ctx.user.id or 0, subject, ctx.now)
    await ctx.set_state(STATE, {"take": check.take})
    return _question(ctx, check)


def _evaluate(ctx: Context, check: RiskCheck) -> tuple[CheckResult, str] | None:
    pack = ctx.services.library.get(check.subject)
    if pack is not None and (factors := pack_factors(pack)) is not None:
        return result(answers_of(check), factors, estimated=False, pack=pack), pack.title
    code = ctx.services.occupations.pack_for.get(check.subject, "")
    occ = ctx.services.occupations.get(check.subject)
    if occ is None:
        return None
    linked = ctx.services.library.get(code)
    return (
        result(answers_of(check), occupation_factors(occ), estimated=True, pack=linked),
        occ.title,
    )


def result_reply(ctx: Context, check: RiskCheck) -> Reply:
    evaluated = _evaluate(ctx, check)
    if evaluated is None:
        return Reply.text(
            "The job this check compared you with is no longer in my data. Send /check to take "
            "it again.",
            title="Your own risk check",
        )
    found, title = evaluated
    reply = Reply(title=f"Your own {RISK_NAME}: {found.own}/100", personal=True)
    whose = (
        "our estimate for the occupation, from where it ranks on the published measures"
        if found.baseline_estimated
        else "the role's published estimate"
    )
    reply.add(
        Section(
            rows=[
                ("You", f"{found.own}/100 ({level(found.own)})"),
                (title, f"{found.baseline}/100 ({level(found.baseline)}) — {whose}"),
            ],
            paragraphs=[
                f"Both use the formula and factors of the {RISK_NAME} score: {RISK_DEFINITION}. "
                "Yours comes from your own answers."
            ],
        )
    )
    drivers = [
        f"{FACTOR_NAMES[g.factor]}: you {g.own:.1f}/10, typical {g.baseline:.1f}/10 → "
        f"{g.points:+d} points"
        for g in found.gaps
        if g.points != 0
    ]
    reply.add(
        Section(
            heading="What made the difference",
            bullets=drivers or ["Your answers match the typical profile closely."],
        )
    )
    reply.chart = check_chart(reply.title or "", found, title)
    if found.moves:
        reply.add(Section(heading="Moves that would lower it most", bullets=list(found.moves)))
    else:
        reply.add(
            Section(paragraphs=["Your answers already sit at the low end on every question."])
        )
    reply.add(
        Section(
            paragraphs=[
                "Your answers are kept so you can come back to them: /mydata shows "
                "them and /forget deletes them."
            ]
        )
    )
    back = "risk" if ctx.services.library.get(check.subject) else "occ"
    reply.buttons = [
        [Button("Set a study goal", action("goal", "restart"))],
        [
            Button("Retake the check", action("check", check.subject)),
            Button("Back to the figures", action(back, check.subject)),
        ],
    ]
    return reply


@router.command(
    "check",
    "Your own AI risk, from eight quick questions",
    takes_role=True,
    personal=True,
    also=("quiz", "myrisk", "selfcheck", "assess"),
)
async def check_command(ctx: Context) -> Reply:
    text = ctx.args.strip()
    if text:
        return await _start_for(ctx, text)
    current = await ctx.services.checks.current(ctx.user.id or 0)
    if current is not None and current.score is None and _subject_title(ctx, current.subject):
        await ctx.set_state(STATE, {"take": current.take})
        return _question(ctx, current, "Carrying on where you left off.")
    if current is not None and current.score is not None:
        return result_reply(ctx, current)
    if ctx.user.role_id and _subject_title(ctx, ctx.user.role_id) is not None:
        return await start_check(ctx, ctx.user.role_id)
    await ctx.set_state(ASK_JOB, {})
    reply = Reply.text(
        "What is your job? Type it in your own words, for example “paralegal” or “truck "
        "driver”, and I'll compare your answers with it.",
        title="Your own risk check",
    )
    reply.awaits_text = True
    return reply


async def _start_for(ctx: Context, text: str) -> Reply:
    pack = ctx.services.index.resolve_role(text[:200])
    if pack is not None and pack.risk is not None:
        return await start_check(ctx, pack.id)
    found = ctx.services.occupation_index.find(text[:200])
    if found.kind == "one":
        return await start_check(ctx, found.matches[0].occupation.soc)
    reply = choices_reply(found, text)
    reply.buttons = [
        [Button(b.label, b.action.replace(":occ:", ":check:"))]
        for row in reply.buttons
        for b in row
    ]
    return reply


@router.state(
    ASK_JOB,
    paused="Risk check paused: send /check to carry on, or /cancel.",
    cancelled="Risk check cancelled; nothing was saved. Send /check when you're ready.",
)
async def job_typed(ctx: Context) -> Reply:
    """A job the check can start with; anything else keeps the question open, so a second try
    is read as a job too rather than as a question for the search."""
    typed = ctx.inbound.text
    reply = await _start_for(ctx, next(iter(jobs_asked(typed)), typed))  # "I'm a paralegal"
    state = await ctx.state()
    if state is not None and state.name == ASK_JOB:
        reply.add(Section(paragraphs=["Type your job again, or send /cancel to stop the check."]))
    return reply


@router.state(
    STATE,
    paused="Risk check paused: your answers so far are kept. Send /check to carry on, or /cancel.",
    cancelled="Risk check stopped. The answers you gave are kept: /check carries on where you "
    "left off.",
)
async def typed_during_check(ctx: Context) -> Reply:
    """Typed text is not one of the answers: ask again, store nothing."""
    current = await ctx.services.checks.current(ctx.user.id or 0)
    if current is None or current.score is not None:
        await ctx.clear_state()
        return Reply.text("You have no check open. Send /check to start one.")
    number = len(answers_of(current))
    choice = typed_choice(QUESTIONS[number].answers, ctx.inbound.text)
    if choice is not None:
        return await _record(ctx, current, number, choice)
    return _question(
        ctx,
        current,
        "Please press one of the answers, or type it. To leave the check, send any command, "
        "such as /help; your answers so far are kept and /check carries on.",
    )


@router.action("check")
async def check_button(ctx: Context) -> Reply:
    subject = (ctx.action.arg(0) if ctx.action else None) or ""
    if _subject_title(ctx, subject) is None:
        return answer(
            ctx,
            Reply.text(
                "I have no score to compare you with for that. Send /check to pick your job."
            ),
        )
    return answer(ctx, await start_check(ctx, subject))


@router.action("chk")
async def answer_button(ctx: Context) -> Reply:
    args = ctx.action.args if ctx.action else ()
    current = await ctx.services.checks.current(ctx.user.id or 0)
    if len(args) != 3 or not args[1].isdigit() or not args[2].isdigit():
        return answer(ctx, Reply.text("That button isn't one of the check's answers."))
    take, number, choice = args[0], int(args[1]), int(args[2])
    if current is None or current.take != take:
        return answer(
            ctx,
            Reply.text(
                "That check is no longer open: it was finished, retaken or deleted. Nothing was "
                "saved. Send /check to take it again."
            ),
        )
    answers = answers_of(current)
    if current.score is not None:
        return answer(ctx, result_reply(ctx, current))
    if number != len(answers):
        return answer(ctx, _question(ctx, current, "That question is already answered."))
    if choice >= len(QUESTIONS[number].answers):
        return answer(ctx, _question(ctx, current, "That isn't one of the answers."))
    return await _record(ctx, current, number, choice)


def typed_choice(labels: tuple[str, ...] | list[str], text: str) -> int | None:
    """The answer a typed reply names ("often", "about half", "half"): the label it equals, or
    the only label with those words in it (four letters at least); None when it names none or
    several."""
    typed = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    plain = [" ".join(re.findall(r"[a-z0-9]+", label.lower())) for label in labels]
    if typed in plain:
        return plain.index(typed)
    if len(typed) < 4:  # "all" is not "Not at all"
        return None
    inside = [i for i, label in enumerate(plain) if re.search(rf"\b{re.escape(typed)}\b", label)]
    return inside[0] if len(inside) == 1 else None


async def _record(ctx: Context, current: RiskCheck, number: int, choice: int) -> Reply:
    """Store one answer; the result once the last is in."""
    answers = answers_of(current)
    take = current.take
    answers[QUESTIONS[number].id] = choice
    done = len(answers) == len(QUESTIONS)
    score = own_score(answers) if done else None
    saved = await ctx.services.checks.answer(take, ctx.user.id or 0, answers, score, ctx.now)
    if saved is None:
        return answer(ctx, Reply.text("That check was deleted; nothing was saved."))
    if not done:
        return answer(ctx, _question(ctx, saved))
    await ctx.clear_state()
    return answer(ctx, result_reply(ctx, saved))
