"""The generated village register the load benchmark works on: one household per operator.

Every household has the same shape (head only, address, RT and RW filled in), so every operator
walks the same path through the verification form and gets the same number of replies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

VILLAGE = "18.04.19.2006"  # Pekon Sri Menanti (demo data)
VILLAGE_NAME = "Sri Menanti"


@dataclass(frozen=True, slots=True)
class BenchHousehold:
    index: int
    head_name: str
    no_kk: str
    nik: str
    address: str = "Dusun Bench"
    rt: str = "001"
    rw: str = "002"
    sex: str = "L"
    birth_date: dt.date = dt.date(1980, 1, 1)


def household(index: int) -> BenchHousehold:
    """Household ``index``; its head's name is also the operator's search query."""
    return BenchHousehold(
        index=index,
        head_name=f"Keluarga Bench {index:05d}",
        no_kk=f"18041901{index:08d}",
        nik=f"18041971{index:08d}",
    )
