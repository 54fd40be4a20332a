"""A log handler that remembers every record carrying an unmasked 16-digit number (NIK / No. KK).

``tests/conftest.py`` attaches one to the root logger for the whole session and fails the run if
anything leaked; ``tests/test_log_guard.py`` shows that it does catch a leak.
"""

from __future__ import annotations

import logging
import re

ID_RUN = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


class IdLeakHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is not ours to judge
            return
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        for found in ID_RUN.findall(text):
            # The report itself must not repeat the number.
            self.leaks.append(f"{record.name}:{record.lineno}: {found[:4]}…{found[-4:]}")
