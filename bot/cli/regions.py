"""``kawal``: Regions (Kemendagri codes)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import (
    DbOption,
    app,
    fail,
    run_async,
    say,
    say_n,
    settings_for,
    with_db,
)
from storage.db import Database

region_app = typer.Typer(help="Regions (Kemendagri codes).", no_args_is_help=True)
app.add_typer(region_app, name="region")

# ---- regions -----------------------------------------------------------------------------


@region_app.command("add")
def region_add(
    code: str,
    name: str,
    timezone: Annotated[str | None, typer.Option(help="IANA zone; default from province")] = None,
    db: DbOption = None,
) -> None:
    """Add or rename one region, e.g. kawal region add 18.04.19.2006 "Sri Menanti"."""
    from bot.regions import add_region  # the national list: loaded only when needed

    settings = settings_for(db)

    async def work(database: Database) -> None:
        async with database.unit_of_work() as uow:
            parent = code.rsplit(".", 1)[0] if "." in code else None
            if parent and await uow.regions.get(parent) is None:
                raise fail(say("region_parent_missing", parent=parent))
            await add_region(uow, code, name, timezone)

    run_async(lambda: with_db(settings, work))
    typer.echo(say("region_saved", code=code, name=name))


@region_app.command("load")
def region_load(
    prefix: Annotated[str, typer.Argument(help="Region code, e.g. 18.04 (kabupaten)")],
    db: DbOption = None,
) -> None:
    """Load a region with its parents and everything under it from the national list."""
    from bot.regions import load_regions, lookup  # the national list: loaded only when needed

    settings = settings_for(db)
    if lookup(prefix) is None:
        raise fail(say("region_unknown", code=prefix))

    async def work(database: Database) -> int:
        async with database.unit_of_work() as uow:
            return await load_regions(uow, prefix)

    count = run_async(lambda: with_db(settings, work))
    typer.echo(say_n("regions_loaded", count))


@region_app.command("list")
def region_list(prefix: str = "", db: DbOption = None) -> None:
    """List regions under a prefix."""
    settings = settings_for(db)

    async def work(database: Database) -> None:
        async with database.unit_of_work() as uow:
            regions = await uow.regions.within(prefix) if prefix else await uow.regions.within("")
        for region in regions:
            typer.echo(f"{region.code:<14} {region.kind:<10} {region.name}  ({region.timezone})")

    run_async(lambda: with_db(settings, work))
