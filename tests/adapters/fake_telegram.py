"""A fake Telegram Bot API server on 127.0.0.1 for tests of the real python-telegram-bot stack.

The adapter's real PTB ``Application`` points its ``base_url`` here and makes its real HTTP
requests. The fake answers the methods PTB calls, serves ``getUpdates`` from a queue the test
fills, records every call (method and decoded parameters), and can be told to fail a method with
Telegram's own error bodies: 429 with ``retry_after``, 403 "bot was blocked by the user", 400
"can't parse entities", a ``migrate_to_chat_id`` error or 409 Conflict.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID = 123456789
BOT_USERNAME = "careerbot_test_bot"

Params = dict[str, Any]
Body = tuple[int, dict[str, Any]]


@dataclass(slots=True)
class Call:
    method: str
    params: Params
    status: int = 200
    result: Any = None
    content_type: str = ""
    """How the parameters came: a form, multipart (files) or a JSON body."""

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(slots=True)
class Failure:
    status: int
    body: dict[str, Any]
    times: int = 1
    when: Callable[[Params], bool] | None = None


def too_many_requests(retry_after: int = 1) -> Body:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


def blocked() -> Body:
    return 403, {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }


def bad_entities() -> Body:
    return 400, {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse entities: Unsupported start tag "
        '"x" at byte offset 0',
    }


def migrated(new_chat_id: int) -> Body:
    return 400, {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new_chat_id},
    }


def conflict() -> Body:
    return 409, {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request; make sure that only "
        "one bot instance is running",
    }


def user(user_id: int, name: str = "Ann") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def _admin(member: dict[str, Any], **rights: bool) -> dict[str, Any]:
    base = dict.fromkeys(
        (
            "can_be_edited",
            "is_anonymous",
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_promote_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
        ),
        False,
    )
    base.update(rights)
    return {"status": "administrator", "user": member, **base}


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    chats: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Chats by id, as Telegram's Chat objects; unknown ids are guessed from their sign."""
    admins: dict[str, list[int]] = field(default_factory=dict)
    bot_members: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The bot's own ChatMember per chat (getChatMember for the bot); default: a member."""
    port: int = 0

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._failures: dict[str, list[Failure]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._closing = False

    # ---------------------------------------------------------------- server

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()  # end any long poll still waiting
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """What TELEGRAM_API_URL would be for a self-hosted Bot API server at this address."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await _params(request)
        call = Call(method, params, content_type=request.content_type)
        self.calls.append(call)
        failure = self._take_failure(method, params) or _check_limits(method, params)
        if failure is not None:
            call.status = failure.status
            response = web.json_response(failure.body, status=failure.status)
        elif method == "getUpdates":
            self._notify()
            call.result = await self._get_updates(params)
            response = web.json_response({"ok": True, "result": call.result})
        else:
            call.result = self._result(method, params)
            response = web.json_response({"ok": True, "result": call.result})
        async with self._changed:
            self._changed.notify_all()
        return response

    # ---------------------------------------------------------------- scripting

    def fail(
        self, method: str, body: Body, times: int = 1, when: Callable[[Params], bool] | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (matching ``when``) with ``body``."""
        status, payload = body
        self._failures.setdefault(method, []).append(Failure(status, payload, times, when))

    def _take_failure(self, method: str, params: Params) -> Failure | None:
        for failure in self._failures.get(method, []):
            if failure.times > 0 and (failure.when is None or failure.when(params)):
                failure.times -= 1
                return failure
        return None

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._notify()
        return update_id

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        task = asyncio.ensure_future(notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def calls_to(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    def sent(self, chat_id: int | str | None = None) -> list[Call]:
        """Every message the bot sent or edited, optionally only in one chat."""
        methods = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
        return [
            c
            for c in self.calls_to(*methods)
            if chat_id is None or str(c.params.get("chat_id")) == str(chat_id)
        ]

    async def wait_for(
        self, predicate: Callable[[FakeTelegram], bool], within: float = 10.0
    ) -> None:
        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))

        await asyncio.wait_for(until(), within)

    async def wait_calls(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        await self.wait_for(lambda fake: len(fake.calls_to(method)) >= count, within)
        return self.calls_to(method)

    # ---------------------------------------------------------------- updates

    def chat(self, chat_id: int | str) -> dict[str, Any]:
        key = str(chat_id)
        if key in self.chats:
            return self.chats[key]
        if key.startswith("@"):
            return {"id": -1009999, "type": "channel", "title": key[1:], "username": key[1:]}
        number = int(key)
        if number > 0:
            return {"id": number, "type": "private", "first_name": "Ann"}
        if key.startswith("-100"):
            return {"id": number, "type": "supergroup", "title": "Study group"}
        return {"id": number, "type": "group", "title": "Old group"}

    def message(
        self,
        text: str,
        chat_id: int = 111,
        user_id: int | None = 111,
        *,
        sender_chat: dict[str, Any] | None = None,
        kind: str = "message",
        **extra: Any,
    ) -> int:
        """Push a message update (``kind`` may be channel_post or edited_message)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "text": text,
            **extra,
        }
        if user_id is not None:
            message["from"] = user(user_id)
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        return self.push({kind: message})

    def press(
        self,
        data: str,
        message_id: int,
        chat_id: int = 111,
        user_id: int = 111,
        reply_to_user: int | None = None,
    ) -> int:
        """Push a callback query: ``user_id`` pressed a button with ``data`` on a message (one
        the bot sent as a reply to ``reply_to_user``'s message, when given)."""
        pressed: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self._me(),
            "text": "menu",
        }
        if reply_to_user is not None:
            pressed["reply_to_message"] = {
                "message_id": message_id - 1,
                "date": int(time.time()),
                "chat": self.chat(chat_id),
                "from": user(reply_to_user),
                "text": "/start",
            }
        return self.push(
            {
                "callback_query": {
                    "id": f"cq{next(self._message_ids)}",
                    "from": user(user_id),
                    "chat_instance": "ci1",
                    "data": data,
                    "message": pressed,
                }
            }
        )

    def update_json(self, text: str, chat_id: int = 111, user_id: int = 111) -> dict[str, Any]:
        """An update as Telegram would POST it to a webhook (not queued here)."""
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": self.chat(chat_id),
                "from": user(user_id),
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
                if text.startswith("/")
                else [],
            },
        }

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            try:
                async with self._changed:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
            except TimeoutError:
                pass
        return list(self._updates)

    # ---------------------------------------------------------------- results

    def _me(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "CareerBot Test",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, params: Params, **content: Any) -> dict[str, Any]:
        message_id = params.get("message_id")
        return {
            "message_id": int(message_id) if message_id else next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(params["chat_id"]),
            "from": self._me(),
            **content,
        }

    def _result(self, method: str, params: Params) -> Any:
        if method == "getMe":
            return self._me()
        if method in ("sendMessage", "editMessageText"):
            return self._message(params, text=params.get("text", ""))
        if method == "sendPhoto":
            photo = {"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}
            return self._message(params, photo=[photo], caption=params.get("caption"))
        if method == "sendDocument":
            document = {"file_id": "d1", "file_unique_id": "d1"}
            return self._message(params, document=document)
        if method == "getChatAdministrators":
            return [
                _admin(user(uid), can_manage_chat=True)
                for uid in self.admins.get(str(params["chat_id"]), [])
            ]
        if method == "getChat":
            return {
                **self.chat(params["chat_id"]),
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        if method == "getChatMember":
            chat_key = str(params["chat_id"])
            if int(params["user_id"]) == BOT_ID:
                return self.bot_members.get(chat_key, {"status": "member", "user": self._me()})
            if int(params["user_id"]) in self.admins.get(chat_key, []):
                return _admin(user(int(params["user_id"])))
            return {"status": "member", "user": user(int(params["user_id"]))}
        return True  # setMyCommands, deleteWebhook, setWebhook, answerCallbackQuery, ...

    def bot_is_channel_admin(self, chat_id: int | str, can_post: bool = True) -> None:
        self.bot_members[str(chat_id)] = _admin(self._me(), can_post_messages=can_post)


HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
}
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z-]*)(?:\s[^<>]*)?>")
_BAD_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


