"""Study goals: /goal, /nudges, /progress, /plan_ics — a certification goal with one useful nudge
a week.

Split by responsibility: ``shared`` (what nudges and the scheduler reuse: plans, schedule texts,
nudge buttons, the goal card), ``setup`` (the set-up conversation), ``questions`` (what each of
its steps asks, and the stored flow), ``confirm`` (the confirmation and creating the goal),
``manage`` (/goal on an open goal and the "goal" buttons) and ``views`` (/nudges, /progress,
/plan_ics). The package re-exports the shared pieces so callers need not know that split.
"""

from __future__ import annotations

from bot.router import Router
from handlers.goals import manage, setup, views
from handlers.goals.shared import (
    domains_of,
    find_cert,
    goal_view,
    next_nudge_text,
    nudge_buttons,
    occurrence_code,
    own_goal,
    plan_of,
    plan_start,
    plural,
    schedule_text,
    upcoming,
)

router = Router("goals").include(setup.router, manage.router, views.router)

__all__ = [
    "domains_of",
    "find_cert",
    "goal_view",
    "next_nudge_text",
    "nudge_buttons",
    "occurrence_code",
    "own_goal",
    "plan_of",
    "plan_start",
    "plural",
    "router",
    "schedule_text",
    "upcoming",
]
