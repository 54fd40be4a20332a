"""The benchmarks' throw-away databases."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def is_postgres(url: str | None) -> bool:
    return bool(url) and make_url(url or "").get_backend_name() == "postgresql"


async def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL database of ``url`` (schema ``public`` dropped): only a database
    whose name says it is for benchmarks or tests."""
    name = make_url(url).database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(
            f"refusing to empty PostgreSQL database {name!r}: its name must contain 'bench' or "
            "'test' (the benchmark drops schema public)"
        )
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
