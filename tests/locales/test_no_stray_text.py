"""No user text outside the catalogs: every sentence a person reads comes from ``locales/``.

An AST scan of the source packages' string literals (f-strings with ``{}`` for their
expressions). Two rules:

* a literal handed to something that shows it to a person (a reply intent such as ``Text``,
  ``typer.echo``, ``fail``, ``print``, ``stdout.write``) may not hold two words, nor one
  capitalised word ("Kembali"); payloads such as ``"consent:yes"`` are one token;
* any other literal may not read like a sentence: several words with an Indonesian function
  word ("dan", "tidak", "Contoh", ...) or two English ones.

Not scanned: docstrings and other bare strings, logging calls, exceptions made for
developers (``raise ValueError(...)``, ``PermanentError(...)``), dictionary keys, set
members, subscripts and comparisons (words the code matches, not says), and regular
expressions. What stays in code on purpose is in ``ALLOWED`` below, with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "flows", "handlers", "reminders", "storage")

_INDONESIAN = """dan atau yang tidak untuk dengan dari ini itu ada belum sudah bisa harus ketik
    contoh pilih kirim wilayah keluarga orang baris kolom berkas tanggal mis anda tanpa sebagai
    lihat muat isi oleh pada akan masih hanya juga setelah sebelum baru lagi dulu silakan mohon
    tersimpan disimpan dicabut dibatalkan diperbarui kosong sah dikenali ditemukan"""
_ENGLISH = """the and or is are not to of for with please type example your you this that was be
    no has have will cannot"""
INDONESIAN = frozenset(_INDONESIAN.split())
ENGLISH = frozenset(_ENGLISH.split())
SINK_CALLS = frozenset(
    {
        # reply intents (handlers/messages.py) and what the engine says
        "Text",
        "Question",
        "Option",
        "Say",
        "RequestLocation",
        "RequestPhoto",
        "Document",
        "Chart",
        # the terminal
        "echo",
        "secho",
        "confirm",
        "prompt",
        "fail",
        "print",
        "write",
    }
)
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
PATTERN_CALLS = frozenset({"compile", "match", "fullmatch", "search", "sub", "split", "findall"})

# (file, enclosing function or module-level name) -> why its words stay in code
ALLOWED: dict[tuple[str, str], str] = {
    # The SIKS-NG export is a file format: its column names and sheet names are SIKS-NG's
    # own (Indonesian whatever the reader's language), typed over by operators into SIKS-NG.
    ("handlers/registers/exporter.py", "HOUSEHOLD_HEADERS"): "SIKS-NG column names",
    ("handlers/registers/exporter.py", "MEMBER_HEADERS"): "SIKS-NG column names",
    ("handlers/registers/exporter.py", "PROPOSAL_HEADERS"): "SIKS-NG column names",
    ("handlers/registers/exporter.py", "SHEETS"): "SIKS-NG sheet names",
    ("handlers/registers/exporter.py", "STATUS_LABELS"): "the export's status values",
    ("handlers/registers/exporter.py", "NONE_TEXT"): "the export's value for no programme",
    ("handlers/registers/history.py", "CHANGE_WORDS"): "the export's Perubahan words",
    # Errors in a form's YAML, for the form's author at start-up (like a compiler's).
    ("flows/loader.py", "raw_questions"): "form-author errors at load time",
    ("flows/loader.py", "expr"): "form-author errors at load time",
    ("flows/loader.py", "question"): "form-author errors at load time",
    ("flows/loader.py", "vocabulary"): "form-author errors at load time",
    # Forms and savers that do not fit, for whoever deploys Kawal, at start-up.
    ("handlers/forms/savers.py", "check"): "deploy-time errors at start-up",
    # The reason stored on outbox rows nobody could settle: for whoever runs the server, in
    # English like the logs.
    ("reminders/outbox.py", "_settle_stale"): "outbox row status reason",
    # Telegram's own error description, matched (never shown).
    ("bot/channels/telegram/errors.py", "_NOT_MODIFIED"): "Bot API error text",
    # A statement written as SQL text (data-modifying CTEs), never shown.
    ("storage/repos/turns.py", "_START_SQL"): "SQL",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    scope: str
    text: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.scope}) {self.rule}: {self.text!r}"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    return None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text) if re.search(r"[A-Za-zÀ-ÿ]", w)]


def looks_like_a_sentence(text: str) -> bool:
    words = _words(text)
    if len(words) < 2:
        return False
    plain = {re.sub(r"[^a-zà-ÿ]", "", w.lower()) for w in words}
    return bool(plain & INDONESIAN) or len(plain & ENGLISH) >= 2


def reads_as_words(text: str) -> bool:
    """Two words, or one capitalised word ("Kembali"): not a payload ("consent:yes", "list"),
    an acronym ("XLSX: {}") or an option ("--at {}: {}")."""
    words = _words(text)
    return len(words) >= 2 or any(re.fullmatch(r"[A-Z][a-zà-ÿ]+\W*", w) for w in words)


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope = ["<module>"]
        self.skip: set[int] = set()
        self.sink: set[int] = set()
        self.findings: list[Finding] = []

    def _skip_all(self, node: ast.AST | None) -> None:
        if node is not None:
            self.skip.update(id(n) for n in ast.walk(node))

    def _mark_sink(self, node: ast.AST) -> None:
        """The literals of ``node`` that reach the sink (not those inside nested calls)."""
        if isinstance(node, ast.Call):
            return
        self.sink.add(id(node))
        for child in ast.iter_child_nodes(node):
            self._mark_sink(child)

    def _scoped(self, name: str, node: ast.AST) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._docstring(node.body)
        self._scoped(node.name, node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._docstring(node.body)
        self._scoped(node.name, node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node.body)
        self._scoped(node.name, node)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def _docstring(self, body: list[ast.stmt]) -> None:
        pass  # bare strings are skipped in visit_Expr

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [_name(target) for target in node.targets]
        if len(self.scope) == 1 and names and names[0]:
            self._scoped(names[0], node)
        else:
            self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        name = _name(node.target)
        if len(self.scope) == 1 and name:
            self._scoped(name, node)
        else:
            self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if _text(node.value) is not None:
            return  # a docstring or a comment-like bare string
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if isinstance(exc, ast.Call):  # raise SomeError(...): for a developer or a log
            name = _name(exc.func)
            if name[:1].isupper() and name not in SINK_CALLS:
                self._skip_all(exc)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        made_to_raise = name.endswith(("Error", "Exception"))  # an exception for later
        if made_to_raise or (name in LOG_METHODS and isinstance(node.func, ast.Attribute)):
            self._skip_all(node)
        elif name in PATTERN_CALLS and _name(getattr(node.func, "value", node.func)) == "re":
            self._skip_all(node.args[0] if node.args else None)
        elif name == "text" and _name(getattr(node.func, "value", node.func)) in {"sa", "sql"}:
            self._skip_all(node)
        if name in {"frozenset", "set"}:  # words matched against input, in no order
            self._skip_all(node)
        if name in SINK_CALLS and (name != "fail" or isinstance(node.func, ast.Name)):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                self._mark_sink(argument)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            self._skip_all(key)
        self.generic_visit(node)

    def visit_Set(self, node: ast.Set) -> None:
        self._skip_all(node)  # words matched against input, in no order

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._skip_all(node.slice)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in (node.left, *node.comparators):
            if not isinstance(operand, ast.Call):
                self._skip_all(operand)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._check(node)
        for value in node.values:  # the expressions inside may hold literals of their own
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        self._check(node)

    def _check(self, node: ast.expr) -> None:
        text = _text(node)
        if text is None or id(node) in self.skip:
            return
        scope = self.scope[-1]
        if (self.path, scope) in ALLOWED:
            return
        if id(node) in self.sink and reads_as_words(text):
            self.findings.append(Finding(self.path, node.lineno, scope, text, "said in code"))
        elif looks_like_a_sentence(text):
            self.findings.append(Finding(self.path, node.lineno, scope, text, "a sentence"))


def scan(path: str, source: str) -> list[Finding]:
    scanner = _Scanner(path)
    scanner.visit(ast.parse(source))
    return scanner.findings


def _sources() -> Iterator[tuple[str, str]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_no_user_text_outside_the_catalogs() -> None:
    findings = [str(f) for path, source in _sources() for f in scan(path, source)]
    assert findings == [], "move these into locales/ (or allow them in ALLOWED):\n" + "\n".join(
        findings
    )


def test_every_allowance_is_still_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(__import__(__name__, fromlist=["ALLOWED"]), "ALLOWED", {})
    found = {(f.path, f.scope) for path, source in _sources() for f in scan(path, source)}
    assert set(ALLOWED) <= found, sorted(set(ALLOWED) - found)


@pytest.mark.parametrize(
    "source",
    [
        'Text("Data tersimpan")',
        'Reply([Text("Saved, thank you")])',
        'typer.echo(f"Tidak bisa menulis {path}")',
        'raise fail(f"Berkas {file} tidak ditemukan.")',
        'Option("menu:x", "Kembali")',
        'raise typer.BadParameter("Kode wilayah tidak sah, contoh 18.04") if x else None',
        'MESSAGE = "Ketik nomor untuk memilih"',
        'def f():\n    return f"{n} keluarga belum didata, silakan lanjut"',
        'errors.append("Please type the number of your choice")',
        'stdout.write("Anda> ")',
    ],
)
def test_the_scan_catches_user_text(source: str) -> None:
    assert scan("handlers/x.py", source), source


@pytest.mark.parametrize(
    "source",
    [
        '"""Ketik nomor untuk memilih: a docstring."""',
        'log.info("could not send the reply to %s", who)',
        'raise ValueError(f"unknown kind {kind}: this is not a form")',
        'Text(t("saved", lang))',
        'typer.echo(f"{name:<10} {count}")',
        'typer.echo(f"XLSX: {path}")',
        'WORDS = {"tidak setuju": False}',
        'if text in ("sudah paham", "paham"):\n    pass',
        're.compile(r"^(paham|sudah paham)$")',
        'FIELD = "anggota_keluarga.relation"',
        'Option(f"{PREFIX}{item.id}", label)',
    ],
)
def test_the_scan_lets_code_be(source: str) -> None:
    assert scan("handlers/x.py", source) == [], source
