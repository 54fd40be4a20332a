"""Pages from Jinja2 templates (``bot/web/templates``), every word from the ``web`` catalog."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from locales import LANGS, domain, lang_of
from locales.formats import number

__all__ = ["TEMPLATES", "WEB", "Renderer"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEB = domain("web")  # locales/<lang>/LC_MESSAGES/web.po


class Renderer:
    def __init__(self, root: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(root),
            autoescape=select_autoescape(("html",), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def html(self, template: str, lang: str, values: Mapping[str, Any]) -> str:
        lang = lang_of(lang)

        def t(key: str, **fields: object) -> str:
            return WEB.t(key, lang, **fields)

        def tn(key: str, count: int, **fields: object) -> str:
            return WEB.tn(key, count, lang, **fields)

        def num(value: int) -> str:
            return number(value, lang)

        context = {"t": t, "tn": tn, "num": num, "lang": lang, "langs": LANGS, **values}
        return self.env.get_template(template).render(context)

    def page(
        self, template: str, lang: str, values: Mapping[str, Any], status: int = 200
    ) -> web.Response:
        body = self.html(template, lang, values)
        response = web.Response(text=body, status=status, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response
