"""Settings from the environment (and a ``.env`` file); tokens are SecretStr so they never print."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the embedded database lives when CAREERBOT_DATA_DIR is not set (XDG layout)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "careerbot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

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
        default=8443, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_PORT")
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET")
    )
    discord_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_BOT_TOKEN")
    )
    discord_guild_id: int | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_GUILD_ID")
    )
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    data_dir: Path = Field(
        default_factory=default_data_dir, validation_alias=AliasChoices("CAREERBOT_DATA_DIR")
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("CAREERBOT_LOG_LEVEL"))
    flood_burst: int = Field(default=12, validation_alias=AliasChoices("CAREERBOT_FLOOD_BURST"))
    """Messages a person may send in a burst; 0 turns the flood limit off."""
    flood_per_second: float = Field(
        default=1.0, validation_alias=AliasChoices("CAREERBOT_FLOOD_RATE")
    )
    charts: bool = Field(default=True, validation_alias=AliasChoices("CAREERBOT_CHARTS"))
    """Pictures beside the risk card, the study plan and /progress; 0 for text only."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'careerbot.db'}"

    @property
    def is_embedded(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
