"""The use-case entry point: one neutral inbound message in, the reply intents out.

Every inbound runs in one unit of work: the dedupe claim, the session state and any saved
submission commit together, and only then does the caller send the reply and acknowledge the
update to the platform. A crash before the commit replays the update; after it, the claim makes
the replay a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import flows
from flows import QUESTION_TYPES, FormRegistry, Session
from flows.ids import mask_phone
from handlers.announcements import acks
from handlers.announcements import model as announcement_model
from handlers.announcements import saver as announcement_form
from handlers.announcements import view as announcements
from handlers.deadlines import buttons as deadline_buttons
from handlers.deadlines import saver as deadline_saver
from handlers.deadlines import view as deadlines
from handlers.forms import closing, saving
from handlers.forms import runner as form_handlers
from handlers.forms.duplicates import DUPLICATE_CHECKS_PER_HOUR
from handlers.forms.savers import Savers
from handlers.kit import menu, typos
from handlers.kit.context import Turn
from handlers.kit.deferred import Deferred, run_deferred
from handlers.kit.i18n import t, tn
from handlers.kit.timing import QuietHours
from handlers.messages import Inbound, InboundKind, Reply, Text, Tone
from handlers.people import access as people
from handlers.people import console_link, registration, rights
from handlers.ports import Clock
from handlers.privacy import subjects
from handlers.progress import view as progress
from handlers.quality import view as quality
from handlers.registers import exports
from handlers.registers import imports as households
from handlers.registers.reading import ImportLimits
from handlers.reports import savers as report_savers
from handlers.reports import view as reports
from storage.db import Database, UnitOfWork
from storage.records import FormSessionRecord, PersonContext

log = logging.getLogger(__name__)

MEDIA_BUCKET = "media"  # the throttle bucket of files received, per person
_DAY = timedelta(days=1)

# Words that work everywhere, typed with or without a slash.
_CHOICE_INPUTS = frozenset({"choice", "multi", "confirm"})  # where no typed word is an answer
_MENU_WORDS = frozenset({"menu", "start", "mulai"})
_RESUME_WORDS = frozenset({"lanjut", "lanjutkan", "resume"})
_HELP_WORDS = frozenset({"bantuan", "help", "tolong"})
_CANCEL_WORDS = frozenset({"batal", "cancel"})
_LANGUAGE_WORDS = frozenset({"bahasa", "language"})
_DEADLINE_WORDS = frozenset({"tenggat", "deadline", "deadlines"})
_ANNOUNCE_WORDS = frozenset({"pengumuman", "announcements", "announce"})
_PEOPLE_WORDS = frozenset({"orang", "people"})
_INVITE_WORDS = frozenset({"undangan", "invites"})


@dataclass(frozen=True, slots=True)
class Options:
    consent_version: str = "2026-11"
    dpo_contact: str = ""  # who answers questions about personal data (the notice names them)
    default_lang: str = "id"
    exports_dir: Path = Path("kawal-data") / "exports"
    charts_dir: Path = Path("kawal-data") / "charts"
    # Where the channels store received files: a register imported from there is deleted
    # right after its import (None: nothing is deleted).
    media_dir: Path | None = None
    untouched_days: int = quality.DEFAULT_UNTOUCHED_DAYS  # "Kualitas data": not touched since
    quiet_hours: QuietHours = field(default_factory=QuietHours)  # no reminder is set in them
    # Hours after which an announcement's unacknowledged recipients get one nudge (0: none).
    announcement_nudge_hours: int = announcement_model.DEFAULT_NUDGE_HOURS
    # Photos and documents one person may send in 24 hours (each is downloaded and stored).
    media_daily_quota: int = 30
    # A form nobody answered for this many days closes (expired, nothing saved) when its
    # person next writes; the housekeeping job closes the rest.
    session_idle_days: int = 7
    # New No. KK / NIK numbers one person may have checked for duplicates in an hour.
    duplicate_checks_per_hour: int = DUPLICATE_CHECKS_PER_HOUR
    # Invites (issue 15): days a code made in the chat works; wrong codes per sender within
    # the lockout minutes, and from everyone within an hour, before redemption is locked.
    invite_days: int = 14
    invite_max_failures: int = 5
    invite_lockout_minutes: int = 60
    invite_global_failures: int = 100
    # Register imports (a file sent by Dinsos): size, rows and errors kept.
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    # The Telegram bot's username (without @), for invite deep links; "" when unknown.
    telegram_bot_username: str = ""
    # Where the web console is reached (KONSOL links); "" when it is not served.
    web_base_url: str = ""


# Words a form's buttons send; pressed once the form is closed, they are stale (the engine's
# save / cancel / keep values, and the composers' buttons from before they were forms).
_FORM_BUTTONS = frozenset({"__save__", "__cancel__", "__keep__"})
_OLD_FORM_BUTTONS = ("anf:", "dlf:")


def default_savers() -> Savers:
    """Every feature's savers: one per form shipped in ``flows/forms``."""
    return Savers(
        [
            *saving.SAVERS,
            *report_savers.SAVERS,
            *deadline_saver.SAVERS,
            *announcement_form.SAVERS,
        ]
    )