def html_problem(text: str) -> str | None:
    """What Telegram would say about ``text`` in HTML parse mode, or None if it parses."""
    if (bad := _BAD_AMP.search(text)) is not None:
        return f"Can't find end of the entity starting at byte offset {bad.start()}"
    stack: list[str] = []
    position = 0
    for match in _HTML_TAG.finditer(text):
        if "<" in text[position : match.start()]:
            return "Unexpected start of a tag"
        closing, name = match.groups()
        if name.lower() not in HTML_TAGS:
            return f'Unsupported start tag "{name}"'
        if not closing:
            stack.append(name.lower())
        elif not stack or stack.pop() != name.lower():
            return f"Can't find end tag corresponding to start tag {name!r}"
        position = match.end()
    if "<" in text[position:]:
        return "Unexpected end of a tag"
    if stack:
        return f"Can't find end tag corresponding to start tag {stack[-1]!r}"
    return None


def visible(text: str, parse_mode: str | None) -> str:
    """The text a user sees: tags gone and entities decoded in HTML mode."""
    if parse_mode == "HTML":
        return html.unescape(_HTML_TAG.sub("", text))
    return text


def _bad_request(description: str) -> Failure:
    return Failure(
        400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    )


def _check_limits(method: str, params: Params) -> Failure | None:
    """Telegram's own checks on what the bot sends: markup, lengths, button data."""
    mode = params.get("parse_mode")
    for key, limit in (("text", 4096), ("caption", 1024)):
        if key not in params:
            continue
        text = str(params[key])
        if mode == "HTML" and (problem := html_problem(text)) is not None:
            return _bad_request(f"can't parse entities: {problem}")
        shown = visible(text, mode)
        if key == "text" and not shown.strip():
            return _bad_request("message text is empty")
        if len(shown) > limit:
            return _bad_request(f"message {'caption ' if key == 'caption' else ''}is too long")
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                return _bad_request("BUTTON_DATA_INVALID")
    return None


async def _params(request: web.Request) -> Params:
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        # As the Bot API server reads a JSON body (tdlib's HttpReader::parse_json_parameters):
        # a string value is the field's text, as in a form.
        values = (await request.json()).items()
        params.update({key: _field(value) for key, value in values})
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = {"filename": value.filename, "size": len(value.file.read())}
        else:
            params[key] = _field(value)
    return params


def _field(value: Any) -> Any:
    """A JSON-serialised field (reply_markup, link_preview_options...) decoded, for tests."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
