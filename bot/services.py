"""Everything a handler may use, built once at start-up and shared by every platform."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.router import CommandInfo
from content.loader import Library
from content.occupations import OccupationData, OccupationIndex, shipped_index
from content.search import ContentIndex
from storage.checks import Checks
from storage.conversations import Conversations
from storage.db import Database
from storage.goals import Goals
from storage.outbox import Outbox
from storage.privacy import Privacy
from storage.subscriptions import Subscriptions
from storage.users import Chats, Users


@dataclass(slots=True)
class Services:
    settings: Settings
    library: Library
    index: ContentIndex
    occupations: OccupationData
    occupation_index: OccupationIndex
    db: Database
    clock: Clock
    users: Users
    chats: Chats
    conversations: Conversations
    privacy: Privacy
    goals: Goals
    subscriptions: Subscriptions
    outbox: Outbox
    checks: Checks
    router_commands: list[CommandInfo] = field(default_factory=list)
    """Filled in when the router is built; /help and the platform menus list these."""
    cancelled_notes: dict[str, str] = field(default_factory=dict)
    """Filled in when the router is built: what /cancel says for each conversation it ends."""

    @classmethod
    def build(cls, settings: Settings, library: Library, db: Database, clock: Clock) -> Services:
        occupation_index = shipped_index(frozenset(p.id for p in library.packs))
        return cls(
            settings=settings,
            library=library,
            index=ContentIndex(library, cache_dir=settings.data_dir),
            occupations=occupation_index.data,
            occupation_index=occupation_index,
            db=db,
            clock=clock,
            users=Users(db),
            chats=Chats(db),
            conversations=Conversations(db),
            privacy=Privacy(db),
            goals=Goals(db),
            subscriptions=Subscriptions(db),
            outbox=Outbox(db),
            checks=Checks(db),
        )
