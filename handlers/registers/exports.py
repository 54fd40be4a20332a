"""Export for SIKS-NG from the bot: Dinsos, camat and peratin get their own scope as XLSX."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows import FormRegistry, Question
from handlers.kit.context import ROLE_LEVEL, Turn
from handlers.kit.deferred import Deferred
from handlers.kit.i18n import t, tn
from handlers.messages import Document, Outbound, Reply, Text, Tone
from handlers.registers.exporter import export_file_name, export_region
from storage.db import UnitOfWork

EXPORT_ROLES = ("dinsos", "camat", "peratin", "admin")


def form_labels(forms: FormRegistry) -> Callable[[str, Any], str]:
    """``labels("kondisi_rumah.floor", "keramik") == "Keramik"``: option labels from the forms."""
    cache: dict[str, dict[str, str]] = {}

    def choices(key: str) -> dict[str, str]:
        if key not in cache:
            form_id, _, name = key.partition(".")
            form = forms.latest(form_id)
            found: Question | None = None
            for q in form.questions if form else []:
                if q.name == name:
                    found = q
                for sub in q.questions or []:
                    if found is None and sub.name == name:
                        found = sub
            cache[key] = {c.value: c.label.id for c in (found.choices or [])} if found else {}
        return cache[key]

    def labels(key: str, value: Any) -> str:
        table = choices(key)
        if isinstance(value, list):
            return ", ".join(table.get(str(v), str(v)) for v in value)
        return table.get(str(value), "" if value is None else str(value))

    return labels


async def export_for(turn: Turn, exports_dir: Path) -> Reply:
    """The export of the widest region the person may export. Only the role is checked here,
    in the update's unit of work: the workbook is read and written after the commit, on a
    worker thread (:class:`~handlers.kit.deferred.Deferred` ``read``), so a region of tens of
    thousands of households keeps neither the database nor the chat waiting."""
    roles = sorted(turn.roles(*EXPORT_ROLES), key=lambda r: ROLE_LEVEL[r.role])
    if not roles:
        return Reply([Text(t("export_not_allowed", turn.lang), Tone.ERROR)])
    role = roles[0]
    name = export_file_name(role.region_code, turn.now)  # local time, like the progress file
    lang, labels = turn.lang, form_labels(turn.forms)
    document = Document(str(exports_dir / name), "", name)  # its caption counts what is read

    async def read(uow: UnitOfWork) -> list[Outbound]:
        counts = await export_region(
            uow, role.region_code, exports_dir / name, "xlsx", labels=labels
        )
        caption = t(
            "export_ready",
            lang,
            region=role.region_name,
            households=tn("count_families", counts.households, lang),
            members=tn("count_members", counts.members, lang),
            proposals=tn("count_proposals", counts.proposals, lang),
        )
        return [Document(str(counts.path), caption, name)]  # the caption says it, once

    # The file is read after the commit, in a read-only snapshot: the export is recorded now.
    await turn.uow.processing.add(
        "export",
        turn.now,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        region_code=role.region_code,
        detail="siks-ng",
    )
    fallback = Text(t("export_failed", lang), Tone.ERROR)
    turn.defer(Deferred(message=document, fallback=fallback, read=read))
    return Reply([document])
