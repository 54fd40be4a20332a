"""The household card shown when a household form opens: what to verify against.

Head, RT/RW, address, the last four digits of the No. KK, when the record last changed, and one
line per member living here: name, sex, birth year, the last four digits of the NIK and the
relation to the head (its label from the members form, where option lists live)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.kit.context import Turn
from handlers.kit.i18n import t
from storage.records import HouseholdRecord, MemberRecord

__all__ = ["household_card"]

_GONE = frozenset({"meninggal", "pindah", "pindah_luar_negeri", "pisah_kk", "tidak_ditemukan"})


def _tail(number: str | None) -> str:
    return f"…{number[-4:]}" if number and len(number) >= 4 else "-"


def _relation_labels(turn: Turn) -> dict[str, str]:
    form = turn.forms.latest("anggota_keluarga")
    members = form.question("members") if form else None
    relation = (
        next((q for q in (members.questions or []) if q.name == "relation"), None)
        if (members)
        else None
    )
    return {c.value: c.label.get(turn.lang) for c in (relation.choices or [])} if relation else {}


def _member_line(turn: Turn, n: int, m: MemberRecord, labels: dict[str, str]) -> str:
    year = str(m.birth_date.year) if m.birth_date else "-"
    sex = m.sex or "-"
    relation = labels.get(m.relation, m.relation)
    return t(
        "card_member",
        turn.lang,
        n=n,
        name=m.name,
        sex=sex,
        year=year,
        nik=_tail(m.nik),
        relation=relation,
    )


def household_card(turn: Turn, household: HouseholdRecord, zone: str) -> str:
    labels = _relation_labels(turn)
    updated = household.updated_at.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")
    lines = [
        t(
            "card_head",
            turn.lang,
            head=household.head_name,
            rt=household.rt or "-",
            rw=household.rw or "-",
            address=household.address or "-",
            kk=_tail(household.no_kk),
            updated=updated,
        )
    ]
    living = [m for m in household.members if m.presence not in _GONE]
    lines += [_member_line(turn, n, m, labels) for n, m in enumerate(living, 1)]
    return "\n".join(lines)
