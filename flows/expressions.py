"""A safe mini expression language for relevant / constraint / warning conditions.

Source text is rewritten (``${name}`` -> a reference, ``.`` -> the current answer,
``=`` -> ``==``), parsed with :mod:`ast` and checked against a whitelist; evaluation walks the
tree itself (no ``eval``).
A missing answer is ``None``; comparisons with ``None`` are false; evaluation never raises.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from flows.dates import parse_date
from flows.ids import nik_birth_date, nik_sex

__all__ = ["FUNCTIONS", "Env", "Expr", "ExprError", "compile_expr", "evaluate", "truthy"]

_SELF = "__self__"
_REF_PREFIX = "__ref_"
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_SOURCE = 500


class ExprError(ValueError):
    """An expression that cannot be compiled."""


@dataclass(frozen=True)
class Expr:
    source: str
    tree: ast.Expression = field(compare=False, repr=False)
    refs: frozenset[str]
    uses_self: bool


@dataclass
class Env:
    """What an expression sees: answers, the current repeat instance and today's date."""

    answers: dict[str, Any]
    instance: dict[str, Any] | None = None
    instance_fields: frozenset[str] = frozenset()
    current: Any = None
    today: date | None = None
    # A repeat's other instances: field -> their values (answer, else the prefilled value),
    # from the instances where that field is asked (``others('relation')``).
    others: Callable[[str], list[Any]] | None = None
    new_item: bool = False  # a repeat instance the user added (not in the prefilled record)

    def lookup(self, name: str) -> Any:
        if self.instance is not None and name in self.instance_fields:
            return self.instance.get(name)
        return self.answers.get(name)


def _rewrite(src: str) -> str:
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "'\"":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i : j + 1])
            i = j + 1
            continue
        if c == "$":
            m = _REF.match(src, i)
            if m is None:
                raise ExprError("bad reference: write ${name}")
            out.append(f" {_REF_PREFIX}{m.group(1)} ")
            i = m.end()
            continue
        if c == ".":
            prev = src[i - 1] if i > 0 else ""
            nxt = src[i + 1] if i + 1 < n else ""
            if not ("0" <= prev <= "9") and not ("0" <= nxt <= "9"):
                out.append(f" {_SELF} ")
                i += 1
                continue
        if c == "=":
            prev = src[i - 1] if i > 0 else ""
            nxt = src[i + 1] if i + 1 < n else ""
            if prev not in "=!<>" and nxt != "=":
                out.append("==")
                i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


# name -> (min args, max args)
_ARITY: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count_selected": (1, 1),
    "len": (1, 1),
    "age": (1, 1),
    "nik_sex": (1, 1),
    "nik_birth_date": (1, 1),
    "today": (0, 0),
    "regex": (2, 2),
    "empty": (1, 1),
    "others": (1, 1),
    "is_new": (0, 0),
}
FUNCTIONS = frozenset(_ARITY)

_ALLOWED_CMP = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_ALLOWED_BIN = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def _check(node: ast.AST, refs: set[str], flags: dict[str, bool]) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, refs, flags)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, refs, flags)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
        _check(node.operand, refs, flags)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BIN):
        _check(node.left, refs, flags)
        _check(node.right, refs, flags)
    elif isinstance(node, ast.Compare):
        if not all(isinstance(op, _ALLOWED_CMP) for op in node.ops):
            raise ExprError("comparison not allowed")
        _check(node.left, refs, flags)
        for c in node.comparators:
            _check(c, refs, flags)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _ARITY:
            name = node.func.id if isinstance(node.func, ast.Name) else "?"
            raise ExprError(f"unknown function '{name}'")
        if node.keywords:
            raise ExprError("keyword arguments are not allowed")
        lo, hi = _ARITY[node.func.id]
        if not lo <= len(node.args) <= hi:
            raise ExprError(f"{node.func.id}() takes {lo} argument(s)")
        for a in node.args:
            _check(a, refs, flags)
        if node.func.id == "regex":
            # An answer must never become a pattern: `regex(., ${answer})` let a person type
            # `(a+)+$` and hold the engine for seconds on 27 characters.
            if not isinstance(node.args[1], ast.Constant):
                raise ExprError(
                    "the regex pattern must be a literal string, e.g. regex(., '^[0-9]{3}$'); "
                    "a pattern built from answers (${...}) is not allowed"
                )
            pattern = node.args[1].value
            if not isinstance(pattern, str):
                raise ExprError("regex pattern must be a string")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ExprError(f"bad regex: {exc}") from exc
    elif isinstance(node, ast.Name):
        if node.id == _SELF:
            flags["self"] = True
        elif node.id.startswith(_REF_PREFIX):
            refs.add(node.id[len(_REF_PREFIX) :])
        else:
            raise ExprError(f"unknown name '{node.id}' (use ${{{node.id}}} for an answer)")
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool | type(None)):
            raise ExprError("literal not allowed")
    elif isinstance(node, ast.List | ast.Tuple):
        for e in node.elts:
            _check(e, refs, flags)
    else:
        raise ExprError(f"not allowed: {type(node).__name__}")


