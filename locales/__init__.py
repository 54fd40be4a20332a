"""Kawal's user-facing text: gettext catalogs per language (``<lang>/LC_MESSAGES/<domain>.po``),
read once through Babel by :mod:`locales.catalog`, and Babel's number and date formats
(:mod:`locales.formats`). Imports nothing first-party: every layer may use it."""

from locales.catalog import DEFAULT_LANG, DOMAINS, LANGS, Domain, domain, lang_of

__all__ = ["DEFAULT_LANG", "DOMAINS", "LANGS", "Domain", "domain", "lang_of"]
