"""Reading updates that aiogram's models refuse, for the webhook and for polling alike.

aiogram's models follow the newest Bot API. A self-hosted Bot API server that lags behind sends
objects without the newest required fields (a poll without ``allows_revoting``, an administrator
without ``can_send_welcome_messages``), and aiogram refuses the whole update; refused, Telegram
would deliver it again for a day (webhook), or polling would never get past it.

:func:`read_update` validates as usual and, when that fails, mends the update and validates again
(at most :data:`ROUNDS` times), for each error pydantic names:

- a required true/false field that is missing is taken as false: a right or a property the older
  server did not know of is one the chat does not have;
- anything else refused is dropped: the deepest *optional* part on the error's path (an
  optional field such as a poll or a replied-to message, or one item of a list such as a
  reaction of a kind this aiogram does not know), so that the rest of the update is handled;

and when that does not help it keeps only ``update_id``, which the channel acknowledges and
ignores. What was mended is logged (field paths only, never values: they can hold a NIK).

:func:`decode_update` reads a webhook body: anything but a JSON object with an integer
``update_id`` (deeply nested JSON included) raises :class:`NotAnUpdate`, never anything else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Literal, get_args, get_origin

from aiogram import Bot
from aiogram.types import Update
from pydantic import BaseModel, StrictInt, ValidationError
from pydantic.fields import FieldInfo

log = logging.getLogger(__name__)

ROUNDS = 4  # repairs before only update_id is kept
_SHOWN_PATH = 80  # characters of a field path in the log

Path = tuple[str | int, ...]
_Models = tuple[type[BaseModel], ...]


class NotAnUpdate(ValueError):
    """The body is not a JSON object with an integer ``update_id``."""


class _Update(Update):
    """An update whose ``update_id`` is an integer, not something pydantic would turn into one
    (``true``, ``"5"``, ``5.0``)."""

    update_id: StrictInt


def decode_update(body: bytes, bot: Bot | None = None) -> Update:
    """The update in a webhook body, read leniently (see the module docstring)."""
    context = {"bot": bot} if bot is not None else None
    try:
        # The fast path: pydantic parses the JSON itself (a third cheaper than json.loads).
        return _Update.model_validate_json(body, context=context)
    except ValidationError:
        pass  # not JSON pydantic takes (too deep, a lone surrogate), or not an update as it is
    try:
        data = json.loads(body)
    except RecursionError as error:
        raise NotAnUpdate("JSON nested too deeply") from error
    except ValueError as error:  # not JSON, not UTF-8
        raise NotAnUpdate(f"not JSON ({type(error).__name__})") from error
    update = read_update(data, bot)
    if update is None:
        raise NotAnUpdate("not an object with an integer update_id")
    return update


def read_updates(items: Sequence[Any], bot: Bot | None = None) -> list[Update]:
    """The updates of a ``getUpdates`` answer, each read on its own: one that cannot be read
    does not cost the others."""
    updates: list[Update] = []
    for item in items:
        update = read_update(item, bot)
        if update is None:
            log.warning("getUpdates gave an item that is not an update; skipped")
            continue
        updates.append(update)
    return updates


def read_update(data: Any, bot: Bot | None = None) -> Update | None:
    """``data`` as an :class:`Update`, mended where aiogram refuses it; None when ``data`` is
    not an object with an integer ``update_id``."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    context = {"bot": bot} if bot is not None else None
    mended: list[str] = []
    for _ in range(ROUNDS + 1):
        try:
            update = _Update.model_validate(data, context=context)
        except ValidationError as error:
            repaired = _repair(data, error.errors(include_url=False, include_input=False))
            if repaired is None:
                break
            data, notes = repaired
            mended.extend(notes)
            continue
        if mended:
            log.info("update %s read leniently: %s", update.update_id, "; ".join(mended))
        return update
    update_id = data["update_id"]
    log.info(
        "update %s: no part we use could be read (%s); acknowledged and ignored",
        update_id,
        "; ".join(mended) or "refused as it is",
    )
    return _Update.model_validate({"update_id": update_id}, context=context)


# ---- repairs -----------------------------------------------------------------------------


