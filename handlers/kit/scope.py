"""What the Dinsos composers pass to their forms: the regions a person may choose (their own
regions and everything inside), the zone those regions' local times are read in, and the time.
The form's question types read them from the session context (``flows.host_types``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flows.regions import timezone_for
from handlers.kit.context import Turn

__all__ = ["composer_context"]


def _widest(codes: list[str]) -> list[str]:
    unique = sorted(set(codes), key=lambda c: (c.count("."), c))
    return [code for code in unique if not any(code.startswith(c + ".") for c in unique)]


async def composer_context(turn: Turn, roles: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """The context of a composer opened by a person holding one of ``roles``: ``regions``
    (``[code, name, kind]``, widest first), ``region_roots``, ``zone``, ``now``, ``today``,
    an empty ``record``, then ``extra``."""
    roots = _widest([r.region_code for r in turn.roles(*roles)])
    regions: list[list[str]] = []
    for root in roots:
        regions += [[r.code, r.name, r.kind] for r in await turn.uow.regions.within(root)]
    zone = timezone_for(roots[0]) if roots else "Asia/Jakarta"
    return {
        "record": {},
        "regions": regions,
        "region_roots": roots,
        "zone": zone,
        "now": turn.now.isoformat(),
        "today": turn.now.astimezone(ZoneInfo(zone)).date().isoformat(),
        **extra,
    }
