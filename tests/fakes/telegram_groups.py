"""Updates from groups, supergroups and channels for the fake Bot API (``telegram_api.py``):
a message moved into a group, the bot added to one, service messages, reactions."""

from __future__ import annotations

import itertools
import time
from typing import Any


class GroupUpdates:
    """Mixed into :class:`tests.fakes.telegram_api.FakeTelegram`, which holds the state."""

    bot_id: int
    username: str
    _update_ids: itertools.count[int]

    def _message(self, chat_id: int, name: str, **content: Any) -> dict[str, Any]:
        raise NotImplementedError  # FakeTelegram builds private messages

    @staticmethod
    def group_chat(
        chat_id: int, chat_type: str = "group", title: str = "Operator Desa"
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "title": title, "type": chat_type}
        if chat_type == "group":
            chat["all_members_are_administrators"] = True
        return chat

    def in_group(
        self,
        update: dict[str, Any],
        chat_id: int,
        *,
        chat_type: str = "group",
        member: int = 5001,
        name: str = "Agus",
    ) -> dict[str, Any]:
        """``update`` (a message) as sent to a group by ``member``; a channel's post has no
        sender and comes as ``channel_post``."""
        message = dict(update.pop("message"))
        message["chat"] = self.group_chat(chat_id, chat_type)
        if chat_type == "channel":
            message.pop("from", None)
            message["sender_chat"] = message["chat"]
            update["channel_post"] = message
        else:
            message["from"] = {"id": member, "is_bot": False, "first_name": name}
            update["message"] = message
        return update

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Kawal",
            "username": self.username,
        }

    def bot_added_update(
        self,
        chat_id: int,
        chat_type: str = "group",
        *,
        status: str = "member",
        old_status: str = "left",
        rights: dict[str, Any] | None = None,
        by: int = 5001,
    ) -> dict[str, Any]:
        """The ``my_chat_member`` update of the bot's own membership changing (added: from
        ``left`` to ``member``; ``rights`` are an administrator's fields, as the server sends
        them)."""
        new: dict[str, Any] = {"user": self._bot_user(), "status": status, **(rights or {})}
        if status == "kicked":
            new["until_date"] = 0
        return {
            "update_id": next(self._update_ids),
            "my_chat_member": {
                "chat": self.group_chat(chat_id, chat_type),
                "from": {"id": by, "is_bot": False, "first_name": "Agus"},
                "date": int(time.time()),
                "old_chat_member": {"user": self._bot_user(), "status": old_status},
                "new_chat_member": new,
            },
        }

    def service_update(
        self, chat_id: int, chat_type: str = "group", *, by: int = 5001, **service: Any
    ) -> dict[str, Any]:
        """A service message (e.g. ``new_chat_members=[...]``, ``pinned_message={...}``,
        ``new_chat_title="..."``, ``migrate_to_chat_id=...``) in a group or a private chat."""
        if chat_type == "private":
            return self._message(chat_id, "Budi", **service)
        update = self._message(by, "Agus", **service)
        return self.in_group(update, chat_id, chat_type=chat_type, member=by)

    def reaction_update(
        self,
        chat_id: int,
        message_id: int,
        new: list[dict[str, Any]],
        old: list[dict[str, Any]] | None = None,
        *,
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """A person's reaction on ``message_id`` changed from ``old`` to ``new`` (lists of
        ReactionType objects, e.g. ``{"type": "emoji", "emoji": "👍"}``)."""
        chat = (
            {"id": chat_id, "type": "private", "first_name": "Budi"}
            if chat_type == "private"
            else self.group_chat(chat_id, chat_type)
        )
        return {
            "update_id": next(self._update_ids),
            "message_reaction": {
                "chat": chat,
                "message_id": message_id,
                "user": {
                    "id": chat_id if chat_type == "private" else 5001,
                    "is_bot": False,
                    "first_name": "Budi",
                },
                "date": int(time.time()),
                "old_reaction": old or [],
                "new_reaction": new,
            },
        }
