"""Files a reply needs that are CPU work to make (charts, workbooks): made after the commit.

A use case gathers its numbers inside the update's unit of work and returns a reply that already
names the file (``Chart(path)``, ``Document(path)``); it registers how to make that file with
``turn.defer(...)``. ``Kawal`` runs the deferred work only after the transaction committed, in a
worker thread, so neither the database (SQLite's single writer) nor the event loop waits on
matplotlib or openpyxl. If making a file fails, its message is replaced by ``fallback``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from handlers.messages import Outbound, Reply

log = logging.getLogger(__name__)

__all__ = ["Deferred", "reuse", "run_deferred", "write_atomically"]


@dataclass(frozen=True, slots=True)
class Deferred:
    make: Callable[[], object]  # synchronous; runs in a worker thread
    message: Outbound  # the message of the reply that needs the file
    fallback: Outbound  # sent instead of ``message`` when ``make`` fails


async def run_deferred(work: Sequence[Deferred], reply: Reply) -> Reply:
    for item in work:
        try:
            await asyncio.to_thread(item.make)
        except Exception:
            log.exception("could not make the file for %r", item.message)
            reply.messages = [item.fallback if m is item.message else m for m in reply.messages]
    return reply


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary path)`` beside ``path``, then rename it into place: a reader never
    sees half a file, and two writers of the same content do not disturb each other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(temporary)
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
