"""Terminal chat: the same handlers as Telegram and WhatsApp, one line in, the replies out.

Works interactively and with stdin piped (one message per line, replies on stdout), so it can
be scripted. Choices are numbered; a number answers the last question's option (as a button
press would), anything else goes in as typed text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import IO, Any

from handlers.messages import (
    Channel,
    Chart,
    Document,
    Inbound,
    InboundKind,
    Location,
    Outbound,
    Question,
    Reply,
    RequestLocation,
    RequestPhoto,
    Text,
    Tone,
)
from handlers.ports import Delivery, Recipient, Template
from locales import domain
from storage.files import private_dir, private_file

_COMMAND_RE = re.compile(r"^/(\w+)(?:@\w+)?\s*(.*)$", re.S)
_LOCATION_RE = re.compile(
    r"^\s*(?:lokasi:?\s*)?(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$"
)
_PHOTO_RE = re.compile(r"^\s*foto:\s*(\S.*)$", re.I)
_CONSOLE = domain("console")  # locales/<lang>/LC_MESSAGES/console.po
CONSOLE_LANG = "id"  # the terminal speaks Indonesian (it does not know who is typing)
_TONE_MARK = {Tone.ERROR: "⚠️ ", Tone.WARNING: "⚠️ ", Tone.SUCCESS: "", Tone.INFO: ""}

Handle = Callable[[Inbound], Awaitable[Reply]]


class ConsoleChat:
    def __init__(self, handle: Handle, user: str, display_name: str = "") -> None:
        self._handle = handle
        self._user = user
        self._display_name = display_name
        self._last: Outbound | None = None

    def _inbound(self, kind: InboundKind, **fields: Any) -> Inbound:
        return Inbound(
            channel=Channel.CONSOLE,
            external_id=self._user,
            platform_id=uuid.uuid4().hex,
            kind=kind,
            display_name=self._display_name,
            **fields,
        )

    def parse(self, line: str) -> Inbound:
        text = line.rstrip("\r\n")
        command = _COMMAND_RE.match(text.strip())
        if command:
            return self._inbound(
                InboundKind.COMMAND,
                command=command.group(1).lower(),
                args=command.group(2).strip(),
                text=text,
            )
        last = self._last
        if isinstance(last, RequestLocation) and (loc := _LOCATION_RE.match(text)):
            location = Location(float(loc.group(1)), float(loc.group(2)))
            return self._inbound(InboundKind.LOCATION, location=location)
        if isinstance(last, RequestPhoto) and (photo := _PHOTO_RE.match(text)):
            return self._inbound(InboundKind.PHOTO, media_ref=f"console:{photo.group(1)}")
        stripped = text.strip()
        if (
            isinstance(last, Question)
            and last.numbered
            and not last.multi
            and stripped.isdecimal()  # isdigit() also takes "¹", which int() refuses
            and len(stripped) <= 4
            and 1 <= int(stripped) <= len(last.options)
        ):
            option = last.options[int(stripped) - 1]
            return self._inbound(InboundKind.CHOICE, payload=option.value, text=option.label)
        if isinstance(last, Question):  # a button's own words typed: as if it was pressed
            words = last.extra if last.numbered else (*last.options, *last.extra)
            for option in words:
                if stripped.lower() == option.label.lower():
                    return self._inbound(
                        InboundKind.CHOICE, payload=option.value, text=option.label
                    )
        return self._inbound(InboundKind.TEXT, text=text)

    async def exchange(self, line: str) -> Reply:
        """Send one typed line; the bot's reply."""
        reply = await self._handle(self.parse(line))
        if reply.messages:
            self._last = reply.messages[-1]
        return reply

    async def send(self, line: str) -> str:
        return render(await self.exchange(line))


def _say(key: str, /, **fields: object) -> str:
    return _CONSOLE.t(key, CONSOLE_LANG, **fields)


def greeting() -> str:
    """The first line of an interactive terminal chat."""
    return _say("greeting")


