"""Registration: invite code -> consent notice (UU PDP) -> name -> main menu.

Invite codes (``KWL-7F3K-9QXM-2ABC``) are made and read in :mod:`handlers.people.codes`.
Declining the notice deletes the person who just registered (nothing is kept); a new notice
version (``KAWAL_CONSENT_VERSION``) is asked again of everyone, before anything else.
Wrong codes are counted per sender and overall (:class:`InviteLimits`): too many lock the
sender, or every redemption, for a while; each lockout is logged and audited once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows.ids import mask_phone
from flows.regions import timezone_for
from handlers.kit import menu
from handlers.kit.context import Turn
from handlers.kit.dates import zone_label
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone
from handlers.people import rights
from handlers.people.codes import (  # re-exported: the invite code helpers' old home
    ALPHABET,
    CODE_SYMBOLS,
    INVITE_PREFIX,
    PREFIXED_RE,
    deep_link,
    new_invite_code,
    normalize_code,
)

__all__ = [
    "ALPHABET",
    "CODE_SYMBOLS",
    "INVITE_PREFIX",
    "InviteLimits",
    "consent_question",
    "deep_link",
    "handle",
    "is_invite_attempt",
    "masked_sender",
    "new_invite_code",
    "normalize_code",
    "number_changed",
    "sender_key",
]
from handlers.people.names import clean_display_name, name_from_display, valid_name
from storage.repos.throttle import EVERYONE

log = logging.getLogger(__name__)

_REGISTER_RE = re.compile(r"^\s*(daftar|register)\b\s*(.*)$", re.I | re.S)
_CONSENT_YES = frozenset({"setuju", "agree", "ya", "yes", "1", "consent:yes"})
_CONSENT_NO = frozenset({"tidak setuju", "tidak", "no", "disagree", "2", "consent:no"})

INVITE_BUCKET = "invite"  # throttle rows: one per wrong code, per sender and for EVERYONE
LOCK_BUCKET = "invite-lock"  # throttle rows: one per overall lockout (subject EVERYONE)
_GLOBAL_WINDOW = timedelta(hours=1)
_TICK = timedelta(microseconds=1)  # the finest step of a stored time
DEFAULT_ZONE = "Asia/Jakarta"  # the lockout's end for a stranger (no region): WIB


@dataclass(frozen=True, slots=True)
class InviteLimits:
    """Wrong invite codes allowed: ``max_failures`` per sender within ``lockout`` (then the
    sender waits until the oldest of them is ``lockout`` old), and ``global_failures`` from
    everyone within an hour (then every redemption waits ``lockout``)."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=60)
    global_failures: int = 100


def is_invite_attempt(inbound: Inbound) -> bool:
    """``/start CODE``, ``DAFTAR ...``, or text that starts with the ``KWL`` prefix and reads
    as a code. (A stranger's bare code without the prefix is taken too, in :func:`handle`;
    from a registered person it could be an answer.)"""
    if inbound.kind is InboundKind.COMMAND:
        return inbound.command == "start" and bool(inbound.args.strip())
    if inbound.kind is InboundKind.TEXT:
        text = inbound.text
        if _REGISTER_RE.match(text):
            return True
        return bool(PREFIXED_RE.match(text)) and normalize_code(text) is not None
    return False


def _offered_code(inbound: Inbound) -> str:
    if inbound.kind is InboundKind.COMMAND:
        return inbound.args.strip()
    match = _REGISTER_RE.match(inbound.text)
    return (match.group(2) if match else inbound.text).strip()


def sender_key(inbound: Inbound) -> str:
    """The throttle subject of a sender: ``telegram:123``."""
    return f"{inbound.channel.value}:{inbound.external_id}"


def masked_sender(inbound: Inbound) -> str:
    """The sender for logs and the audit log: never a whole phone number (``whatsapp:…6789``)."""
    return f"{inbound.channel.value}:{mask_phone(inbound.external_id)}"


async def handle(turn: Turn, limits: InviteLimits | None = None) -> Reply:
    inbound = turn.inbound
    stranger_code = (
        turn.person is None
        and inbound.kind is InboundKind.TEXT
        and normalize_code(inbound.text) is not None
    )
    if is_invite_attempt(inbound) or stranger_code:
        return await _redeem(turn, limits or InviteLimits())
    if turn.person is None:
        return Reply([Text(t("welcome_unregistered", turn.lang))])
    if not turn.consented:  # never accepted, or accepted an older version of the notice
        return await _consent(turn)
    return await _name(turn)


