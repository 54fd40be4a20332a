"""The export from the chat: read and written after the commit, on a worker thread, while the
chat goes on answering everyone else."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from flows import FormRegistry
from handlers.kit.i18n import t
from handlers.messages import Document, Text, Tone
from handlers.registers import exports
from tests.handlers.conftest import SRI_MENANTI, World

WAIT = 10  # seconds a test waits for the other thread at most (a hang fails, never passes)


async def _people(world: World, tmp_path: Path):
    world.kawal.options = type(world.kawal.options)(exports_dir=tmp_path / "exports")
    await world.invite("dinsos", "18.04", "KWL-DINS01")
    dinsos = world.user("501")
    await dinsos.register("KWL-DINS01", "Bu Dinsos")
    await world.invite("operator", SRI_MENANTI, "KWL-OPER01")
    operator = world.user("502")
    await operator.register("KWL-OPER01", "Pak Operator")
    return dinsos, operator


def _labels_that(
    act: Callable[[], None],
) -> Callable[[FormRegistry], Callable[[str, Any], str]]:
    """``exports.form_labels`` whose labels first call ``act`` (in the export's thread)."""
    real = exports.form_labels

    def form_labels(forms: FormRegistry) -> Callable[[str, Any], str]:
        labels = real(forms)

        def label(key: str, value: Any) -> str:
            act()
            return labels(key, value)

        return label

    return form_labels


async def test_other_people_are_answered_while_an_export_runs(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dinsos, operator = await _people(world, tmp_path)
    started, release = threading.Event(), threading.Event()
    threads: set[threading.Thread] = set()

    def pause() -> None:  # the export stops at its first row until the test releases it
        threads.add(threading.current_thread())
        started.set()
        assert release.wait(WAIT)

    monkeypatch.setattr(exports, "form_labels", _labels_that(pause))
    exporting = asyncio.create_task(dinsos.press("m:export"))
    assert await asyncio.to_thread(started.wait, WAIT)  # the export is writing rows

    # Meanwhile another person's updates are answered, and what they do is saved.
    answer = await asyncio.wait_for(operator.press("m:verify"), WAIT)
    assert answer.messages
    answer = await asyncio.wait_for(operator.text("Agus Hidayat"), WAIT)
    assert "Agus Hidayat" in [o.label.split(" ·")[0] for o in operator.question().options]
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "502")
        assert person is not None
        assert await uow.sessions.get_open(person.person_id) is not None
    assert not exporting.done()

    release.set()
    reply = await asyncio.wait_for(exporting, WAIT)
    [document] = reply.messages  # the counts in its caption, not in a message before it too
    assert isinstance(document, Document) and "33 keluarga" in document.caption
    assert document.file_name.startswith("ekspor-18.04-")
    book = load_workbook(document.path, read_only=True)
    assert len(list(book["Keluarga"].iter_rows(values_only=True))) == 34  # header + 33
    book.close()
    assert threads and threading.main_thread() not in threads  # never on the event loop


async def test_a_failed_export_says_so_and_leaves_no_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dinsos, _ = await _people(world, tmp_path)

    def fail() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "form_labels", _labels_that(fail))
    reply = await dinsos.press("m:export")
    assert reply.messages == [Text(t("export_failed", "id"), Tone.ERROR)]
    assert not any((tmp_path / "exports").iterdir())  # no half-written workbook left behind
    monkeypatch.undo()
    reply = await dinsos.press("m:export")  # and the next export works
    [document] = reply.messages  # the counts in its caption, not said twice
    assert isinstance(document, Document) and "33 keluarga" in document.caption
