"""Logging and standard streams that can never print a secret.

Tokens, the webhook secret and the database password are masked in every log line *after* it
is formatted, tracebacks included (a library's exception message may carry a token: PTB's
``InvalidToken`` does). The CLI also wraps stdout and stderr, so a traceback that escapes
logging altogether is masked too.

Log levels and personal data: INFO and above name no person and carry no message text; DEBUG
may carry both (message texts, display names, SQL parameters) and is for development only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.config import Settings

MASK = "***"
MIN_SECRET = 6
"""Shorter values would mask ordinary words; no real token or password is this short."""


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold, longest first (so no secret is half-masked)."""
    values = [
        settings.telegram_bot_token,
        settings.discord_bot_token,
        settings.telegram_webhook_secret,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    if settings.database_url:
        password = make_url(settings.database_url).password
        if password:
            found.append(str(password))
    return sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted record: message, arguments and traceback."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class RedactingStream:
    """A text stream that masks secrets in everything written through it.

    Writes are passed on line by line as they come (a secret split across two ``write`` calls
    of one line is still masked, because a partial line is held until its end).
    """

    def __init__(self, stream: TextIO, secrets: list[str]) -> None:
        self._stream = stream
        self._secrets = secrets
        self._pending = ""

    def write(self, text: str) -> int:
        data = self._pending + text
        head, newline, tail = data.rpartition("\n")
        if newline:
            self._stream.write(redact(head + newline, self._secrets))
            self._pending = tail
        else:
            self._pending = data
        if len(self._pending) > 4096:  # a very long line without a newline: pass it on
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(redact(self._pending, self._secrets))
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def guard_streams(settings: Settings) -> None:
    """Wrap stdout and stderr so nothing printed by anyone can show a configured secret."""
    secrets = secrets_of(settings)
    if not secrets:
        return
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, secrets))


def configure_logging(settings: Settings, level: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets_of(settings))
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or settings.log_level)
    # httpx logs every request URL, and Telegram's URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