class Kawal:
    """Routes neutral messages to the use cases. Safe to share between channels and tasks.

    Raises :class:`~handlers.forms.savers.SaverError` when the forms and their savers do not
    fit (a form without a saver, a saver without a form, a saver reading a question its form
    does not have): at start-up, not at the first save."""

    def __init__(
        self,
        db: Database,
        forms: FormRegistry,
        clock: Clock,
        options: Options | None = None,
        savers: Savers | None = None,
    ) -> None:
        self.db = db
        self.forms = forms
        self.clock = clock
        self.options = options or Options()
        self.savers = savers if savers is not None else default_savers()
        self.savers.check(forms)

    def set_telegram_bot(self, username: str) -> None:
        """The Telegram bot's username (from getMe), for the invite deep links Dinsos gets."""
        self.options = replace(self.options, telegram_bot_username=username.lstrip("@"))

    async def handle(self, inbound: Inbound) -> Reply:
        """Handle one inbound message. Never raises: failures become a short apology."""
        try:
            return await self._handle(inbound)
        except Exception:
            # Never the sender's number (a WhatsApp id is one) nor what they typed: the
            # kind and length of the message say enough to find it in the database.
            log.exception(
                "handler failed for %s update %s from %s (%s, %d characters)",
                inbound.channel.value,
                inbound.platform_id,
                mask_phone(inbound.external_id),
                inbound.kind.value,
                len(inbound.text),
            )
            return Reply([Text(t("internal_error", self.options.default_lang), Tone.ERROR)])

    async def accepts_file(self, inbound: Inbound) -> bool:
        """Whether the photo or document in ``inbound`` should be downloaded at all: only from
        a registered person who accepted the data notice, only when the open question asks for
        that kind of file (or, for a document, from whoever may import a register), and within
        the daily quota. Read-only: a file that is not wanted is handed to :meth:`handle`
        without ``media_ref``, which tells the sender what to do instead."""
        if inbound.kind not in (InboundKind.PHOTO, InboundKind.DOCUMENT):
            return False
        now = self.clock.now()
        async with self.db.unit_of_work() as uow:
            if await uow.inbound.seen(inbound.channel.value, inbound.platform_id):
                return False  # handled before: a replay downloads nothing (and changes nothing)
            person = await uow.people.find_by_identity(inbound.channel.value, inbound.external_id)
            current = person is not None and (
                person.consent_at is not None
                and person.consent_version == self.options.consent_version
            )
            if person is None or not current or not person.name:
                return False
            idle_days = self.options.session_idle_days
            if not await _file_expected(uow, self.forms, person, inbound.kind, now, idle_days):
                return False
            sent = await uow.throttle.count(MEDIA_BUCKET, str(person.person_id), now - _DAY)
        if sent >= self.options.media_daily_quota:
            log.warning("file from person %s refused: %s files in 24 hours", person.person_id, sent)
            return False
        return True

    async def _handle(self, inbound: Inbound) -> Reply:
        now = self.clock.now()

        async def work(uow: UnitOfWork) -> tuple[Reply, list[Deferred]]:
            return await self._turn(uow, inbound, now)

        # One short unit of work: long work (a register import, charts, workbooks) is only
        # described in it, and done now, after the commit, off the event loop.
        reply, deferred = await self.db.run(work)
        return await run_deferred(deferred, reply, self.db)

    async def _turn(
        self, uow: UnitOfWork, inbound: Inbound, now: datetime
    ) -> tuple[Reply, list[Deferred]]:
        # Claim, sender and their open form in one go (one statement on PostgreSQL).
        start = await uow.turns.start(
            inbound.channel.value, inbound.platform_id, inbound.external_id, now
        )
        if not start.claimed:
            log.info("duplicate %s update %s ignored", inbound.channel, inbound.platform_id)
            return Reply(), []
        person = start.person
        turn = Turn(
            uow=uow,
            inbound=inbound,
            person=person,
            now=now,
            forms=self.forms,
            lang=person.lang if person else self.options.default_lang,
            consent_version=self.options.consent_version,
            savers=self.savers,
            dpo_contact=self.options.dpo_contact,
        )
        if person is not None and inbound.media_ref:
            # a stored file counts against the person's daily quota
            await uow.throttle.add(MEDIA_BUCKET, str(person.person_id), now)
        return await _route(turn, self.options), turn.deferred


