"""`kawal person list | show | revoke | remove` and `kawal invite create | list | revoke`
through typer's CliRunner, on the demo database (a SQLite file). The CLI reads the real clock,
so times are checked against the rows it wrote."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.cli import common as cli_common
from storage.db import Database, UnitOfWork
from storage.records import AuditRecord, InviteRecord, PersonDetail

SRI_MENANTI = "18.04.19.2006"
T = TypeVar("T")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(cli_common, "setup_logging", lambda *_: None)  # keep pytest's log handlers
    for name in ("KAWAL_INVITE_DAYS", "KAWAL_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    db = str(tmp_path / "kawal.db")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli.app, [*args, "--db", db], input=input)

    return invoke


def _read(tmp_path: Path, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async def read() -> T:
        url = f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"
        async with Database(url) as db, db.unit_of_work() as uow:
            return await work(uow)

    return asyncio.run(read())


def _invite(tmp_path: Path, code: str) -> InviteRecord:
    found = _read(tmp_path, lambda uow: uow.invites.get(code))
    assert found is not None
    return found


def _audit(tmp_path: Path, entity: str) -> list[AuditRecord]:
    return _read(tmp_path, lambda uow: uow.audit.list(entity))


def _detail(tmp_path: Path, person_id: int) -> PersonDetail:
    found = _read(tmp_path, lambda uow: uow.people.detail(person_id))
    assert found is not None
    return found


def _failed(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_invite_create_list_and_revoke(run, tmp_path: Path, monkeypatch) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    made = run("invite", "create", "--role", "operator", "--region", SRI_MENANTI)
    assert made.exit_code == 0, made.output
    code = made.stdout.splitlines()[0]
    assert re.fullmatch(r"KWL-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert f"DAFTAR {code}" in made.output and f"?start={code}" in made.output
    invite = _invite(tmp_path, code)
    assert invite.expires_at == invite.created_at + dt.timedelta(days=14)  # KAWAL_INVITE_DAYS
    assert (invite.role, invite.region_code, invite.max_uses) == ("operator", SRI_MENANTI, 1)

    short = run("invite", "create", "--role", "camat", "--region", "18.04.19", "--days", "3")
    camat = _invite(tmp_path, short.stdout.splitlines()[0])
    assert camat.expires_at == camat.created_at + dt.timedelta(days=3)
    monkeypatch.setenv("KAWAL_INVITE_DAYS", "5")
    five = run("invite", "create", "--role", "peratin", "--region", SRI_MENANTI, "--uses", "2")
    peratin = _invite(tmp_path, five.stdout.splitlines()[0])
    assert peratin.expires_at == peratin.created_at + dt.timedelta(days=5)
    assert peratin.max_uses == 2

    listed = run("invite", "list", "--region", SRI_MENANTI)
    assert listed.exit_code == 0, listed.output
    assert code in listed.output and peratin.code in listed.output
    assert camat.code not in listed.output  # a kecamatan is not inside the village
    assert "dipakai 0/2 [aktif]" in listed.output

    spaced = " ".join(code.lower().split("-"))  # typed loosely
    revoked = run("invite", "revoke", spaced)
    assert revoked.exit_code == 0, revoked.output
    assert f"Undangan {code} (operator {SRI_MENANTI}) dicabut" in revoked.output
    assert _invite(tmp_path, code).revoked_at is not None
    assert code not in run("invite", "list").output
    assert f"{code}" in (everything := run("invite", "list", "--all").output)
    assert "[dicabut]" in everything
    _failed(run("invite", "revoke", code), "sudah dicabut. Lihat: kawal invite list --all")
    _failed(run("invite", "revoke", "KWL-NOPE"), "tidak ada atau sudah dicabut")
    _failed(run("invite", "list", "--region", "18.4"), "Contoh: --region 18.04.19.2006")
    _failed(
        run("invite", "create", "--role", "operator", "--region", "18.04.19"),
        "harus terikat ke wilayah tingkat 4",
    )

    audit = _audit(tmp_path, "invite")
    assert [(e.action, e.person_id, e.channel) for e in audit] == [
        ("invite.created", None, "cli"),
        ("invite.created", None, "cli"),
        ("invite.created", None, "cli"),
        ("invite.revoked", None, "cli"),
    ]
    assert audit[0].entity_id == code


def _open_form(tmp_path: Path, external_id: str) -> int:
    async def work(uow: UnitOfWork) -> int:
        person_id = await uow.people.find_person_id("console", external_id)
        assert person_id is not None
        now = dt.datetime.now(dt.UTC)
        state = {"stage": "pick", "offered": []}
        await uow.sessions.create(person_id, "verifikasi_keluarga", 1, None, state, "console", now)
        return person_id

    async def write() -> int:
        url = f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"
        async with Database(url) as db, db.unit_of_work() as uow:
            return await work(uow)

    return asyncio.run(write())


def test_people_list_show_revoke_and_remove(run, tmp_path: Path) -> None:
    assert run("demo", "--no-chat").exit_code == 0
    operator = _open_form(tmp_path, "demo-operator")

    listed = run("person", "list")
    assert listed.exit_code == 0, listed.output
    names = re.findall(r"^\s+\d+\s+(\S+ Demo)", listed.output, re.M)
    assert names == ["Camat Demo", "Dinsos Demo", "Operator Demo", "Peratin Demo"]
    assert "operator@18.04.19.2006 Sri Menanti" in listed.output
    village = run("person", "list", "--region", SRI_MENANTI).output
    assert "Operator Demo" in village and "Peratin Demo" in village
    assert "Camat Demo" not in village and "Dinsos Demo" not in village

    shown = run("person", "show", "demo-operator")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"#{operator} Operator Demo (bahasa id)")
    assert "  operator 18.04.19.2006 Sri Menanti; sejak" in shown.output
    assert "console demo-operator; belum menulis" in shown.output
    assert "Persetujuan data: " in shown.output and "(versi 2026-11)" in shown.output
    assert "Isian terbuka: verifikasi_keluarga (active)" in shown.output
    assert run("person", "show", str(operator)).output == shown.output
    assert run("person", "show", "console:demo-operator").output == shown.output

    example = "Contoh: kawal person revoke 12 --role operator --region 18.04.19.2006"
    _failed(run("person", "revoke", "demo-operator"), example)
    _failed(run("person", "revoke", "demo-operator", "--all-roles", "--role", "operator"), example)
    _failed(
        run("person", "revoke", "demo-operator", "--role", "kades", "--region", SRI_MENANTI),
        "Peran kades tidak dikenal",
    )
    _failed(
        run("person", "revoke", "demo-operator", "--role", "peratin", "--region", SRI_MENANTI),
        f"tidak memegang peran peratin di {SRI_MENANTI}",
    )
    _failed(run("person", "show", "nobody"), "Orang 'nobody' tidak ditemukan")
    _failed(run("person", "show", "999"), "tidak ditemukan")

    revoked = run(
        "person", "revoke", "demo-operator", "--role", "operator", "--region", SRI_MENANTI
    )
    assert revoked.exit_code == 0, revoked.output
    assert "Isian terbuka ditutup: 1. Peran tersisa: 0." in revoked.output
    detail = _detail(tmp_path, operator)
    assert detail.active_roles == () and detail.roles[0].revoked_at is not None
    assert "Isian terbuka: -" in run("person", "show", "demo-operator").output

    camat = run("person", "revoke", "demo-camat", "--all-roles")
    assert "dicabut: camat@18.04.19" in camat.output
    _failed(run("person", "revoke", "demo-camat", "--all-roles"), "tidak punya peran aktif")

    kept = run("person", "remove", "demo-peratin", input="n\n")
    assert kept.exit_code == 1
    peratin = _read(tmp_path, lambda uow: uow.people.find_person_id("console", "demo-peratin"))
    assert peratin is not None and _detail(tmp_path, peratin).removed_at is None
    removed = run("person", "remove", "demo-peratin", input="y\n")
    assert removed.exit_code == 0, removed.output
    assert "1 peran dicabut, 1 identitas dimatikan" in removed.output
    detail = _detail(tmp_path, peratin)
    assert detail.removed_at is not None and detail.active_roles == ()
    assert all(i.disabled_at is not None for i in detail.identities)
    assert "Peratin Demo" not in run("person", "list").output
    assert "[dihapus" in run("person", "list", "--all").output
    assert "DIHAPUS:" in run("person", "show", "demo-peratin").output
    assert "dimatikan" in run("person", "show", "demo-peratin").output
    _failed(run("person", "remove", "demo-peratin", "--yes"), "sudah dihapus")

    audit = _audit(tmp_path, "person")
    mine = [(e.action, e.person_id, e.channel) for e in audit if e.channel == "cli"]
    assert mine == [
        ("person.role_revoked", None, "cli"),
        ("person.roles_revoked", None, "cli"),
        ("person.removed", None, "cli"),
    ]
