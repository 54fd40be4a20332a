"""The outbox sender's crash journal: which parts of which messages were handed to the socket.

Before the bytes of part ``p`` of outbox row ``m`` go out, the sender appends ``"m p\\n"`` here
with one unbuffered ``os.write``: once that call returns the line is in the kernel and survives
the process being killed (SIGKILL included; only a power cut of the machine loses it). When the
platform refuses a part (a 429, a 403...), the sender at once appends ``"m a\\n"`` with ``a``
the last part it accepted (-1 for none). The last line of a row therefore says up to which part
it may have reached the platform. After a crash, the rows this worker held are settled from the
journal: a row continues after its last recorded part; a row without a line never left.

Each process takes a free *slot* (``slot-N.journal``, held with an exclusive ``flock``), so
several processes on one machine can share the directory; a slot whose process died can be
adopted (read and cleared) by another process. The worker id ``host/N`` names the slot in the
outbox's ``claimed_by`` column.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from storage.files import private_dir

try:  # POSIX; on Windows one process per data directory (slot 0) and no adoption.
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]  # the module is optional

MAX_SLOTS = 64


def _lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - not on Linux
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read(fd: int) -> dict[int, int]:
    """The last part recorded per message id in the journal behind ``fd`` (-1: none)."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0) if size else b""
    parts: dict[int, int] = {}
    for line in data.splitlines():
        fields = line.split()
        try:
            message_id, part = (int(field) for field in fields)
        except ValueError:
            continue  # a line cut short by the crash itself
        parts[message_id] = part  # the last line wins
    return parts


class SendJournal:
    def __init__(self, directory: Path, host: str | None = None) -> None:
        self.directory = directory
        self.host = host or socket.gethostname()
        self.slot: int | None = None
        self._fd: int | None = None
        self._lines = 0

    @property
    def worker_id(self) -> str:
        if self.slot is None:
            raise RuntimeError("the journal is not open")
        return f"{self.host}/{self.slot}"

    def open(self) -> str:
        """Take the first free slot; the worker id."""
        private_dir(self.directory)
        for slot in range(MAX_SLOTS):
            fd = os.open(self._path(slot), os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            if _lock(fd):
                self._fd, self.slot = fd, slot
                return self.worker_id
            os.close(fd)
        raise RuntimeError(f"all {MAX_SLOTS} journal slots in {self.directory} are taken")

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # releases the lock

    def _path(self, slot: int) -> Path:
        return self.directory / f"slot-{slot}.journal"

    def _require(self) -> int:
        if self._fd is None:
            raise RuntimeError("the journal is not open")
        return self._fd

    def mark(self, message_id: int, part: int) -> None:
        """Record that parts up to ``part`` of ``message_id`` may have reached the platform
        (synchronous; call it right before part ``part`` goes out, or with the last accepted
        part after a refusal)."""
        os.write(self._require(), b"%d %d\n" % (message_id, part))
        self._lines += 1

    def entries(self) -> dict[int, int]:
        return _read(self._require())

    def clear(self) -> None:
        """Forget everything (only when every journalled row is settled in the database)."""
        os.ftruncate(self._require(), 0)
        self._lines = 0

    @property
    def lines(self) -> int:
        """Lines written since the last clear by this process."""
        return self._lines

    def adopt(self, worker_id: str) -> dict[int, int] | None:
        """The entries of another worker of this host whose process is gone (its slot could be
        locked), cleared afterwards; None when it is alive or not a slot of this host."""
        host, _, slot = worker_id.rpartition("/")
        if host != self.host or not slot.isdigit() or int(slot) == self.slot:
            return None
        path = self._path(int(slot))
        if not path.exists():
            return {}
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
        try:
            if not _lock(fd):
                return None
            entries = _read(fd)
            os.ftruncate(fd, 0)
            return entries
        finally:
            os.close(fd)

    def __enter__(self) -> SendJournal:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
