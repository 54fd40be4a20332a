"""An answer leaves nothing behind on the heap.

Each update allocates thousands of short-lived objects; if some of them stayed (a cache keyed
by update, a growing list of sessions or log records), the process would grow with every answer,
its garbage collections would grow with it, and the answers' working set would spread over ever
more memory (what makes the CPU per answer sensitive to the machine's caches: see "The bimodal
CPU cost" in docs/benchmarks.md)."""

from __future__ import annotations

import gc
import weakref

from tests.handlers.conftest import SRI_MENANTI, World

# One verification of a household, cancelled before the save so it can be repeated: 13 answers.
FORM = ["ditemukan", "tetap", "tetap", "tetap", "ya", "lewati", "lewati", "ringkasan"]
ROUNDS = 8


def tracked() -> int:
    """Objects the collector tracks, but for dead weak references: sqlite3 keeps one per
    cursor it made and drops the dead ones only every 200 cursors (a bounded list, not a leak;
    where the count falls in that cycle is chance)."""
    gc.collect()
    return sum(
        1 for o in gc.get_objects() if not (type(o) is weakref.ReferenceType and o() is None)
    )


async def test_answers_leave_no_objects_behind(world: World) -> None:
    code = await world.invite("operator", SRI_MENANTI, "KWL-HEAP01")
    chat = world.user("heap-operator")
    await chat.register(code)

    async def verify_and_cancel() -> None:
        await chat.press("m:verify")
        await chat.text("Agus Hidayat")
        await chat.text("1")
        for answer in FORM:
            await chat.text(answer)
        assert "Ringkasan" in chat.texts()  # the summary: the form really ran
        await chat.text("batal")
        await chat.text("ya")

    for _ in range(3):  # statements prepared, catalogs and forms loaded, pools filled
        await verify_and_cancel()
    before = tracked()
    for _ in range(ROUNDS):
        await verify_and_cancel()
    grown = tracked() - before

    answers = ROUNDS * (3 + len(FORM) + 2)
    # A few objects come and go with the event loop and the pool; one per answer is a leak.
    assert grown < answers // 4, f"{grown} more tracked objects after {answers} answers"
