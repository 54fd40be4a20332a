"""Hostile input through the WhatsApp channel (signed webhook, fake Graph API, both backends).

WhatsApp reply ids are not signed: whatever id a button or list reply carries reaches the
channel's menu memory and then the handlers, so odd numbers and forged household ids must be
refused there. Texts go through the numbered-menu reader first.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.kit.i18n import t
from storage.models import FormSession
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import DEMO_DIR, SRI_MENANTI, Harness, WaUser
from tests.fakes.graph_api import Sent
from tests.faults.hostile import NASTY, SUKANANTI, foreign_secrets

INTERNAL = t("internal_error", "id")
NOT_ALLOWED = t("household_not_allowed", "id")
FOREIGN = foreign_secrets()


def check_answered(sent: list[Sent], typed: str = "") -> None:
    assert sent, f"no answer to {typed[:40]!r}"
    for message in sent:
        assert INTERNAL not in message.text()
        for secret in FOREIGN:
            assert secret in typed or secret not in message.text(), f"{secret!r} shown"


async def _states(h: Harness) -> list[Any]:
    async with h.db.unit_of_work() as uow:
        rows = await uow.session.execute(FormSession.__table__.select().order_by(FormSession.id))
    out = []
    for row in rows.mappings():
        state = dict(row["state"])
        if isinstance(state.get("engine"), dict):
            state["engine"] = {k: v for k, v in state["engine"].items() if k != "steps"}
        out.append((row["id"], row["status"], row["household_id"], state))
    return out


async def _to_cooking_fuel(h: Harness, user: WaUser, code: str = "KWL-WAHOST") -> None:
    """An operator in the housing form, at the 12-option question (a numbered text menu)."""
    await h.invite("operator", SRI_MENANTI, code)
    await user.register(code)
    await user.press("m:housing")
    await user.text("Agus Hidayat")
    await user.choose("Agus Hidayat")
    for answer in ("milik sendiri", "36", "keramik", "tembok", "seng", "sumur bor"):
        await user.text(answer)
    await user.text("Listrik PLN dengan meteran")
    await user.text("900 VA")
    [menu] = [s for s in user.last if "1. " in s.text() and s.type == "text"]
    assert "Bahan bakar" in menu.text() or "memasak" in menu.text(), menu.text()


async def test_numbers_int_cannot_read_in_a_numbered_menu(wa: Harness) -> None:
    user = wa.user("6281399990001")
    await _to_cooking_fuel(wa, user)
    before = await _states(wa)
    for typed in ("¹", "²³", "99999", "0", "-1", "٣٣٣٣٣"):
        check_answered(await user.text(typed), typed)
        assert "⚠️" in user.texts()
    for reply_id in ("#²", "#99999999999999999999", "#0", "#", "#-1"):
        check_answered(await user._deliver(payloads.list_reply(user.wa_id, reply_id)), reply_id)
    assert await _states(wa) == before
    await user.text("2")  # a real number still picks the option
    assert "buang air besar" in user.texts()  # the next question


async def test_forged_reply_ids_for_households_reveal_nothing(wa: Harness, now: datetime) -> None:
    async with wa.db.unit_of_work() as uow:
        await load_regions(uow, "18.04.07")
        await load_register_csv(uow, DEMO_DIR / "households_sukananti.csv", now)
        elsewhere = await uow.households.pending(SUKANANTI, 0, 10)
    user = wa.user("6281399990002")
    await wa.invite("operator", SRI_MENANTI, "KWL-WAFORG")
    await user.register("KWL-WAFORG")
    await user.press("m:verify")
    await user.text("Agus")
    before = await _states(wa)
    answers = set()
    for reply_id in [f"hh:{h.id}" for h in elsewhere] + ["hh:999999", "hh:99999999999999999999"]:
        for build in (payloads.list_reply, payloads.button_reply):
            sent = await user._deliver(build(user.wa_id, reply_id, title="Marni"))
            check_answered(sent, "Marni")
            answers.add(user.texts())
    assert answers == {"⚠️ " + NOT_ALLOWED}
    assert await _states(wa) == before


_USERS = itertools.count(1)


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["text", "list", "button"]),
    value=st.one_of(st.text(max_size=40), st.sampled_from(NASTY)),
)
async def test_any_text_or_reply_id_in_a_numbered_menu(wa: Harness, kind: str, value: str) -> None:
    number = next(_USERS)
    user = wa.user(f"62813999{number:05d}")
    await _to_cooking_fuel(wa, user, f"KWL-WH{number:04d}")
    before = await _states(wa)
    if kind == "text":
        sent = await user.text(value)
    else:
        build = payloads.list_reply if kind == "list" else payloads.button_reply
        sent = await user._deliver(build(user.wa_id, value or "x"))
    check_answered(sent, value)
    if "⚠️" in user.texts():  # refused: nothing changed
        assert await _states(wa) == before
