"""``kawal``: Database migrations."""

from __future__ import annotations

import typer

from bot.cli.common import (
    DbOption,
    app,
    run_async,
    say,
    settings_for,
)
from storage.migrate import upgrade

db_app = typer.Typer(help="Database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# ---- db ----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply all database migrations."""
    settings = settings_for(db)
    run_async(lambda: upgrade(settings.database_url))
    typer.echo(say("db_upgraded"))
