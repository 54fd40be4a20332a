"""The village register: importing a DTKS list sent to the bot as a file (Dinsos only).

Finding a household by name, NIK or No. KK and the paged list of pending households live in
``handlers.forms.runner`` (the household picker every household form starts with).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Reply, Text, Tone
from handlers.registers.importer import import_register

log = logging.getLogger(__name__)

IMPORT_ROLES = ("dinsos", "admin")
IMPORT_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})


async def import_document(turn: Turn, media_dir: Path | None = None) -> Reply:
    """A register file sent as a document: check it all, apply it all or nothing, summarise.
    A file the channel stored under ``media_dir`` is deleted once imported."""
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
    report = await import_register(
        turn.uow,
        path,
        region,
        turn.now,
        person_id=turn.me.person_id,
        channel=inbound.channel.value,
        file_name=name,
    )
    if media_dir is not None:
        _discard(path, media_dir)
    log.info(
        "register import of %s into %s by person %s: ok=%s rows=%s errors=%s",
        name,
        region,
        turn.me.person_id,
        report.ok,
        report.rows,
        len(report.errors),
    )
    return Reply([Text(report.text(turn.lang), Tone.SUCCESS if report.ok else Tone.ERROR)])


def _discard(path: Path, media_dir: Path) -> None:
    """Delete the imported register when the channel stored it under ``media_dir``: every
    NIK of a village is not kept once used (``KAWAL_MEDIA_KEEP_DAYS`` covers files never
    imported). A replayed update makes the channel fetch it again. A local unlink: quick."""
    if path.resolve().is_relative_to(media_dir.resolve()):
        path.unlink(missing_ok=True)
