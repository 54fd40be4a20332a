"""A lean fake Telegram Bot API server and a webhook client, for the load benchmark.

``tests/fakes/telegram_api.py`` is the faithful fake the test suite uses (aiohttp, every request
recorded). Here the load generator must stay far cheaper than the bot it measures, so both sides
speak HTTP/1.1 with keep-alive directly on asyncio protocols: a request costs the load generator
tens of microseconds, not the hundreds an aiohttp handler costs.

The server answers what a bot calls at start-up and while chatting (``getMe``,
``setMyCommands``, ``deleteWebhook``, ``setWebhook``, ``getWebhookInfo``, ``getUpdates`` long
polling, ``sendMessage``, ``answerCallbackQuery``, ``editMessageText``,
``editMessageReplyMarkup``) with the JSON Telegram returns, parses url-encoded or JSON bodies
(aiogram and python-telegram-bot send url-encoded forms with JSON values) and reports every
``sendMessage`` to a :class:`Chat` that operators wait on. It keeps per chat only the message
with the newest inline keyboard, from which button presses are built. With
:class:`FloodLimits` it also plays Telegram's flood control for the broadcast benchmark: a
``sendMessage`` over the limits gets 429 with ``parameters.retry_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

_JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "entities"})
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  # a header name


class HttpError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class FloodLimits:
    """Telegram's flood control as the fake enforces it: at most ``per_second`` messages in
    any sliding second over all chats and ``per_chat`` per second to one chat; a message over
    either gets 429 with ``retry_after`` (whole seconds, as Telegram gives them)."""

    per_second: float = 30.0
    per_chat: float = 1.0
    retry_after: int = 1
    _recent: deque[float] = field(default_factory=deque)
    _last_to: dict[int, float] = field(default_factory=dict)

    def check(self, chat_id: int, now: float) -> None:
        recent = self._recent
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        last = self._last_to.get(chat_id)
        if len(recent) >= self.per_second or (last is not None and now - last < 1 / self.per_chat):
            raise HttpError(
                429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
            )
        recent.append(now)
        self._last_to[chat_id] = now


# ---- HTTP/1.1 framing (shared by the server and the client) ------------------------------


@dataclass(slots=True)
class _Message:
    start_line: str
    headers: dict[str, str]
    body: bytes


def _take_message(buffer: bytearray) -> _Message | None:
    """Cut one complete HTTP message off the front of ``buffer`` (None: wait for more)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    start = end + 4
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        position = start
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
            chunk_start = line_end + 2
            if len(buffer) < chunk_start + size + 2:
                return None
            body += buffer[chunk_start : chunk_start + size]
            position = chunk_start + size + 2
            if size == 0:
                break
        del buffer[:position]
        return _Message(lines[0], headers, bytes(body))
    length = int(headers.get("content-length") or 0)
    if len(buffer) < start + length:
        return None
    body_bytes = bytes(buffer[start : start + length])
    del buffer[: start + length]
    return _Message(lines[0], headers, body_bytes)