async def _file_expected(
    uow: UnitOfWork,
    forms: FormRegistry,
    person: PersonContext,
    kind: InboundKind,
    now: datetime,
    idle_days: int,
) -> bool:
    """The open question asks for a file of ``kind`` (an announcement's attachment may be a
    photo or a document), or ``kind`` is a document from someone who imports registers while
    no form that takes documents is open. A form idle for ``idle_days`` asks for nothing: it
    closes as the file arrives."""
    record = await uow.sessions.get_open(person.person_id)
    if record is not None and closing.is_idle(record, now, idle_days):
        record = None
    wanted = "photo" if kind is InboundKind.PHOTO else "document"
    if record is not None and _takes_files(forms, record):
        return wanted in _accepted(forms, record)
    if kind is InboundKind.DOCUMENT:
        return any(role.role in households.IMPORT_ROLES for role in person.roles)
    return record is not None and wanted in _accepted(forms, record)


def _accepted(forms: FormRegistry, record: FormSessionRecord) -> frozenset[str]:
    """The input kinds the open form's current question takes (none while choosing a
    household, or when the session cannot be read: the next step says why)."""
    form = forms.get(record.form_id, record.form_version)
    if form is None or record.state.get("stage") != "form":
        return frozenset()
    try:
        session = Session.model_validate(record.state["engine"])
    except (KeyError, ValueError):
        return frozenset()
    return flows.accepted_inputs(form, session)


def _slip(forms: FormRegistry, inbound: Inbound, record: FormSessionRecord | None) -> str | None:
    """The command word a typed line missed by one letter ("lanjt"), where the line cannot
    be an answer: no form open, or the open form waits for a choice or a yes/no (a name or
    an address is never read as a command)."""
    if inbound.kind is not InboundKind.TEXT or (meant := typos.meant(inbound.text)) is None:
        return None
    if record is None:
        return meant
    form = forms.get(record.form_id, record.form_version)
    if form is None or record.state.get("stage") != "form":
        return None
    try:
        session = Session.model_validate(record.state["engine"])
    except (KeyError, ValueError):
        return None
    return meant if flows.expected_input(form, session) in _CHOICE_INPUTS else None