def render(reply: Reply) -> str:
    return "\n\n".join(render_one(message) for message in reply.messages)


def render_one(message: Outbound) -> str:
    match message:
        case Text(text=text, tone=tone):
            return _TONE_MARK[tone] + text
        case Question(text=text, options=options, multi=multi, numbered=numbered, extra=extra):
            words = " | ".join(f"[{o.label}]" for o in extra)
            if not options:
                return f"{text}\n{words}" if words else text
            if not numbered:
                return text + "\n" + " | ".join(f"[{o.label}]" for o in (*options, *extra))
            lines = [text, *(f"  {i}. {o.label}" for i, o in enumerate(options, 1))]
            if multi:
                lines.append("  " + _say("multi_hint"))
            if words:
                lines.append(words)
            return "\n".join(lines)
        # How to type one here; that it may be skipped the question itself says already.
        case RequestLocation(text=text):
            return f"{text}\n{_say('location_hint')}"
        case RequestPhoto(text=text):
            return f"{text}\n{_say('photo_hint')}"
        case Document(path=path, caption=caption, file_name=name):
            label = _say("document", name=name or path)
            return f"{label}\n{path}" + (f"\n{caption}" if caption else "")
        case Chart(path=path, caption=caption):
            return _say("chart", path=path) + (f"\n{caption}" if caption else "")
    raise TypeError(f"cannot render {message!r}")


class ConsoleSender:
    """Proactive messages (reminders, announcements) in the terminal demo: printed at once for
    the person chatting, kept in a small inbox file for the other terminal identities and shown
    when they next chat (``take_inbox``). Implements :class:`handlers.ports.ChannelSender`."""

    channel = Channel.CONSOLE

    def __init__(self, inbox_dir: Path, current_user: str, out: IO[str]) -> None:
        self.inbox_dir = inbox_dir
        self.current_user = current_user
        self.out = out
        self._ids = itertools.count(1)

    async def send(
        self,
        recipient: Recipient,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,
        delivery: Delivery | None = None,
    ) -> str | None:
        delivery = delivery or Delivery()
        if delivery.skip > 0:
            return delivery.platform_id  # the one part went out before a crash
        # Buttons of a proactive message are shown as words to type (a number typed next
        # answers the conversation's own question, not this message).
        shown = [
            dataclasses.replace(m, numbered=False) if isinstance(m, Question) else m
            for m in messages
        ]
        text = "📣 " + render(Reply(shown))
        delivery.before_write(0)
        if recipient.external_id == self.current_user:
            self.out.write(f"\n{text}\n")
            self.out.flush()
        else:
            private_dir(self.inbox_dir)
            inbox_path = private_file(self._inbox(recipient.external_id))
            with inbox_path.open("a", encoding="utf-8") as inbox:
                inbox.write(text + "\n\n")
        platform_id = f"console-{next(self._ids)}"
        delivery.confirmed(0, platform_id)
        return platform_id

    def _inbox(self, user: str) -> Path:
        return self.inbox_dir / (re.sub(r"[^A-Za-z0-9_.-]", "_", user) + ".txt")

    def take_inbox(self, user: str) -> str:
        """What arrived for ``user`` while they were away (then forgotten)."""
        path = self._inbox(user)
        if not path.exists():
            return ""
        text = path.read_text(encoding="utf-8").strip()
        path.unlink()
        return text


async def run(
    chat: ConsoleChat,
    stdin: IO[str],
    stdout: IO[str],
    *,
    interactive: bool,
    after: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Read lines until end of input (or ``keluar``) and print every reply; ``after`` runs
    after each reply (the demo sends due proactive messages there)."""
    while True:
        if interactive:
            stdout.write("\n" + _say("prompt"))
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or (interactive and line.strip().lower() in {"keluar", "exit", "quit"}):
            return
        if not line.strip():
            continue
        out = await chat.send(line)
        if out:
            stdout.write(("\n" if interactive else "") + out + "\n")
            if not interactive:
                stdout.write("\n")
            stdout.flush()
        if after is not None:
            await after()
