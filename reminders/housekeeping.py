"""The hourly housekeeping job: personal data kept no longer than needed (UU PDP).

What goes, and when (every window is a setting, see ``.env.example`` and docs/privacy.md):

- ids of handled updates (the dedupe claims), after ``inbound_ids`` (at least 8 days: Meta
  retries a WhatsApp webhook for up to 7 days, Telegram keeps an update for 24 hours);
- raw webhook bodies done with (processed, or failed for good), after ``webhook_bodies``
  (they hold what people wrote);
- counted attempts (access_throttle), after ``throttle`` (longer than any window counting them);
- forms nobody answered for ``IDLE_SESSION_FACTOR`` times ``session_idle_days`` close (expired,
  nothing saved, their copy of the household dropped);
- charts and exports older than ``files_days`` (a quality or SIKS-NG export holds full NIK and
  No. KK);
- received files (house photos, registers, attachments) older than ``media_days``, except an
  announcement's attachment still being sent.

Tests call :func:`housekeeping` with a :class:`handlers.ports.FixedClock` and file times set
with ``os.utime``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handlers.ports import Clock
from storage.db import Database

log = logging.getLogger(__name__)

__all__ = [
    "IDLE_SESSION_FACTOR",
    "KEEP_INBOUND_BODIES",
    "KEEP_PROCESSED_INBOUND",
    "KEEP_THROTTLE",
    "MEDIA_FOLDER",
    "PRUNED_FOLDERS",
    "Retention",
    "housekeeping",
    "prune_files",
]

# The ids of handled updates (the dedupe claims): Telegram keeps an undelivered update for 24 h,
# Meta retries a WhatsApp webhook for up to 7 days (and older messages are ignored outright).
KEEP_PROCESSED_INBOUND = dt.timedelta(days=8)
# Raw webhook bodies once processed, or failed for good: kept a while to look into, then gone
# (they hold what people wrote).
KEEP_INBOUND_BODIES = dt.timedelta(days=7)
# Counted attempts (access_throttle) are kept longer than any window that counts them: 1 hour
# (duplicate look-ups, invite codes overall), 24 hours (files), the invite lockout period
# (KAWAL_INVITE_LOCKOUT_MINUTES, at most 7 days).
KEEP_THROTTLE = dt.timedelta(days=8)
# A form nobody answered for KAWAL_SESSION_IDLE_DAYS closes when its person next writes, with a
# message naming it; housekeeping closes the forms of those who never come back, once they are
# idle this many times as long (so that, coming back a little late, people are still told).
IDLE_SESSION_FACTOR = 2
PRUNED_FOLDERS = ("charts", "exports")  # under the data folder, by KAWAL_FILES_KEEP_DAYS
MEDIA_FOLDER = "media"  # under the data folder, by KAWAL_MEDIA_KEEP_DAYS; outbox/ stays


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each kind of data is kept (the settings of ``kawal run``)."""

    files_days: int = 7  # KAWAL_FILES_KEEP_DAYS: charts and exports
    media_days: int = 30  # KAWAL_MEDIA_KEEP_DAYS: received files
    session_idle_days: int = 7  # KAWAL_SESSION_IDLE_DAYS
    webhook_bodies: dt.timedelta = KEEP_INBOUND_BODIES  # KAWAL_WEBHOOK_BODIES_KEEP_DAYS
    inbound_ids: dt.timedelta = KEEP_PROCESSED_INBOUND  # KAWAL_INBOUND_IDS_KEEP_DAYS
    throttle: dt.timedelta = field(default=KEEP_THROTTLE)

    def __post_init__(self) -> None:
        if self.inbound_ids < KEEP_PROCESSED_INBOUND:
            raise ValueError("update ids must be kept 8 days or more (Meta retries for 7 days)")


async def housekeeping(
    db: Database,
    clock: Clock,
    data_dir: Path | None = None,
    retention: Retention | None = None,
) -> int:
    """Prune what :class:`Retention` says is old (see the module's docstring). How many rows
    and files went (closed forms stay, so they are not counted)."""
    keep = retention or Retention()
    now = clock.now()
    async with db.unit_of_work() as uow:
        removed = await uow.inbound.prune(now - keep.inbound_ids)
        removed += await uow.inbound_events.prune(now - keep.webhook_bodies)
        removed += await uow.throttle.prune(now - keep.throttle)
        idle_days = IDLE_SESSION_FACTOR * keep.session_idle_days
        expired = await uow.sessions.expire_idle(now - dt.timedelta(days=idle_days), now)
        in_use = await uow.privacy.media_in_use() if data_dir is not None else set()
    if expired:
        log.info("housekeeping: %d forms idle for %d days or more closed", expired, idle_days)
    if data_dir is not None:
        folders = [data_dir / name for name in PRUNED_FOLDERS]
        before = now - dt.timedelta(days=keep.files_days)
        files = await asyncio.to_thread(prune_files, folders, before)
        if files:
            log.info("housekeeping: %d files older than %d days deleted", files, keep.files_days)
        media_before = now - dt.timedelta(days=keep.media_days)
        media = await asyncio.to_thread(
            prune_files, [data_dir / MEDIA_FOLDER], media_before, in_use
        )
        if media:
            log.info(
                "housekeeping: %d received files older than %d days deleted",
                media,
                keep.media_days,
            )
        removed += files + media
    return removed


def prune_files(folders: Iterable[Path], before: dt.datetime, keep: Collection[str] = ()) -> int:
    """Delete every file in ``folders`` (and below) last changed before ``before``, except
    those named in ``keep`` (as stored: relative or absolute); how many. Folders that do not
    exist are skipped; a file another process deleted first is fine."""
    cutoff = before.timestamp()
    kept = {Path(path).resolve() for path in keep}
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            try:
                if path.is_symlink() or not path.is_file() or path.stat().st_mtime >= cutoff:
                    continue
                if kept and path.resolve() in kept:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed += 1
    return removed
