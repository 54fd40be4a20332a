"""A fake Telegram Bot API server on loopback, for tests of the real bot code over real HTTP.

It keeps the state a bot can observe (queued updates, sent messages with their keyboards, the
webhook, the files people sent), records every request with its time, and can be told to fail
the next calls to a method (429 with ``retry_after``, 403, 500). Build updates with the
``*_update`` helpers; a button press carries the message as it is now (an edited keyboard is
gone), like Telegram. A photo or document update puts its file on the server: ``getFile`` gives
its path and ``GET /file/bot<token>/<path>`` its bytes (recorded as method ``download``, which
``fail_next`` can fail too); files over 20 MB are refused by ``getFile``, as Telegram does.

Groups, supergroups and channels: :meth:`FakeTelegram.in_group` moves any message update into a
group (sent by one of its members), :meth:`FakeTelegram.bot_added_update` is the
``my_chat_member`` update Telegram sends when the bot is added, :meth:`FakeTelegram.service_update`
a service message (a join, a pin, a title change, a migration). ``leaveChat`` is recorded in
``left``. :meth:`FakeTelegram.reaction_update` is a ``message_reaction`` update.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.fakes.telegram_groups import GroupUpdates

_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands"}
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id"}
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what a bot may download from the Bot API


@dataclass
class Request:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    status: int = 200


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class Sent:
    """A message the bot sent (its current state: edits change it)."""

    message_id: int
    chat_id: int
    method: str
    text: str
    reply_markup: dict[str, Any] | None
    edits: int = 0

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for button in self.buttons():
            if label_part.lower() in button["text"].lower():
                return button
        raise AssertionError(f"no button {label_part!r} in {self.buttons()}")


@dataclass
class StoredFile:
    """A file someone sent to the bot, as the server keeps it."""

    file_id: str
    unique_id: str
    path: str  # the file_path getFile gives
    content: bytes
    size: int  # what Telegram says (the content's length unless a test says otherwise)


@dataclass
class FakeTelegram(GroupUpdates):
    token: str = "123456789:TEST-token-for-the-fake-server"
    username: str = "kawal_test_bot"
    bot_id: int = 123456789
    requests: list[Request] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)  # getUpdates offsets received
    queue: list[dict[str, Any]] = field(default_factory=list)  # updates not yet confirmed
    messages: dict[tuple[int, int], Sent] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)  # by file_id
    left: list[int] = field(default_factory=list)  # chats the bot left (leaveChat)
    base_url: str = ""
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _drops: dict[str, int] = field(default_factory=dict)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _closing: bool = False
    _runner: web.AppRunner | None = None

    # ---- life cycle -------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def close(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ---- what tests tell it -------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; its update_id."""
        update.setdefault("update_id", next(self._update_ids))
        self.queue.append(update)
        self._notify()
        return int(update["update_id"])

    def fail_next(
        self, method: str, times: int = 1, *, status: int, retry_after: int | None = None
    ) -> None:
        description = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
        }.get(status, "Bad Request: injected")
        self._failures.setdefault(method, []).extend(
            Failure(status, description, retry_after) for _ in range(times)
        )

    def drop_next(self, method: str, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method`` (the message is sent), then close the
        connection without answering: the bot cannot know it arrived."""
        self._drops[method] = self._drops.get(method, 0) + times

    def new_update_id(self) -> int:
        return next(self._update_ids)

    # ---- updates as Telegram builds them ------------------------------------------------

    def _message(self, chat_id: int, name: str, **content: Any) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": name},
                "from": {"id": chat_id, "is_bot": False, "first_name": name},
                **content,
            },
        }

    def text_update(self, chat_id: int, text: str, name: str = "Budi") -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._message(chat_id, name, **content)

    def location_update(self, chat_id: int, lat: float, lon: float) -> dict[str, Any]:
        return self._message(chat_id, "Budi", location={"latitude": lat, "longitude": lon})

    def add_file(self, folder: str, content: bytes, suffix: str, size: int | None) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"{folder[:3]}-{number}",
            unique_id=f"U{folder[:3]}{number}",
            path=f"{folder}/file_{number}{suffix}",
            content=content,
            size=len(content) if size is None else size,
        )
        self.files[stored.file_id] = stored
        return stored

    def photo_update(self, chat_id: int, caption: str | None = None) -> dict[str, Any]:
        """A photo in three sizes (the largest, 1280 px, listed in the middle)."""
        sizes = []
        for width in (90, 1280, 320):
            content = b"\xff\xd8\xff\xe0" + bytes(width)  # a JPEG's first bytes, then filler
            stored = self.add_file("photos", content, ".jpg", None)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": width,
                    "height": width,
                    "file_size": stored.size,
                }
            )
        extra = {"caption": caption} if caption is not None else {}
        return self._message(chat_id, "Budi", photo=sizes, **extra)

    def document_update(
        self,
        chat_id: int,
        file_name: str,
        content: bytes = b"a,b\n1,2\n",
        *,
        size: int | None = None,
        caption: str = "data desa",
    ) -> dict[str, Any]:
        """A document; ``size`` makes Telegram claim another size than the content's."""
        stored = self.add_file("documents", content, "", size)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": file_name,
            "file_size": stored.size,
        }
        return self._message(chat_id, "Budi", document=document, caption=caption)

    def sticker_update(self, chat_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "st",
            "file_unique_id": "st",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
        return self._message(chat_id, "Budi", sticker=sticker)

    def press_update(
        self,
        message: Sent,
        data: str,
        name: str = "Budi",
        *,
        group: dict[str, Any] | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A button press on ``message`` as it is now (with whatever keyboard it still has);
        ``group`` (a chat object) and ``user_id``: pressed by a member of a group."""
        chat = group or {"id": message.chat_id, "type": "private", "first_name": name}
        shown: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Kawal"},
            "text": message.text,
        }
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            shown["reply_markup"] = message.reply_markup
        presser = message.chat_id if user_id is None else user_id
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._query_ids)),
                "from": {"id": presser, "is_bot": False, "first_name": name},
                "chat_instance": "ci",
                "message": shown,
                "data": data,
            },
        }

    # ---- what tests read -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Request]:
        return [r for r in self.requests if method is None or r.method == method]

    def sent_to(self, chat_id: int, since: int = 0) -> list[Sent]:
        """Messages sent to ``chat_id`` (current state), those with id > ``since``."""
        return sorted(
            (m for (chat, mid), m in self.messages.items() if chat == chat_id and mid > since),
            key=lambda m: m.message_id,
        )

    def last_keyboard(self, chat_id: int) -> Sent:
        with_keyboard = [m for m in self.sent_to(chat_id) if m.buttons()]
        assert with_keyboard, f"no inline keyboard sent to {chat_id}"
        return with_keyboard[-1]

    def last_message_id(self) -> int:
        return max((mid for _, mid in self.messages), default=0)

    async def wait_for(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.01)

    async def wait_acknowledged(self, update_id: int, within: float = 10.0) -> None:
        """Until getUpdates was called with an offset past ``update_id`` (polling mode)."""
        await self.wait_for(
            lambda: any(o is not None and o > update_id for o in self.offsets), within
        )

    # ---- the server -----------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = _decode(await request.post())
        record = Request(method, params, time.monotonic())
        self.requests.append(record)
        if request.match_info["token"] != self.token:
            record.status = 401
            return _error(401, "Unauthorized")
        failures = self._failures.get(method)
        if failures:
            failure = failures.pop(0)
            record.status = failure.status
            return _error(failure.status, failure.description, failure.retry_after)
        handler = getattr(self, "_api_" + method, None)
        if handler is None:
            record.status = 404
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _ApiError as error:
            record.status = error.status
            return _error(error.status, error.description)
        if self._drops.get(method):
            self._drops[method] -= 1
            record.status = 0
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("answer dropped on purpose")
        return web.json_response({"ok": True, "result": result})

    async def _api_getMe(self, _params: dict[str, Any]) -> Any:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Kawal",
            "username": self.username,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset")
        self.offsets.append(offset)
        if offset is not None:
            self.queue = [u for u in self.queue if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            ready = [u for u in self.queue if offset is None or u["update_id"] >= offset]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready[:limit]
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _api_deleteWebhook(self, _params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code") or ""] = params["commands"]
        return True

    async def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_leaveChat(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.left:
            raise _ApiError(403, "Forbidden: bot is not a member of the group chat")
        self.left.append(chat_id)
        return True

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        record = Request("download", {"path": path}, time.monotonic())
        self.requests.append(record)
        if request.match_info["token"] != self.token:
            record.status = 401
            return web.Response(status=401, text="Unauthorized")
        failures = self._failures.get("download")
        if failures:
            record.status = failures.pop(0).status
            return web.Response(status=record.status, text="injected failure")
        stored = next((f for f in self.files.values() if f.path == path), None)
        if stored is None:
            record.status = 404
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.content, content_type="application/octet-stream")

    def _new_message(self, method: str, params: dict[str, Any], **extra: Any) -> Any:
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        text = params.get("text") or params.get("caption") or ""
        self.messages[(chat_id, message_id)] = Sent(
            message_id, chat_id, method, text, params.get("reply_markup")
        )
        body: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            **extra,
        }
        if "text" in params:
            body["text"] = params["text"]
        markup = params.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        return body

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._new_message("sendMessage", params)

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        document = {"file_id": "doc-1", "file_unique_id": "doc-1"}
        return self._new_message("sendDocument", params, document=document)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = [{"file_id": "ph-1", "file_unique_id": "ph-1", "width": 10, "height": 10}]
        return self._new_message("sendPhoto", params, photo=photo)

    def _edit(self, params: dict[str, Any], text: str | None) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        new_text = message.text if text is None else text
        if new_text == message.text and markup == message.reply_markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.reply_markup = new_text, markup
        message.edits += 1
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "text": message.text,
        }
        if markup:
            body["reply_markup"] = markup
        return body

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._edit(params, params["text"])

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._edit(params, None)


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def _decode(form: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = {"file_name": value.filename, "size": len(value.file.read())}
        elif key in _JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in _INT_FIELDS:
            params[key] = int(value)
        else:
            params[key] = value
    # Files are attached as attach://<key>: show the file where the field names it.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.pop(value.removeprefix("attach://"), value)
    return params
