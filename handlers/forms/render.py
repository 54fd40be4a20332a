"""Engine events as neutral reply intents (the channels render those)."""

from __future__ import annotations

import flows
from flows import Ask, Say
from handlers.messages import (
    Option,
    Outbound,
    Question,
    RequestLocation,
    RequestPhoto,
    Text,
    Tone,
)

_TONES = {"info": Tone.INFO, "error": Tone.ERROR, "warning": Tone.WARNING, "success": Tone.SUCCESS}


def render(events: list[flows.Event]) -> list[Outbound]:
    out: list[Outbound] = []
    for event in events:
        if isinstance(event, Say):
            out.append(Text(event.text, _TONES.get(event.tone, Tone.INFO)))
        elif isinstance(event, Ask):
            out.append(_render_ask(event))
    return out


def _render_ask(ask: Ask) -> Outbound:
    options = tuple(Option(o.value, o.label) for o in ask.options)
    skip = "lewati" if ask.skippable else ""
    match ask.input:
        case "location":
            return RequestLocation(ask.text, skip_label=skip)
        case "photo":
            return RequestPhoto(ask.text, skip_label=skip)
        case "multi":
            return Question(ask.text, options, multi=True)
        case _:
            return Question(ask.text, options, numbered=ask.question != "__review__")
