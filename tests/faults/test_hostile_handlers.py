"""Hostile input at every stage, through the handlers (both database backends).

Each hypothesis example walks one person through registration, or one operator through a whole
form (menu, household search, search results, every question, the review screen), and at every
step first sends one hostile input (any kind: text, command, button payload, location, photo,
document, sticker...), checked by :class:`HostileProbe`, then the valid answer. The form must
still save exactly the answers of a walk without hostile input.

The examples are fixed (``derandomize``) so CI is stable; ``KAWAL_FAULT_EXAMPLES=200`` runs
more walks by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.app import Options
from handlers.messages import Channel
from tests.faults.hostile import (
    PAYLOADS,
    SUKANANTI,
    HostileProbe,
    foreign_secrets,
    hostile_inbounds,
    saves,
)
from tests.handlers.conftest import SRI_MENANTI, Chat, World

EXAMPLES = int(os.environ.get("KAWAL_FAULT_EXAMPLES", "4"))
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@dataclass
class Walk:
    menu: str
    search: str | None  # the No. KK to search, None for forms without a household
    answers: list[str]  # valid answers, the last one saves


WALKS = {
    "verifikasi_keluarga": Walk(
        "1",
        "1804191611200001",
        ["ditemukan", "Dusun Uji Coba", "7", "3", "ya", "0812-3456-7890", "lewati", "simpan"],
    ),
    "anggota_keluarga": Walk(
        "2",
        "1804190106200002",
        [
            *["1", "tetap", "Darmawan Lubis Putra", "tetap", "tetap", "tetap", "tetap"],
            *["2", "1", "lewati", "7", "2", "3", "selesai", "lewati", "simpan"],
        ],
    ),
    "kondisi_rumah": Walk(
        "3",
        "1804191510180003",
        [
            *["milik sendiri", "36", "keramik", "tembok", "seng", "sumur bor"],
            *["Listrik PLN dengan meteran", "900 VA", "elpiji 3 kg", "1", "sepeda motor"],
            *["tetap", "lewati", "simpan"],
        ],
    ),
    "usulan_baru": Walk(
        "4",
        None,
        [
            *["{kk}", "Joko Susilo", "L", "27-04-1990", "{nik}", "Dusun I, Pekon Sri Menanti"],
            *["2", "1", "tidak", "lewati", "lewati", "lewati", "simpan"],
        ],
    ),
    "lapor_kendala": Walk(
        "5", None, ["1", "Aplikasi tidak bisa dibuka sejak pagi", "lewati", "simpan"]
    ),
}


@dataclass
class Walker:
    world: World
    now: datetime
    operator: Chat | None = None
    probe: HostileProbe | None = None
    payloads: list[str] = field(default_factory=list)
    reference: dict[str, dict[str, Any]] = field(default_factory=dict)
    walks: int = 0

    async def ready(self) -> tuple[Chat, HostileProbe]:
        if self.operator is None or self.probe is None:
            await self.world.invite("operator", SRI_MENANTI, "KWL-HOSTIL", max_uses=1)
            self.operator = self.world.user("7001")
            await self.operator.register("KWL-HOSTIL")
            async with self.world.db.unit_of_work() as uow:
                elsewhere = await uow.households.pending(SUKANANTI, 0, 10)
                mine = await uow.households.pending(SRI_MENANTI, 0, 2)
            # Buttons of households of another village (forged or from another chat) and of
            # this village (a stale keyboard).
            self.payloads = [
                *PAYLOADS,
                *(f"hh:{h.id}" for h in elsewhere),
                *(f"hh:{h.id}" for h in mine),
            ]
            self.probe = HostileProbe(
                self.world.db,
                self.world.kawal,
                Channel.TELEGRAM,
                "7001",
                foreign_secrets(),
                self.now,
            )
        return self.operator, self.probe

    async def walk(self, form: str, data: st.DataObject | None) -> dict[str, Any]:
        """Walk ``form`` to the end; with ``data``, a hostile input before every step. The
        answers of the submission it saved."""
        chat, probe = await self.ready()
        walk = WALKS[form]
        self.walks += 1
        values = {"kk": f"180419010125{self.walks:04d}", "nik": f"180407270490{self.walks:04d}"}
        strategy = hostile_inbounds(st.sampled_from(self.payloads))

        async def hostile(stage: str, *, review: bool = False) -> None:
            if data is None:
                return
            drawn = strategy.filter(lambda f: not saves(f)) if review else strategy
            await probe.send(data.draw(drawn, label=f"{form}: {stage}"))

        await hostile("menu")
        await chat.text(walk.menu)
        if walk.search is not None:
            await hostile("search prompt")
            await chat.text(walk.search)
            assert "Ditemukan 1 keluarga" in chat.texts(), chat.texts()
            await hostile("search results")
            await chat.text("1")
        for number, answer in enumerate(walk.answers, 1):
            await hostile(f"answer {number}", review=answer == "simpan")
            await chat.text(answer.format(**values))
        assert "✅" in chat.texts(), f"{form} not saved: {chat.texts()}"
        async with self.world.db.unit_of_work() as uow:
            submissions = await uow.submissions.list_for_region(SRI_MENANTI)
        newest = max(submissions, key=lambda s: s.id)
        assert newest.form_id == form
        answers = dict(newest.answers)
        for key, value in values.items():  # the per-walk numbers of a proposal
            for name in ("no_kk", "head_nik"):
                if answers.get(name) == value:
                    answers[name] = "{" + key + "}"
        return answers


@pytest.fixture
def walker(world: World, now: datetime) -> Walker:
    return Walker(world, now)


@HOSTILE
@given(data=st.data())
async def test_every_form_under_hostile_input(walker: Walker, data: st.DataObject) -> None:
    """Each example walks the five forms in turn, hostile input before every step."""
    for form in WALKS:
        if form not in walker.reference:
            walker.reference[form] = await walker.walk(form, None)
        answers = await walker.walk(form, data)
        assert answers == walker.reference[form], form


@HOSTILE
@given(data=st.data())
async def test_registration_under_hostile_input(walker: Walker, data: st.DataObject) -> None:
    """Unregistered, invited (the data notice), consented (the name): hostile input at each."""
    world = walker.world
    if "registration" not in walker.reference:
        await world.invite("operator", SRI_MENANTI, "KWL-DAFTAR", max_uses=1000)
        walker.reference["registration"] = {}
    walker.walks += 1
    external_id = f"71{walker.walks:03d}"
    chat = world.user(external_id)
    probe = HostileProbe(
        world.db, world.kawal, Channel.TELEGRAM, external_id, foreign_secrets(), walker.now
    )
    strategy = hostile_inbounds(st.sampled_from(PAYLOADS))
    for stage, step in (
        ("unregistered", ("command", "start", "KWL-DAFTAR")),
        ("data notice", ("text", "setuju")),
        ("name", ("text", "Budi Santoso")),
        ("menu", None),
    ):
        await probe.send(data.draw(strategy, label=stage))
        if step is None:
            break
        kind, *values = step
        if kind == "command":
            await chat.command(*values)
        else:
            await chat.text(values[0])
    assert "Terima kasih, Budi Santoso" in chat.texts(), chat.texts()
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", external_id)
    assert person is not None and person.name == "Budi Santoso"
    assert person.consent_at is not None
    assert [(r.role, r.region_code) for r in person.roles] == [("operator", SRI_MENANTI)]


@HOSTILE
@given(data=st.data())
async def test_oversight_menus_under_hostile_input(
    walker: Walker, data: st.DataObject, tmp_path: Path
) -> None:
    """The menus of a village head, a camat and Dinsos (export and reports included)."""
    world = walker.world
    world.kawal.options = Options(exports_dir=tmp_path / "exports")
    if "oversight" not in walker.reference:
        for role, region, code in (
            ("peratin", SRI_MENANTI, "KWL-PERATN"),
            ("camat", "18.04.19", "KWL-CAMATT"),
            ("dinsos", "18.04", "KWL-DINSOS"),
        ):
            await world.invite(role, region, code)
            await world.user(f"72{code[-3:]}").register(code, "Pak Kepala")
        walker.reference["oversight"] = {}
    for code in ("KWL-PERATN", "KWL-CAMATT", "KWL-DINSOS"):
        probe = HostileProbe(
            world.db, world.kawal, Channel.TELEGRAM, f"72{code[-3:]}", (), walker.now
        )
        await probe.send(data.draw(hostile_inbounds(st.sampled_from(PAYLOADS)), label=code))
