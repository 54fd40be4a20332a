"""Deadlines as Dinsos sets them: the composer (``form``) and the view, list, edit and cancel
(``view``). When their reminders go out: ``reminders.planning`` and ``reminders.deadlines``.
"""
