"""The throttle log: attempts counted per bucket and subject over a window, on every path."""

from __future__ import annotations

import datetime as dt

from storage.db import Database, UnitOfWork
from storage.repos.throttle import EVERYONE
from tests.storage.contract.conftest import Unit


async def test_attempts_are_counted_per_bucket_subject_and_window(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    minute = dt.timedelta(minutes=1)

    async def add(uow: UnitOfWork) -> None:
        for offset in (0, 5, 10):
            await uow.throttle.add("invite", "telegram:1", now + offset * minute)
        await uow.throttle.add("invite", EVERYONE, now)
        await uow.throttle.add("dupcheck", "telegram:1", now)

    async def count(uow: UnitOfWork) -> None:
        assert await uow.throttle.count("invite", "telegram:1", now) == 3
        assert await uow.throttle.count("invite", "telegram:1", now + 5 * minute) == 2
        assert await uow.throttle.count("invite", "telegram:2", now) == 0
        assert await uow.throttle.count("invite", EVERYONE, now) == 1
        assert await uow.throttle.count("dupcheck", "telegram:1", now) == 1
        assert await uow.throttle.oldest("invite", "telegram:1", now + minute) == now + 5 * minute
        assert await uow.throttle.oldest("invite", "telegram:9", now) is None

    async def prune(uow: UnitOfWork) -> None:
        assert await uow.throttle.prune(now + 6 * minute) == 4

    async def after(uow: UnitOfWork) -> None:
        assert await uow.throttle.count("invite", "telegram:1", now) == 1

    for work in (add, count, prune, after):
        await unit(work)
