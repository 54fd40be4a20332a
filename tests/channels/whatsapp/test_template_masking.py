"""What goes to Meta in a template carries no full NIK / No. KK, in any spelling (issue 18)."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp.sender import TemplateConfig, masked, template_message, template_param
from handlers.ports import Template


@pytest.mark.parametrize(
    "text",
    [
        "NIK 1804072704900258 belum terdaftar",
        "NIK 1804 0727 0490 0258 belum terdaftar",
        "NIK 1804-0727-0490-0258 belum terdaftar",
        "NIK 1804.0727.0490.0258 belum terdaftar",
    ],
)
def test_template_parameters_are_masked(text: str) -> None:
    assert template_param(text) == "NIK ************0258 belum terdaftar"


def test_a_whole_template_message_is_masked() -> None:
    config = TemplateConfig({"report": "kawal_report"})
    sent = template_message(
        Template("report", ("7", "Sri Menanti", "Data", "KK 1804-1916-1120-0001 pindah")), config
    )
    assert "1916" not in str(sent) and "************0001" in str(sent)


def test_a_whatsapp_number_in_logs_keeps_four_digits() -> None:
    assert masked("6281234567890") == "…7890"