def _response(status: int, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def decode_params(content_type: str, body: bytes) -> dict[str, Any]:
    """The parameters of a Bot API call, whatever way the client encoded them."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data: dict[str, Any] = json.loads(body)
        return data
    if content_type.startswith("multipart/"):
        raise HttpError(400, "Bad Request: file uploads are not part of this benchmark")
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        params[key] = json.loads(value) if key in _JSON_FIELDS else value
    return params


# ---- the server --------------------------------------------------------------------------


@dataclass
class Chat:
    """What one private chat saw: replies counted as they arrive, the newest inline keyboard."""

    chat_id: int
    replies: int = 0
    texts: list[str] = field(default_factory=list)
    keyboard: dict[str, Any] | None = None  # the message carrying the newest inline keyboard
    keep_texts: bool = False
    _want: int = 0
    _waiter: asyncio.Future[float] | None = None

    def expect(self, replies: int) -> asyncio.Future[float]:
        """A future set to the arrival time (perf_counter) of reply number ``replies``."""
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._want, self._waiter = replies, waiter
        if self.replies >= replies:
            waiter.set_result(time.perf_counter())
        return waiter

    def _reply(self, text: str, at: float) -> None:
        self.replies += 1
        if self.keep_texts:
            self.texts.append(text)
        waiter = self._waiter
        if waiter is not None and self.replies >= self._want and not waiter.done():
            waiter.set_result(at)


class _ServerProtocol(asyncio.Protocol):
    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server._connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._serve()

    def _serve(self) -> None:
        # Clients send one request at a time per connection; answer them in order.
        while not self.busy and self.transport is not None:
            message = _take_message(self.buffer)
            if message is None:
                return
            outcome = self.server._handle(message)
            if isinstance(outcome, bytes):
                self.transport.write(outcome)
                continue
            self.busy = True
            task = asyncio.ensure_future(outcome)
            task.add_done_callback(self._finished)
            self.server._tasks.add(task)

    def _finished(self, task: asyncio.Future[bytes]) -> None:
        self.server._tasks.discard(task)
        self.busy = False
        if task.cancelled() or self.transport is None:
            return
        self.transport.write(task.result())
        self._serve()


class FakeBotApi:
    """The Bot API on loopback for one bot token."""

    def __init__(
        self,
        token: str,
        *,
        bot_id: int = 123456789,
        username: str = "bench_bot",
        limits: FloodLimits | None = None,
    ) -> None:
        self.token = token
        self.limits = limits
        self.sent_at: list[float] = []  # perf_counter of every sendMessage answered 200
        self.refused_at: list[float] = []  # ... and of every one answered 429
        self.bot_id = bot_id
        self.username = username
        self.base_url = ""
        self.webhook: dict[str, Any] | None = None
        self.chats: dict[int, Chat] = {}
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.polls = 0
        self._prefix = f"/bot{token}/"
        self._queue: list[tuple[int, bytes]] = []  # (update_id, JSON) not yet confirmed
        self._arrived = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._bot_user = {"id": bot_id, "is_bot": True, "first_name": "Bench", "username": username}
        self._server: asyncio.Server | None = None
        self._connections: set[_ServerProtocol] = set()
        self._tasks: set[asyncio.Future[bytes]] = set()
        self._closing = False

    async def start(self) -> str:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _ServerProtocol(self), "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        self._closing = True
        self._arrived.set()
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            for connection in list(self._connections):
                if connection.transport is not None:
                    connection.transport.close()
            await self._server.wait_closed()
            self._server = None

    def chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id)
        return chat

    def push(self, update_id: int, update: bytes) -> None:
        """Make an update available to ``getUpdates`` (polling mode)."""
        self._queue.append((update_id, update))
        self._arrived.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    # ---- dispatch ---------------------------------------------------------------------------

    def _handle(self, message: _Message) -> bytes | Awaitable[bytes]:
        path = message.start_line.split(" ", 2)[1]
        if not path.startswith(self._prefix):
            return _error(401 if path.startswith("/bot") else 404, "Unauthorized")
        name = path[len(self._prefix) :]
        self.calls[name] += 1
        try:
            params = decode_params(message.headers.get("content-type", ""), message.body)
            if name == "getUpdates":
                return self._get_updates(params)
            handler: Callable[[dict[str, Any]], Any] | None = getattr(self, "_api_" + name, None)
            if handler is None:
                raise HttpError(404, "Not Found: method not found")
            return _ok(handler(params))
        except HttpError as error:
            self.errors[name] += 1
            return _error(error.status, error.description, error.retry_after)

    async def _get_updates(self, params: dict[str, Any]) -> bytes:
        if self.webhook is not None:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        self.polls += 1
        offset = int(params["offset"]) if params.get("offset") not in (None, "") else None
        limit = int(params.get("limit") or 100)
        if offset is not None:
            self._queue = [item for item in self._queue if item[0] >= offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._queue and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        batch = self._queue[:limit]
        return _response(200, b'{"ok":true,"result":[' + b",".join(b for _, b in batch) + b"]}")

    # ---- methods ------------------------------------------------------------------------------

    def _api_getMe(self, _params: dict[str, Any]) -> Any:
        return self._bot_user

    def _api_setMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_deleteMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    def _api_deleteWebhook(self, _params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _api_getWebhookInfo(self, _params: dict[str, Any]) -> Any:
        url = (self.webhook or {}).get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        now = time.perf_counter()
        chat_id = int(params["chat_id"])
        text = str(params.get("text") or "")
        if not text:
            raise HttpError(400, "Bad Request: message text is empty")
        if self.limits is not None:
            try:
                self.limits.check(chat_id, now)
            except HttpError:
                self.refused_at.append(now)
                raise
        self.sent_at.append(now)
        message = self._message(chat_id, next(self._message_ids), text, params.get("reply_markup"))
        chat = self.chat(chat_id)
        if "reply_markup" in message:
            chat.keyboard = message
        chat._reply(text, now)
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._edit(params, str(params["text"]))

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._edit(params, None)

    def _edit(self, params: dict[str, Any], text: str | None) -> Any:
        chat = self.chat(int(params["chat_id"]))
        message_id = int(params["message_id"])
        shown = chat.keyboard
        if shown is None or shown["message_id"] != message_id:
            # Only the newest keyboard is kept: an older message is edited "blindly".
            return self._message(chat.chat_id, message_id, text or "…", params.get("reply_markup"))
        edited = self._message(
            chat.chat_id,
            message_id,
            shown["text"] if text is None else text,
            params.get("reply_markup"),
        )
        chat.keyboard = edited if "reply_markup" in edited else None
        return edited

    def _message(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Operator"},
            "date": int(time.time()),
            "text": text,
        }
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message


def _ok(result: Any) -> bytes:
    return _response(200, json.dumps({"ok": True, "result": result}).encode())


def _error(status: int, description: str, retry_after: int | None = None) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return _response(status, json.dumps(body).encode())


# ---- updates as Telegram builds them -------------------------------------------------------


def text_update(update_id: int, chat_id: int, text: str, name: str = "Operator") -> bytes:
    user = {"id": chat_id, "is_bot": False, "first_name": name}
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": user,
        "chat": {"id": chat_id, "type": "private", "first_name": name},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


def press_update(update_id: int, shown: dict[str, Any], data: str, name: str = "Operator") -> bytes:
    """A press of the button with ``data`` on ``shown`` (the message as the chat sees it)."""
    chat_id = shown["chat"]["id"]
    query = {
        "id": str(update_id),
        "from": {"id": chat_id, "is_bot": False, "first_name": name},
        "chat_instance": str(chat_id),
        "message": shown,
        "data": data,
    }
    return json.dumps({"update_id": update_id, "callback_query": query}).encode()


def find_button(shown: dict[str, Any], wanted: str) -> str | None:
    """The callback data of the button whose data is ``wanted`` (plain, or a signed choice
    ending in ``.c<wanted>``) or whose label contains ``wanted``."""
    rows = shown.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = [button for row in rows for button in row if "callback_data" in button]
    for button in buttons:
        data = str(button["callback_data"])
        if data == wanted or data.endswith(".c" + wanted):
            return data
    for button in buttons:
        if wanted.lower() in str(button["text"]).lower():
            return str(button["callback_data"])
    return None


# ---- the webhook side: Telegram POSTing updates to the bot ----------------------------------


class _ClientProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("webhook connection closed"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        message = _take_message(self.buffer)
        if message is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(int(message.start_line.split(" ", 2)[1]))


class WebhookClient:
    """POSTs updates to the bot's webhook over at most ``connections`` keep-alive connections
    (Telegram's ``max_connections`` defaults to 40)."""

    def __init__(self, host: str, port: int, path: str, secret: str, connections: int = 40):
        self.host = host
        self.port = port
        self._head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"{SECRET_HEADER}: {secret}\r\nContent-Length: "
        ).encode()
        self._free: asyncio.Queue[_ClientProtocol] = asyncio.Queue()
        self._slots = asyncio.Semaphore(connections)
        self._all: list[_ClientProtocol] = []
        self.statuses: Counter[int] = Counter()

    async def post(self, body: bytes) -> int:
        async with self._slots:
            connection = await self._connection()
            try:
                assert connection.transport is not None
                waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                connection.waiter = waiter
                connection.transport.write(self._head + str(len(body)).encode() + b"\r\n\r\n")
                connection.transport.write(body)
                status = await waiter
            except BaseException:
                if connection.transport is not None:
                    connection.transport.close()
                raise
            connection.waiter = None
            self._free.put_nowait(connection)
        self.statuses[status] += 1
        return status

    async def _connection(self) -> _ClientProtocol:
        while not self._free.empty():
            connection = self._free.get_nowait()
            if connection.transport is not None and not connection.transport.is_closing():
                return connection
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_ClientProtocol, self.host, self.port)
        self._all.append(protocol)
        return protocol

    async def close(self) -> None:
        for connection in self._all:
            if connection.transport is not None:
                connection.transport.close()
        for connection in self._all:
            await connection.closed
