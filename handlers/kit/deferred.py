"""Files a reply needs that are long work to make (charts, workbooks, exports): made after the
commit, off the event loop.

A use case returns a reply that already holds a message for the file and registers how to make
it with ``turn.defer(Deferred(...))``. ``Kawal`` runs the deferred work only after the update's
transaction committed, so neither the database (SQLite's single writer) nor the event loop waits
on matplotlib, openpyxl or a long read. Three kinds:

- ``make``: the use case gathered what the file shows inside its unit of work (a chart's
  numbers); ``make()`` writes the file in a worker thread and ``message`` is sent as it is.
- ``read``: the file shows more than a unit of work should read (an export of a whole region);
  ``read(uow)`` runs in :meth:`storage.db.Database.read`, a read-only transaction on a worker
  thread of its own, writes the file there and returns the messages that take the place of
  ``message`` (a caption with the counts it found, the document).
- ``job``: long work of its own transactions (a register import: the file read in a worker
  thread, then written in short batches); ``job(db)`` returns the messages that take the place
  of ``message``.

If making a file (or the job) fails, ``message`` is replaced by ``fallback``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from handlers.messages import Outbound, Reply
from storage.db import Database, UnitOfWork
from storage.files import make_private, private_dir

log = logging.getLogger(__name__)

__all__ = ["Deferred", "reuse", "run_deferred", "write_atomically"]

Read = Callable[[UnitOfWork], Awaitable[Sequence[Outbound]]]
Job = Callable[[Database], Awaitable[Sequence[Outbound]]]


@dataclass(frozen=True, slots=True)
class Deferred:
    message: Outbound  # the message of the reply that needs the file
    fallback: Outbound  # sent instead of ``message`` when making the file fails
    make: Callable[[], object] | None = None  # synchronous; runs in a worker thread
    read: Read | None = None  # runs in Database.read; returns what replaces ``message``
    job: Job | None = None  # opens its own units of work; returns what replaces ``message``

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.make, self.read, self.job)) != 1:
            raise ValueError("deferred work needs exactly one of make, read or job")


async def run_deferred(work: Sequence[Deferred], reply: Reply, db: Database) -> Reply:
    for item in work:
        made: Sequence[Outbound] = [item.message]
        make, read, job = item.make, item.read, item.job
        try:
            if job is not None:
                made = await job(db)
            elif read is not None:
                made = await db.read(read)
            elif make is not None:
                await asyncio.to_thread(make)
        except Exception:
            log.exception("could not make the file for %r", item.message)
            made = [item.fallback]
        reply.messages = [
            new for m in reply.messages for new in (made if m is item.message else [m])
        ]
    return reply


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary path)`` beside ``path``, then rename it into place: a reader never
    sees half a file, and two writers of the same content do not disturb each other."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(temporary)
        make_private(temporary)  # 0600 whatever the umask: it holds personal data
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def reuse(path: Path, now: datetime) -> bool:
    """True when ``path`` was made before (same content, same name): its modification time
    becomes ``now``, so the housekeeping job, which deletes files by age, keeps it longer."""
    try:
        os.utime(path, (now.timestamp(), now.timestamp()))
    except FileNotFoundError:
        return False
    return True
