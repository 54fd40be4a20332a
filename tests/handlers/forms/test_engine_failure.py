"""An engine failure closes the form as ``errored``: logged with the form, version and position
(numbers masked), stored with its answers, the person told what to do; nothing saved."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from sqlalchemy import select

from flows import Input
from flows.qtypes import QUESTION_TYPES
from storage.models import FormSession
from tests.handlers.conftest import SRI_MENANTI, Chat, World

NIK = "1804072704900258"


async def _at_the_address(world: World, external_id: str, *, english: bool = False) -> Chat:
    code = f"KWL-ER{external_id:0>4}"
    await world.invite("operator", SRI_MENANTI, code)
    chat = world.user(external_id)
    await chat.register(code)
    if english:
        await chat.press("m:language")
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.press("ditemukan")
    assert "Alamat" in chat.texts() or "Address" in chat.texts()
    return chat


def _broken(monkeypatch: pytest.MonkeyPatch, **fields: Any) -> None:
    """A bug in the text question type, quoting the answer in its message as bugs do."""
    broken = dataclasses.replace(QUESTION_TYPES["text"], **fields)
    monkeypatch.setitem(QUESTION_TYPES, "text", broken)


def _parse(question: Any, answer: Input, ctx: Any) -> Any:
    raise ValueError(f"cannot read {answer.text!r}")


def _display(question: Any, value: Any, lang: str) -> str:
    raise ValueError(f"cannot show {value!r}")


async def _sessions(world: World) -> list[FormSession]:
    async with world.db.unit_of_work() as uow:
        return list((await uow.session.execute(select(FormSession))).scalars())


async def test_a_failing_answer_closes_the_form_as_errored(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await _at_the_address(world, "301")
    _broken(monkeypatch, parse=_parse)
    with caplog.at_level(logging.ERROR, logger="handlers.forms.runner"):
        await chat.text(f"Dusun IV {NIK}")
    assert (
        "Maaf, ada gangguan pada formulir Verifikasi keluarga, jadi formulir ditutup tanpa "
        "disimpan. Buka lagi dari menu di bawah." in chat.texts()
    )
    labels = [o.label for o in chat.question().options]
    assert "Verifikasi keluarga" in labels and "Lanjutkan isian" not in labels

    [record] = [r for r in caplog.records if r.name == "handlers.forms.runner"]
    logged = record.getMessage()
    assert record.levelno == logging.ERROR
    assert "form verifikasi_keluarga v1" in logged and "at address" in logged
    assert "ValueError: cannot read 'Dusun IV ************0258'" in logged
    assert "[flows/engine.py:" in logged and "_handle_answer]" in logged
    assert NIK not in logged

    [session] = await _sessions(world)
    assert session.status == "errored"
    engine = session.state["engine"]
    assert engine["status"] == "errored" and engine["answers"]["family_status"] == "ditemukan"
    async with world.db.unit_of_work() as uow:
        assert await uow.submissions.list_for_region(SRI_MENANTI) == []
        counts = await uow.households.count_by_status(SRI_MENANTI)
    assert counts.get("updated", 0) == 0 and counts["pending"] == 30

    await chat.command("lanjut")  # the form is closed, not waiting
    assert "Tidak ada isian" in chat.texts()


async def test_a_form_that_cannot_be_shown_again_closes_as_errored(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await _at_the_address(world, "302")
    await chat.text("menu")
    _broken(monkeypatch, display=_display)  # the kept address cannot be shown any more
    with caplog.at_level(logging.ERROR, logger="handlers.forms.runner"):
        await chat.command("lanjut")
    assert "ada gangguan pada formulir Verifikasi keluarga" in chat.texts()
    [record] = [r for r in caplog.records if r.name == "handlers.forms.runner"]
    assert "at address: ValueError: cannot show 'Dusun III'" in record.getMessage()
    [session] = await _sessions(world)
    assert session.status == "errored" and session.state["engine"]["status"] == "errored"


async def test_english(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = await _at_the_address(world, "303", english=True)
    _broken(monkeypatch, parse=_parse)
    await chat.text("Dusun IV")
    assert "Sorry, the form" in chat.texts() and "closed without saving" in chat.texts()
