"""Question types of the Dinsos composers (the deadline and announcement forms): region
choice, local date and time, reminder offsets, time of day, monthly repetition and a message
with an optional photo or document. Registered in :data:`flows.qtypes.QUESTION_TYPES` when
:mod:`flows` loads.

They stay pure: what they need besides the answer comes through the parse context, put
there by the host when the form starts (and ``now`` refreshed on every step):

- ``context["regions"]``: the regions the person may choose, ``[code, name, kind]`` each,
  widest first; ``context["region_roots"]``: the codes of the person's own regions;
- ``context["zone"]``: the IANA zone local times are read in (a kabupaten lies in one
  province, so in one zone); ``context["now"]``: the instant, ISO with offset;
- ``context["quiet_hours"]``: ``21:00-07:00``, the hours no reminder may be set in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import missing_date, parse_date_time, parse_time_of_day
from flows.i18n import t
from flows.model import Choice, Label, Question
from flows.qtypes import (
    QUESTION_TYPES,
    ParseCtx,
    Parsed,
    QuestionType,
    fail,
    missing_day_text,
    param,
    register,
    say,
)
from flows.regions import is_region_code, level_of, region_label, zone_abbreviation
from flows.session import Input
from flows.times import (
    QuietHours,
    date_text,
    dotted,
    format_time,
    local_instant,
    offsets_text,
    parse_offsets,
    when_text,
)

__all__ = [
    "HOST_TYPES",
    "NOW",
    "Region",
    "local_value",
    "monthly_day",
    "region_example",
    "regions_of",
    "repeat_text",
    "zone_of",
]

NOW = "now"  # the answer "send now" to a local date and time that allows it
NOW_WORDS = frozenset({"sekarang", "kirim sekarang", "now", "send now"})
DEFAULT_ZONE = "Asia/Jakarta"
_TEXT = frozenset({"text"})
_CHOICE = frozenset({"text", "choice"})
_EXCERPT = 80

Region = tuple[str, str, str]  # code, name, kind


# ---- the context --------------------------------------------------------------------------------


def regions_of(context: Mapping[str, Any]) -> list[Region]:
    """The regions the person may choose, from ``context["regions"]``."""
    found: list[Region] = []
    for item in context.get("regions") or ():
        if isinstance(item, Sequence) and len(item) == 3 and all(isinstance(x, str) for x in item):
            found.append((item[0], item[1], item[2]))
    return found


def _roots(context: Mapping[str, Any]) -> list[str]:
    return [c for c in context.get("region_roots") or () if isinstance(c, str)]


def zone_of(context: Mapping[str, Any]) -> str:
    zone = context.get("zone")
    return zone if isinstance(zone, str) and zone else DEFAULT_ZONE


def _label(region: Region) -> str:
    return region_label(region[0], region[1], region[2])


# ---- region choice ------------------------------------------------------------------------------


def _multiple(q: Question) -> bool:
    return param(q, "multiple") == "yes"


def _region_buttons(q: Question, ctx: ParseCtx) -> list[Region]:
    """Each own region, then its kecamatan when all fit (``max_buttons``)."""
    regions = regions_of(ctx.context)
    roots = _roots(ctx.context)
    own = [r for r in regions if r[0] in roots]
    children = [r for r in regions if level_of(r[0]) == 3 and any(_inside(r[0], c) for c in roots)]
    limit = int(param(q, "max_buttons", "0") or 0)
    return own + children if not limit or len(own) + len(children) <= limit else own


def _inside(code: str, root: str) -> bool:
    return code == root or code.startswith(root + ".")


def _region_choices(q: Question, ctx: ParseCtx) -> list[Choice]:
    shown = []
    for region in _region_buttons(q, ctx):
        label = _label(region)
        if level_of(region[0]) <= 2:
            label = say(q, ctx, "all", region=label)
        shown.append(Choice(value=region[0], label=Label(id=label)))
    return shown


def _region_example(q: Question, ctx: ParseCtx) -> str:
    return region_example(ctx.context, multiple=_multiple(q))


def region_example(context: Mapping[str, Any], *, multiple: bool) -> str:
    """What to type for a region: two kecamatan names for a list, one kecamatan code for a
    single region (the same in the question and in its errors)."""
    regions = regions_of(context)
    kecamatan = [r for r in regions if level_of(r[0]) == 3]
    if multiple and kecamatan:
        return ", ".join(r[1] for r in kecamatan[:2])
    if kecamatan:
        return kecamatan[0][0]
    return regions[0][0] if regions else "18.04.19"


def _region_placeholders(q: Question, ctx: ParseCtx) -> dict[str, str]:
    return {"example": _region_example(q, ctx)}


def _find_region(q: Question, ctx: ParseCtx, token: str) -> str | Parsed:
    """One region typed or pressed: its code, or the error to say."""
    regions = regions_of(ctx.context)
    example = _region_example(q, ctx)
    lowered = " ".join(token.lower().split())
    if token.isdecimal() and len(token) <= 3:
        buttons = _region_buttons(q, ctx)
        index = int(token) - 1
        if 0 <= index < len(buttons):
            return buttons[index][0]
        return fail(q, ctx, "unknown", text=token[:40], example=example)
    if is_region_code(token):
        if any(r[0] == token for r in regions):
            return token
        if not any(_inside(token, root) for root in _roots(ctx.context)):
            return fail(q, ctx, "outside", text=token, example=example)
        return fail(q, ctx, "unknown", text=token, example=example)
    if len(lowered) >= 3:
        found = [r for r in regions if lowered in {r[1].lower(), _label(r).lower()}]
        if len(found) == 1:
            return found[0][0]
    return fail(q, ctx, "unknown", text=token[:40], example=example)


def _widest(codes: list[str]) -> list[str]:
    """``codes`` in their order, once each, without those inside another one."""
    unique = list(dict.fromkeys(codes))
    return [code for code in unique if not any(code.startswith(c + ".") for c in unique)]


def _region(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    raw = (inp.choice if inp.choice is not None else inp.text).strip()
    if not _multiple(q):
        found = _find_region(q, ctx, raw)
        return found if isinstance(found, Parsed) else Parsed(found)
    if raw.lower().rstrip(".!") in ALL_REGION_WORDS:
        return Parsed(_widest(_roots(ctx.context)))
    chosen: list[str] = []
    for token in (part.strip() for part in raw.replace(";", ",").split(",")):
        if token:
            found = _find_region(q, ctx, token)
            if isinstance(found, Parsed):
                return found
            chosen.append(found)
    if not chosen:
        example = _region_example(q, ctx)
        return fail(q, ctx, "unknown", text=raw[:40], example=example)
    return Parsed(_widest(chosen))


ALL_REGION_WORDS = frozenset(
    {"semua", "seluruh", "seluruh kabupaten", "kabupaten", "all", "everywhere"}
)


def _show_regions(q: Question, v: Any, ctx: ParseCtx) -> str:
    labels = {r[0]: _label(r) for r in regions_of(ctx.context)}
    codes = v if isinstance(v, list) else [v]
    return ", ".join(labels.get(str(c), str(c)) for c in codes) or "-"


def _norm_region(q: Question, v: Any) -> Any:
    if _multiple(q):
        if isinstance(v, str):
            v = [v]
        ok = isinstance(v, list) and v and all(isinstance(c, str) and is_region_code(c) for c in v)
        return list(v) if ok else None
    return v if isinstance(v, str) and is_region_code(v) else None


def _region_default(q: Question, ctx: ParseCtx) -> Any:
    if param(q, "default") != "own":
        return None
    roots = _widest(_roots(ctx.context))
    if not roots:
        return None
    return roots if _multiple(q) else roots[0]


# ---- local date and time ------------------------------------------------------------------------


def _example_time(q: Question) -> str:
    return param(q, "time", "08.00")


def _datetime_example(q: Question, ctx: ParseCtx) -> str:
    """The ``example`` parameter, else tomorrow (local) at the example time."""
    fixed = param(q, "example")
    if fixed:
        return fixed
    today = ctx.now.astimezone(ZoneInfo(zone_of(ctx.context))).date() if ctx.now else ctx.today
    if today is None:  # no time passed in: a date that reads as an example
        return f"27-01-2027 {_example_time(q)}"
    return f"{today + dt.timedelta(days=1):%d-%m-%Y} {_example_time(q)}"


def _datetime_placeholders(q: Question, ctx: ParseCtx) -> dict[str, str]:
    return {"zone": zone_abbreviation(zone_of(ctx.context)), "example": _datetime_example(q, ctx)}


def _datetime_choices(q: Question, ctx: ParseCtx) -> list[Choice]:
    if param(q, "now") != "yes":
        return []
    return [Choice(value=NOW, label=Label(id=say(q, ctx, "now_button")))]


def _local_datetime(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    raw = (inp.choice if inp.choice is not None else inp.text).strip()
    example = _datetime_example(q, ctx)
    allows_now = param(q, "now") == "yes"
    if allows_now and (raw == NOW or raw.lower().rstrip(".!") in NOW_WORDS):
        return Parsed(NOW)
    parsed = parse_date_time(raw)
    if parsed is None:
        parts = missing_date(raw)
        if parts is not None:
            return Parsed(error=missing_day_text(q, ctx, parts, _example_time(q)), reason="missing")
        return fail(q, ctx, "invalid_now" if allows_now else "invalid", example=example)
    date, time = parsed
    if time is None:
        return fail(q, ctx, "no_time", date=f"{date:%d-%m-%Y}", time=_example_time(q))
    zone = zone_of(ctx.context)
    at = local_instant(date, time, zone)
    if ctx.now is not None and at <= ctx.now:
        now = when_text(ctx.now, zone, ctx.lang)
        return fail(q, ctx, "past", now=now, example=example)
    days = int(param(q, "max_days", "0") or 0)
    if days and ctx.now is not None and at > ctx.now + dt.timedelta(days=days):
        return fail(q, ctx, "far", days=days, example=example)
    return Parsed(f"{date.isoformat()}T{format_time(time)}")


def local_value(value: Any) -> dt.datetime | None:
    """The local date and time of an answer (``2027-01-27T16:00``); None for "now"."""
    if not isinstance(value, str) or value == NOW:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _show_datetime(q: Question, v: Any, ctx: ParseCtx) -> str:
    if v == NOW:
        return say(q, ctx, "now_value")
    local = local_value(v)
    if local is None:
        return str(v)
    zone = zone_of(ctx.context)
    return when_text(local_instant(local.date(), local.time(), zone), zone, ctx.lang)


def _norm_datetime(q: Question, v: Any) -> Any:
    if v == NOW and param(q, "now") == "yes":
        return NOW
    local = local_value(v)
    return f"{local.date().isoformat()}T{format_time(local.time())}" if local else None


# ---- reminder offsets and the time of day -------------------------------------------------------


def _offsets(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    days = parse_offsets(inp.text)
    return Parsed(list(days)) if days is not None else fail(q, ctx, "invalid")


def _show_offsets(q: Question, v: Any, ctx: ParseCtx) -> str:
    return offsets_text(v, ctx.lang) if isinstance(v, list) else str(v)


def _norm_offsets(q: Question, v: Any) -> Any:
    if isinstance(v, str):
        days = parse_offsets(v)
        return list(days) if days is not None else None
    if isinstance(v, list | tuple) and v and all(isinstance(d, int) for d in v):
        days = parse_offsets(",".join(str(d) for d in v))
        return list(days) if days is not None else None
    return None


def _time_of_day(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    time = parse_time_of_day(inp.text)
    if time is None:
        return fail(q, ctx, "invalid")
    if param(q, "quiet") == "yes":
        try:
            quiet = QuietHours.parse(str(ctx.context.get("quiet_hours", "")))
        except ValueError:
            quiet = QuietHours()
        if quiet.contains(time):
            return fail(q, ctx, "quiet", time=dotted(time), quiet=quiet.text())
    return Parsed(format_time(time))


def _show_time(q: Question, v: Any, ctx: ParseCtx) -> str:
    time = parse_time_of_day(str(v))
    return dotted(time) if time is not None else str(v)


def _norm_time(q: Question, v: Any) -> Any:
    time = parse_time_of_day(str(v)) if isinstance(v, str) else None
    return format_time(time) if time is not None else None


# ---- monthly repetition -------------------------------------------------------------------------


def monthly_day(due: Any, record: Mapping[str, Any], date_key: str, day_key: str) -> int | None:
    """The day of the month a monthly repetition falls on: the record's own day while the
    date answer keeps the record's date (editing "every 31st" shown on 28 February), else
    the day of the date answered. None without a date."""
    local = local_value(due)
    if local is None:
        return None
    shown = record.get(date_key)
    kept = record.get(day_key)
    if isinstance(shown, str) and shown[:10] == due[:10] and isinstance(kept, int):
        return kept
    return local.day


def _day(q: Question, ctx: ParseCtx) -> int | None:
    record = ctx.context.get("record")
    date_key = param(q, "date")
    return monthly_day(
        ctx.answers.get(date_key),
        record if isinstance(record, Mapping) else {},
        date_key,
        param(q, "keep_day", "day"),
    )


def _monthly_placeholders(q: Question, ctx: ParseCtx) -> dict[str, str]:
    day = _day(q, ctx)
    return {"day": str(day) if day is not None else "-"}


def _monthly(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    return QUESTION_TYPES["select_one"].parse(q, inp, ctx)


def repeat_text(day: int | None, until: dt.date | None, lang: str) -> str:
    """``tidak (sekali saja)``, ``setiap bulan tanggal 31`` or ``... sampai <date>``."""
    if day is None:
        return t("repeat_once", lang)
    if until is None:
        return t("repeat_monthly", lang, day=day)
    return t("repeat_monthly_until", lang, day=day, until=date_text(until, lang))


def _show_monthly(q: Question, v: Any, ctx: ParseCtx) -> str:
    return repeat_text(_day(q, ctx) if v == "monthly" else None, None, ctx.lang)


def _norm_monthly(q: Question, v: Any) -> Any:
    return str(v) if v is not None and str(v) in {c.value for c in q.choices or []} else None


# ---- a message with an optional photo or document -----------------------------------------------


def _caption_max(q: Question) -> int:
    return int(param(q, "caption_max", "900") or 900)


def _text_max(q: Question) -> int:
    return int(q.max) if q.max is not None else 3000


def _message(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    current = ctx.current if isinstance(ctx.current, dict) else {}
    ref = inp.photo if inp.photo is not None else inp.document
    if ref is not None:
        if not ref.strip() or len(ref) > 1000:
            return fail(q, ctx, "empty")
        kind = "photo" if inp.photo is not None else "document"
        attached = {"text": "", "media_path": ref, "media_kind": kind}
        text = inp.text.strip() or str(current.get("text") or "")
        if not text:
            return Parsed(attached, partial=True)
        if len(text) > _caption_max(q):
            long = say(q, ctx, "long", count=len(text), limit=_caption_max(q))
            return Parsed(attached, error=long, partial=True, reason="long")
        return Parsed({**attached, "text": text})
    text = inp.text.strip()
    limit = _caption_max(q) if current.get("media_path") else _text_max(q)
    if not text:
        return fail(q, ctx, "empty")
    if len(text) > limit:
        return fail(q, ctx, "long", count=len(text), limit=limit)
    media = {k: current[k] for k in ("media_path", "media_kind") if current.get(k)}
    return Parsed({"text": text, **media})


def _message_complete(q: Question, v: Any) -> bool:
    return isinstance(v, dict) and bool(str(v.get("text") or "").strip())


def _message_prompt(q: Question, ctx: ParseCtx) -> str | None:
    current = ctx.current if isinstance(ctx.current, dict) else {}
    if current.get("media_path") and not current.get("text"):
        return say(q, ctx, "attached", limit=_caption_max(q))
    return None


def _show_message(q: Question, v: Any, ctx: ParseCtx) -> str:
    if not isinstance(v, dict):
        return str(v)
    excerpt = " ".join(str(v.get("text") or "").split())
    excerpt = excerpt if len(excerpt) <= _EXCERPT else excerpt[: _EXCERPT - 1].rstrip() + "…"
    shown = t("message_value", ctx.lang, text=excerpt)
    path = v.get("media_path")
    if path:
        kind = "photo" if v.get("media_kind") == "photo" else "document"
        shown += t("attachment_" + kind, ctx.lang, name=PurePath(str(path)).name)
    return shown


def _norm_message(q: Question, v: Any) -> Any:
    if isinstance(v, str) and v.strip():
        return {"text": v.strip()}
    return v if _message_complete(q, v) else None


# ---- the registry -------------------------------------------------------------------------------

_DATETIME_MESSAGES = {
    "invalid": "err_datetime",
    "invalid_now": "err_datetime_now",
    "no_time": "err_datetime_no_time",
    "missing": "err_date_missing",
    "past": "err_datetime_past",
    "far": "err_datetime_far",
    "now_button": "now_button",
    "now_value": "now_value",
}

# The Dinsos composers' question types, registered when flows is imported.
HOST_TYPES: tuple[QuestionType, ...] = (
    QuestionType(
        "region",
        "choice",
        _CHOICE,
        "expect_region",
        _region,
        _show_regions,
        _norm_region,
        parameters=frozenset({"multiple", "max_buttons", "default"}),
        messages={
            "unknown": "err_region_unknown",
            "outside": "err_region_outside",
            "all": "region_all",
        },
        placeholder_names=frozenset({"example"}),
        choices=_region_choices,
        placeholders=_region_placeholders,
        default_of=_region_default,
    ),
    QuestionType(
        "local_datetime",
        "text",
        _CHOICE,
        "expect_datetime",
        _local_datetime,
        _show_datetime,
        _norm_datetime,
        parameters=frozenset({"time", "example", "now", "max_days"}),
        messages=_DATETIME_MESSAGES,
        placeholder_names=frozenset({"zone", "example"}),
        choices=_datetime_choices,
        placeholders=_datetime_placeholders,
    ),
    QuestionType(
        "reminder_offsets",
        "text",
        _TEXT,
        "expect_offsets",
        _offsets,
        _show_offsets,
        _norm_offsets,
        messages={"invalid": "err_offsets"},
    ),
    QuestionType(
        "time_of_day",
        "text",
        _TEXT,
        "expect_time",
        _time_of_day,
        _show_time,
        _norm_time,
        parameters=frozenset({"quiet"}),
        messages={"invalid": "err_time", "quiet": "err_time_quiet"},
    ),
    QuestionType(
        "monthly",
        "choice",
        _CHOICE,
        "expect_choice",
        _monthly,
        _show_monthly,
        _norm_monthly,
        needs_choices=True,
        parameters=frozenset({"date", "keep_day"}),
        required_parameters=frozenset({"date"}),
        messages={"invalid": "err_choice"},
        placeholder_names=frozenset({"day"}),
        placeholders=_monthly_placeholders,
    ),
    QuestionType(
        "message",
        "text",
        frozenset({"text", "photo", "document"}),
        "expect_message",
        _message,
        _show_message,
        _norm_message,
        bounded=True,
        parameters=frozenset({"caption_max"}),
        messages={
            "empty": "err_message_empty",
            "long": "err_message_long",
            "attached": "message_attached",
        },
        prompt=_message_prompt,
        complete=_message_complete,
    ),
)
for _qtype in HOST_TYPES:
    register(_qtype)
