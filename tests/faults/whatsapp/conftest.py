"""The WhatsApp channel on loopback with the fake Graph API, as in tests/channels/whatsapp."""

from __future__ import annotations

from tests.channels.whatsapp.conftest import graph, wa

__all__ = ["graph", "wa"]
