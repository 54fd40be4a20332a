"""A loopback proxy in front of PostgreSQL that counts what clients ask of the server.

    async with WireCounter("127.0.0.1", 5432) as counter:
        url = counter.url_for(real_url)         # the same database, through the proxy
        ...
        counter.reset(); ...work...; counter.statements, counter.round_trips

It reads the frontend protocol (messages a client sends: ``Q`` simple query, ``P`` parse,
``B`` bind, ``E`` execute, ``S`` sync) and passes every byte on unchanged. A client waits for
the server's ReadyForQuery after each ``Q`` and each ``S``, so their number is the number of
round trips; ``E`` and ``Q`` are the statements run (``Q`` text such as ``BEGIN``). Parses are
counted apart: a statement prepared once per connection is parsed once. The proxy answers an
SSL request itself with "no" (so it can read the stream), like a server without SSL.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from sqlalchemy import make_url

_SSL_REQUEST = 80877103
_GSS_REQUEST = 80877104


@dataclass
class WireCounter:
    host: str
    port: int
    statements: int = 0
    round_trips: int = 0
    parses: int = 0
    log: list[str] = field(default_factory=list)  # the SQL of each statement, in order
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def listen_port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def url_for(self, url: str) -> str:
        """``url`` (an asyncpg URL of this server) through the proxy."""
        return (
            make_url(url)
            .set(host="127.0.0.1", port=self.listen_port)
            .render_as_string(hide_password=False)
        )

    def reset(self) -> None:
        self.statements = self.round_trips = self.parses = 0
        self.log.clear()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def drop_connections(self) -> None:
        """Cut every connection through the proxy (as a restarted server would)."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.close()
            return
        self._writers += [writer, upstream_writer]
        back = asyncio.ensure_future(_pump(upstream_reader, writer))
        self._tasks.add(back)
        back.add_done_callback(self._tasks.discard)
        try:
            await self._client(reader, writer, upstream_writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            upstream_writer.close()
            writer.close()
            back.cancel()

    async def _client(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: asyncio.StreamWriter,
    ) -> None:
        while True:  # the startup phase: untyped messages
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            body = await reader.readexactly(length - 8)
            if code in (_SSL_REQUEST, _GSS_REQUEST):
                writer.write(b"N")
                await writer.drain()
                continue
            upstream.write(head + body)
            break
        names: dict[bytes, str] = {}
        portal_sql = ""
        while True:
            head = await reader.readexactly(5)
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            body = await reader.readexactly(length - 4)
            if kind == b"Q":
                self.statements += 1
                self.round_trips += 1
                self.log.append(body.split(b"\0", 1)[0].decode())
            elif kind == b"P":
                self.parses += 1
                name, rest = body.split(b"\0", 1)
                names[name] = rest.split(b"\0", 1)[0].decode()
            elif kind == b"B":
                _portal, rest = body.split(b"\0", 1)
                portal_sql = names.get(rest.split(b"\0", 1)[0], "?")
            elif kind == b"E":
                self.statements += 1
                self.log.append(portal_sql)
            elif kind == b"S":
                self.round_trips += 1
            upstream.write(head + body)
            await upstream.drain()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
