"""The few words the WhatsApp channel adds around the handlers' texts (Bahasa Indonesia first):
the ``whatsapp`` domain of the catalogs (``locales/<lang>/LC_MESSAGES/whatsapp.po``)."""

from __future__ import annotations

from handlers.kit.i18n import t as handler_text
from locales import LANGS, domain

_WHATSAPP = domain("whatsapp")

# Handler labels longer than a WhatsApp button title (20 characters), said shorter here rather
# than cut mid-phrase ("Sudah dibaca &…"): the handlers' key -> this domain's key.
_SHORTER = {"ann_ack_button": "ann_ack_button_short"}
SHORT_LABELS: dict[str, str] = {
    handler_text(long, lang): _WHATSAPP.t(short, lang)
    for long, short in _SHORTER.items()
    for lang in LANGS
}

NEXT_PAGE_WORDS = frozenset({"lagi", "next", "berikutnya", "selanjutnya"})


def size_text(size: int) -> str:
    """A byte count as people say it: "20 MB", "512 KB"."""
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(size // 1024, 1)} KB"


def wa_text(key: str, lang: str = "id", **params: object) -> str:
    return _WHATSAPP.t(key, lang, **params)
