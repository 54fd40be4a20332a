"""Engine events as neutral reply intents (the channels render those), and a form's opening
message."""

from __future__ import annotations

import dataclasses

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


def opening(head: str, messages: list[Outbound]) -> list[Outbound]:
    """A form's first message: ``head`` (title, household card), the form's notes and the
    first question (``messages``, rendered) in one message, not three."""
    out = list(messages)
    lead = [head]
    while out and isinstance(first := out[0], Text) and first.tone is Tone.INFO:
        lead.append(first.text)
        out.pop(0)
    if out and isinstance(first := out[0], Question | RequestLocation | RequestPhoto):
        out[0] = dataclasses.replace(first, text="\n\n".join([*lead, first.text]))
        return out
    return [Text("\n\n".join(lead)), *out]


def _render_ask(ask: Ask) -> Outbound:
    options = tuple(Option(o.value, o.label) for o in ask.options)
    extra = tuple(Option(o.value, o.label) for o in ask.extra)
    skip = "lewati" if ask.skippable else ""
    match ask.input:
        case "location":
            return RequestLocation(ask.text, skip_label=skip)
        case "photo":
            return RequestPhoto(ask.text, skip_label=skip)
        case "multi":
            return Question(ask.text, options, multi=True, extra=extra)
        case _:
            numbered = ask.numbered and ask.question != "__review__"
            return Question(ask.text, options, numbered=numbered, extra=extra)
