"""*Tenggat* over HTTP (SQLite and PostgreSQL): everyone sees the deadlines of their area; Dinsos
adds, edits and cancels inside its kabupaten with the reminder plan shown before saving; bad
input gets the chat's message beside the field; CSRF, double submits, scope and the effect of
an edit or a cancel on the planned reminders.

The demo (``bot.demo``) has one deadline, "Ekspor DTKS", for operators and peratin of 18.04,
due ten days after ``now`` (15 January 2026, 10.30 WIB) at 16.00 WIB."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from handlers.kit.timing import QuietHours
from reminders.deadlines import plan_deadline
from storage.repos.deadlines import DeadlineRecord
from tests.web.conftest import Site, other_dinsos

PLANNED_RE = re.compile(r'name="planned" value="([0-9a-f]+)"')
KEY = "kunci-uji-1"
QUIET = QuietHours()  # the console's (Options' default): 21.00-07.00


async def _deadlines(site: Site) -> list[DeadlineRecord]:
    async with site.db.unit_of_work() as uow:
        return await uow.deadlines.all(cancelled=True)


async def _demo_deadline(site: Site) -> DeadlineRecord:
    [deadline] = await _deadlines(site)
    return deadline


def _fields(**changed: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Musdes Februari",
        "due": "20-02-2026 16.00",
        "repeat": "once",
        "until": "",
        "region": "18.04.19",
        "roles": ["operator", "peratin"],
        "offsets": "7,3,1,0",
        "time": "08.00",
        "note": "Bawa berita acara.",
        "key": KEY,
    }
    fields.update(changed)
    return fields


def _form_data(csrf: str, fields: dict[str, Any]) -> list[tuple[str, str]]:
    data = [("csrf", csrf)]
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            data.append((name, str(one)))
    return data


async def _post(site: Site, path: str, csrf: str, fields: dict[str, Any]) -> Any:
    return await site.client.post(path, data=_form_data(csrf, fields), allow_redirects=False)


async def _preview(site: Site, path: str, csrf: str, fields: dict[str, Any]) -> tuple[str, str]:
    """The plan's page and the fingerprint to save it with."""
    response = await _post(site, path, csrf, {**fields, "action": "preview"})
    text = await response.text()
    assert response.status == 200, text
    found = PLANNED_RE.search(text)
    assert found and 'id="plan"' in text and 'id="save-button"' in text
    return text, found.group(1)


# ---- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["demo-dinsos", "demo-camat", "demo-peratin"])
async def test_the_area_s_deadline_is_listed_for_each_role(site: Site, user: str) -> None:
    await site.login(user)
    response = await site.client.get("/konsol/tenggat")
    assert response.status == 200
    text = await response.text()
    assert "Ekspor DTKS" in text and "Ekspor lewat menu Data Final" in text
    assert 'href="/konsol/tenggat"' in text  # the navigation entry
    managed = user == "demo-dinsos"
    assert ("data-edit=" in text) is managed
    assert ("data-cancel=" in text) is managed
    assert ('id="new-deadline"' in text) is managed


async def test_logged_out_nothing_opens(site: Site) -> None:
    deadline = await _demo_deadline(site)
    for path in ("/konsol/tenggat", "/konsol/tenggat/baru", f"/konsol/tenggat/{deadline.id}/ubah"):
        assert (await site.client.get(path)).status == 401
    refused = await site.client.post(f"/konsol/tenggat/{deadline.id}/batal", data={"key": "k"})
    assert refused.status == 401
    assert (await _demo_deadline(site)).active


@pytest.mark.parametrize("user", ["demo-camat", "demo-peratin"])
async def test_camat_and_peratin_read_only(site: Site, user: str) -> None:
    deadline = await _demo_deadline(site)
    csrf = await site.login(user)
    for path in ("/konsol/tenggat/baru", f"/konsol/tenggat/{deadline.id}/ubah"):
        assert (await site.client.get(path)).status == 403
        response = await _post(site, path, csrf, _fields(action="save"))
        assert response.status == 403
    assert (await site.client.get(f"/konsol/tenggat/{deadline.id}/batal")).status == 403
    refused = await _post(site, f"/konsol/tenggat/{deadline.id}/batal", csrf, {"key": "k"})
    assert refused.status == 403
    assert await _deadlines(site) == [deadline]


