"""Run the CLI as ``python -m bot``."""

from bot.cli import app

app(prog_name="kawal")
