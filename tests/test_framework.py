"""Framework files: the built-in one loads and cites its sources; bad files are refused
with a message naming the file and the criterion."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.domain import CaseType
from auditor.errors import FrameworkError
from auditor.frameworks.model import (
    Framework,
    Scale,
    ScaleValue,
    load_builtin_frameworks,
    parse_framework,
)

FIXTURE = (Path(__file__).parent / "fixtures" / "mini.toml").read_text(encoding="utf-8")


def test_builtin_framework_has_sourced_criteria_in_sections() -> None:
    [framework] = [f for f in load_builtin_frameworks() if f.code == "IN-CFA"]
    assert len(framework.criteria) >= 25
    assert len(framework.sections) >= 8
    assert all(c.sources and c.text and c.guidance for c in framework.criteria)
    assert any(c.limiting for c in framework.criteria)
    for case_type in CaseType:
        assert len(framework.criteria_for(case_type)) >= 15, case_type


def test_builtin_framework_codes_are_unique_and_stable_shape() -> None:
    framework = load_builtin_frameworks()[0]
    codes = [c.code for c in framework.criteria]
    assert len(codes) == len(set(codes))
    assert all(code.isupper() and "-" in code for code in codes)


def test_mini_framework_criteria_for_case_type(mini: Framework) -> None:
    assert [c.code for c in mini.criteria_for("child_in_need")] == ["R-1", "R-2", "V-1"]
    assert [c.code for c in mini.criteria_for("looked_after")] == ["R-1", "R-2", "V-1", "V-2"]
    assert mini.criterion("R-1").limiting
    assert mini.criterion("R-1").scale.value("na").is_not_applicable


def _broken(old: str, new: str) -> str:
    assert old in FIXTURE
    return FIXTURE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "R-2"', 'code = "R-1"', "criterion R-1: code is used twice"),
        (
            'scale = "ypn"\napplies_to = ["all"]\ntarget = 80',
            'scale = "yn"\napplies_to = ["all"]',
            "criterion R-2: unknown scale 'yn'",
        ),
        ('sources = ["Test notice, para 3"]', "", "criterion V-1: 'sources' must list"),
        (
            'applies_to = ["looked_after"]',
            'applies_to = ["adult"]',
            "criterion V-2: 'applies_to' has an unknown case type",
        ),
        ("target = 90", "target = 190", "criterion R-1: 'target' must be a percentage"),
        (
            'start = "assessment_start"',
            'start = "birthday"',
            "timescale ASSESS-45: unknown date field 'birthday'",
        ),
        ('version = "1.0.0"', "", "framework: 'version' is missing"),
        ('sources = ["Test notice, para 3"]', "sources = []", "criterion V-1: 'sources' must list"),
        ("limiting = true", "limitting = true", "criterion R-1: unknown key(s) limitting"),
        ("good_min = 75", "good_min = 95", "thresholds must fall"),
    ],
)
def test_invalid_framework_names_file_and_criterion(old: str, new: str, message: str) -> None:
    with pytest.raises(FrameworkError) as info:
        parse_framework(_broken(old, new), origin="council.toml")
    assert str(info.value).startswith("council.toml: ")
    assert message in str(info.value)


def test_not_toml_is_refused() -> None:
    with pytest.raises(FrameworkError, match="council.toml: not valid TOML"):
        parse_framework("code = [unclosed", origin="council.toml")


def test_two_files_with_same_code_and_version_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(FIXTURE, encoding="utf-8")
    (tmp_path / "b.toml").write_text(FIXTURE, encoding="utf-8")
    with pytest.raises(FrameworkError, match="MINI version 1.0.0 is defined twice"):
        load_builtin_frameworks(tmp_path)


def test_to_dict_lists_every_criterion_with_its_source(mini: Framework) -> None:
    data = mini.to_dict()
    assert [c["code"] for c in data["criteria"]] == ["R-1", "R-2", "V-1", "V-2"]
    first = data["criteria"][0]
    assert first == {
        "code": "R-1",
        "section": "RISK",
        "text": "Is the level of risk recorded?",
        "guidance": "Look for a recorded risk analysis.",
        "scale": "ypn",
        "applies_to": [ct.value for ct in CaseType],
        "target": 90.0,
        "limiting": True,
        "sources": ["Test notice, para 1"],
    }


def test_the_target_for_good_or_better_is_optional_and_a_percentage() -> None:
    """[grading] good_or_better_target: left out there is none; 0 to 100 is read as given."""
    assert parse_framework(FIXTURE, origin="council.toml").grading.good_or_better_target is None
    with_target = _broken("[grading]\n", "[grading]\ngood_or_better_target = 80\n")
    assert parse_framework(with_target, origin="council.toml").grading.good_or_better_target == 80
    for wrong in ("120", "-1", "true", '"80"'):
        text = _broken("[grading]\n", f"[grading]\ngood_or_better_target = {wrong}\n")
        with pytest.raises(FrameworkError) as info:
            parse_framework(text, origin="council.toml")
        assert str(info.value) == (
            "council.toml: [grading]: 'good_or_better_target' must be a percentage from 0 to 100"
        )


def test_opening_a_database_registers_the_built_in_files_and_parses_them_only_when_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.frameworks import library, model
    from auditor.store import Store

    folder = tmp_path / "frameworks"
    folder.mkdir()
    source = load_builtin_frameworks()[0].source_text
    (folder / "in-cfa.toml").write_text(source, encoding="utf-8")
    with Store.open(tmp_path / "a.db") as store:
        library.register_builtin_frameworks(store, folder)
        assert [f.version for f in library.list_frameworks(store)] == ["1.0.0"]
        parsed: list[Path | None] = []
        real = model.load_builtin_frameworks  # the library imports it when it parses
        monkeypatch.setattr(model, "load_builtin_frameworks",
                            lambda d=None: parsed.append(d) or real(d))  # fmt: skip
        library.register_builtin_frameworks(store, folder)  # held already: not parsed
        assert parsed == []
        # A new version of the file (an update of the app) is parsed and registered.
        (folder / "in-cfa-2.toml").write_text(
            source.replace('version = "1.0.0"', 'version = "2.0.0"', 1), encoding="utf-8"
        )
        library.register_builtin_frameworks(store, folder)
        assert parsed == [folder]
        assert [f.version for f in library.list_frameworks(store)] == ["1.0.0", "2.0.0"]
        # The same version changed without a new number is refused, as before.
        (folder / "in-cfa-2.toml").write_text(
            source.replace('version = "1.0.0"', 'version = "2.0.0"', 1).replace(
                'title = "', 'title = "Changed ', 1
            ),
            encoding="utf-8",
        )
        with pytest.raises(FrameworkError, match="give the changed framework a new version"):
            library.register_builtin_frameworks(store, folder)


def test_a_scale_finds_a_value_by_its_code_as_a_scan_of_its_values_does() -> None:
    """Scale.value looks a code up in a table made once (grading asks it for every asked
    criterion at every answer saved): the first value with the code, KeyError for none."""
    first, again = ScaleValue("yes", "Yes", "1", 1.0, False), ScaleValue("yes", "Y", "2", 0.0, True)
    scale = Scale("s", "S", (first, ScaleValue("no", "No", "3", 0.0, True), again))
    assert scale.value("yes") is first and scale.value("no").label == "No"
    with pytest.raises(KeyError):
        scale.value("maybe")
    assert scale == Scale("s", "S", scale.values)  # the table is no field: equality as before