def _repair(data: dict[str, Any], errors: Sequence[Any]) -> tuple[dict[str, Any], list[str]] | None:
    """``data`` with what ``errors`` name mended, and notes on it; None when nothing can be."""
    fills: list[Path] = []
    drops: list[Path] = []
    for error in errors:
        plan = _plan(data, tuple(error["loc"]), str(error["type"]))
        if plan is None:
            return None
        action, path = plan
        (fills if action == "fill" else drops).append(path)
    drops = [p for p in dict.fromkeys(drops) if not any(_under(p, q) for q in drops if q != p)]
    fills = [p for p in dict.fromkeys(fills) if not any(_under(p, q) for q in drops)]
    notes: list[str] = []
    mended = data
    for path in fills:
        mended = _edit(mended, path[:-1], partial(_with_false, path[-1]))
        notes.append(f"{_shown(path)} taken as false")
    # Dropped per container, the deepest first: removing a list's items shifts the indices
    # of what follows, so nothing below a list is touched after its items went.
    by_parent: dict[Path, set[str | int]] = {}
    for path in drops:
        by_parent.setdefault(path[:-1], set()).add(path[-1])
        notes.append(f"{_shown(path)} dropped")
    for parent in sorted(by_parent, key=len, reverse=True):
        mended = _edit(mended, parent, partial(_without, frozenset(by_parent[parent])))
    return (mended, notes) if notes else None


def _plan(data: dict[str, Any], loc: Path, kind: str) -> tuple[str, Path] | None:
    """What to do about the error at ``loc``: fill a missing flag, or drop a field or an item."""
    models: _Models = (_Update,)
    node: Any = data
    path: list[str | int] = []
    droppable: Path | None = None
    for index, segment in enumerate(loc):
        last = index == len(loc) - 1
        field = _field(models, segment) if isinstance(segment, str) else None
        if isinstance(node, dict) and field is not None:
            if segment not in node:
                if last and kind == "missing" and field.annotation is bool:
                    return "fill", (*path, segment)
                break
            if not field.is_required():
                droppable = (*path, segment)
            models = _models(field.annotation)
            node = node[segment]
            path.append(segment)
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            droppable = (*path, segment)  # the list without this item is still a list
            node = node[segment]
            path.append(segment)
        elif isinstance(segment, str) and (narrowed := _narrow(models, segment)):
            models = narrowed  # a union's tag (e.g. "administrator"), not a key of the data
        else:
            break
    return ("drop", droppable) if droppable is not None else None


def _field(models: _Models, key: str) -> FieldInfo | None:
    for model in models:
        for name, info in model.model_fields.items():
            if (info.alias or name) == key:
                return info
    return None


def _models(annotation: Any) -> _Models:
    """The models an annotation holds (``X | None``, ``list[X]``, a union of models)."""
    found: list[type[BaseModel]] = []
    pending = [annotation]
    while pending:
        current = pending.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            found.append(current)
        else:
            pending.extend(arg for arg in get_args(current) if not isinstance(arg, str))
    return tuple(found)


def _narrow(models: _Models, tag: str) -> _Models:
    """The members of a union that ``tag`` names (a discriminator value or a class name)."""
    return tuple(model for model in models if model.__name__ == tag or _tagged(model, tag))


def _tagged(model: type[BaseModel], tag: str) -> bool:
    return any(
        get_origin(info.annotation) is Literal and tag in get_args(info.annotation)
        for info in model.model_fields.values()
    )


def _with_false(key: str | int, node: dict[str, Any]) -> dict[str, Any]:
    return {**node, str(key): False}


def _without(keys: frozenset[str | int], node: Any) -> Any:
    if isinstance(node, dict):
        return {k: v for k, v in node.items() if k not in keys}
    return [item for index, item in enumerate(node) if index not in keys]


def _under(path: Path, ancestor: Path) -> bool:
    return len(path) >= len(ancestor) and path[: len(ancestor)] == ancestor


def _edit(node: Any, path: Path, change: Callable[[Any], Any]) -> Any:
    """``node`` with ``change`` applied at ``path``; only the containers on the path are copied."""
    if not path:
        return change(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _edit(node[head], rest, change)}
    copy = list(node)
    copy[int(head)] = _edit(node[int(head)], rest, change)
    return copy


def _shown(path: Path) -> str:
    text = ".".join(str(part) for part in path)
    return text if len(text) <= _SHOWN_PATH else "…" + text[-_SHOWN_PATH:]