async def _redeem(turn: Turn, limits: InviteLimits) -> Reply:
    until = await _locked_until(turn, limits)
    if until is not None:
        return Reply(
            [Text(t("invite_locked", turn.lang, time=_local_time(turn, until)), Tone.ERROR)]
        )
    offered = _offered_code(turn.inbound)
    code = normalize_code(offered)
    invite = await turn.uow.invites.redeem(code, turn.now) if code else None
    if invite is None:
        await _count_failure(turn, limits)
        shown = (offered[:24] or "-").upper()
        return Reply([Text(t("invite_invalid", turn.lang, code=shown), Tone.ERROR)])
    region = await turn.uow.regions.get(invite.region_code)
    region_name = region.name if region else invite.region_code
    people = turn.uow.people
    if turn.person is None:
        inbound = turn.inbound
        # A display name is the sender's own choice: used as the name only when it passes the
        # rule of a typed name (else the name is asked for), kept cleaned on the identity.
        display = clean_display_name(inbound.display_name)
        name = name_from_display(inbound.display_name) or ""
        person_id = await people.create(name, turn.lang, turn.now)
        # A switched-off identity (a removed person, a Telegram group) is taken over.
        await people.add_identity(
            person_id, inbound.channel.value, inbound.external_id, display, turn.now
        )
        await people.assign_role(person_id, invite.role, invite.region_code, turn.now)
        await turn.uow.audit.add(
            "person.registered",
            "person",
            str(person_id),
            turn.now,
            person_id=person_id,
            channel=inbound.channel.value,
            region_code=invite.region_code,
            after={"role": invite.role, "invite": invite.code},
        )
        return Reply([consent_question(turn)])
    await people.assign_role(turn.me.person_id, invite.role, invite.region_code, turn.now)
    await turn.uow.audit.add(
        "person.role_added",
        "person",
        str(turn.me.person_id),
        turn.now,
        person_id=turn.me.person_id,
        channel=turn.inbound.channel.value,
        region_code=invite.region_code,
        after={"role": invite.role, "invite": invite.code},
    )
    role = t(f"role_{invite.role}", turn.lang)
    reply = Reply([Text(t("role_added", turn.lang, role=role, region=region_name), Tone.SUCCESS)])
    if not turn.consented:
        return reply.add(consent_question(turn))
    return reply


async def _locked_until(turn: Turn, limits: InviteLimits) -> datetime | None:
    """When the sender may try a code again, or None when they may now: after too many
    wrong codes of their own (until the oldest of them leaves the window), or during an
    overall lockout."""
    throttle, since = turn.uow.throttle, _window_start(turn.now, limits)
    ends: list[datetime] = []
    sender = sender_key(turn.inbound)
    if await throttle.count(INVITE_BUCKET, sender, since) >= limits.max_failures:
        oldest = await throttle.oldest(INVITE_BUCKET, sender, since)
        if oldest is not None:
            ends.append(oldest + limits.lockout)
    locked = await throttle.oldest(LOCK_BUCKET, EVERYONE, since)
    if locked is not None:
        ends.append(locked + limits.lockout)
    later = [end for end in ends if end > turn.now]
    return max(later) if later else None


