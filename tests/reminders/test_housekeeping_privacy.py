"""Issue 18 in the housekeeping job: received files older than KAWAL_MEDIA_KEEP_DAYS go,
except an announcement's attachment still being sent; the webhook windows are settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.ports import FixedClock
from reminders.housekeeping import Retention, housekeeping
from storage.db import Database
from tests.reminders.test_housekeeping import DAY, NOW, _file


async def test_old_media_go_an_attachment_still_sent_stays(
    database: Database, tmp_path: Path
) -> None:
    data = tmp_path / "kawal-data"
    photo = _file(data / "media" / "telegram" / "photo-1.jpg", 31 * DAY)
    register = _file(data / "media" / "wa-123.xlsx", 40 * DAY)
    recent = _file(data / "media" / "wa-456.jpg", 29 * DAY)
    attachment = _file(data / "media" / "announcements" / "poster.jpg", 60 * DAY)
    journal = _file(data / "outbox" / "journal-1.log", 90 * DAY)
    async with database.unit_of_work() as uow:
        await uow.announcements.add(
            text="Pelatihan SIKS-NG",
            region_codes=["18.04"],
            roles=["operator"],
            scheduled_at=NOW + DAY,
            nudge_after_hours=0,
            created_by=None,
            now=NOW,
            media_path=str(attachment),
        )
    keep = Retention(media_days=30, files_days=7)

    assert await housekeeping(database, FixedClock(NOW), data, keep) == 2
    assert [p.exists() for p in (photo, register, recent, attachment, journal)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert await housekeeping(database, FixedClock(NOW + 2 * DAY), data, keep) == 1
    assert not recent.exists() and attachment.exists()


async def test_webhook_bodies_follow_their_setting(database: Database) -> None:
    async with database.unit_of_work() as uow:
        body = await uow.inbound_events.add("whatsapp", '{"text": "Siti"}', NOW)
        await uow.inbound_events.claim("whatsapp", NOW)
        await uow.inbound_events.mark_failed(body, NOW, "boom", retry=False)
        await uow.inbound.claim("whatsapp", "wamid.1", NOW)
    keep = Retention(webhook_bodies=2 * DAY, inbound_ids=9 * DAY)
    assert await housekeeping(database, FixedClock(NOW + 2 * DAY), None, keep) == 0
    assert await housekeeping(database, FixedClock(NOW + 2 * DAY + DAY / 24), None, keep) == 1
    assert await housekeeping(database, FixedClock(NOW + 9 * DAY), None, keep) == 0
    assert await housekeeping(database, FixedClock(NOW + 9 * DAY + DAY / 24), None, keep) == 1


def test_update_ids_are_never_kept_less_than_metas_retries() -> None:
    with pytest.raises(ValueError, match="8 days"):
        Retention(inbound_ids=7 * DAY)
