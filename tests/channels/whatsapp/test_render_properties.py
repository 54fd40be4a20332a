"""Whatever the handlers ask, the rendered messages stay within WhatsApp's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.render import Send, render_all, split_text
from handlers.messages import Option, Question, Text

labels = st.text(min_size=1, max_size=80).filter(lambda s: s.strip() != "")
options = st.lists(
    st.tuples(st.text(min_size=1, max_size=250), labels), min_size=1, max_size=14
).map(lambda pairs: tuple(Option(v, label) for v, label in pairs))


@given(options, st.text(min_size=1, max_size=2000), st.booleans())
def test_questions_fit_the_interactive_limits(
    opts: tuple[Option, ...], text: str, numbered: bool
) -> None:
    rendered = render_all([Question(text, opts, numbered=numbered)])
    for part in rendered.parts:
        assert isinstance(part, Send)
        message = part.message
        if message["type"] == "text":
            assert 0 < len(message["text"]["body"]) <= 4096
            continue
        interactive = message["interactive"]
        assert 0 < len(interactive["body"]["text"]) <= 1024
        action = interactive["action"]
        if interactive["type"] == "button":
            replies = [b["reply"] for b in action["buttons"]]
            assert 1 <= len(replies) <= 3
            limit = 20
        else:
            replies = [r for s in action["sections"] for r in s["rows"]]
            assert 1 <= len(replies) <= 10 and len(action["button"]) <= 20
            assert all(len(r.get("description", "")) <= 72 for r in replies)
            limit = 24
        assert all(0 < len(r["title"]) <= limit for r in replies)
        assert len({r["title"] for r in replies}) == len(replies)
        assert all(0 < len(r["id"]) <= 200 for r in replies)
        assert len({r["id"] for r in replies}) == len(replies)


@given(st.text(max_size=12000))
def test_split_text_keeps_every_word_within_4096(text: str) -> None:
    chunks = split_text(text)
    assert all(0 < len(c) <= 4096 for c in chunks)
    assert "".join("".join(c.split()) for c in chunks) == "".join(text.split()) or (
        not text.strip() and chunks == ["-"]
    )


@given(st.text(min_size=1, max_size=9000))
def test_texts_are_split_not_cut(text: str) -> None:
    parts = render_all([Text(text)]).parts
    assert all(isinstance(p, Send) and len(p.message["text"]["body"]) <= 4096 for p in parts)
