"""One registered saver per form id, checked when Kawal is built: a form without a saver, a
saver without a form and a saver reading a question its form does not have stop start-up."""

from __future__ import annotations

import pytest

from flows import Completed, Form, FormRegistry, builtin_forms, parse_form
from handlers.app import Kawal, default_savers
from handlers.forms.savers import Saved, Saver, SaverError, Savers, form_fields
from handlers.kit.context import Turn
from handlers.ports import FixedClock
from storage.db import Database
from storage.records import FormSessionRecord

NOTE = """\
id: catatan_desa
version: 1
title: Catatan desa
questions:
  - {name: judul, type: text, label: Judul}
  - name: anggota
    type: repeat
    label: Anggota
    questions:
      - {name: nama, type: text, label: Nama}
"""


async def _save(turn: Turn, record: FormSessionRecord, form: Form, completed: Completed) -> Saved:
    return Saved(None, None, None)  # pragma: no cover - never called: start-up fails first


def _note() -> Form:
    return parse_form(NOTE, "catatan_desa.yaml")


def _with_note() -> FormRegistry:
    forms = builtin_forms()
    forms.add(_note())
    return forms


def test_the_shipped_forms_and_savers_fit() -> None:
    forms = builtin_forms()
    savers = default_savers()
    savers.check(forms)
    assert {s.form_id for s in savers} == {f.id for f in forms}
    assert {"tenggat", "pengumuman", "verifikasi_keluarga", "balas_laporan"} <= {
        s.form_id for s in savers
    }


def test_a_form_without_a_saver_stops_start_up(database: Database, now) -> None:
    with pytest.raises(SaverError, match=r"catatan_desa\.yaml: form catatan_desa has no saver"):
        Kawal(database, _with_note(), FixedClock(now))


def test_a_saver_without_a_form_stops_start_up(database: Database, now) -> None:
    savers = Savers([*default_savers(), Saver("catatan_desa", frozenset({"judul"}), _save)])
    with pytest.raises(SaverError, match="the saver of catatan_desa has no form catatan_desa"):
        Kawal(database, builtin_forms(), FixedClock(now), savers=savers)


def test_a_saver_reading_a_question_the_form_lacks_stops_start_up(database: Database, now) -> None:
    reads = frozenset({"judul", "anggota.nama", "anggota.umur", "lokasi"})
    savers = Savers([*default_savers(), Saver("catatan_desa", reads, _save)])
    with pytest.raises(SaverError) as failed:
        Kawal(database, _with_note(), FixedClock(now), savers=savers)
    assert "the saver of catatan_desa reads anggota.umur, lokasi" in str(failed.value)
    assert "catatan_desa v1 does not have" in str(failed.value)


def test_a_renamed_question_in_a_shipped_form_is_caught() -> None:
    """Renaming a question a saver reads (here the verification's family_status) no longer
    breaks saving silently."""
    forms = builtin_forms()
    renamed = FormRegistry(
        f if f.id != "verifikasi_keluarga" else _renamed(f, "family_status", "status_keluarga")
        for f in forms
    )
    with pytest.raises(SaverError, match="verifikasi_keluarga reads family_status"):
        default_savers().check(renamed)


def _renamed(form: Form, old: str, new: str) -> Form:
    questions = [q.model_copy(update={"name": new}) if q.name == old else q for q in form.questions]
    return form.model_copy(update={"questions": questions})


def test_two_savers_for_one_form_are_refused() -> None:
    with pytest.raises(SaverError, match="two savers for the form tenggat"):
        Savers([*default_savers(), Saver("tenggat", frozenset(), _save)])


def test_form_fields_name_repeat_questions_by_their_repeat() -> None:
    assert form_fields(_note()) == {"judul", "anggota", "anggota.nama"}
