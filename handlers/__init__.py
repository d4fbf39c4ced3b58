"""Shared handlers: one module per topic, each with its own router, serving every platform."""

from __future__ import annotations

from bot.router import Router


def build_router() -> Router:
    from handlers import (
        about,
        ask,
        certs,
        check,
        day,
        faq,
        goals,
        hiring,
        moderation,
        nudges,
        occupations,
        plan,
        plan_chart,
        privacy,
        risk,
        roles,
        start,
        tasks,
    )

    return Router("root").include(
        start.router,
        roles.router,
        risk.router,
        tasks.router,
        plan.router,
        faq.router,
        certs.router,
        goals.router,
        nudges.router,
        plan_chart.router,
        day.router,
        hiring.router,
        about.router,
        privacy.router,
        occupations.router,
        check.router,
        moderation.router,
        ask.router,
    )
