"""A person's rights over their own data (UU PDP Ps. 5-9 and 32), in the chat.

``DATA SAYA`` shows what Kawal holds about the sender (name, chat accounts with masked ids,
roles and areas, consent, counts of what they saved and received) and what was done with it,
in two messages that fit a phone. ``HAPUS DATA SAYA`` asks for a confirmation, then
withdraws consent, revokes every role, closes open forms, cancels waiting messages, deletes
the chat accounts and turns the name into a pseudonym (``Pengguna #12``); the household
records the person saved stay (they are the social office's register), attributed to the
pseudonym. Both work before the notice is accepted too (a person is never stuck).

A person who declines the data notice before ever accepting one is deleted outright
(:func:`delete_declined`): Kawal then holds nothing about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.regions import timezone_for
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone
from handlers.people import lifecycle
from locales import DEFAULT_LANG
from storage.db import UnitOfWork
from storage.records import PersonDetail

PAYLOAD_PREFIX = "me:"
_SHOW_WORDS = frozenset({"data saya", "datasaya", "my data", "mydata"})
_ERASE_WORDS = frozenset({"hapus data saya", "hapusdatasaya", "delete my data", "deletemydata"})
_ACTIONS = frozenset({"show", "erase", "erase-yes", "keep"})
DEFAULT_ZONE = "Asia/Jakarta"


def request(inbound: Inbound) -> str | None:
    """``show``, ``erase`` (ask), ``erase-yes``, ``keep`` (changed their mind), or None."""
    match inbound.kind:
        case InboundKind.CHOICE if inbound.payload.startswith(PAYLOAD_PREFIX):
            action = inbound.payload.removeprefix(PAYLOAD_PREFIX)
            return action if action in _ACTIONS else "show"
        case InboundKind.TEXT | InboundKind.COMMAND:
            words = " ".join(inbound.text.lstrip("/").lower().split())
            if len(words) > 40:
                return None
            if words in _SHOW_WORDS:
                return "show"
            if words in _ERASE_WORDS:
                return "erase"
    return None


async def handle(turn: Turn, action: str) -> Reply:
    match action:
        case "erase":
            return confirm_erase(turn)
        case "erase-yes":
            return await _erase(turn)
        case "keep":
            return Reply([Text(t("me_kept", turn.lang))])
    return await show(turn)


# ---- DATA SAYA -----------------------------------------------------------------------------


def _zone(detail: PersonDetail) -> str:
    active = detail.active_roles
    return timezone_for(active[0].region_code) if active else DEFAULT_ZONE


def _day(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")


async def show(turn: Turn) -> Reply:
    """What Kawal holds about the sender, and what it did with it."""
    uow, lang, person_id = turn.uow, turn.lang, turn.me.person_id
    detail = await uow.people.detail(person_id)
    if detail is None:  # pragma: no cover - the sender was found a moment ago
        return Reply([Text(t("internal_error", lang), Tone.ERROR)])
    zone = _zone(detail)
    accounts = ", ".join(
        f"{i.channel.capitalize()} {lifecycle.masked_id(i.channel, i.external_id)}"
        for i in detail.identities
        if i.disabled_at is None
    )
    roles = "; ".join(
        t("me_role", lang, role=r.role, region=r.region_name, since=_day(r.since, zone))
        for r in detail.active_roles
    )
    if detail.consent_at is not None:
        consent = t(
            "me_consent",
            lang,
            version=detail.consent_version or "-",
            date=_day(detail.consent_at, zone),
        )
    else:
        consent = t("me_consent_none", lang)
    held = await uow.privacy.holdings(person_id)
    holds = t(
        "me_holds",
        lang,
        name=detail.name or "-",
        accounts=accounts or "-",
        roles=roles or "-",
        consent=consent,
        saved=held.submissions,
        households=held.households,
        reports=held.reports,
        announcements=held.announcements,
        reminders=held.reminders,
    )
    done = await uow.processing.count_by(person_id)
    seen = [r for r in await uow.processing.about_person(person_id) if r.action == "view"]
    last_seen = _day(seen[-1].at, zone) if seen else "-"
    did = t(
        "me_did",
        lang,
        since=_day(detail.created_at, zone),
        viewed=done.get("view", 0),
        changed=done.get("change", 0),
        exported=done.get("export", 0),
        seen=len(seen),
        last_seen=last_seen,
    )
    erase = Option(PAYLOAD_PREFIX + "erase", t("me_erase_button", lang))
    return Reply([Text(holds), Question(did, (erase,))])


# ---- HAPUS DATA SAYA -----------------------------------------------------------------------


def confirm_erase(turn: Turn) -> Reply:
    options = (
        Option(PAYLOAD_PREFIX + "erase-yes", t("me_erase_yes", turn.lang)),
        Option(PAYLOAD_PREFIX + "keep", t("me_erase_no", turn.lang)),
    )
    return Reply([Question(t("me_erase_confirm", turn.lang), options)])


@dataclass(frozen=True, slots=True)
class Erased:
    deleted: bool  # the person had never accepted the notice: deleted outright
    roles: int
    sessions_closed: int
    messages_cancelled: int
    identities: int


def pseudonym(person_id: int) -> str:
    """The name an erased person's records are attributed to: ``Pengguna #12``."""
    return t("me_pseudonym", DEFAULT_LANG, number=person_id)


async def erase_person(
    uow: UnitOfWork, person_id: int, *, by: int | None, channel: str, now: datetime
) -> Erased:
    """Erase a person's own data (see the module's docstring); a person who never accepted
    the notice is deleted outright. Audited and recorded, without the name or the ids."""
    if await delete_declined(uow, person_id, channel=channel, now=now):
        return Erased(True, 0, 0, 0, 0)
    revoked = await lifecycle.revoke_all_roles(uow, person_id, by=by, channel=channel, now=now)
    cancelled = await uow.outbox.cancel_for_person(person_id, now)
    identities = await uow.privacy.erase(person_id, pseudonym(person_id), now)
    counts = {
        "roles": len(revoked.roles),
        "sessions_closed": revoked.sessions_closed,
        "messages_cancelled": cancelled,
        "identities": identities,
    }
    await uow.audit.add(
        "person.erased", "person", str(person_id), now, person_id=by, channel=channel, after=counts
    )
    await uow.processing.add(
        "erase", now, by=by, channel=channel, subject_person_id=person_id, detail="identities"
    )
    return Erased(False, len(revoked.roles), revoked.sessions_closed, cancelled, identities)


async def delete_declined(uow: UnitOfWork, person_id: int, *, channel: str, now: datetime) -> bool:
    """Delete a person who never accepted the data notice (roles, identities, the person):
    the invite uses they took are given back, so the same code works if they change their
    mind. False when they cannot be deleted (they accepted a notice, or records name them)."""
    entries = await uow.audit.list("person", str(person_id))
    if not await uow.privacy.delete_pending(person_id):
        return False
    for entry in entries:
        code = entry.after.get("invite") if isinstance(entry.after, dict) else None
        if entry.action in ("person.registered", "person.role_added") and code:
            await uow.invites.give_back(str(code))
    await uow.audit.add("person.declined", "person", str(person_id), now, channel=channel)
    await uow.processing.add(
        "delete", now, by=None, channel=channel, subject_person_id=person_id, detail="declined"
    )
    return True


async def _erase(turn: Turn) -> Reply:
    done = await erase_person(
        turn.uow,
        turn.me.person_id,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    key = "consent_declined" if done.deleted else "me_erased"
    return Reply([Text(t(key, turn.lang, pseudonym=pseudonym(turn.me.person_id)), Tone.SUCCESS)])
