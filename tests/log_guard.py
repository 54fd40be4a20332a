"""A log handler that remembers every record carrying an unmasked NIK / No. KK.

``tests/conftest.py`` attaches one to the root logger for the whole session and fails the run if
anything leaked; ``tests/test_log_guard.py`` shows that it does catch each kind of leak:

- 16 digits in a row, or grouped as KTP and KK print them (``1804 0727 0490 0258``, dots,
  dashes);
- a number masked only in part: digits right before the mask (``1804********0258``,
  ``180407270490****``): a masked NIK keeps its last 4 digits and nothing else;
- for the numbers the guard was told about (:meth:`IdLeakHandler.know`), any 8 of their digits
  in a row, however grouped: more than the 4-digit suffix a mask may show.

Deliberately written apart from ``flows.ids``: the guard checks the masking, it does not reuse it.
"""

from __future__ import annotations

import logging
import re

ID_RUN = re.compile(
    r"(?<![0-9])[0-9]{16}(?![0-9])"  # 16 digits in a row
    r"|(?<![0-9])(?<![0-9][.\-])(?:[0-9][ .\-]?){15}[0-9](?![.\-]?[0-9])"  # grouped
)
PARTIAL_MASK = re.compile(r"[0-9][ .\-]?[*•]{3,}|[*•]{3,}[ .\-]?[0-9]{5,}")
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ .\-](?=[0-9])")
WINDOW = 8  # digits of a known number that may never appear together


class IdLeakHandler(logging.Handler):
    def __init__(self, known: tuple[str, ...] = ()) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []
        self._windows: set[str] = set()
        self.know(*known)

    def know(self, *numbers: str) -> None:
        """Full numbers of the test data: any 8 of their digits in a row count as a leak."""
        for number in numbers:
            digits = re.sub(r"[^0-9]", "", number)
            self._windows.update(digits[i : i + WINDOW] for i in range(len(digits) - WINDOW + 1))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is not ours to judge
            return
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        where = f"{record.name}:{record.lineno}"
        # The report itself must not repeat the number.
        for found in ID_RUN.findall(text):
            digits = re.sub(r"[^0-9]", "", found)
            self.leaks.append(f"{where}: {digits[:2]}…{digits[-2:]}")
        for found in PARTIAL_MASK.findall(text):
            self.leaks.append(f"{where}: partly masked ({len(found)} characters)")
        if self._windows:
            collapsed = _BETWEEN_DIGITS.sub("", text)
            runs = re.findall(rf"[0-9]{{{WINDOW},}}", collapsed)
            for run in runs:
                if any(run[i : i + WINDOW] in self._windows for i in range(len(run) - WINDOW + 1)):
                    self.leaks.append(f"{where}: {WINDOW}+ digits of a known number")
