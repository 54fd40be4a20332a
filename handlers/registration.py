"""Registration: invite code -> consent notice (UU PDP) -> name -> main menu."""

from __future__ import annotations

import logging
import re
import secrets

from handlers import menu
from handlers.context import Turn
from handlers.i18n import t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone

log = logging.getLogger(__name__)

INVITE_PREFIX = "KWL"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type
_CODE_RE = re.compile(r"^\s*(?:/start\s+|daftar\s+|register\s+)?KWL[-_ ]?([A-Z0-9]{6})\s*$", re.I)
_REGISTER_RE = re.compile(r"^\s*(daftar|register)\b\s*(.*)$", re.I)
_CONSENT_YES = frozenset({"setuju", "agree", "ya", "yes", "1", "consent:yes"})
_CONSENT_NO = frozenset({"tidak setuju", "tidak", "no", "disagree", "2", "consent:no"})
_NAME_RE = re.compile(r"^[^\W\d_][\w .,'-]{1,79}$", re.UNICODE)


def new_invite_code() -> str:
    return f"{INVITE_PREFIX}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def normalize_code(text: str) -> str | None:
    match = _CODE_RE.match(text.upper())
    return f"{INVITE_PREFIX}-{match.group(1)}" if match else None


def is_invite_attempt(inbound: Inbound) -> bool:
    if inbound.kind is InboundKind.COMMAND:
        return inbound.command == "start" and bool(inbound.args.strip())
    if inbound.kind is InboundKind.TEXT:
        return bool(_REGISTER_RE.match(inbound.text)) or normalize_code(inbound.text) is not None
    return False


def _offered_code(inbound: Inbound) -> str:
    if inbound.kind is InboundKind.COMMAND:
        return inbound.args.strip()
    match = _REGISTER_RE.match(inbound.text)
    return (match.group(2) if match else inbound.text).strip()


async def handle(turn: Turn) -> Reply:
    if is_invite_attempt(turn.inbound):
        return await _redeem(turn)
    if turn.person is None:
        return Reply([Text(t("welcome_unregistered", turn.lang))])
    if turn.me.consent_at is None:
        return await _consent(turn)
    return await _name(turn)


async def _redeem(turn: Turn) -> Reply:
    offered = _offered_code(turn.inbound)
    code = normalize_code(offered)
    invite = await turn.uow.invites.redeem(code, turn.now) if code else None
    if invite is None:
        shown = (offered[:20] or "-").upper()
        return Reply([Text(t("invite_invalid", turn.lang, code=shown), Tone.ERROR)])
    region = await turn.uow.regions.get(invite.region_code)
    region_name = region.name if region else invite.region_code
    people = turn.uow.people
    if turn.person is None:
        inbound = turn.inbound
        person_id = await people.create(inbound.display_name.strip()[:80], turn.lang, turn.now)
        await people.add_identity(
            person_id, inbound.channel.value, inbound.external_id, inbound.display_name, turn.now
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
        return Reply([_consent_question(turn.lang)])
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
    if turn.me.consent_at is None:
        return reply.add(_consent_question(turn.lang))
    return reply


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


def _consent_question(lang: str) -> Question:
    return Question(
        t("consent_notice", lang),
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
        return await _welcome(turn, turn.me.name)
    if answer in _CONSENT_NO:
        return Reply([Text(t("consent_declined", turn.lang))])
    return Reply([Text(t("consent_again", turn.lang), Tone.ERROR), _consent_question(turn.lang)])


async def _name(turn: Turn) -> Reply:
    name = " ".join(turn.inbound.text.split())
    if turn.inbound.kind is not InboundKind.TEXT or not _NAME_RE.match(name):
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
