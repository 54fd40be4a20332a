"""Kawal's pure form engine: form models and loader, question types, dates, identifiers,
region codes, engine."""

import flows.host_types  # noqa: F401 - registers the composers' question types
from flows.dates import missing_date, parse_date, parse_date_time, parse_time_of_day
from flows.engine import (
    accepted_inputs,
    current_prompt,
    expected_input,
    hold,
    read_answer,
    resume,
    start,
    summary,
)
from flows.events import Ask, Cancelled, Change, Completed, Errored, Event, Option, Say
from flows.i18n import t
from flows.ids import (
    KkCheck,
    NikCheck,
    check_kk,
    check_nik,
    mask_ids_in_text,
    mask_nik,
    normalize_phone,
)
from flows.loader import FormRegistry, builtin_forms, load_form, load_forms, parse_form
from flows.model import Choice, Form, FormError, Label, Question
from flows.qtypes import QUESTION_TYPES
from flows.session import Input, Session, SessionStatus

__all__ = [
    "QUESTION_TYPES",
    "Ask",
    "Cancelled",
    "Change",
    "Choice",
    "Completed",
    "Errored",
    "Event",
    "Form",
    "FormError",
    "FormRegistry",
    "Input",
    "KkCheck",
    "Label",
    "NikCheck",
    "Option",
    "Question",
    "Say",
    "Session",
    "SessionStatus",
    "accepted_inputs",
    "builtin_forms",
    "check_kk",
    "check_nik",
    "current_prompt",
    "expected_input",
    "hold",
    "load_form",
    "load_forms",
    "mask_ids_in_text",
    "mask_nik",
    "missing_date",
    "normalize_phone",
    "parse_date",
    "parse_date_time",
    "parse_form",
    "parse_time_of_day",
    "read_answer",
    "resume",
    "start",
    "summary",
    "t",
]
