"""The outbox sender: claims due outbox rows and sends them through the channels.

    sender = OutboxSender(db, {"telegram": tg.sender, "whatsapp": wa.sender}, clock, journal)
    await sender.start()      # recovers what a crash left, then sends until stop()
    ...
    await sender.stop()

Guarantees (see ARCHITECTURE.md, principle 4):

* **At most once, across crashes.** Each part of a message is recorded in the
  :class:`reminders.journal.SendJournal` in the same synchronous step as its socket write (the
  channels call ``Delivery.before_write`` from their wire transport). On start, rows this
  worker held are continued after the last part the journal recorded; rows of a dead worker of
  the same host are adopted the same way; rows of a worker whose journal is out of reach (another
  host, lease long expired) become ``uncertain`` and are never sent again.
* **Rates.** Each channel's sender waits for its rate limiter (global and per chat) before every
  part; a 429 pauses the whole channel for ``retry_after`` and the row waits as long.
* **Failures.** Blocked users, unreachable identities and permanent refusals are recorded on the
  row; network errors and 5xx are retried with exponential backoff up to ``max_attempts``; a
  request that went out without an answer is recorded ``uncertain``.
* **Quiet hours.** Reminders, announcements, nudges and digests are enqueued for allowed hours;
  one still waiting when the quiet hours begin in its recipient's zone (a long broadcast, a
  retry, a pause after a 429) is put back until they end, without counting an attempt.

Time comes from the injected clock (``next_attempt_at`` and expiry, UTC); the sender never
sleeps on wall time except in :meth:`OutboxSender.run` between rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flows.regions import timezone_for
from handlers.kit.timing import QuietHours
from handlers.messages import from_data
from handlers.ports import (
    Blocked,
    ChannelSender,
    Clock,
    Delivery,
    DeliveryError,
    OutsideWindow,
    PermanentError,
    Recipient,
    RetryAfter,
    Template,
    TransientError,
    Unconfirmed,
)
from reminders.journal import SendJournal
from storage.db import Database, UnitOfWork
from storage.repos.outbox import ClaimedMessage, RecipientIdentity

log = logging.getLogger(__name__)

# Kinds of rows that never go out in the recipient's quiet hours (problem reports and their
# answers are a conversation Dinsos and the operator are having: they go at once).
QUIET_KINDS = frozenset({"deadline", "announcement", "nudge", "digest"})


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    batch: int = 100  # rows claimed per round
    concurrency: int = 8  # sends in flight at once (each still waits for its rate limiter)
    lease: dt.timedelta = dt.timedelta(minutes=10)  # a claim not renewed for this long is stale
    max_attempts: int = 10  # failed attempts (network, 5xx, 429) before a row is given up
    backoff: dt.timedelta = dt.timedelta(seconds=30)  # first retry delay, doubled each time
    max_backoff: dt.timedelta = dt.timedelta(hours=1)
    poll_interval: float = 2.0  # seconds between rounds when nothing woke the sender
    flush_every: int = 50  # successful sends recorded per transaction
    journal_limit: int = 100_000  # lines before the journal is cleared (when nothing is open)
    quiet: QuietHours = field(default_factory=lambda: QuietHours.parse("off"))


@dataclass(frozen=True, slots=True)
class _Outcome:
    message: ClaimedMessage
    status: str  # sent | failed | blocked | uncertain | retry | later (quiet hours)
    error: str = ""
    platform_id: str | None = None
    identity: RecipientIdentity | None = None
    progress: int = 0
    retry_at: dt.datetime | None = None


def choose_identity(
    message: ClaimedMessage, channels: Mapping[str, object]
) -> tuple[RecipientIdentity | None, str]:
    """The identity to send to, or None with the reason: the row's own identity when given,
    else the person's most recently active one on a configured channel that is not blocked."""
    candidates = [i for i in message.identities if i.channel in channels]
    if message.identity_id is not None:
        candidates = [i for i in candidates if i.identity_id == message.identity_id]
    if not candidates:
        return None, "no_identity"
    usable = [i for i in candidates if i.blocked_at is None]
    if not usable:
        return None, "blocked"
    return max(usable, key=lambda i: (i.last_inbound_at or i.created_at, i.identity_id)), ""


