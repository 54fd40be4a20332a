"""Fixtures of the fault tests: the handler world of tests/handlers (both backends)."""

from __future__ import annotations

from tests.handlers.conftest import world

__all__ = ["world"]
