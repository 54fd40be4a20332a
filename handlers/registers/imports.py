"""The village register: importing a DTKS list sent to the bot as a file (Dinsos only).

The turn only checks who sent what (role, file type, region) and answers at once; the import
itself runs after the turn's commit as deferred work (:mod:`handlers.kit.deferred`): the file
is read in a worker thread, outside any unit of work, and written in short transactions, so
every other chat keeps being answered meanwhile (``bench/import_load.py``). Its summary takes
the place of the "checking" message.

Finding a household by name, NIK or No. KK and the paged list of pending households live in
``handlers.forms.runner`` (the household picker every household form starts with).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.kit.deferred import Deferred
from handlers.kit.i18n import t
from handlers.messages import Outbound, Reply, Text, Tone
from handlers.registers.importer import ImportLimits, import_file
from storage.db import Database

log = logging.getLogger(__name__)

IMPORT_ROLES = ("dinsos", "admin")
IMPORT_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})


async def import_document(
    turn: Turn, limits: ImportLimits | None = None, media_dir: Path | None = None
) -> Reply:
    """A register file sent as a document: checked whole, applied all or nothing, summarised
    (after the commit: see the module's doc). A file the channel stored under ``media_dir`` is
    deleted once imported."""
    roles = turn.roles(*IMPORT_ROLES)
    if not roles:
        return Reply([Text(t("import_not_allowed", turn.lang), Tone.ERROR)])
    inbound = turn.inbound
    name = inbound.file_name or Path(inbound.media_ref).name
    path = Path(inbound.media_ref) if inbound.media_ref else None
    if path is None or Path(name).suffix.lower() not in IMPORT_SUFFIXES or not path.is_file():
        return Reply([Text(t("import_bad_file", turn.lang), Tone.ERROR)])
    region = roles[0].region_code
    caption = inbound.text.strip()
    if caption and is_region_code(caption):
        if not turn.in_scope(caption, *IMPORT_ROLES):
            return Reply([Text(t("import_outside", turn.lang, region=caption), Tone.ERROR)])
        region = caption
    checking = Text(t("import_checking", turn.lang, file=name))
    job = _ImportJob(
        path, name, region, turn.now, turn.me.person_id, inbound.channel.value, turn.lang, limits
    )
    job.media_dir = media_dir
    turn.defer(
        Deferred(checking, Text(t("import_failed", turn.lang, file=name), Tone.ERROR), job=job)
    )
    return Reply([checking])


class _ImportJob:
    """The import of one received file, run after the turn's commit."""

    def __init__(
        self,
        path: Path,
        name: str,
        region: str,
        now: dt.datetime,
        person_id: int,
        channel: str,
        lang: str,
        limits: ImportLimits | None,
    ) -> None:
        self.path, self.name, self.region, self.now = path, name, region, now
        self.person_id, self.channel, self.lang, self.limits = person_id, channel, lang, limits
        self.media_dir: Path | None = None

    async def __call__(self, db: Database) -> Sequence[Outbound]:
        report = await import_file(
            db,
            self.path,
            self.region,
            self.now,
            limits=self.limits,
            person_id=self.person_id,
            channel=self.channel,
            file_name=self.name,
        )
        if self.media_dir is not None:
            _discard(self.path, self.media_dir)
        log.info(
            "register import into %s by person %s: ok=%s rows=%s errors=%s",
            self.region,
            self.person_id,
            report.ok,
            report.rows,
            report.error_count,
        )
        return [Text(report.text(self.lang), Tone.SUCCESS if report.ok else Tone.ERROR)]


def _discard(path: Path, media_dir: Path) -> None:
    """Delete the imported register when the channel stored it under ``media_dir``: every
    NIK of a village is not kept once used (``KAWAL_MEDIA_KEEP_DAYS`` covers files never
    imported). A replayed update makes the channel fetch it again. A local unlink: quick."""
    if path.resolve().is_relative_to(media_dir.resolve()):
        path.unlink(missing_ok=True)