async def test_a_deadline_of_another_kabupaten_is_not_found(site: Site) -> None:
    deadline = await _demo_deadline(site)
    await other_dinsos(site)
    csrf = await site.login("other-dinsos")
    listed = await (await site.client.get("/konsol/tenggat")).text()
    assert "Ekspor DTKS" not in listed
    for path in (f"/konsol/tenggat/{deadline.id}/ubah", f"/konsol/tenggat/{deadline.id}/batal"):
        response = await site.client.get(path)
        assert response.status == 404
        assert "Ekspor DTKS" not in await response.text()
    edit = _fields(region="18.05", action="save")
    assert (await _post(site, f"/konsol/tenggat/{deadline.id}/ubah", csrf, edit)).status == 404
    cancel = await _post(site, f"/konsol/tenggat/{deadline.id}/batal", csrf, {"key": "k"})
    assert cancel.status == 404
    assert (await site.client.get("/konsol/tenggat/99999/ubah")).status == 404
    assert await _deadlines(site) == [deadline]
    # Its own kabupaten only: 18.04.19 is not in it.
    response = await _post(site, "/konsol/tenggat/baru", csrf, _fields(action="preview"))
    assert response.status == 400
    assert 'id="region-error"' in await response.text()


async def test_a_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    deadline = await _demo_deadline(site)
    await site.login("demo-dinsos")
    fields = _form_data("", _fields(action="save"))[1:]
    assert (await site.client.post("/konsol/tenggat/baru", data=fields)).status == 403
    cancel = await site.client.post(f"/konsol/tenggat/{deadline.id}/batal", data={"key": "k"})
    assert cancel.status == 403
    assert await _deadlines(site) == [deadline]


# ---- adding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Nama tenggat 3–80 huruf. Contoh: Ekspor DTKS"),
        ("due", "besok sore", "Tanggal dan jam tidak dikenali. Tulis seperti ini: 27-01-2027"),
        ("due", "01-01-2026 16.00", "Batas harus setelah sekarang (Kamis, 15 Januari 2026"),
        ("due", "30-02-2026 16.00", "Februari 2026 hanya sampai tanggal 28. Contoh: 28-02-2026"),
        ("region", "18.05", 'Wilayah "18.05" tidak ditemukan di wilayah tugas Anda'),
        ("roles", [], "Pilih nomor peran dari daftar"),
        ("offsets", "100", "Contoh: 7,3,1,0"),
        ("time", "23.00", "termasuk jam tenang (21.00–07.00)"),
        ("note", "x" * 301, "Catatan paling banyak 300 huruf"),
    ],
)
async def test_bad_input_gets_the_chat_s_message_beside_the_field(
    site: Site, field: str, value: Any, message: str
) -> None:
    csrf = await site.login("demo-dinsos")
    response = await _post(site, "/konsol/tenggat/baru", csrf, _fields(**{field: value}))
    assert response.status == 400
    text = await response.text()
    error = re.search(rf'id="{field}-error">([^<]+)<', text)
    assert error, text
    assert message in error.group(1).replace("&#34;", '"')
    assert 'value="Musdes Februari"' in text or field == "title"  # what was typed stays
    assert 'id="save-button"' not in text
    assert len(await _deadlines(site)) == 1


