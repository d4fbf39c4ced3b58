"""Settings from the environment (and a ``.env`` file); tokens are SecretStr so they never print.

An empty variable counts as unset (``DISCORD_BOT_TOKEN=`` in a copied ``.env`` means "no
Discord"). Every value is checked here, so a bad one becomes one line naming the variable and what
to write instead; :func:`load_settings` lets a command ignore bad values it never uses.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting that cannot work; the message is the one line the operator reads."""


def default_data_dir() -> Path:
    """Where the embedded database lives when CAREERBOT_DATA_DIR is not set (XDG layout)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "careerbot"


def check_database_url(url: str) -> str:
    """Refuse URLs the async engine cannot use, saying what to write instead."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            "is not a database URL; write postgresql+asyncpg://user:password@host/dbname "
            "or sqlite+aiosqlite:///path/to/careerbot.db"
        ) from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql":
        if driver != "asyncpg":
            raise ValueError(
                "needs the async driver: write postgresql+asyncpg://… instead of "
                f"{parsed.drivername}://…"
            )
        if not parsed.database:
            raise ValueError("names no database: add /dbname at the end")
        return url
    if backend == "sqlite":
        if driver != "aiosqlite":
            raise ValueError(
                "needs the async driver: write sqlite+aiosqlite:///path/to/careerbot.db"
            )
        if not parsed.database:
            raise ValueError(
                "names no file: write sqlite+aiosqlite:///path/to/careerbot.db, or leave "
                "DATABASE_URL unset to use the data dir"
            )
        return url
    raise ValueError(f"uses {backend!r}; careerbot supports PostgreSQL and SQLite")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    telegram_api_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_API_URL"),
        description="Base URL of a self-hosted Bot API server, e.g. http://localhost:8081/bot",
    )
    telegram_webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_URL")
    )
    telegram_webhook_listen: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("TELEGRAM_WEBHOOK_LISTEN")
    )
    telegram_webhook_port: int = Field(
        default=8443, ge=1, le=65535, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_PORT")
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET")
    )
    discord_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_BOT_TOKEN")
    )
    discord_guild_id: int | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("DISCORD_GUILD_ID")
    )
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    data_dir: Path = Field(
        default_factory=default_data_dir, validation_alias=AliasChoices("CAREERBOT_DATA_DIR")
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("CAREERBOT_LOG_LEVEL"))
    flood_burst: int = Field(
        default=12, ge=0, validation_alias=AliasChoices("CAREERBOT_FLOOD_BURST")
    )
    """Messages a person may send in a burst; 0 turns the flood limit off."""
    flood_per_second: float = Field(
        default=1.0, gt=0, validation_alias=AliasChoices("CAREERBOT_FLOOD_RATE")
    )
    charts: bool = Field(default=True, validation_alias=AliasChoices("CAREERBOT_CHARTS"))
    """Pictures beside the risk card, the study plan and /progress; 0 for text only."""

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            # Never echo the value: it is a secret even when it is a wrong one.
            raise ValueError(
                "may hold only A-Z, a-z, 0-9, _ and -, up to 256 characters (Telegram's rule)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        return None if value is None else check_database_url(value.strip())

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: Path) -> Path:
        if "\x00" in str(value):
            raise ValueError("is not a possible folder name")
        return value.expanduser()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'careerbot.db'}"

    @property
    def is_embedded(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


_SECRET_FIELDS = {"telegram_bot_token", "discord_bot_token", "telegram_webhook_secret"}
_VARIABLES = {
    name: next(iter(field.validation_alias.choices))  # type: ignore[union-attr]
    for name, field in Settings.model_fields.items()
}


def _describe(error: dict[str, Any]) -> str:
    name = _field_of(error)
    variable = _VARIABLES.get(name, name)
    message = str(error["msg"]).removeprefix("Value error, ")
    if name in _SECRET_FIELDS or name == "database_url":
        shown = variable  # the value may carry a password or a token
    else:
        shown = f"{variable}={str(error.get('input', ''))[:80]}"
    return f"{shown}: {message}."


def _field_of(error: dict[str, Any]) -> str:
    loc = error["loc"]
    if not loc:
        return "?"
    key = str(loc[0])
    # Errors raised while reading the environment are named by variable, not by field.
    return next((f for f, v in _VARIABLES.items() if v == key), key)


def load_settings(*uses: str, **overrides: Any) -> Settings:
    """Settings for a command that reads only the fields named in ``uses``.

    A bad value in a field the command does not read is replaced by its default (the command
    never looks at it); a bad value it does read raises :class:`ConfigError` with one line per
    problem. With no ``uses`` every field counts.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        errors = exc.errors()
    wanted = set(uses) or set(Settings.model_fields)
    fatal = [e for e in errors if _field_of(e) in wanted]
    if fatal:
        raise ConfigError(" ".join(_describe(e) for e in fatal)) from None
    fallback = {
        _field_of(e): Settings.model_fields[_field_of(e)].get_default(call_default_factory=True)
        for e in errors
        if _field_of(e) in Settings.model_fields
    }
    try:
        return Settings(**fallback, **overrides)
    except ValidationError as exc:
        raise ConfigError(" ".join(_describe(e) for e in exc.errors())) from None
