"""`kawal` as a user runs it: demo seed, invite code, then a whole registration and household
verification typed into `kawal chat` through a pipe, checked in the database afterwards."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

KAWAL = str(Path(sys.executable).with_name("kawal"))


def kawal(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAWAL_")}
    env["KAWAL_LOG_FILE"] = str(cwd / "kawal.log")
    return subprocess.run(
        [KAWAL, *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_registration_and_verification_through_piped_chat(tmp_path: Path) -> None:
    db = tmp_path / "kawal.db"
    seeded = kawal("demo", "--db", str(db), "--no-chat", cwd=tmp_path)
    assert "33 keluarga" in seeded.stdout
    code = kawal(
        "invite",
        "create",
        "--role",
        "operator",
        "--region",
        "18.04.19.2006",
        "--db",
        str(db),
        cwd=tmp_path,
    ).stdout.strip()
    assert code.startswith("KWL-")

    script = [
        f"/start {code}",
        "1",  # Setuju (consent)
        "Budi Santoso",
        "1",  # menu: Verifikasi keluarga
        "1804191611200001",  # search by No. KK
        "1",  # the household found
        "1",  # Ditemukan
        "tetap",  # address kept
        "12a",  # a bad RT: error, same question
        "4",  # RT changed
        "tetap",  # RW kept
        "tidak",  # head no longer lives here
        "12345",  # a bad phone number
        "081234567890",
        "Kepala keluarga merantau",
        "5",  # review: change answer 5
        "ya",
        "simpan",
    ]
    chat = kawal(
        "chat", "--db", str(db), "--user", "hp-budi", cwd=tmp_path, stdin="\n".join(script) + "\n"
    )
    out = chat.stdout
    assert "UU PDP" in out
    assert "Terima kasih, Budi Santoso" in out
    assert "Ditemukan 1 keluarga" in out
    assert "RT berupa 1-3 angka. Contoh: 1 atau 003" in out
    assert "006 → 004" in out
    assert "✅ Tersimpan. Keluarga Agus Hidayat: diperbarui." in out

    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        person = conn.execute(
            "SELECT p.* FROM people p JOIN identities i ON i.person_id = p.id "
            "WHERE i.channel = 'console' AND i.external_id = 'hp-budi'"
        ).fetchone()
        household = conn.execute(
            "SELECT * FROM households WHERE no_kk = '1804191611200001'"
        ).fetchone()
        submissions = conn.execute("SELECT * FROM submissions").fetchall()
    assert person["name"] == "Budi Santoso" and person["consent_at"] is not None
    assert household["status"] == "updated" and household["rt"] == "004"
    [submission] = submissions
    assert submission["person_id"] == person["id"]
    assert submission["household_id"] == household["id"]
    assert submission["channel"] == "console"
    answers = json.loads(submission["answers"])
    assert answers["family_status"] == "ditemukan"
    assert answers["head_lives_here"] == "yes"
    assert answers["phone"] == "+6281234567890"
    assert answers["notes"] == "Kepala keluarga merantau"
    log = (tmp_path / "kawal.log").read_text(encoding="utf-8")
    assert "1804191611200001" not in log


def test_chat_with_unknown_user_explains_registration(tmp_path: Path) -> None:
    db = tmp_path / "kawal.db"
    out = kawal("chat", "--db", str(db), cwd=tmp_path, stdin="halo\n/bantuan\n").stdout
    assert out.count("DAFTAR KWL-") == 2
