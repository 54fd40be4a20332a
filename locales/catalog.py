"""The one loader of Kawal's message catalogs: gettext ``.po`` files read through Babel.

Each domain (``engine``, ``handlers``, ``telegram``, ``whatsapp``, ``console``, ``cli``) has one
file per language, ``locales/<lang>/LC_MESSAGES/<domain>.po``, read once when the domain is
first asked for (no build step, no ``.mo`` files). The message id is a key
(``"search_results"``), the translation a ``str.format`` template (``"Ditemukan {n}
keluarga."``)::

    HANDLERS = domain("handlers")
    HANDLERS.t("ask_name", "en")                  # "What is your name? Example: Siti Aminah"
    HANDLERS.tn("search_results", 1, "en", n=1)   # "Found 1 family. Choose one:"

Bahasa Indonesia is the source language: a message with no English translation (an empty
``msgstr``) is said in Indonesian, and so is any language Kawal has no catalog for. A key that
is in no catalog raises :class:`KeyError`: a typo fails loudly in the tests, not quietly in a
chat. Plural forms follow each file's ``Plural-Forms`` header (Indonesian has one form,
English two), evaluated as gettext does.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANG", "DOMAINS", "LANGS", "Domain", "domain", "lang_of"]

LANGS = ("id", "en")
DEFAULT_LANG = "id"
DOMAINS = ("engine", "handlers", "telegram", "whatsapp", "console", "cli", "web")
ROOT = Path(__file__).resolve().parent


def lang_of(lang: str) -> str:
    """``lang`` when Kawal speaks it, else Indonesian."""
    return lang if lang in LANGS else DEFAULT_LANG


@dataclass(frozen=True, slots=True)
class _Language:
    """One language of a domain: singular messages, plural messages and the plural rule."""

    texts: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    plural_index: Callable[[int], int]


def _read(path: Path, lang: str, name: str) -> _Language:
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang, domain=name, abort_invalid=True)
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:  # the header
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(str(form) for form in message.string or ())
            plurals[str(message.id[0])] = forms if all(forms) else ()
        else:
            texts[str(message.id)] = str(message.string or "")
    return _Language(texts, plurals, gettext.c2py(catalog.plural_expr))


class Domain:
    """The messages of one domain in every language, with ``t`` and ``tn``."""

    def __init__(self, name: str, root: Path = ROOT) -> None:
        self.name = name
        self._languages = {
            lang: _read(root / lang / "LC_MESSAGES" / f"{name}.po", lang, name) for lang in LANGS
        }
        source = self._languages[DEFAULT_LANG]
        for lang, language in self._languages.items():
            extra = (set(language.texts) - set(source.texts)) | (
                set(language.plurals) - set(source.plurals)
            )
            if extra:
                raise ValueError(f"{name}.po ({lang}) has keys Indonesian lacks: {sorted(extra)}")
            empty = [key for key, text in source.texts.items() if not text] + [
                key for key, forms in source.plurals.items() if not forms
            ]
            if empty:
                raise ValueError(f"{name}.po (id) has messages without text: {sorted(empty)}")

    def __repr__(self) -> str:
        return f"Domain({self.name!r})"

    def t(self, key: str, lang: str = DEFAULT_LANG, /, **fields: object) -> str:
        """The message ``key`` in ``lang`` (Indonesian when it has no translation there),
        formatted with ``fields`` when any are given."""
        text = self._languages[lang_of(lang)].texts.get(key) or self._source_text(key)
        return text.format(**fields) if fields else text

    def tn(self, key: str, n: int, lang: str = DEFAULT_LANG, /, **fields: object) -> str:
        """The plural message ``key`` in the form ``lang`` uses for ``n``, formatted with
        ``fields`` (``n`` among them unless given another value, e.g. ``n="34.281"``)."""
        language = self._languages[lang_of(lang)]
        forms = language.plurals.get(key)
        if not forms:
            language = self._languages[DEFAULT_LANG]
            forms = language.plurals.get(key)
            if not forms:
                raise self._missing(key, plural=True)
        index = min(language.plural_index(n), len(forms) - 1)
        return forms[index].format(**{"n": n, **fields})

    def keys(self) -> frozenset[str]:
        """Every message key, singular and plural."""
        source = self._languages[DEFAULT_LANG]
        return frozenset(source.texts) | frozenset(source.plurals)

    def plural_keys(self) -> frozenset[str]:
        return frozenset(self._languages[DEFAULT_LANG].plurals)

    def languages(self, key: str) -> frozenset[str]:
        """The languages that translate ``key`` (the others fall back to Indonesian)."""
        return frozenset(
            lang
            for lang, language in self._languages.items()
            if language.texts.get(key) or language.plurals.get(key)
        )

    def forms(self, key: str, lang: str) -> tuple[str, ...]:
        """Every text of ``key`` in ``lang`` as written: one, or one per plural form."""
        language = self._languages[lang_of(lang)]
        if key in language.plurals:
            return language.plurals[key]
        return (language.texts[key],) if language.texts.get(key) else ()

    def _source_text(self, key: str) -> str:
        text = self._languages[DEFAULT_LANG].texts.get(key)
        if text is None:
            raise self._missing(key, plural=False)
        return text

    def _missing(self, key: str, *, plural: bool) -> KeyError:
        other = (
            self._languages[DEFAULT_LANG].texts if plural else self._languages[DEFAULT_LANG].plurals
        )
        if key in other:
            use = "t" if plural else "tn"
            return KeyError(
                f"{self.name}: {key!r} is {'not ' if plural else ''}a plural: use {use}"
            )
        return KeyError(f"{self.name}: no message {key!r}")


@cache
def domain(name: str) -> Domain:
    """The domain ``name``, read from its ``.po`` files the first time it is asked for."""
    if name not in DOMAINS:
        raise KeyError(f"no catalog domain {name!r}; known: {', '.join(DOMAINS)}")
    return Domain(name)