async def test_a_check_of_the_whole_draft_is_shown_above_the_form(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    fields = _fields(repeat="monthly", until="01-02-2026")
    response = await _post(site, "/konsol/tenggat/baru", csrf, fields)
    assert response.status == 400
    assert "Tanggal akhir harus sesudah batas pertama" in await response.text()
    assert len(await _deadlines(site)) == 1


async def test_the_plan_is_shown_before_saving_then_saved_once(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    text, planned = await _preview(site, "/konsol/tenggat/baru", csrf, _fields())
    assert len(await _deadlines(site)) == 1  # a preview stores nothing
    steps = re.findall(r'<tr data-state="(\w+)"><td>([^<]+)</td><td>([^<]+)</td>', text)
    assert [(state, name) for state, name, _ in steps] == [
        ("planned", "H-7"),
        ("planned", "H-3"),
        ("planned", "H-1"),
        ("planned", "Hari H"),
    ]
    assert steps[0][2].startswith("Jumat, 13 Februari 2026 pukul 08.00 WIB")
    recipients = re.search(r'id="plan-recipients">([^<]+)<', text)
    assert recipients and "Operator: 1 orang; Peratin/kepala desa: 1 orang" in recipients.group(1)
    assert "Jumat, 20 Februari 2026 pukul 16.00 WIB" in text  # the escalation's time

    saved = await _post(site, "/konsol/tenggat/baru", csrf, _fields(action="save", planned=planned))
    assert saved.status == 303
    assert saved.headers["Location"].startswith("/konsol/tenggat?selesai=created#tenggat-")
    again = await _post(site, "/konsol/tenggat/baru", csrf, _fields(action="save", planned=planned))
    assert (again.status, again.headers["Location"]) == (303, saved.headers["Location"])

    found = [d for d in await _deadlines(site) if d.title == "Musdes Februari"]
    assert len(found) == 1
    deadline = found[0]
    assert deadline.region_code == "18.04.19"
    assert deadline.roles == ("operator", "peratin")
    assert deadline.due_at == dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.UTC)  # 16.00 WIB
    assert deadline.note == "Bawa berita acara."
    async with site.db.unit_of_work() as uow:
        entries = await uow.audit.list("deadline", str(deadline.id))
    assert [(e.action, e.channel) for e in entries] == [("deadline.created", "web")]
    listed = await (await site.client.get("/konsol/tenggat?selesai=created")).text()
    assert 'id="notice"' in listed and f'id="tenggat-{deadline.id}"' in listed


async def test_saving_other_values_than_the_plan_shows_the_new_plan_first(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    _, planned = await _preview(site, "/konsol/tenggat/baru", csrf, _fields())
    changed = _fields(action="save", planned=planned, due="21-02-2026 16.00")
    response = await _post(site, "/konsol/tenggat/baru", csrf, changed)
    assert response.status == 200
    text = await response.text()
    assert 'id="plan-changed"' in text and "Sabtu, 21 Februari 2026 pukul 16.00 WIB" in text
    assert len(await _deadlines(site)) == 1


async def test_the_plan_respects_the_quiet_hours_and_the_due_time(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    fields = _fields(due="20-02-2026 07.30", offsets="1,0", time="08.00")
    text, _ = await _preview(site, "/konsol/tenggat/baru", csrf, fields)
    states = re.findall(r'<tr data-state="(\w+)">', text)
    assert states == ["planned", "too_late"]  # 08.00 on the day comes after 07.30
    late = _fields(due="20-02-2026 22.00")
    text, _ = await _preview(site, "/konsol/tenggat/baru", csrf, late)
    escalation = re.search(r'id="plan-escalation">([^<]+)<', text)
    assert escalation and "Sabtu, 21 Februari 2026 pukul 07.00 WIB" in escalation.group(1)


async def test_the_form_speaks_english_from_the_same_catalogs(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    switched = await site.client.post(
        "/konsol/bahasa",
        data={"csrf": csrf, "lang": "en", "back": "/konsol/tenggat"},
        allow_redirects=False,
    )
    assert switched.status == 303
    response = await _post(site, "/konsol/tenggat/baru", csrf, _fields(title="ab"))
    text = await response.text()
    assert "A deadline title has 3–80 characters. Example: DTKS export" in text
    assert "Show the reminder plan" in text


# ---- editing and cancelling -------------------------------------------------------------------


async def _planned_rows(site: Site, deadline_id: int) -> list[tuple[str, str]]:
    async with site.db.unit_of_work() as uow:
        rows = await uow.deadlines.planned(f"deadline:{deadline_id}:")
    return sorted((row.campaign, row.status) for row in rows)


async def _plan_round(site: Site, deadline_id: int) -> None:
    async with site.db.unit_of_work() as uow:
        await plan_deadline(uow, deadline_id, site.clock.now(), QUIET)


async def test_an_edit_replans_the_reminders_not_yet_sent(site: Site) -> None:
    deadline = await _demo_deadline(site)
    # H-7 of the demo deadline (due 25 January 2026, 16.00 WIB) was planned at 08.00 WIB.
    site.clock.set(dt.datetime(2026, 1, 18, 1, 30, tzinfo=dt.UTC))
    await _plan_round(site, deadline.id)
    before = await _planned_rows(site, deadline.id)
    assert before and all(status == "pending" and ":r1:T-7" in c for c, status in before)

    csrf = await site.login("demo-dinsos")
    page = await site.client.get(f"/konsol/tenggat/{deadline.id}/ubah")
    text = await page.text()
    assert page.status == 200
    assert 'value="25-01-2026 16.00"' in text and 'value="Ekspor DTKS"' in text
    edit = _fields(title="Ekspor DTKS", region="18.04", due="28-01-2026 16.00", note="")
    path = f"/konsol/tenggat/{deadline.id}/ubah"
    text, planned = await _preview(site, path, csrf, edit)
    assert "Rabu, 21 Januari 2026 pukul 08.00 WIB" in text  # H-7 of the new date
    saved = await _post(site, path, csrf, {**edit, "action": "save", "planned": planned})
    assert saved.status == 303 and "selesai=updated" in saved.headers["Location"]

    after = await _demo_deadline(site)
    assert after.revision == 2 and after.active
    assert after.due_at == dt.datetime(2026, 1, 28, 9, 0, tzinfo=dt.UTC)
    assert all(status == "cancelled" for _, status in await _planned_rows(site, deadline.id))
    site.clock.set(dt.datetime(2026, 1, 21, 1, 30, tzinfo=dt.UTC))
    await _plan_round(site, deadline.id)
    rows = await _planned_rows(site, deadline.id)
    assert any(":r2:T-7" in c and status == "pending" for c, status in rows)
    async with site.db.unit_of_work() as uow:
        entries = await uow.audit.list("deadline", str(deadline.id))
    assert [(e.action, e.channel) for e in entries][-1] == ("deadline.updated", "web")


async def test_an_edit_shows_a_reminder_already_sent_as_sent(site: Site) -> None:
    deadline = await _demo_deadline(site)
    site.clock.set(dt.datetime(2026, 1, 18, 1, 30, tzinfo=dt.UTC))
    await _plan_round(site, deadline.id)
    csrf = await site.login("demo-dinsos")
    edit = _fields(title="Ekspor DTKS final", region="18.04", due="25-01-2026 16.00", note="")
    text, _ = await _preview(site, f"/konsol/tenggat/{deadline.id}/ubah", csrf, edit)
    assert re.findall(r'<tr data-state="(\w+)">', text) == ["sent", "planned", "planned", "planned"]


async def test_cancel_asks_first_then_cancels_the_pending_reminders(site: Site) -> None:
    deadline = await _demo_deadline(site)
    site.clock.set(dt.datetime(2026, 1, 18, 1, 30, tzinfo=dt.UTC))
    await _plan_round(site, deadline.id)
    csrf = await site.login("demo-dinsos")
    confirm = await site.client.get(f"/konsol/tenggat/{deadline.id}/batal")
    assert confirm.status == 200
    text = await confirm.text()
    assert "Ekspor DTKS" in text and 'id="confirm-button"' in text
    assert (await _demo_deadline(site)).active  # asking changes nothing

    path = f"/konsol/tenggat/{deadline.id}/batal"
    done = await _post(site, path, csrf, {"key": "batal-1"})
    assert (done.status, done.headers["Location"]) == (303, "/konsol/tenggat?selesai=cancelled")
    again = await _post(site, path, csrf, {"key": "batal-1"})
    assert (again.status, again.headers["Location"]) == (303, "/konsol/tenggat?selesai=cancelled")
    assert not (await _demo_deadline(site)).active
    rows = await _planned_rows(site, deadline.id)
    assert rows and all(status == "cancelled" for _, status in rows)
    async with site.db.unit_of_work() as uow:
        entries = await uow.audit.list("deadline", str(deadline.id))
    assert [(e.action, e.channel) for e in entries][-1] == ("deadline.cancelled", "web")
    listed = await (await site.client.get("/konsol/tenggat?selesai=cancelled")).text()
    assert "Ekspor DTKS" not in listed and 'id="notice"' in listed
    assert (await _post(site, path, csrf, {"key": "batal-2"})).status == 404


@pytest.mark.parametrize(
    "changed",
    [
        {"roles": ["admin", "operator"]},
        {"repeat": "weekly"},
        {"region": ""},
        {"region": "18.04.19.9999.1"},
        {"offsets": "1," * 40},
        {"due": "٢٠-٠٢-٢٠٢٦ 16.00"},
        {"due": "20-02-2026 16.00", "repeat": "monthly", "until": "31-13-2026"},
        {"time": "25.61"},
        {"title": "\x00<script>alert(1)</script>"},
    ],
)
async def test_hostile_input_is_refused_with_a_message(site: Site, changed: dict[str, Any]) -> None:
    csrf = await site.login("demo-dinsos")
    fields = _fields(action="save", planned="0" * 32, **changed)
    response = await _post(site, "/konsol/tenggat/baru", csrf, fields)
    text = await response.text()
    assert response.status in (200, 400), text
    assert "<script>alert" not in text
    assert 'class="field-error"' in text or 'id="problems"' in text or 'id="plan"' in text
    assert len(await _deadlines(site)) == 1


async def test_control_characters_are_not_stored(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    fields = _fields(title="Musdes\x00 Februari\x1b", note="Baris satu\r\nBaris dua\x07")
    _, planned = await _preview(site, "/konsol/tenggat/baru", csrf, fields)
    saved = await _post(
        site, "/konsol/tenggat/baru", csrf, {**fields, "action": "save", "planned": planned}
    )
    assert saved.status == 303, await saved.text()
    [deadline] = [d for d in await _deadlines(site) if d.title.startswith("Musdes")]
    assert (deadline.title, deadline.note) == ("Musdes Februari", "Baris satu\nBaris dua")


async def test_a_monthly_deadline_keeps_its_first_due_date_when_edited(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    monthly = _fields(due="17-01-2026 16.00", repeat="monthly", until="31-12-2026")
    _, planned = await _preview(site, "/konsol/tenggat/baru", csrf, monthly)
    saved = await _post(
        site, "/konsol/tenggat/baru", csrf, {**monthly, "action": "save", "planned": planned}
    )
    assert saved.status == 303
    [created] = [d for d in await _deadlines(site) if d.title == "Musdes Februari"]

    site.clock.set(dt.datetime(2026, 1, 20, 3, 0, tzinfo=dt.UTC))  # the first one has passed
    csrf = await site.login("demo-dinsos")
    path = f"/konsol/tenggat/{created.id}/ubah"
    text = await (await site.client.get(path)).text()
    assert 'value="17-02-2026 16.00"' in text and 'value="31-12-2026"' in text
    assert '<option value="monthly" selected>' in text
    edit = {**monthly, "due": "17-02-2026 16.00", "title": "Musdes bulanan", "key": "k2"}
    _, planned = await _preview(site, path, csrf, edit)
    done = await _post(site, path, csrf, {**edit, "action": "save", "planned": planned})
    assert done.status == 303
    async with site.db.unit_of_work() as uow:
        after = await uow.deadlines.get(created.id)
    assert after is not None and after.title == "Musdes bulanan" and after.revision == 2
    assert after.due_at == created.due_at  # 17 January 2026, 16.00 WIB
    assert after.recurrence == {"freq": "monthly", "day": 17, "until": "2026-12-31"}