@lru_cache(maxsize=1024)
def compile_expr(source: str) -> Expr:
    """Compiles and validates an expression; raises :class:`ExprError`."""
    if not isinstance(source, str) or not source.strip():
        raise ExprError("empty expression")
    if len(source) > MAX_SOURCE:
        raise ExprError("expression too long")
    try:
        tree = ast.parse(_rewrite(source).strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"syntax error: {exc.msg}") from exc
    refs: set[str] = set()
    flags = {"self": False}
    _check(tree, refs, flags)
    return Expr(source, tree, frozenset(refs), flags["self"])


def truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value != "" and value.lower() not in {"false", "no"}
    return bool(value)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return parse_date(value)
    return None


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    if _is_num(a) and isinstance(b, str):
        return a, float(b)
    if isinstance(a, str) and _is_num(b):
        return float(a), b
    return a, b


def _compare(op: ast.cmpop, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(op, ast.In | ast.NotIn):
        if not isinstance(b, list | tuple | str) or (isinstance(b, str) and not isinstance(a, str)):
            return False
        found = a in b
        return found if isinstance(op, ast.In) else not found
    try:
        a, b = _coerce(a, b)
    except ValueError:
        return isinstance(op, ast.NotEq)
    try:
        if isinstance(op, ast.Eq):
            return bool(a == b)
        if isinstance(op, ast.NotEq):
            return bool(a != b)
        if isinstance(op, ast.Lt):
            return bool(a < b)
        if isinstance(op, ast.LtE):
            return bool(a <= b)
        if isinstance(op, ast.Gt):
            return bool(a > b)
        if isinstance(op, ast.GtE):
            return bool(a >= b)
    except TypeError:
        return False
    return False


def _age(value: Any, env: Env) -> int | None:
    born = _as_date(value)
    if born is None or env.today is None:
        return None
    today = env.today
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _regex(value: Any, pattern: Any) -> bool:
    if value is None or not isinstance(pattern, str):
        return False
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return False


def _selected(value: Any, choice: Any) -> bool:
    if isinstance(value, list):
        return choice in value
    return value is not None and value == choice


def _nik_birth(value: Any, env: Env) -> str | None:
    born = nik_birth_date(value, env.today)
    return born.isoformat() if born else None


_IMPL: dict[str, Callable[[list[Any], Env], Any]] = {
    "selected": lambda a, e: _selected(a[0], a[1]),
    "count_selected": lambda a, e: len(a[0]) if isinstance(a[0], list) else 0,
    "len": lambda a, e: _len(a[0]),
    "age": lambda a, e: _age(a[0], e),
    "nik_sex": lambda a, e: nik_sex(a[0]),
    "nik_birth_date": lambda a, e: _nik_birth(a[0], e),
    "today": lambda a, e: e.today.isoformat() if e.today else None,
    "regex": lambda a, e: _regex(a[0], a[1]),
    "empty": lambda a, e: a[0] is None or a[0] == "" or a[0] == [] or a[0] == {},
    "others": lambda a, e: e.others(a[0]) if e.others and isinstance(a[0], str) else [],
    "is_new": lambda a, e: e.new_item,
}


def _arith(op: ast.operator, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
        return a + b
    a, b = _coerce(a, b)
    if not (_is_num(a) and _is_num(b)):
        return None
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b if b else None
    return None


def _eval(node: ast.AST, env: Env) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id == _SELF:
            return env.current
        return env.lookup(node.id[len(_REF_PREFIX) :])
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(truthy(_eval(v, env)) for v in node.values)
        return any(truthy(_eval(v, env)) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return not truthy(operand)
        if not _is_num(operand):
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _arith(node.op, _eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, env)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, env) for a in node.args]
        return _IMPL[node.func.id](args, env)
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, env) for e in node.elts]
    return None


def evaluate(expr: Expr, env: Env) -> Any:
    """The value of ``expr`` in ``env``; ``None`` on any evaluation problem (never raises)."""
    try:
        return _eval(expr.tree, env)
    except Exception:  # a form expression must never break a session
        return None
