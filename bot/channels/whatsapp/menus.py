"""Per-chat memory of the last question's options, so typed numbers and "lagi" work.

Kept in memory only: after a restart a typed number goes to the handlers as text, which
understand numbers for their own questions; only the numbered menu's paging is lost.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass

from bot.channels.whatsapp.render import INDEX_ID_PREFIX, ChatMenu, Rendered, menu_page
from bot.channels.whatsapp.texts import NEXT_PAGE_WORDS
from handlers.messages import Inbound, InboundKind


@dataclass(frozen=True, slots=True)
class Resolved:
    inbound: Inbound | None = None  # pass this to the handlers
    local_text: str = ""  # or answer this right away (the next page of a menu)


class MenuMemory:
    def __init__(self, max_chats: int = 10_000) -> None:
        self._menus: OrderedDict[str, ChatMenu] = OrderedDict()
        self._max_chats = max_chats

    def remember(self, chat: str, rendered: Rendered) -> None:
        """After sending ``rendered`` to ``chat``: keep its menu, or forget the old one when it
        asked something else."""
        if rendered.menu is not None:
            self._menus[chat] = rendered.menu
            self._menus.move_to_end(chat)
            while len(self._menus) > self._max_chats:
                self._menus.popitem(last=False)
        elif rendered.asks:
            self._menus.pop(chat, None)

    def move(self, old_chat: str, new_chat: str) -> None:
        """The person's number changed: their open menu is read against the new one."""
        menu = self._menus.pop(old_chat, None)
        if menu is not None and old_chat != new_chat:
            self._menus[new_chat] = menu

    def get(self, chat: str) -> ChatMenu | None:
        return self._menus.get(chat)

    def resolve(self, inbound: Inbound, lang: str = "id") -> Resolved:
        menu = self._menus.get(inbound.external_id)
        if menu is None:
            return Resolved(inbound)
        if inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(INDEX_ID_PREFIX):
            number = inbound.payload[len(INDEX_ID_PREFIX) :]
            option = menu.option(int(number)) if _small_number(number) else None
            if option is not None:
                return Resolved(dataclasses.replace(inbound, payload=option.value))
            return Resolved(inbound)
        if inbound.kind is not InboundKind.TEXT or not menu.typed_numbers:
            return Resolved(inbound)
        text = inbound.text.strip().lower()
        if text in NEXT_PAGE_WORDS and menu.pages > 1:
            menu.page = (menu.page + 1) % menu.pages
            return Resolved(local_text=menu_page(menu, menu.page, lang))
        if _small_number(text) and (option := menu.option(int(text))) is not None:
            return Resolved(
                dataclasses.replace(
                    inbound, kind=InboundKind.CHOICE, payload=option.value, text=option.label
                )
            )
        return Resolved(inbound)


def _small_number(text: str) -> bool:
    """Digits int() reads (isdigit() also takes "¹", which int() refuses), few enough to be an
    option's number."""
    return text.isdecimal() and len(text) <= 4