def _takes_files(forms: FormRegistry, record: FormSessionRecord) -> bool:
    """The open form has a question that takes a document (a file sent meanwhile is for it,
    not a register to import)."""
    form = forms.get(record.form_id, record.form_version)
    if form is None or record.state.get("stage") != "form":
        return False
    return any("document" in QUESTION_TYPES[q.type].accepts for q in form.questions)


async def _route(turn: Turn, options: Options) -> Reply:
    inbound = turn.inbound
    if inbound.kind is InboundKind.NUMBER_CHANGED:
        return await registration.number_changed(turn)
    if inbound.kind is InboundKind.REACTION:
        if turn.person is None or turn.person.consent_at is None:
            return Reply()  # a reaction asks for nothing: strangers get no welcome for it
        return await acks.acknowledge_reaction(turn)

    # Registration, consent and name come before anything else.
    limits = registration.InviteLimits(
        max_failures=options.invite_max_failures,
        lockout=timedelta(minutes=options.invite_lockout_minutes),
        global_failures=options.invite_global_failures,
    )
    if turn.person is None or registration.is_invite_attempt(inbound):
        return await registration.handle(turn, limits)
    # A person's own data (DATA SAYA, HAPUS DATA SAYA) is theirs to see and erase at any
    # time, also before they accept the (new) notice.
    if (own := rights.request(inbound)) is not None:
        return await rights.handle(turn, own)
    if not turn.consented or not turn.person.name:
        return await registration.handle(turn, limits)

    # A form left unanswered too long closes first; the turn then goes on as if none were
    # open. The open session is read once here and handed on (it is needed on most turns).
    open_session = await turn.uow.sessions.get_open(turn.person.person_id)
    if open_session is not None and closing.is_idle(
        open_session, turn.now, options.session_idle_days
    ):
        notice = await closing.close_idle(turn, open_session)
        reply = await _no_roles(turn) if not turn.person.roles else None
        if reply is None:
            reply = await _route_registered(turn, options, None, expired=True)
        reply.messages.insert(0, notice)
        return reply
    if not turn.person.roles:
        if open_session is not None:  # the form's own check closes it and says why
            return await _with_session(turn, open_session, options)
        return await _no_roles(turn)
    return await _route_registered(turn, options, open_session, expired=False)


async def _no_roles(turn: Turn) -> Reply:
    """Every role was taken back: the menu says only a new invite helps."""
    return await menu.show(turn)


