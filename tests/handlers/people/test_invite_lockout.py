"""Guessing invite codes: a sender gets 5 wrong codes per hour, everyone together 100; each
lockout is logged once (the sender masked) and audited; a guesser leaves nothing else behind."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import ColumnElement, func, select

from handlers.app import Options
from handlers.messages import Channel, Tone
from handlers.people.registration import new_invite_code
from storage.models import AccessThrottle, FormSession, Identity, Person, ProcessedInbound
from storage.repos.throttle import EVERYONE
from tests.handlers.conftest import SRI_MENANTI, World

LOCKED = "Terlalu banyak percobaan kode yang salah. Coba lagi setelah pukul"


async def _count(world: World, model: type, *where: ColumnElement[bool]) -> int:
    async with world.db.unit_of_work() as uow:
        session = uow.session
        stmt = select(func.count()).select_from(model)
        if where:
            stmt = stmt.where(*where)
        return int((await session.execute(stmt)).scalar_one())


def _guess(n: int) -> str:
    """A well-formed code that was never made (the alphabet's first symbols, counted)."""
    digits = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = ""
    for _ in range(12):
        body = digits[n % 32] + body
        n //= 32
    return f"KWL-{body[:4]}-{body[4:8]}-{body[8:]}"


async def test_a_brute_force_run_from_one_chat_is_locked_out_after_five(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    code = await world.invite("operator", SRI_MENANTI, new_invite_code())
    guesser = world.user("5550001")
    caplog.set_level(logging.WARNING, logger="handlers.people.registration")
    for n in range(5):
        await guesser.command("start", _guess(n))
        assert "tidak berlaku" in guesser.texts()
    # 03:30 UTC + 60 minutes = 11.30 WIB: the first wrong code leaves the window then.
    for n in range(5, 300):
        reply = await guesser.command("start", _guess(n))
        assert guesser.texts() == f"{LOCKED} 11.30 WIB."
        assert reply.messages[0].tone is Tone.ERROR  # type: ignore[union-attr]
    await guesser.text(f"DAFTAR {code}")  # even the right code waits
    assert LOCKED in guesser.texts()

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "telegram:…0001" in warnings[0].getMessage()
    assert "5550001" not in warnings[0].getMessage()
    async with world.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="sender")
        invite = await uow.invites.get(code)
        assert await uow.people.find_by_identity("telegram", "5550001") is None
    assert [(e.action, e.entity_id, e.channel) for e in audit] == [
        ("invite.lockout", "telegram:…0001", "telegram")
    ]
    assert audit[0].after["failures"] == 5
    assert invite is not None and invite.uses == 0
    # Nothing is kept of the guesser but the counted failures and the dedupe claims.
    assert await _count(world, AccessThrottle, AccessThrottle.subject == "telegram:5550001") == 5
    assert await _count(world, AccessThrottle, AccessThrottle.subject == EVERYONE) == 5
    assert await _count(world, ProcessedInbound) == 301
    assert await _count(world, Person) == 0
    assert await _count(world, Identity) == 0
    assert await _count(world, FormSession) == 0

    world.clock.advance(timedelta(minutes=59, seconds=59))
    await guesser.command("start", code)
    assert LOCKED in guesser.texts()
    world.clock.advance(timedelta(seconds=1))  # the window has moved past the first failure
    await guesser.command("start", code)
    assert "UU PDP" in guesser.texts()
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "5550001")
    assert person is not None
    assert [(r.role, r.region_code) for r in person.roles] == [("operator", SRI_MENANTI)]


async def test_one_more_try_after_the_oldest_failure_leaves_the_window(world: World) -> None:
    guesser = world.user("5550002")
    for n in range(5):
        await guesser.text(f"daftar {_guess(n)}")
        world.clock.advance(timedelta(minutes=10))
    await guesser.text(f"daftar {_guess(9)}")
    assert LOCKED in guesser.texts()  # 5 within the last 60 minutes
    world.clock.advance(timedelta(minutes=10))  # the first is 60 minutes old now
    await guesser.text(f"daftar {_guess(10)}")
    assert "tidak berlaku" in guesser.texts()
    await guesser.text(f"daftar {_guess(11)}")
    assert LOCKED in guesser.texts()
    async with world.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="sender")
    assert [e.action for e in audit] == ["invite.lockout", "invite.lockout"]  # twice locked


async def test_many_senders_together_lock_every_redemption(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.kawal.options = Options(invite_global_failures=100, invite_lockout_minutes=30)
    code = await world.invite("operator", SRI_MENANTI, new_invite_code())
    caplog.set_level(logging.WARNING, logger="handlers.people.registration")
    for sender in range(25):  # 4 each: nobody reaches their own limit
        chat = world.user(f"62812000{sender:04d}", Channel.WHATSAPP)
        for n in range(4):
            world.clock.advance(timedelta(seconds=10))
            await chat.text(f"DAFTAR {_guess(sender * 4 + n)}")
            assert "tidak berlaku" in chat.texts()
    newcomer = world.user("6281299990000", Channel.WHATSAPP)
    await newcomer.text(f"DAFTAR {code}")
    assert LOCKED in newcomer.texts()  # 30 minutes after the 100th wrong code

    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert "all invite codes locked" in messages[0]
    assert not any("6281200" in m for m in messages)  # no phone number in the log
    async with world.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="sender")
        assert await uow.people.find_by_identity("whatsapp", "6281299990000") is None
    assert [(e.action, e.entity_id) for e in audit] == [("invite.lockout", EVERYONE)]
    assert audit[0].after["failures"] == 100

    world.clock.advance(timedelta(minutes=30))
    await newcomer.text(f"DAFTAR {code}")
    assert "UU PDP" in newcomer.texts()
    assert await _count(world, Person) == 1


async def test_a_registered_persons_lockout_is_shown_in_their_zone(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-ABCDEF")
    chat = world.user("5550003")
    await chat.register("KWL-ABCDEF")
    for n in range(5):
        await chat.text(_guess(n).lower())
        assert "tidak berlaku" in chat.texts()
    await chat.command("start", _guess(6))
    assert chat.texts() == f"{LOCKED} 11.30 WIB."
    await chat.text("menu")  # everything else works as before
    assert "Verifikasi keluarga" in [o.label for o in chat.question().options]
