"""What every part of a role pack shares: strict models, sources and review dates, short ids.

Validation is strict (unknown keys are errors) because a typo in a hand-written YAML file should
stop start-up with a precise message rather than silently drop a section.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

SLUG = r"^[a-z0-9][a-z0-9-]{0,23}$"
"""Ids travel inside button data (64 bytes on Telegram), so they are short ASCII slugs."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(Strict):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    where: str = Field(
        min_length=3,
        description="For the content team only (never shown): a file under shared/sources or a "
        "full citation. The title is what replies show.",
    )


class Sourced(Strict):
    """Mixin for every section: where it came from and when it was last checked."""

    sources: list[str] = Field(min_length=1)
    reviewed: date


def unique_ids(items: list[BaseModel], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in seen:
            raise ValueError(f"duplicate {what} id {item_id!r}")
        seen.add(item_id)
