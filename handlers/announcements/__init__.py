"""Announcements from Dinsos: the composer (``form``), audience, fan-out into the outbox, the
report and the nudge (``view``), when the copies really go out (``sending``: quiet hours per
recipient zone) and the acknowledgements (``acks``). When they go out: ``reminders``.
"""
