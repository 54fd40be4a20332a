"""An httpx transport whose requests run a hook right before their bytes reach the socket.

Why it exists: the outbox promises that a crash (even SIGKILL) never makes it send a message
twice. It writes "part N of message M is going out" to its journal and then sends; after a crash
the journal says what may have reached the platform. That only holds if nothing can happen
between the journal write and the socket write: with httpx's own transport or aiohttp there are
task switches, buffers and a separate body-writing task in between. Here the whole request
(headers and body, encoded by h11) is handed to the socket in one ``transport.write`` call,
immediately after the hook, in the same synchronous step.

    with before_write(lambda: journal.mark(row_id, part)):
        await client.post(url, json=body)        # client = httpx.AsyncClient(transport=Wire())

Connections are HTTP/1.1 keep-alive, pooled per origin; a connection idle for longer than
``keepalive`` seconds is closed instead of reused, so a request is rarely written to a socket
the server has already given up. A failure after the bytes went out is raised as
``httpx.ReadError`` / ``ReadTimeout``; the caller knows from its hook that the request left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import h11
import httpx

_HOOK: ContextVar[_Hook | None] = ContextVar("kawal_before_write", default=None)
READ_CHUNK = 65_536
MAX_RESPONSE = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Hook:
    hook: Callable[[], None]
    gate: Callable[[], Awaitable[None]] | None


@contextlib.contextmanager
def before_write(
    hook: Callable[[], None], gate: Callable[[], Awaitable[None]] | None = None
) -> Iterator[None]:
    """Run ``hook`` right before the next request of this task goes on the wire (once).

    ``gate``, when given, is awaited first, once the request is built and its connection
    ready: a rate limiter's last check, so nothing but the hook separates it from the write.
    """
    token = _HOOK.set(_Hook(hook, gate))
    try:
        yield
    finally:
        _HOOK.reset(token)


def _take_hook() -> _Hook | None:
    hook = _HOOK.get()
    if hook is not None:
        _HOOK.set(None)
    return hook


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))
    idle_since: float = 0.0

    def reusable(self, now: float, keepalive: float) -> bool:
        return (
            now - self.idle_since < keepalive
            and not self.writer.is_closing()
            and not self.reader.at_eof()
            and self.protocol.our_state is h11.IDLE
        )

    def close(self) -> None:
        self.writer.close()


_Origin = tuple[str, str, int]


class Wire(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams; see the module docstring."""

    def __init__(
        self,
        *,
        max_connections: int = 16,
        keepalive: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keepalive = keepalive
        self._max = max_connections
        self._ssl = ssl_context
        self._monotonic = monotonic
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._slots: dict[_Origin, asyncio.Semaphore] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("transport closed", request=request)
        origin = _origin(request.url)
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        slots = self._slots.setdefault(origin, asyncio.Semaphore(self._max))
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await slots.acquire()
        except TimeoutError as exc:
            raise httpx.PoolTimeout("no free connection", request=request) from exc
        try:
            connection = await self._connection(origin, request, timeouts.get("connect"))
            return await self._exchange(connection, origin, request, body, timeouts.get("read"))
        finally:
            slots.release()

    async def _connection(
        self, origin: _Origin, request: httpx.Request, limit: float | None
    ) -> _Connection:
        now = self._monotonic()
        idle = self._idle.get(origin, [])
        while idle:
            candidate = idle.pop()
            if candidate.reusable(now, self.keepalive):
                return candidate
            candidate.close()
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context, server_hostname=host if context else None
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port}", request=request) from exc
        except OSError as exc:
            raise httpx.ConnectError(
                f"connecting to {host}:{port}: {exc}", request=request
            ) from exc
        return _Connection(reader, writer)

    async def _exchange(
        self,
        connection: _Connection,
        origin: _Origin,
        request: httpx.Request,
        body: bytes,
        limit: float | None,
    ) -> httpx.Response:
        protocol = connection.protocol
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"connection"]
        names = {k.lower() for k, _ in headers}
        if body and b"content-length" not in names and b"transfer-encoding" not in names:
            headers.append((b"Content-Length", str(len(body)).encode()))
        data = protocol.send(
            h11.Request(method=request.method, target=request.url.raw_path, headers=headers)
        )
        if body:
            data = (data or b"") + (protocol.send(h11.Data(data=body)) or b"")
        data = (data or b"") + (protocol.send(h11.EndOfMessage()) or b"")
        hook = _take_hook()
        if hook is not None and hook.gate is not None:
            await hook.gate()
        # The hook and the socket write are one synchronous step: nothing can run in between.
        if hook is not None:
            hook.hook()
        try:
            connection.writer.write(data)
            async with asyncio.timeout(limit):
                await connection.writer.drain()
                return await self._response(connection, origin, request)
        except TimeoutError as exc:
            connection.close()
            raise httpx.ReadTimeout("no answer in time", request=request) from exc
        except (OSError, h11.RemoteProtocolError, h11.LocalProtocolError) as exc:
            connection.close()
            raise httpx.ReadError(f"connection failed: {exc!r}", request=request) from exc
        except BaseException:
            connection.close()
            raise

    async def _response(
        self, connection: _Connection, origin: _Origin, request: httpx.Request
    ) -> httpx.Response:
        protocol = connection.protocol
        head: h11.Response | None = None
        chunks: list[bytes] = []
        size = 0
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                chunk = await connection.reader.read(READ_CHUNK)
                if not chunk and head is None:
                    raise httpx.ReadError("the server closed the connection", request=request)
                protocol.receive_data(chunk)
                continue
            if isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > MAX_RESPONSE:
                    raise httpx.ReadError("response too large", request=request)
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise httpx.ReadError("the server closed the connection", request=request)
        assert head is not None  # noqa: S101 - h11 yields a Response before EndOfMessage
        self._release(connection, origin)
        return httpx.Response(
            head.status_code,
            headers=[(bytes(k), bytes(v)) for k, v in head.headers],
            content=b"".join(chunks),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
            request=request,
        )

    def _release(self, connection: _Connection, origin: _Origin) -> None:
        protocol = connection.protocol
        if (
            self._closed
            or protocol.our_state is not h11.DONE
            or protocol.their_state is not h11.DONE
        ):
            connection.close()
            return
        protocol.start_next_cycle()
        connection.idle_since = self._monotonic()
        self._idle.setdefault(origin, []).append(connection)

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()
                with contextlib.suppress(Exception):
                    await connection.writer.wait_closed()


def _origin(url: httpx.URL) -> _Origin:
    scheme = url.scheme
    if scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(f"unsupported scheme {scheme!r}")
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host, port
