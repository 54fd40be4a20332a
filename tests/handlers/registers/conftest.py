"""The storage suite's seeded regions, for the register import and export tests."""

from tests.storage.conftest import seeded

__all__ = ["seeded"]