class OutboxSender:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, ChannelSender],
        clock: Clock,
        journal: SendJournal,
        policy: OutboxPolicy | None = None,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.clock = clock
        self.journal = journal
        self.policy = policy or OutboxPolicy()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._round = asyncio.Lock()
        self._buffer: list[_Outcome] = []
        self._open: set[int] = set()  # rows claimed and not yet recorded

    @property
    def worker_id(self) -> str:
        return self.journal.worker_id

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the journal (if needed), settle what a crash left, then send in the background."""
        if self.journal.slot is None:
            self.journal.open()
        await self.recover()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace: float = 10.0) -> None:
        """Let sends in flight finish for up to ``grace`` seconds, cancel the rest, record every
        outcome and give unsent rows back (the journal keeps any cancelled send safe)."""
        self._stopping = True
        self._wakeup.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                log.warning("outbox sender did not finish in %s s: cancelled", grace)
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._flush()
        await self.recover()
        self.journal.close()

    def notify(self) -> None:
        """Wake the sender (e.g. right after rows were enqueued)."""
        self._wakeup.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("outbox round failed; trying again")
                busy = 0
            if busy and not self._stopping:
                continue  # there may be more due right away
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.policy.poll_interval)

    # ---- recovery -----------------------------------------------------------------------------

    async def recover(self) -> int:
        """Give this worker's unfinished rows back to the queue after the parts its journal
        recorded; adopt dead local workers' rows; mark rows of unreachable workers uncertain.
        How many rows were settled."""
        entries = self.journal.entries()
        async with self.db.unit_of_work() as uow:
            settled = await uow.outbox.release(
                self.worker_id, {m: part + 1 for m, part in entries.items()}
            )
        self.journal.clear()
        settled += await self._settle_stale()
        if settled:
            log.info("outbox: %d unfinished messages settled after a restart", settled)
        return settled

    async def _settle_stale(self) -> int:
        now = self.clock.now()
        settled = 0
        async with self.db.unit_of_work() as uow:
            stale = await uow.outbox.stale_workers(now, dt.timedelta(0))
        for worker in stale:
            if worker == self.worker_id:
                continue
            entries = self.journal.adopt(worker)
            async with self.db.unit_of_work() as uow:
                if entries is not None:
                    settled += await uow.outbox.release(
                        worker, {m: part + 1 for m, part in entries.items()}
                    )
                    continue
                host = worker.rpartition("/")[0]
                if host == self.journal.host:
                    continue  # a live process of this host: its lease will be renewed
                # Another host: give it three leases to come back and recover its rows itself.
                old = await uow.outbox.stale_workers(now, 2 * self.policy.lease)
                if worker in old:
                    count = await uow.outbox.abandon(
                        worker, now, f"worker {worker} stopped and its journal is out of reach"
                    )
                    log.warning("outbox: %d messages of %s marked uncertain", count, worker)
                    settled += count
        return settled

    # ---- one round ----------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim the due rows and send them; the number of rows claimed."""
        async with self._round:
            now = self.clock.now()
            async with self.db.unit_of_work() as uow:
                for message_id, campaign, person_id in await uow.outbox.expire_due(now):
                    log.info(
                        "outbox %s (%s, person %s) expired before it could be sent: dropped",
                        message_id,
                        campaign,
                        person_id,
                    )
                batch = await uow.outbox.claim(
                    self.worker_id, now, self.policy.batch, self.policy.lease
                )
            if not batch:
                await self._settle_stale()
                self._maybe_clear_journal()
                return 0
            self._open.update(m.id for m in batch)
            limit = asyncio.Semaphore(self.policy.concurrency)
            renewing = asyncio.create_task(self._renew_leases())
            try:
                await asyncio.gather(*(self._deliver(m, limit) for m in batch))
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                await self._flush()
            self._maybe_clear_journal()
            return len(batch)

    async def _renew_leases(self) -> None:
        every = self.policy.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            if self._open:
                try:
                    async with self.db.unit_of_work() as uow:
                        await uow.outbox.renew(
                            self.worker_id,
                            sorted(self._open),
                            self.clock.now() + self.policy.lease,
                        )
                except Exception:
                    log.exception("outbox: renewing leases failed")

    def _maybe_clear_journal(self) -> None:
        if not self._open and not self._buffer and self.journal.lines > self.policy.journal_limit:
            self.journal.clear()

    async def _deliver(self, message: ClaimedMessage, limit: asyncio.Semaphore) -> None:
        async with limit:
            if self._stopping:
                return  # left "sending": stop() gives it back
            outcome = await self._attempt(message)
        self._buffer.append(outcome)
        if outcome.status != "sent" or len(self._buffer) >= self.policy.flush_every:
            await self._flush()

    def _quiet_until(self, message: ClaimedMessage) -> dt.datetime | None:
        """The end of the quiet hours when ``message`` must not go out now, else None."""
        if message.kind not in QUIET_KINDS or not message.region_code:
            return None
        if not self.policy.quiet.enabled:
            return None
        now = self.clock.now()
        try:
            zone = ZoneInfo(timezone_for(message.region_code))
        except ValueError:
            return None  # a region code of no known province: no zone to be quiet in
        allowed = self.policy.quiet.next_allowed(now.astimezone(zone))
        return allowed.astimezone(dt.UTC) if allowed > now else None

    async def _attempt(self, message: ClaimedMessage) -> _Outcome:
        later = self._quiet_until(message)
        if later is not None:
            return _Outcome(
                message, "later", "quiet hours", progress=message.progress, retry_at=later
            )
        identity, reason = choose_identity(message, self.senders)
        if identity is None:
            status = "blocked" if reason == "blocked" else "failed"
            return _Outcome(message, status, reason, progress=message.progress)
        sender = self.senders[identity.channel]
        delivery = Delivery(message.progress, on_write=partial(self.journal.mark, message.id))
        recipient = Recipient(identity.external_id, identity.last_inbound_at)
        try:
            messages = from_data(message.payload)
            template = _template(message.template)
            platform_id = await sender.send(
                recipient, messages, template=template, delivery=delivery
            )
        except Unconfirmed as error:
            return self._outcome(message, identity, delivery, "uncertain", error)
        except DeliveryError as error:
            # Refused by the platform: nothing of this part arrived. Say so in the journal at
            # once, before anything can suspend, so a crash now does not count it as sent.
            if delivery.in_doubt:
                self.journal.mark(message.id, delivery.accepted)
            return self._refused(message, identity, delivery, error)
        except Exception as error:
            log.exception("outbox %s: sending failed unexpectedly", message.id)
            if delivery.in_doubt:
                return self._outcome(message, identity, delivery, "uncertain", error)
            return self._retry(message, identity, delivery, error)
        return _Outcome(
            message,
            "sent",
            platform_id=platform_id or delivery.platform_id,
            identity=identity,
            progress=delivery.accepted + 1,
        )

    def _outcome(
        self,
        message: ClaimedMessage,
        identity: RecipientIdentity,
        delivery: Delivery,
        status: str,
        error: BaseException,
    ) -> _Outcome:
        return _Outcome(
            message,
            status,
            f"{type(error).__name__}: {error}",
            identity=identity,
            progress=delivery.accepted + 1,
        )

    def _refused(
        self,
        message: ClaimedMessage,
        identity: RecipientIdentity,
        delivery: Delivery,
        error: DeliveryError,
    ) -> _Outcome:
        if isinstance(error, Blocked):
            return self._outcome(message, identity, delivery, "blocked", error)
        if isinstance(error, OutsideWindow):
            return self._outcome(message, identity, delivery, "failed", error)
        if isinstance(error, PermanentError):
            return self._outcome(message, identity, delivery, "failed", error)
        if isinstance(error, RetryAfter):
            return self._retry(message, identity, delivery, error, wait=error.seconds)
        if isinstance(error, TransientError):
            return self._retry(message, identity, delivery, error)
        return self._outcome(message, identity, delivery, "failed", error)

    def _retry(
        self,
        message: ClaimedMessage,
        identity: RecipientIdentity,
        delivery: Delivery,
        error: BaseException,
        wait: float | None = None,
    ) -> _Outcome:
        attempts = message.attempts + 1
        text = f"{type(error).__name__}: {error}"
        if attempts >= self.policy.max_attempts:
            return _Outcome(
                message,
                "failed",
                f"gave up after {attempts} attempts: {text}",
                identity=identity,
                progress=delivery.accepted + 1,
            )
        if wait is None:
            delay = self.policy.backoff * (2 ** (attempts - 1))
            delay = min(delay, self.policy.max_backoff)
            # Spread retries of many rows that failed together (deterministic, no randomness).
            delay += delay * (message.id % 10) / 40
        else:
            delay = dt.timedelta(seconds=wait)
        return _Outcome(
            message,
            "retry",
            text,
            identity=identity,
            progress=delivery.accepted + 1,
            retry_at=self.clock.now() + delay,
        )

    async def _flush(self) -> None:
        """Record the buffered outcomes in one transaction (kept for the next flush if the
        database fails: the rows stay claimed and the journal still covers them)."""
        if not self._buffer:
            return
        outcomes, self._buffer = self._buffer, []
        now = self.clock.now()
        try:
            async with self.db.unit_of_work() as uow:
                for outcome in outcomes:
                    await _record(uow, outcome, now)
        except Exception:
            log.exception("outbox: recording %d outcomes failed; will retry", len(outcomes))
            self._buffer = outcomes + self._buffer
            return
        for outcome in outcomes:
            self._open.discard(outcome.message.id)
            _log_outcome(outcome)