async def _route_registered(
    turn: Turn, options: Options, open_session: FormSessionRecord | None, expired: bool
) -> Reply:
    """A registered person's message; ``open_session``: their open form, if any (``expired``:
    one was closed for being idle just now)."""
    inbound = turn.inbound
    if (meant := _slip(turn.forms, inbound, open_session)) is not None:
        turn.inbound = inbound = replace(inbound, text=meant)  # "mneu": MENU
    word = _command_word(inbound)
    if inbound.kind is InboundKind.UNSUPPORTED:
        return Reply([Text(t("unsupported", turn.lang), Tone.ERROR)])
    if inbound.kind in (InboundKind.DOCUMENT, InboundKind.PHOTO) and not inbound.media_ref:
        return await _file_not_taken(turn, options)
    if inbound.kind in (InboundKind.DOCUMENT, InboundKind.PHOTO):
        # A file for an open form that takes documents (the announcement's attachment) is an
        # answer to it; else a document is a register to import.
        if open_session is not None and _takes_files(turn.forms, open_session):
            return await _with_session(turn, open_session, options)
        if inbound.kind is InboundKind.DOCUMENT:
            return await households.import_document(turn, options.import_limits, options.media_dir)
        if expired:
            return await menu.show(turn)  # an answer to the form just closed
        return await _with_session(turn, open_session, options)  # no command is a photo

    if word in _HELP_WORDS:
        return Reply([Text(t("help", turn.lang))])
    if word in _LANGUAGE_WORDS:
        return await menu.toggle_language(turn)
    if word in _MENU_WORDS:
        return await menu.show(turn)
    if word in _RESUME_WORDS:
        return await form_handlers.resume_open(turn)
    if word in _CANCEL_WORDS and (inbound.kind is InboundKind.COMMAND or open_session is None):
        return await form_handlers.cancel_open(turn)
    if (acknowledged := acks.ack_request(inbound)) is not None:
        return await acks.acknowledge(turn, acknowledged)
    if turn.roles(*reports.REPORT_ROLES) and (report_id := reports.reply_request(inbound)):
        return await _answer_report(turn, report_id, open_session)
    if (wanted := progress.parse_request(inbound)) is not None:
        return await _progress(turn, options, wanted)
    if (asked := quality.parse_request(inbound)) is not None:
        return await _quality(turn, options, asked)
    if console_link.is_request(inbound):
        return await console_link.show(turn, options.web_base_url)
    if word in _DEADLINE_WORDS:
        return await deadlines.show(turn)
    if word in _ANNOUNCE_WORDS:
        return await announcements.show(turn)
    if announcements.is_view_payload(inbound):
        return await _announcement_view(turn, options, open_session)
    if (asked_subject := subjects.request(turn)) is not None:  # Dinsos: a household's data
        return await subjects.route(turn, asked_subject)
    if people.is_payload(inbound):
        return await people.route(
            turn, invite_days=options.invite_days, bot_username=options.telegram_bot_username
        )
    if word in _PEOPLE_WORDS | _INVITE_WORDS and turn.roles(*people.MANAGER_ROLES):
        # Only Dinsos and admin: for anyone else the word may be a form answer.
        if word in _PEOPLE_WORDS:
            return await people.show(turn)
        return await people.show_invites(turn)
    if inbound.kind is InboundKind.COMMAND:
        return Reply([Text(t("unknown_command", turn.lang, command=inbound.command), Tone.ERROR)])
    if expired and not (menu.is_menu_payload(inbound) or deadline_buttons.is_payload(inbound)):
        return await menu.show(turn)  # an answer to the form just closed: the menu instead
    return await _with_session(turn, open_session, options)


async def _file_not_taken(turn: Turn, options: Options) -> Reply:
    """A photo or document the channel did not download (see :meth:`Kawal.accepts_file`):
    not asked for now, or over the daily quota."""
    expected = await _file_expected(
        turn.uow, turn.forms, turn.me, turn.inbound.kind, turn.now, options.session_idle_days
    )
    if expected:
        limit = options.media_daily_quota
        return Reply([Text(tn("file_quota", limit, turn.lang, limit=limit), Tone.ERROR)])
    return Reply([Text(t("file_not_expected", turn.lang), Tone.ERROR)])


async def _with_session(
    turn: Turn, open_session: FormSessionRecord | None, options: Options
) -> Reply:
    """The answer to the open form, a form's button, or a menu choice."""
    inbound = turn.inbound
    if deadline_buttons.is_payload(inbound):
        return await deadline_buttons.route(turn, open_session, options.quiet_hours)
    if open_session is None and _stale_form_button(inbound):
        return Reply([Text(t("form_gone", turn.lang), Tone.WARNING)])
    if open_session is not None and not menu.is_menu_payload(inbound):
        return await form_handlers.continue_session(
            turn, open_session, options.duplicate_checks_per_hour
        )
    return await _choose(turn, open_session, options)


def _stale_form_button(inbound: Inbound) -> bool:
    """A form's button pressed after the form was closed (sent, saved or cancelled)."""
    if inbound.kind is not InboundKind.CHOICE:
        return False
    return inbound.payload in _FORM_BUTTONS or inbound.payload.startswith(_OLD_FORM_BUTTONS)


