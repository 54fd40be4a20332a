"""Export for SIKS-NG from the bot: Dinsos, camat and peratin get their own scope as XLSX."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows import FormRegistry, Question
from handlers.kit.context import ROLE_LEVEL, Turn
from handlers.kit.i18n import t, tn
from handlers.messages import Document, Reply, Text, Tone
from handlers.registers.exporter import export_region

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
    roles = sorted(turn.roles(*EXPORT_ROLES), key=lambda r: ROLE_LEVEL[r.role])
    if not roles:
        return Reply([Text(t("export_not_allowed", turn.lang), Tone.ERROR)])
    role = roles[0]
    stamp = turn.now.strftime("%Y%m%d-%H%M%S")
    name = f"ekspor-{role.region_code}-{stamp}.xlsx"
    counts = await export_region(
        turn.uow, role.region_code, exports_dir / name, "xlsx", labels=form_labels(turn.forms)
    )
    caption = t(
        "export_ready",
        turn.lang,
        region=role.region_name,
        households=tn("count_families", counts.households, turn.lang),
        members=tn("count_members", counts.members, turn.lang),
        proposals=tn("count_proposals", counts.proposals, turn.lang),
    )
    return Reply([Text(caption), Document(str(counts.path), caption, name)])
