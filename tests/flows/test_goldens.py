"""Every form's golden transcripts replayed through the pure engine (tests/flows/golden.py).

``pytest tests/flows/test_goldens.py --update-goldens`` rewrites what the bot says in them after
a deliberate change; review the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows import golden


@pytest.mark.parametrize("path", golden.cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_transcript(path: Path, update_goldens: bool) -> None:
    case = golden.read(path)
    assert case["form"] == path.parent.name, "a case lives in the folder of its form"
    replayed = golden.replay(case)
    if update_goldens:
        golden.write(path, replayed)
        return
    assert replayed == case, (
        f"{path.relative_to(golden.TESTDATA)} differs from what the engine does now; if the "
        "change is meant, run pytest --update-goldens and review the diff"
    )


def test_every_form_has_a_transcript() -> None:
    forms = golden.form_files()
    assert len(forms) >= 6
    covered = {path.parent.name for path in golden.cases()}
    assert sorted(set(forms) - covered) == [], "forms without tests/flows/testdata/<id>/*.yaml"


def test_every_transcript_is_of_a_form() -> None:
    folders = {path.name for path in golden.TESTDATA.iterdir() if path.is_dir()}
    assert folders <= set(golden.form_files())


def test_a_wrong_transcript_fails(tmp_path: Path) -> None:
    """The comparison sees a changed word in what the bot said."""
    path = golden.cases()[0]
    case = golden.read(path)
    case["steps"][0]["bot"] = case["steps"][0]["bot"].replace("a", "o", 1)
    assert golden.replay(case) != case
    assert golden.replay(golden.read(path)) == golden.read(path)


def test_the_files_round_trip(tmp_path: Path) -> None:
    case = golden.replay(golden.read(golden.cases()[0]))
    golden.write(tmp_path / "x.yaml", case)
    assert golden.read(tmp_path / "x.yaml") == case
    assert "|" in (tmp_path / "x.yaml").read_text(encoding="utf-8")  # texts as blocks


def test_inputs_of_every_kind() -> None:
    assert golden.to_input("2").text == "2"
    assert golden.to_input({"choice": "keep"}).choice == "keep"
    assert golden.to_input({"location": [-5.0, 104.5]}).location == (-5.0, 104.5)
    assert golden.to_input({"photo": "ph-1"}).photo == "ph-1"
    with pytest.raises(ValueError, match="a step sends"):
        golden.to_input({"sticker": "x"})


def test_host_question_types_are_there_only_during_a_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.qtypes import QUESTION_TYPES

    monkeypatch.setitem(golden.HOSTS, "t", lambda: {"t_region": QUESTION_TYPES["text"]})
    with golden.host_types("t"):
        assert "t_region" in QUESTION_TYPES
    assert "t_region" not in QUESTION_TYPES
    with golden.host_types(None):
        assert "t_region" not in QUESTION_TYPES
