"""Proactive sends: the 24-hour window, templates, Graph errors, rate limits, part by part."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.channels.whatsapp.client import GraphClient, error_from_response
from bot.channels.whatsapp.sender import TemplateConfig, WhatsAppSender
from bot.settings import Settings
from handlers.messages import Channel, Chart, Document, Option, Question, Text
from handlers.ports import (
    ChannelSender,
    Delivery,
    FixedClock,
    OutsideWindow,
    PermanentError,
    Recipient,
    RetryAfter,
    Template,
    TransientError,
    Unconfirmed,
)
from storage.db import Database
from tests.channels.whatsapp.conftest import SRI_MENANTI, Harness, WaUser, wa_settings
from tests.fakes.graph_api import FakeGraphApi

REMINDER = Template("reminder", ("Pak Budi", "Batas verifikasi:\n27 Januari", "5 keluarga"))


async def _recipient(h: Harness, wa_id: str) -> Recipient:
    async with h.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("whatsapp", wa_id)
        assert person is not None
        [identity] = await uow.people.identities_of(person.person_id)
    return Recipient(wa_id, identity.last_inbound_at)


async def _registered(h: Harness, wa_id: str, code: str) -> WaUser:
    await h.invite("operator", SRI_MENANTI, code)
    user = h.user(wa_id)
    await user.register(code)
    return user


async def test_outside_the_window_a_reminder_goes_as_the_template(wa: Harness) -> None:
    user = await _registered(wa, "6281322220001", "KWL-WINDW1")
    wa.clock.advance(timedelta(hours=25))
    before = len(wa.graph.sent)
    wamid = await wa.channel.sender.send(
        await _recipient(wa, user.wa_id),
        [Text("Pengingat: batas verifikasi 27 Januari")],
        template=REMINDER,
    )
    [sent] = wa.graph.sent[before:]
    assert wamid == sent.wamid
    assert sent.type == "template"
    template = sent.body["template"]
    assert template["name"] == "kawal_pengingat"
    assert template["language"] == {"code": "id"}
    params = template["components"][0]["parameters"]
    assert [p["text"] for p in params] == [
        "Pak Budi",
        "Batas verifikasi: · 27 Januari",
        "5 keluarga",
    ]
    with pytest.raises(OutsideWindow):  # no template: nothing can be sent
        await wa.channel.sender.send(await _recipient(wa, user.wa_id), [Text("Halo")])
    assert len(wa.graph.sent) == before + 1


async def test_inside_the_window_it_is_free_form(wa: Harness) -> None:
    user = await _registered(wa, "6281322220002", "KWL-WINDW2")
    wa.clock.advance(timedelta(hours=23))
    before = len(wa.graph.sent)
    question = Question("Lanjutkan verifikasi?", (Option("m:resume", "Lanjutkan"),))
    await wa.channel.sender.send(
        await _recipient(wa, user.wa_id), [Text("Pengingat"), question], template=REMINDER
    )
    text, buttons = wa.graph.sent[before:]
    assert text.type == "text" and text.text() == "Pengingat"
    assert buttons.interactive_type == "button"


async def test_131047_falls_back_to_the_template(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220003", "KWL-WINDW3")
    h.graph.fail_next(131047)
    before = len(h.graph.sent)
    await h.channel.sender.send(
        await _recipient(h, user.wa_id), [Text("Pengingat")], template=REMINDER
    )
    [sent] = h.graph.sent[before:]
    assert sent.type == "template"
    h.graph.fail_next(131047)
    with pytest.raises(OutsideWindow):
        await h.channel.sender.send(await _recipient(h, user.wa_id), [Text("Pengingat")])


async def test_rate_limits_and_errors_are_typed(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220004", "KWL-ERROR1")
    moments = [500.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        moments[0] += seconds

    sender = WhatsAppSender(
        h.channel.client,
        h.db,
        h.clock,
        TemplateConfig({"reminder": "kawal_pengingat"}),
        chat_interval=0.0,
        monotonic=lambda: moments[0],
        sleep=sleep,
    )
    h.graph.fail_next(130429)
    with pytest.raises(RetryAfter) as throughput:
        await sender.send(await _recipient(h, user.wa_id), [Text("a")])
    assert not throughput.value.per_chat and throughput.value.seconds > 0
    await sender.send(await _recipient(h, user.wa_id), [Text("a")])  # the whole number waited first
    assert sum(sleeps) == pytest.approx(throughput.value.seconds, abs=0.05)
    h.graph.fail_next(131056)
    with pytest.raises(RetryAfter) as pair:
        await sender.send(await _recipient(h, user.wa_id), [Text("b")])
    assert pair.value.per_chat and pair.value.seconds >= 6
    sleeps.clear()
    await sender.send(Recipient("6281399999999"), [Text("b")], template=REMINDER)  # others: no wait
    assert sum(sleeps) < 0.05
    await sender.send(
        await _recipient(h, user.wa_id), [Text("b")]
    )  # this person: after the pair limit
    assert sum(sleeps) == pytest.approx(pair.value.seconds, abs=0.05)
    h.graph.fail_next(131026)
    with pytest.raises(PermanentError):
        await sender.send(await _recipient(h, user.wa_id), [Text("c")])
    h.graph.fail_next(131000, status=500)
    with pytest.raises(TransientError):
        await sender.send(await _recipient(h, user.wa_id), [Text("d")])


async def test_each_part_is_announced_right_before_its_request(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220005", "KWL-BEFORE")
    before = len(h.graph.sent)
    calls: list[tuple[int, int]] = []
    delivery = Delivery(on_write=lambda part: calls.append((part, len(h.graph.sent))))

    wamid = await h.channel.sender.send(
        await _recipient(h, user.wa_id), [Text("satu"), Text("dua")], delivery=delivery
    )
    assert calls == [(0, before), (1, before + 1)]
    assert len(h.graph.sent) == before + 2
    assert (delivery.written, delivery.accepted) == (1, 1)
    assert wamid == delivery.platform_id == h.graph.sent[-1].wamid


async def test_skipped_parts_are_not_sent_again(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220007", "KWL-SKIPPP")
    before = len(h.graph.sent)
    await h.channel.sender.send(
        await _recipient(h, user.wa_id), [Text("satu"), Text("dua")], delivery=Delivery(skip=1)
    )
    assert [s.text() for s in h.graph.sent[before:]] == ["dua"]


async def test_a_request_without_an_answer_is_unconfirmed(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220008", "KWL-NOANSW")
    h.graph.drop_next()
    delivery = Delivery()
    with pytest.raises(Unconfirmed):
        await h.channel.sender.send(
            await _recipient(h, user.wa_id), [Text("Pengumuman")], delivery=delivery
        )
    assert [b["text"]["body"] for b in h.graph.dropped] == ["Pengumuman"]  # it did arrive
    assert delivery.in_doubt


async def test_network_errors_are_transient() -> None:
    gone = FakeGraphApi()
    api_url = await gone.start()
    await gone.close()  # nothing listens there any more: connection refused
    client = GraphClient(gone.token, gone.phone_number_id, api_url=api_url, timeout=2)
    try:
        with pytest.raises(TransientError):
            await client.send_message("628", {"type": "text", "text": {"body": "x"}})
    finally:
        await client.aclose()


async def test_proactive_sends_to_one_person_are_six_seconds_apart(
    sqlite_database: Database, now: datetime, graph: FakeGraphApi
) -> None:
    moments = [1000.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        moments[0] += seconds

    client = GraphClient(graph.token, graph.phone_number_id, api_url=graph.api_url)
    sender = WhatsAppSender(
        client,
        sqlite_database,
        FixedClock(now),
        TemplateConfig({"reminder": "kawal_pengingat"}),
        chat_interval=6.0,
        monotonic=lambda: moments[0],
        sleep=sleep,
    )
    try:
        for wa_id in ("628111", "628111", "628222"):
            await sender.send(Recipient(wa_id), [Text("x")], template=Template("reminder"))
    finally:
        await client.aclose()
    assert [s.to for s in graph.sent] == ["628111", "628111", "628222"]
    assert sum(s for s in sleeps if s >= 1) == pytest.approx(6.0)
    assert all(s.type == "template" for s in graph.sent)  # nobody wrote: outside the window


@pytest.mark.parametrize(
    ("status", "code", "expected", "per_chat"),
    [
        (400, 131047, OutsideWindow, None),
        (400, 130429, RetryAfter, False),
        (429, 130429, RetryAfter, False),
        (400, 131056, RetryAfter, True),
        (400, 131048, RetryAfter, False),
        (400, 80007, RetryAfter, False),
        (400, 131026, PermanentError, None),
        (400, 131051, PermanentError, None),
        (400, 100, PermanentError, None),
        (400, 132001, PermanentError, None),
        (401, 190, TransientError, None),
        (500, 131000, TransientError, None),
        (503, None, TransientError, None),
        (429, None, RetryAfter, False),
    ],
)
def test_graph_error_codes_map_to_delivery_errors(
    status: int, code: int | None, expected: type, per_chat: bool | None
) -> None:
    body = {"error": {"code": code, "message": "x"}} if code is not None else "Service Unavailable"
    error = error_from_response(status, body)
    assert type(error) is expected
    if per_chat is not None:
        assert isinstance(error, RetryAfter) and error.per_chat is per_chat


async def test_charts_and_documents_are_uploaded_then_sent(wa_sqlite: Harness, tmp_path) -> None:
    h = wa_sqlite
    user = await _registered(h, "6281322220006", "KWL-UPLOAD")
    chart = tmp_path / "kemajuan.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    report = tmp_path / "laporan.csv"
    report.write_text("nama;status\n", encoding="utf-8")
    before = len(h.graph.sent)
    await h.channel.sender.send(
        await _recipient(h, user.wa_id),
        [
            Chart(str(chart), caption="Kemajuan Sri Menanti"),
            Document(str(report), caption="Laporan", file_name="laporan.csv"),
            Document("https://example.org/panduan.pdf", file_name="panduan.pdf"),
        ],
    )
    image, document, link = h.graph.sent[before:]
    first, second = h.graph.uploads
    assert first["content"].startswith(b"\x89PNG") and first["type"] == "image/png"
    assert first["messaging_product"] == "whatsapp"
    assert image.body["image"] == {"id": first["id"], "caption": "Kemajuan Sri Menanti"}
    assert second["filename"] == "laporan.csv"
    assert document.body["document"]["id"] == second["id"]
    assert document.body["document"]["filename"] == "laporan.csv"
    assert link.body["document"]["link"] == "https://example.org/panduan.pdf"


def test_whatsapp_settings_are_all_or_nothing(tmp_path) -> None:
    settings = wa_settings("https://graph.facebook.com/v21.0", tmp_path)
    assert settings.whatsapp_enabled and settings.whatsapp_rate == 80
    assert not Settings(_env_file=None).whatsapp_enabled
    with pytest.raises(ValueError, match="WHATSAPP_APP_SECRET"):
        partial: dict[str, Any] = {"WHATSAPP_TOKEN": "x", "WHATSAPP_PHONE_NUMBER_ID": "1"}
        Settings(_env_file=None, **partial)


def test_the_sender_is_a_channel_sender(wa_sqlite: Harness) -> None:
    port: ChannelSender = wa_sqlite.channel.sender  # checked by mypy: the outbox's port
    assert port.channel is Channel.WHATSAPP
