"""The wire transport: plain HTTP/1.1 over loopback, the hook right before the bytes go out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web

from bot.channels.wire import Wire, before_write


@dataclass
class Server:
    url: str = ""
    seen: list[tuple[str, bytes, bool]] = field(default_factory=list)  # path, body, hook ran
    peers: set[object] = field(default_factory=set)
    hook_ran: bool = False


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        state.seen.append((request.path, body, state.hook_ran))
        state.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        if request.path == "/slow":
            await asyncio.sleep(5)
        if request.path == "/drop":
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError
        return web.json_response({"path": request.path, "size": len(body)}, status=201)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.url = f"http://{host}:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


async def test_requests_round_trip_on_one_kept_alive_connection(server: Server) -> None:
    async with httpx.AsyncClient(transport=Wire(), base_url=server.url) as client:
        posted = await client.post("/a?x=1", json={"text": "Halo"})
        got = await client.get("/b")
        upload = await client.post("/c", data={"k": "v"}, files={"f": ("a.bin", b"0" * 300_000)})
    assert (posted.status_code, posted.json()) == (201, {"path": "/a", "size": 15})
    assert got.json() == {"path": "/b", "size": 0}
    assert upload.json()["size"] > 300_000
    assert len(server.peers) == 1  # one connection, reused


async def test_the_hook_runs_once_before_the_server_has_the_request(server: Server) -> None:
    calls: list[int] = []

    def hook() -> None:
        calls.append(len(server.seen))
        server.hook_ran = True

    async with httpx.AsyncClient(transport=Wire(), base_url=server.url) as client:
        with before_write(hook):
            await client.post("/first", content=b"satu")
            server.hook_ran = False
            await client.post("/second", content=b"dua")  # the hook is spent
    assert calls == [0]
    assert [(path, ran) for path, _, ran in server.seen] == [("/first", True), ("/second", False)]


async def test_the_gate_is_passed_before_the_hook_and_the_write(server: Server) -> None:
    """A rate limiter's last check: while its gate holds, neither the journal hook has run nor
    has the server seen a byte; once it opens, hook and write follow at once."""
    opened = asyncio.Event()
    order: list[str] = []

    async def gate() -> None:
        order.append("gate")
        await opened.wait()
        order.append("gate passed")

    def hook() -> None:
        order.append(f"hook, server had {len(server.seen)}")

    async with httpx.AsyncClient(transport=Wire(), base_url=server.url) as client:
        with before_write(hook, gate=gate):
            posting = asyncio.create_task(client.post("/gated", content=b"x"))
            for _ in range(20):
                await asyncio.sleep(0)
            assert order == ["gate"] and server.seen == []
            opened.set()
            answer = await posting
    assert answer.status_code == 201
    assert order == ["gate", "gate passed", "hook, server had 0"]
    assert [path for path, _, _ in server.seen] == ["/gated"]


async def test_an_idle_connection_is_not_reused_past_keepalive(server: Server) -> None:
    moments = [0.0]
    transport = Wire(keepalive=5.0, monotonic=lambda: moments[0])
    async with httpx.AsyncClient(transport=transport, base_url=server.url) as client:
        await client.get("/1")
        moments[0] = 4.0
        await client.get("/2")
        moments[0] = 10.0
        await client.get("/3")
    assert len(server.peers) == 2


async def test_failures_before_and_after_the_write_are_told_apart(server: Server) -> None:
    ran: list[str] = []
    async with httpx.AsyncClient(transport=Wire(), base_url=server.url, timeout=0.5) as client:
        with before_write(lambda: ran.append("drop")), pytest.raises(httpx.ReadError):
            await client.post("/drop", content=b"x")
        with before_write(lambda: ran.append("slow")), pytest.raises(httpx.ReadTimeout):
            await client.post("/slow", content=b"x")
        assert (await client.get("/after")).status_code == 201  # a fresh connection works
    async with httpx.AsyncClient(transport=Wire(), timeout=0.5) as client:
        with before_write(lambda: ran.append("refused")), pytest.raises(httpx.ConnectError):
            await client.post("http://127.0.0.1:9/none", content=b"x")
    assert ran == ["drop", "slow"]  # nothing was written where the connection failed
    assert [path for path, _, _ in server.seen] == ["/drop", "/slow", "/after"]


async def test_many_concurrent_requests_share_a_bounded_pool(server: Server) -> None:
    async with httpx.AsyncClient(transport=Wire(max_connections=4), base_url=server.url) as client:
        answers = await asyncio.gather(*(client.get(f"/{i}") for i in range(40)))
    assert [a.json()["path"] for a in answers] == [f"/{i}" for i in range(40)]
    assert len(server.peers) <= 4