async def _record(uow: UnitOfWork, outcome: _Outcome, now: dt.datetime) -> None:
    message, identity = outcome.message, outcome.identity
    channel = identity.channel if identity else None
    identity_id = identity.identity_id if identity else None
    if outcome.status == "sent":
        assert identity is not None  # noqa: S101 - a send needs an identity
        await uow.outbox.mark_sent(
            message.id,
            now,
            outcome.platform_id,
            channel=identity.channel,
            identity_id=identity.identity_id,
            progress=outcome.progress,
        )
    elif outcome.status in ("retry", "later"):
        assert outcome.retry_at is not None  # noqa: S101
        await uow.outbox.reschedule(
            message.id,
            outcome.retry_at,
            outcome.error,
            progress=outcome.progress,
            count_attempt=outcome.status == "retry",
        )
    else:
        await uow.outbox.finish(
            message.id,
            outcome.status,
            now,
            outcome.error,
            channel=channel,
            identity_id=identity_id,
            progress=outcome.progress,
        )
        if outcome.status == "blocked" and identity is not None:
            await uow.people.mark_blocked(identity.channel, identity.external_id, now)


def _template(data: dict[str, Any] | None) -> Template | None:
    """The stored ``{"kind", "params"}`` as a :class:`Template` (params a tuple, as typed)."""
    if not data:
        return None
    return Template(str(data["kind"]), tuple(str(p) for p in data.get("params") or ()))


def _log_outcome(outcome: _Outcome) -> None:
    message = outcome.message
    if outcome.status == "sent":
        log.debug("outbox %s (%s) sent", message.id, message.campaign)
    elif outcome.status == "later":
        log.debug(
            "outbox %s (%s) waits for %s (quiet hours)",
            message.id,
            message.campaign,
            outcome.retry_at,
        )
    elif outcome.status == "retry":
        log.info(
            "outbox %s (%s) will be retried at %s: %s",
            message.id,
            message.campaign,
            outcome.retry_at,
            outcome.error,
        )
    else:
        log.warning(
            "outbox %s (%s) %s: %s", message.id, message.campaign, outcome.status, outcome.error
        )