async def _count_failure(turn: Turn, limits: InviteLimits) -> None:
    """Count a wrong code; the one that fills a window starts a lockout, logged and audited
    (the sender masked: a WhatsApp id is a phone number)."""
    throttle, now = turn.uow.throttle, turn.now
    sender = sender_key(turn.inbound)
    await throttle.add(INVITE_BUCKET, sender, now)
    await throttle.add(INVITE_BUCKET, EVERYONE, now)
    shown = masked_sender(turn.inbound)
    # Below the limit before this one (else it would have been refused unread): a count at
    # the limit now means this failure starts the lockout.
    failures = await throttle.count(INVITE_BUCKET, sender, _window_start(now, limits))
    if failures >= limits.max_failures:
        minutes = int(limits.lockout.total_seconds() // 60)
        log.warning(
            "invite codes locked for %s: %d wrong codes within %d minutes",
            shown,
            failures,
            minutes,
        )
        await turn.uow.audit.add(
            "invite.lockout",
            "sender",
            shown,
            now,
            person_id=turn.person.person_id if turn.person else None,
            channel=turn.inbound.channel.value,
            after={"failures": failures, "until": (now + limits.lockout).isoformat()},
        )
    overall = await throttle.count(INVITE_BUCKET, EVERYONE, now - _GLOBAL_WINDOW)
    if overall >= limits.global_failures:
        await throttle.add(LOCK_BUCKET, EVERYONE, now)
        minutes = int(limits.lockout.total_seconds() // 60)
        log.warning(
            "all invite codes locked for %d minutes: %d wrong codes within an hour (last from %s)",
            minutes,
            overall,
            shown,
        )
        await turn.uow.audit.add(
            "invite.lockout",
            "sender",
            EVERYONE,
            now,
            channel=turn.inbound.channel.value,
            after={"failures": overall, "until": (now + limits.lockout).isoformat()},
        )


def _window_start(now: datetime, limits: InviteLimits) -> datetime:
    """The first instant still inside the lockout window: an attempt exactly ``lockout`` old
    has left it (so a lockout that ends now is over, and a new one started now counts)."""
    return now - limits.lockout + _TICK


def _local_time(turn: Turn, at: datetime) -> str:
    """``14.30 WIB``: in the zone of the sender's first role, else WIB."""
    roles = turn.roles()
    zone = timezone_for(roles[0].region_code) if roles else DEFAULT_ZONE
    local = at.astimezone(ZoneInfo(zone))
    clock = local.strftime("%H.%M" if turn.lang == "id" else "%H:%M")
    return f"{clock} {zone_label(zone, at)}"


async def number_changed(turn: Turn) -> Reply:
    """The sender's account got a new id (a changed WhatsApp number, ``args``): the identity
    moves there, so roles, consent and the open form follow; nothing is answered (the person
    writes from the new number next). A stranger's change, or a new id that someone else
    uses, changes nothing."""
    inbound = turn.inbound
    new_id = inbound.args.strip()
    if turn.person is None or not new_id:
        return Reply()
    moved = await turn.uow.people.move_identity(inbound.channel.value, inbound.external_id, new_id)
    if moved is None:
        log.warning(
            "person %s changed number on %s; the new one is in use, not moved",
            turn.person.person_id,
            inbound.channel.value,
        )
        return Reply()
    await turn.uow.audit.add(
        "person.identity_moved",
        "person",
        str(moved),
        turn.now,
        person_id=moved,
        channel=inbound.channel.value,
    )
    log.info("person %s: %s identity moved to a new number", moved, inbound.channel.value)
    return Reply()


def consent_question(turn: Turn) -> Question:
    """The data notice (UU PDP) with Setuju / Tidak setuju: the first one, or the new version
    for someone who accepted an older one. It names who answers questions about the data."""
    lang = turn.lang
    renewed = turn.person is not None and turn.person.consent_at is not None
    notice = t("consent_notice_update" if renewed else "consent_notice", lang)
    if turn.dpo_contact:
        contact = t("consent_dpo", lang, contact=turn.dpo_contact)
    else:
        contact = t("consent_dpo_unset", lang)
    return Question(
        f"{notice}\n{contact}\n{t('consent_ask', lang)}",
        (
            Option("consent:yes", t("consent_yes", lang)),
            Option("consent:no", t("consent_no", lang)),
        ),
    )


def _answer(inbound: Inbound) -> str:
    if inbound.kind is InboundKind.CHOICE:
        return inbound.payload
    return inbound.text.strip().lower()


async def _consent(turn: Turn) -> Reply:
    answer = _answer(turn.inbound)
    renewed = turn.me.consent_at is not None  # an older version was accepted before
    if answer in _CONSENT_YES:
        await turn.uow.people.set_consent(turn.me.person_id, turn.consent_version, turn.now)
        await turn.uow.audit.add(
            "person.consent",
            "person",
            str(turn.me.person_id),
            turn.now,
            person_id=turn.me.person_id,
            channel=turn.inbound.channel.value,
            after={"version": turn.consent_version},
        )
        if not turn.me.name:
            return Reply([Text(t("ask_name", turn.lang))])
        if renewed:
            reply = Reply([Text(t("consent_renewed", turn.lang), Tone.SUCCESS)])
            reply.messages.extend((await menu.show(turn)).messages)
            return reply
        return await _welcome(turn, turn.me.name)
    if answer in _CONSENT_NO:
        if renewed:  # they used Kawal under the old notice: erasing is theirs to confirm
            reply = Reply([Text(t("consent_update_declined", turn.lang), Tone.WARNING)])
            reply.messages.extend(rights.confirm_erase(turn).messages)
            return reply
        await rights.delete_declined(
            turn.uow, turn.me.person_id, channel=turn.inbound.channel.value, now=turn.now
        )
        return Reply([Text(t("consent_declined", turn.lang))])
    return Reply([Text(t("consent_again", turn.lang), Tone.ERROR), consent_question(turn)])


async def _name(turn: Turn) -> Reply:
    name = valid_name(turn.inbound.text)
    if turn.inbound.kind is not InboundKind.TEXT or name is None:
        return Reply([Text(t("name_invalid", turn.lang), Tone.ERROR)])
    await turn.uow.people.set_name(turn.me.person_id, name)
    return await _welcome(turn, name)


async def _welcome(turn: Turn, name: str) -> Reply:
    roles = turn.me.roles
    role = roles[0] if roles else None
    text = t(
        "registered",
        turn.lang,
        name=name,
        role=t(f"role_{role.role}", turn.lang) if role else "-",
        region=role.region_name if role else "",
    )
    reply = Reply([Text(text, Tone.SUCCESS)])
    reply.messages.extend((await menu.show(turn)).messages)
    return reply
