"""Rendering neutral intents within WhatsApp's limits (pure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.channels.whatsapp.menus import MenuMemory
from bot.channels.whatsapp.render import (
    Send,
    Upload,
    render_all,
    shorten,
    split_text,
    unique_titles,
)
from handlers.messages import (
    Channel,
    Chart,
    Document,
    Inbound,
    InboundKind,
    Option,
    Outbound,
    Question,
    RequestLocation,
    RequestPhoto,
    Text,
)


def _options(n: int, label: str = "Pilihan nomor {i}") -> tuple[Option, ...]:
    return tuple(Option(f"v{i}", label.format(i=i)) for i in range(1, n + 1))


def _only(messages: list[Outbound]) -> dict[str, Any]:
    rendered = render_all(messages)
    [part] = rendered.parts
    assert isinstance(part, Send)
    return part.message


def test_up_to_three_options_are_reply_buttons_with_short_unique_titles() -> None:
    question = Question(
        "Pilih status",
        (
            Option("a", "Tidak dapat ditemui sampai akhir pendataan"),
            Option("b", "Tidak dapat ditemui sampai akhir bulan"),
            Option("c", "Ya"),
        ),
    )
    message = _only([question])
    assert message["type"] == "interactive"
    interactive = message["interactive"]
    assert isinstance(interactive, dict)
    assert interactive["type"] == "button"
    buttons = interactive["action"]["buttons"]
    titles = [b["reply"]["title"] for b in buttons]
    assert all(len(t) <= 20 for t in titles)
    assert len(set(titles)) == 3
    assert [b["reply"]["id"] for b in buttons] == ["a", "b", "c"]


def test_four_to_ten_options_are_a_list_with_full_label_in_the_description() -> None:
    long = "Tidak dapat ditemui sampai akhir pendataan"
    options = (*_options(4), Option("long", long))
    message = _only([Question("Status keluarga", options)])
    interactive = message["interactive"]
    assert isinstance(interactive, dict) and interactive["type"] == "list"
    action = interactive["action"]
    assert len(action["button"]) <= 20
    rows = action["sections"][0]["rows"]
    assert len(rows) == 5
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[-1]["description"] == long and rows[-1]["title"].endswith("…")
    assert "description" not in rows[0]


def test_more_than_ten_options_are_a_numbered_menu_with_pages() -> None:
    question = Question("Pilih desa", _options(15))
    rendered = render_all([question])
    [part] = rendered.parts
    assert isinstance(part, Send) and part.message["type"] == "text"
    body = part.message["text"]["body"]
    assert "1. Pilihan nomor 1" in body and "10. Pilihan nomor 10" in body
    assert "11." not in body and "lagi" in body
    memory = MenuMemory()
    memory.remember("628", rendered)
    typed = Inbound(Channel.WHATSAPP, "628", "w1", InboundKind.TEXT, text=" 12 ")
    resolved = memory.resolve(typed)
    assert resolved.inbound is not None
    assert resolved.inbound.kind is InboundKind.CHOICE and resolved.inbound.payload == "v12"
    more = memory.resolve(Inbound(Channel.WHATSAPP, "628", "w2", InboundKind.TEXT, text="lagi"))
    assert more.inbound is None
    assert "11. Pilihan nomor 11" in more.local_text and "15." in more.local_text
    other = memory.resolve(Inbound(Channel.WHATSAPP, "628", "w3", InboundKind.TEXT, text="99"))
    assert other.inbound is not None and other.inbound.kind is InboundKind.TEXT


def test_a_new_question_replaces_the_remembered_menu() -> None:
    memory = MenuMemory()
    memory.remember("628", render_all([Question("Pilih", _options(12))]))
    memory.remember("628", render_all([Question("RT?", ())]))
    typed = Inbound(Channel.WHATSAPP, "628", "w1", InboundKind.TEXT, text="3")
    assert memory.resolve(typed).inbound == typed


def test_review_question_is_buttons_with_the_text() -> None:
    question = Question(
        "Ketik nomor untuk mengubah, mis. 2. Atau pilih Simpan.",
        (Option("__save__", "Simpan"), Option("__cancel__", "Batal")),
        numbered=False,
    )
    message = _only([question])
    interactive = message["interactive"]
    assert isinstance(interactive, dict)
    assert interactive["type"] == "button"
    assert interactive["body"]["text"].startswith("Ketik nomor")


def test_long_or_repeated_values_get_index_ids_resolved_from_memory() -> None:
    options = (Option("x" * 300, "Satu"), Option("y", "Dua"))
    rendered = render_all([Question("Pilih", options)])
    [part] = rendered.parts
    assert isinstance(part, Send)
    ids = [b["reply"]["id"] for b in part.message["interactive"]["action"]["buttons"]]
    assert ids == ["#1", "#2"]
    memory = MenuMemory()
    memory.remember("628", rendered)
    pressed = Inbound(Channel.WHATSAPP, "628", "w", InboundKind.CHOICE, payload="#1")
    resolved = memory.resolve(pressed).inbound
    assert resolved is not None and resolved.payload == "x" * 300


def test_location_request_photo_document_and_chart() -> None:
    rendered = render_all(
        [
            RequestLocation("Kirim lokasi rumah", skip_label="lewati"),
            RequestPhoto("Kirim foto rumah", skip_label="lewati"),
            Document("https://example.org/laporan.xlsx", caption="Laporan"),
            Document("exports/laporan.xlsx", file_name="laporan.xlsx"),
            Chart("charts/grafik.png", caption="Kemajuan"),
        ]
    )
    location, photo, link, upload, chart = rendered.parts
    assert isinstance(location, Send)
    interactive = location.message["interactive"]
    assert isinstance(interactive, dict)
    assert interactive["type"] == "location_request_message"
    assert interactive["action"] == {"name": "send_location"}
    assert "lewati" in interactive["body"]["text"]
    assert isinstance(photo, Send) and photo.message["type"] == "text"
    assert "lewati" in photo.message["text"]["body"]
    assert isinstance(link, Send) and link.message["document"]["link"].startswith("https://")
    assert upload == Upload(Path("exports/laporan.xlsx"), "document", "", "laporan.xlsx")
    assert isinstance(chart, Upload) and chart.media_type == "image"


def test_long_text_is_split_on_paragraphs_within_4096() -> None:
    paragraphs = [f"Paragraf {i}: " + "kata " * 150 for i in range(12)]
    text = "\n\n".join(paragraphs)
    rendered = render_all([Text(text)])
    bodies = [p.message["text"]["body"] for p in rendered.parts if isinstance(p, Send)]
    assert len(bodies) > 1
    assert all(len(b) <= 4096 for b in bodies)
    assert all(b.startswith("Paragraf") for b in bodies)
    assert sum(b.count("Paragraf") for b in bodies) == 12
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904]


def test_shorten_and_unique_titles() -> None:
    assert shorten("Ditemukan", 20) == "Ditemukan"
    assert shorten("Tidak dapat ditemui sampai akhir", 20) == "Tidak dapat ditemui…"
    assert unique_titles(["Sama", "Sama", "Sama"], 20) == ["Sama", "Sama (2)", "Sama (3)"]
    titles = unique_titles(["A" * 30, "A" * 30], 20)
    assert len(set(titles)) == 2 and all(len(t) <= 20 for t in titles)
