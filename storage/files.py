"""Files Kawal writes are private to the account that runs it: folders 0700, files 0600.

The database (and SQLite's WAL and SHM, which take the database file's mode), logs, exports,
charts, received media and imported registers hold NIK, No. KK, names and living conditions:
nobody else on the machine may read them. The composition root sets :data:`PRIVATE_UMASK` at
start-up (:func:`restrict_umask`), so whatever a library creates is private too; the helpers
here set the modes explicitly as well, for code that runs without that umask (tests, a
library caller).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "PRIVATE_UMASK",
    "make_private",
    "private_dir",
    "private_file",
    "private_sqlite",
    "restrict_umask",
]

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> int:
    """Make every file and folder this process creates private; the previous umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """``path`` as a folder (with its missing parents), each folder made here 0700."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=DIR_MODE)
        with contextlib.suppress(OSError):
            os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask
    return path


def make_private(path: Path) -> None:
    """Take group and other permissions away from an existing file (0600 for ours)."""
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


def private_file(path: Path) -> Path:
    """``path`` exists and is 0600 (created empty when missing; its folder made private)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(fd)
    make_private(path)
    return path


def private_sqlite(path: Path) -> Path:
    """A SQLite database file made (or kept) 0600 before SQLite opens it: the WAL and SHM
    files SQLite creates beside it take its mode; older ones are tightened too."""
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        make_private(path.with_name(path.name + suffix))
    return path