async def _choose(turn: Turn, open_session: FormSessionRecord | None, options: Options) -> Reply:
    """Act on a menu choice: a button payload, a number, or the item's label typed."""
    item = menu.pick(turn, menu.items_for(turn, open_session is not None))
    if item is None and (typed := progress.misread_request(turn.inbound)) is not None:
        return Reply([Text(t("progress_usage", turn.lang, text=typed), Tone.ERROR)])
    if item is None and (named := menu.named_language(turn.inbound)) is not None:
        return await menu.set_language(turn, named)
    if item is None:
        reply = Reply([Text(t("menu_unknown", turn.lang), Tone.ERROR)])
        reply.messages.extend((await menu.show(turn)).messages)
        return reply
    if item.starts_form and open_session is not None:
        return await closing.open_elsewhere(turn, open_session)
    match item.key:
        case "verify":
            return await form_handlers.start_search(turn, "verifikasi_keluarga")
        case "members":
            return await form_handlers.start_search(turn, "anggota_keluarga")
        case "housing":
            return await form_handlers.start_search(turn, "kondisi_rumah")
        case "propose":
            return await form_handlers.start_direct(turn, "usulan_baru")
        case "report":
            return await form_handlers.start_direct(turn, "lapor_kendala")
        case "pending":
            return await form_handlers.start_pending(turn, "verifikasi_keluarga")
        case "reports":
            return await reports.show_open(turn)
        case "export":
            return await exports.export_for(turn, options.exports_dir)
        case "progress":
            return await _progress(turn, options)
        case "quality":
            return await _quality(turn, options)
        case "people":
            return await people.show(turn)
        case "deadlines":
            return await deadlines.show(turn)
        case "announce":
            return await announcements.show(turn)
        case "console":
            return await console_link.show(turn, options.web_base_url)
        case "resume":
            return await form_handlers.resume_open(turn)
        case "language":
            return await menu.toggle_language(turn)
        case _:
            return Reply([Text(t("help", turn.lang))])


async def _announcement_view(
    turn: Turn, options: Options, open_session: FormSessionRecord | None
) -> Reply:
    """An ``ann:`` button of the Dinsos announcement view."""
    action, announcement_id = announcements.view_action(turn.inbound)
    if not turn.roles(*announcement_model.ANNOUNCER_ROLES):
        return announcements.not_allowed(turn)
    match action:
        case "new":
            return await announcement_form.start(
                turn, open_session, options.quiet_hours, options.announcement_nudge_hours
            )
        case "rep":
            return await announcements.show_report(turn, announcement_id)
        case "xlsx":
            return await announcements.workbook(turn, announcement_id, options.exports_dir)
        case "cancel":
            return await announcements.confirm_cancel(turn, announcement_id)
        case "cancel-yes":
            return await announcements.do_cancel(turn, announcement_id)
    return await announcements.show(turn)


async def _answer_report(
    turn: Turn, report_id: int, open_session: FormSessionRecord | None
) -> Reply:
    """Dinsos answers a problem report: the ``balas_laporan`` form, unless another is open."""
    prepared = await reports.prepare_reply(turn, report_id)
    if isinstance(prepared, Reply):
        return prepared
    if open_session is not None:
        return await closing.open_elsewhere(turn, open_session)
    return await form_handlers.start_with_context(
        turn, reports.REPLY_FORM, prepared.context, prepared.title
    )


async def _progress(
    turn: Turn, options: Options, request: progress.ProgressRequest | None = None
) -> Reply:
    return await progress.show(
        turn, request, charts_dir=options.charts_dir, exports_dir=options.exports_dir
    )


async def _quality(
    turn: Turn, options: Options, request: quality.QualityRequest | None = None
) -> Reply:
    return await quality.show(
        turn, request, exports_dir=options.exports_dir, untouched_days=options.untouched_days
    )


def _command_word(inbound: Inbound) -> str:
    if inbound.kind is InboundKind.COMMAND:
        return inbound.command
    if inbound.kind is InboundKind.CHOICE and inbound.payload == menu.MENU_BUTTON:
        return "menu"
    if inbound.kind is InboundKind.TEXT:
        return inbound.text.strip().lower()
    return ""
