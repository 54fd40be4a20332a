"""The built-in question types (text, numbers, choices, dates, NIK, No. KK, phone, location,
photo, note, repeat), registered in :data:`flows.registry.QUESTION_TYPES`; forms are validated
against the registry when they load (unknown type -> FormError). What a type is, and how hosts
add theirs, is in :mod:`flows.registry` (re-exported here).
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date
from typing import Any

from flows.dates import missing_date, parse_date
from flows.i18n import fill, t
from flows.ids import check_kk, check_nik, normalize_phone
from flows.model import Choice, Question
from flows.registry import (
    QUESTION_TYPES,
    Normalizer,
    ParseCtx,
    Parsed,
    Parser,
    QuestionType,
    choices_of,
    fail,
    param,
    placeholders_of,
    register,
    say,
)
from flows.session import Input
from locales.formats import long_date, month_name

__all__ = [
    "QUESTION_TYPES",
    "ParseCtx",
    "Parsed",
    "QuestionType",
    "choice_matches",
    "choices_of",
    "fail",
    "match_choice",
    "missing_day_text",
    "param",
    "placeholders_of",
    "register",
    "say",
    "text_limit",
    "yes_no_word",
]

DEFAULT_TEXT_MAX = 1000
MAX_TEXT_LENGTH = 10000  # the highest max_length a form may set
_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits: str.isdigit() accepts "¹" which int() rejects

YES_WORDS = frozenset({"ya", "y", "iya", "yes", "benar", "betul", "yoi", "yap"})
NO_WORDS = frozenset(
    {"tidak", "t", "no", "n", "bukan", "enggak", "engga", "nggak", "ngga", "gak", "ga", "tdk"}
)


def yes_no_word(text: str) -> bool | None:
    s = text.strip().lower().rstrip(".!")
    if s in YES_WORDS:
        return True
    if s in NO_WORDS:
        return False
    return None


# ---------------------------------------------------------------- helpers


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _example_number(q: Question, integer: bool) -> str:
    ex = 5.0 if integer else 2.5
    if q.min is not None and ex < q.min:
        ex = q.min
    if q.max is not None and ex > q.max:
        ex = q.max
    return _fmt_num(ex)


def _bounds_error(q: Question, x: float, lang: str, integer: bool) -> str | None:
    ex = _example_number(q, integer)
    low = q.min is not None and x < q.min
    high = q.max is not None and x > q.max
    if not (low or high):
        return None
    if q.min is not None and q.max is not None:
        return t("err_range", lang, min=_fmt_num(q.min), max=_fmt_num(q.max), example=ex)
    if low and q.min is not None:
        return t("err_min", lang, min=_fmt_num(q.min), example=ex)
    return t("err_max", lang, max=_fmt_num(q.max or 0), example=ex)


def _label_of(q: Question, value: Any, ctx: ParseCtx) -> str:
    for c in choices_of(q, ctx):
        if c.value == value:
            return fill(c.label.get(ctx.lang), placeholders_of(q, ctx))
    return str(value)


def choice_matches(q: Question, text: str, choices: list[Choice] | None = None) -> list[int]:
    """The 0-based indexes of the ``choices`` (the question's own by default) ``text`` may
    mean: its number (1-based) when there is such an option, else a value or label typed in
    full, else the labels that start with it or have a word that does ("sumur": the three
    wells), a number that starts a label ("900": "900 VA", "1300": "1.300 VA")."""
    choices = (q.choices or []) if choices is None else choices
    s = " ".join(text.strip().lower().rstrip(".").split())
    if not s:
        return []
    if _NUMBER.fullmatch(s) and 1 <= int(s) <= len(choices):
        return [int(s) - 1]
    for i, c in enumerate(choices):
        if s in {c.value.lower(), c.label.id.lower(), (c.label.en or "").lower()}:
            return [i]

    def words(c: Any) -> list[str]:
        labels = [c.label.id.lower(), (c.label.en or "").lower(), c.value.lower()]
        plain = [x.replace(".", "") for x in labels]
        return [*labels, *plain]

    if len(s) < 2:  # one letter is no word to match
        return []
    starts = [i for i, c in enumerate(choices) if any(w.startswith(s) for w in words(c))]
    if starts:
        return starts
    return [
        i
        for i, c in enumerate(choices)
        if any(part.startswith(s) for w in words(c) for part in re.split(r"[\s/(),]+", w))
    ]


def match_choice(q: Question, text: str, choices: list[Choice] | None = None) -> str | None:
    """A choice value from its number (1-based), value or label; None when it is not one
    option (see :func:`choice_matches`)."""
    choices = (q.choices or []) if choices is None else choices
    hits = choice_matches(q, text, choices)
    return choices[hits[0]].value if len(hits) == 1 else None


# ---------------------------------------------------------------- parsers


def text_limit(q: Question) -> int:
    """The longest text answer ``q`` takes: ``max_length``, else ``max`` (the older
    spelling), else :data:`DEFAULT_TEXT_MAX`."""
    if q.max_length is not None:
        return q.max_length
    return int(q.max) if q.max is not None else DEFAULT_TEXT_MAX


def _text(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    s = inp.text.strip()
    limit = text_limit(q)
    if len(s) > limit:
        return fail(q, ctx, "long", n=limit, max=limit, count=len(s))
    if q.min is not None and len(s) < q.min:
        return fail(q, ctx, "short", n=int(q.min), min=int(q.min))
    return Parsed(s)


_THOUSANDS = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})+")


def _integer(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    s = re.sub(r"\s+", "", inp.text)
    if _THOUSANDS.fullmatch(s):
        s = s.replace(".", "")
    if not re.fullmatch(r"[-+]?[0-9]{1,15}", s):
        return Parsed(error=t("err_integer", ctx.lang, example=_example_number(q, True)))
    x = int(s)
    err = _bounds_error(q, x, ctx.lang, True)
    return Parsed(error=err) if err else Parsed(x)


_UNIT = re.compile(r"(?i)(m2|m²|meter\s*persegi|meter|mtr|m)$")
_PRODUCT = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*[x×*]\s*([0-9]+(?:[.,][0-9]+)?)(?:\s*m)?", re.I)


def _decimal(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    if m := _PRODUCT.fullmatch(inp.text.strip()):  # "6x8": the sides, not the area
        a, b = (float(x.replace(",", ".")) for x in m.groups())
        area = _fmt_num(round(a * b, 2))
        return Parsed(error=t("err_product", ctx.lang, a=m[1], b=m[2], product=area))
    s = _UNIT.sub("", re.sub(r"\s+", "", inp.text))
    if not re.fullmatch(r"[-+]?[0-9]{1,15}([.,][0-9]{1,10})?", s):
        return Parsed(error=t("err_decimal", ctx.lang, example=_example_number(q, False)))
    x = float(s.replace(",", "."))
    err = _bounds_error(q, x, ctx.lang, False)
    return Parsed(error=err) if err else Parsed(x)


def _select_one(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    choices = choices_of(q, ctx)
    values = [c.value for c in choices]
    if inp.choice is not None and inp.choice in values:
        return Parsed(inp.choice)
    hits = choice_matches(q, inp.choice if inp.choice is not None else inp.text, choices)
    fields = placeholders_of(q, ctx)
    if len(hits) == 1:
        return Parsed(choices[hits[0]].value)
    if len(hits) > 1:
        listed = "\n".join(f"{i + 1}. {fill(choices[i].label.get(ctx.lang), fields)}" for i in hits)
        return Parsed(error=t("err_choice_which", ctx.lang, options=listed, example=hits[0] + 1))
    example = fill(choices[0].label.get(ctx.lang), fields) if choices else "1"
    return fail(q, ctx, "invalid", example=example)


ALL_WORDS = frozenset({"semua", "seluruh", "all", "everyone"})


def _select_multiple(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    values = [c.value for c in q.choices or []]
    raw = inp.choice if inp.choice is not None else inp.text
    if inp.choice is not None and inp.choice in values:
        return Parsed([inp.choice])
    s = raw.strip()
    if param(q, "all") == "yes" and s.lower().rstrip(".!") in ALL_WORDS:
        return Parsed(values)
    tokens = [x for x in re.split(r"[,;\s]+", s) if x]
    if not tokens or not all(_NUMBER.fullmatch(x) for x in tokens):
        tokens = [x.strip() for x in re.split(r"[,;]", s) if x.strip()]
    picked: set[str] = set()
    for token in tokens[:50]:
        value = match_choice(q, token)
        if value is None:
            return fail(q, ctx, "invalid")
        picked.add(value)
    if not picked:
        return fail(q, ctx, "invalid")
    return Parsed([v for v in values if v in picked])


def _yes_no(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    if inp.choice in {"yes", "no"}:
        return Parsed(inp.choice)
    raw = inp.choice if inp.choice is not None else inp.text
    word = yes_no_word(raw)
    if word is None:
        s = raw.strip()
        word = True if s == "1" else False if s == "2" else None
    if word is None:
        return Parsed(error=t("err_yes_no", ctx.lang))
    return Parsed("yes" if word else "no")


def missing_day_text(q: Question, ctx: ParseCtx, parts: tuple[int, int, int], time: str) -> str:
    """30 February does not exist: said with the month's last day as the example."""
    year, month, day = parts
    last = calendar.monthrange(year, month)[1]
    example = f"{last:02d}-{month:02d}-{year}{' ' + time if time else ''}"
    name = month_name(month, ctx.lang)
    return say(q, ctx, "missing", day=day, month=name, year=year, last=last, example=example)


_RT_RW = re.compile(r"(?i)(?:rt|rw|no\.?)?\s*0*([0-9]{1,3})")


def _rt_rw(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    """An RT or RW number, stored as three digits: "1", "01", "RT 1" -> "001"."""
    m = _RT_RW.fullmatch(inp.text.strip())
    if m is None or int(m[1]) == 0 or len(m[1].lstrip("0")) > 3:
        return Parsed(error=t("err_rt_rw", ctx.lang, label=q.label.get(ctx.lang)))
    return Parsed(m[1].zfill(3))


def _date(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    d = parse_date(inp.text)
    if d is None:
        parts = missing_date(inp.text)
        if parts is not None:
            return Parsed(error=missing_day_text(q, ctx, parts, ""), reason="missing")
        return fail(q, ctx, "invalid")
    bound = _date_bound(q, ctx)
    if bound is not None and d < bound:
        example = date(d.year + 1, bound.month, min(bound.day, 28)).strftime("%d-%m-%Y")
        return fail(q, ctx, "early", date=long_date(bound, ctx.lang), example=example)
    return Parsed(d.isoformat())


def _date_bound(q: Question, ctx: ParseCtx) -> date | None:
    """The earliest date allowed: that of the answer ``parameters.after`` names."""
    other = ctx.answers.get(param(q, "after")) if param(q, "after") else None
    if not isinstance(other, str) or len(other) < 10:
        return None
    try:
        return date.fromisoformat(other[:10])
    except ValueError:
        return None


def _nik(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    c = check_nik(inp.text, ctx.lang, today=ctx.today)
    if not c.ok:
        return Parsed(error=c.error)
    return Parsed(c.value, warnings=tuple(c.warnings))


def _kk(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    c = check_kk(inp.text, ctx.lang)
    if not c.ok:
        return Parsed(error=c.error)
    return Parsed(c.value, warnings=tuple(c.warnings))


def _phone(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    p = normalize_phone(inp.text)
    return Parsed(p) if p else Parsed(error=t("err_phone", ctx.lang))


# One coordinate: at most 3 digits, a point and decimals. Deterministic (no two ways to match
# a character), so matching is linear in the input.
_COORD = re.compile(r"[-+]?[0-9]{1,3}(?:\.[0-9]+)?")
MAX_COORDS_TEXT = 80  # "-5.123456789012, 104.123456789012" is 33 characters


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``"-5.0261, 104.0613"`` (or ``;`` or blanks between) as (latitude, longitude), or None.

    A hand parser, linear in the input and refusing anything longer than
    :data:`MAX_COORDS_TEXT` first: the regular expression it replaces backtracked
    quadratically on a long run of blanks."""
    s = text.strip()
    if not s or len(s) > MAX_COORDS_TEXT:
        return None
    separators = s.count(",") + s.count(";")
    if separators > 1:
        return None
    parts = s.replace(";", ",").split(",") if separators else s.split()
    if len(parts) != 2:
        return None
    lat, lon = (part.strip() for part in parts)
    if not (_COORD.fullmatch(lat) and _COORD.fullmatch(lon)):
        return None
    return float(lat), float(lon)


def _location_value(lat: float, lon: float) -> dict[str, float] | None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"latitude": float(lat), "longitude": float(lon)}


def _location(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    value: dict[str, float] | None = None
    if inp.location is not None:
        value = _location_value(*inp.location)
    elif (pair := parse_coordinates(inp.text)) is not None:
        value = _location_value(*pair)
    return Parsed(value) if value else Parsed(error=t("err_location", ctx.lang))


def _photo(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    ref = (inp.photo or "").strip()
    if not ref or len(ref) > 1000:
        return Parsed(error=t("err_photo", ctx.lang))
    return Parsed(ref)


def _never(q: Question, inp: Input, ctx: ParseCtx) -> Parsed:
    return Parsed(error=t("err_internal", ctx.lang))


# ---------------------------------------------------------------- display


def _show_plain(q: Question, v: Any, ctx: ParseCtx) -> str:
    if isinstance(v, float):
        return _fmt_num(v)
    return str(v)


def _show_choice(q: Question, v: Any, ctx: ParseCtx) -> str:
    if isinstance(v, list):
        return ", ".join(_label_of(q, x, ctx) for x in v)
    return _label_of(q, v, ctx)


def _show_yes_no(q: Question, v: Any, ctx: ParseCtx) -> str:
    return t("yes" if v == "yes" else "no", ctx.lang)


def _show_date(q: Question, v: Any, ctx: ParseCtx) -> str:
    try:
        day = date.fromisoformat(str(v))
    except ValueError:
        return str(v)
    return long_date(day, ctx.lang) if param(q, "display") == "long" else day.strftime("%d-%m-%Y")


def _show_location(q: Question, v: Any, ctx: ParseCtx) -> str:
    if isinstance(v, dict):
        return t("location_value", ctx.lang, lat=v.get("latitude"), lon=v.get("longitude"))
    return str(v)


def _show_photo(q: Question, v: Any, ctx: ParseCtx) -> str:
    return t("photo_value", ctx.lang)


# ---------------------------------------------------------------- normalizers


def _via(parser: Parser) -> Normalizer:
    def normalize(q: Question, v: Any) -> Any:
        if v is None or isinstance(v, dict | list):
            return None
        if isinstance(v, bool):
            v = "ya" if v else "tidak"
        result = parser(q, Input(text=str(v)), ParseCtx())
        return None if result.error else result.value

    return normalize


def _norm_text(q: Question, v: Any) -> Any:
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        s = str(v).strip()
        return s or None
    return None


def _norm_select_one(q: Question, v: Any) -> Any:
    return str(v) if v is not None and str(v) in {c.value for c in q.choices or []} else None


def _norm_multi(q: Question, v: Any) -> Any:
    values = [c.value for c in q.choices or []]
    items = v.split() if isinstance(v, str) else v
    if not isinstance(items, list) or not items or not all(str(x) in values for x in items):
        return None
    return [x for x in values if x in {str(i) for i in items}]


def _norm_date(q: Question, v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        d = parse_date(v)
        return d.isoformat() if d else None
    return None


def _norm_location(q: Question, v: Any) -> Any:
    if isinstance(v, dict):
        try:
            return _location_value(float(v["latitude"]), float(v["longitude"]))
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _norm_photo(q: Question, v: Any) -> Any:
    return v if isinstance(v, str) and v else None


def _norm_none(q: Question, v: Any) -> Any:
    return None


_TEXT = frozenset({"text"})
_CHOICE = frozenset({"text", "choice"})

for _qtype in (
    QuestionType(
        "text",
        "text",
        _TEXT,
        "expect_text",
        _text,
        _show_plain,
        _norm_text,
        bounded=True,
        messages={"long": "err_text_long", "short": "err_text_short"},
    ),
    QuestionType(
        "integer",
        "text",
        _TEXT,
        "expect_number",
        _integer,
        _show_plain,
        _via(_integer),
        bounded=True,
    ),
    QuestionType(
        "decimal",
        "text",
        _TEXT,
        "expect_number",
        _decimal,
        _show_plain,
        _via(_decimal),
        bounded=True,
    ),
    QuestionType(
        "select_one",
        "choice",
        _CHOICE,
        "expect_choice",
        _select_one,
        _show_choice,
        _norm_select_one,
        needs_choices=True,
        messages={"invalid": "err_choice"},
    ),
    QuestionType(
        "select_multiple",
        "multi",
        _CHOICE,
        "expect_choice",
        _select_multiple,
        _show_choice,
        _norm_multi,
        needs_choices=True,
        parameters=frozenset({"all"}),
        messages={"invalid": "err_multi"},
    ),
    QuestionType(
        "yes_no", "choice", _CHOICE, "expect_choice", _yes_no, _show_yes_no, _via(_yes_no)
    ),
    QuestionType(
        "date",
        "text",
        _TEXT,
        "expect_date",
        _date,
        _show_date,
        _norm_date,
        parameters=frozenset({"after", "display"}),
        messages={
            "invalid": "err_date",
            "missing": "err_date_missing",
            "early": "err_date_early",
        },
    ),
    QuestionType("rt_rw", "text", _TEXT, "expect_rt_rw", _rt_rw, _show_plain, _via(_rt_rw)),
    QuestionType("nik", "text", _TEXT, "expect_nik", _nik, _show_plain, _via(_nik)),
    QuestionType("kk", "text", _TEXT, "expect_kk", _kk, _show_plain, _via(_kk)),
    QuestionType("phone", "text", _TEXT, "expect_phone", _phone, _show_plain, _via(_phone)),
    QuestionType(
        "location",
        "location",
        frozenset({"location", "text"}),
        "err_location",
        _location,
        _show_location,
        _norm_location,
    ),
    QuestionType(
        "photo", "photo", frozenset({"photo"}), "err_photo", _photo, _show_photo, _norm_photo
    ),
    QuestionType(
        "note", "text", _TEXT, "expect_text", _never, _show_plain, _norm_none, answerable=False
    ),
    QuestionType(
        "repeat",
        "confirm",
        _TEXT,
        "expect_text",
        _never,
        _show_plain,
        _norm_none,
        answerable=False,
    ),
):
    register(_qtype)
