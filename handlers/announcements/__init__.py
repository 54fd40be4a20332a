"""Announcements from Dinsos: the composer (``form``), audience, fan-out into the outbox,
acknowledgement, the report and the nudge (``view``). When they go out: ``reminders``.
"""
