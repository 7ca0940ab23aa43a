"""Requirement -> scenario matrix from feature tags (authconform.spec.traceability)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authconform import cli
from authconform.spec import traceability
from authconform.spec.catalogue import ConfigurationError, Requirement, Retired, load_catalogue

REPO = Path(__file__).resolve().parent.parent

CATALOGUE_YML = """\
requirements:
  - {id: REQ-A-01, area: A, level: MUST, profiles: [current, "2019"], summary: one}
  - {id: REQ-A-02, area: A, level: MUST, profiles: [current], summary: two}
  - {id: REQ-A-03, area: A, level: SHOULD, profiles: [current, "2019"], summary: three}
  - {id: REQ-A-04, area: A, level: MUST, profiles: ["2019"], summary: four}
"""

FEATURE = """\
@REQ-A-01
Feature: Area A

  Scenario: turning it on
    Given something
    Then it works

  @negative @REQ-A-02
  Scenario: refused without an account
    Given something
    Then it is refused

  Rule: rules carry tags too
    @REQ-A-03
    Scenario: inside a rule
      Given something
      Then it works

  @profile-2019
  Scenario Outline: old profile only <n>
    Given something
    Then it works

    @REQ-A-04
    Examples:
      | n |
      | 1 |
"""


def write_repo(root: Path, feature: str = FEATURE, catalogue: str = CATALOGUE_YML) -> Path:
    (root / "features").mkdir(parents=True, exist_ok=True)
    (root / "steps").mkdir(exist_ok=True)
    (root / "features" / "requirements.yml").write_text(catalogue)
    (root / "features" / "a.feature").write_text(feature)
    return root


def matrix_for(root: Path, profile: str | None = None) -> traceability.Matrix:
    catalogue = load_catalogue(root / "features" / "requirements.yml")
    return traceability.build_matrix(
        catalogue, traceability.parse_features(root / "features"), profile)


def row(matrix: traceability.Matrix, rid: str) -> traceability.Row:
    return next(r for r in matrix.rows if r.requirement.id == rid)


def test_tags_from_feature_rule_scenario_and_examples_all_count(tmp_path):
    refs = {r.name: r for r in traceability.parse_features(write_repo(tmp_path) / "features")}
    assert refs["turning it on"].requirements == ("REQ-A-01",)
    assert refs["refused without an account"].requirements == ("REQ-A-01", "REQ-A-02")
    assert refs["inside a rule"].requirements == ("REQ-A-01", "REQ-A-03")
    assert refs["old profile only <n>"].requirements == ("REQ-A-01", "REQ-A-04")
    assert refs["turning it on"].id == "a.feature::turning it on"


def test_negative_tag_makes_a_negative_case(tmp_path):
    m = matrix_for(write_repo(tmp_path))
    assert row(m, "REQ-A-02").coverage == "negative-only"
    assert row(m, "REQ-A-03").coverage == "positive-only"
    a1 = row(m, "REQ-A-01")
    assert (a1.positive, a1.negative, a1.coverage) == (3, 1, "both")
    assert "REQ-A-02: only negative cases" in m.warnings()
    assert m.problems() == []


def test_profile_restricts_requirements_and_profile_tagged_scenarios(tmp_path):
    m = matrix_for(write_repo(tmp_path), profile="current")
    assert [r.requirement.id for r in m.rows] == ["REQ-A-01", "REQ-A-02", "REQ-A-03"]
    assert "old profile only <n>" not in [s.name for s in row(m, "REQ-A-01").scenarios]
    old = matrix_for(tmp_path, profile="2019")
    assert [s.name for s in row(old, "REQ-A-04").scenarios] == ["old profile only <n>"]


def test_requirement_without_scenario_and_unknown_tag_are_problems(tmp_path):
    feature = FEATURE.replace("@negative @REQ-A-02", "@negative @REQ-A-99")
    m = matrix_for(write_repo(tmp_path, feature))
    problems = m.problems()
    assert "REQ-A-02: no scenario" in problems
    assert any("@REQ-A-99 names no requirement" in p for p in problems)
    assert row(m, "REQ-A-02").coverage == "none"


def test_malformed_feature_file_is_a_configuration_error(tmp_path):
    write_repo(tmp_path, "Feature: broken\n  Scenario: x\n    Given a\nFeature: twice\n")
    with pytest.raises(ConfigurationError, match="cannot be parsed"):
        traceability.parse_features(tmp_path / "features")


def test_json_and_markdown_renderings_carry_the_matrix(tmp_path):
    m = matrix_for(write_repo(tmp_path))
    data = m.to_dict()
    assert data["requirements"][1] == {
        "id": "REQ-A-02", "level": "MUST", "summary": "two", "coverage": "negative-only",
        "positive": 0, "negative": 1, "scenarios": ["a.feature::refused without an account"]}
    md = traceability.render_markdown(m)
    assert md.splitlines()[0].startswith("| Requirement |")
    assert "| REQ-A-02 | MUST | negative-only | 0 | 1 |" in md


def test_requirements_cli_check_passes_and_fails(tmp_path, capsys):
    root = write_repo(tmp_path)
    assert cli.main(["requirements", "--matrix", "--check", "--root", str(root)]) == 0
    assert "REQ-A-02" in capsys.readouterr().out
    write_repo(tmp_path, FEATURE.replace("@negative @REQ-A-02", "@negative"))
    assert cli.main(["requirements", "--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "traceability check failed" in err


def test_requirements_cli_json_matrix_and_catalogue_listing(tmp_path, capsys):
    root = write_repo(tmp_path)
    assert cli.main(["requirements", "--matrix", "--format", "json", "--root", str(root)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in data["requirements"]] == [
        "REQ-A-01", "REQ-A-02", "REQ-A-03", "REQ-A-04"]
    assert cli.main(["requirements", "--profile", "2019", "--format", "md",
                     "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "REQ-A-04" in out and "REQ-A-02" not in out


def test_requirements_cli_reports_a_malformed_catalogue_as_usage_error(tmp_path, capsys):
    root = write_repo(tmp_path, catalogue="requirements: nope\n")
    assert cli.main(["requirements", "--root", str(root)]) == 2
    assert "requirements:" in capsys.readouterr().err


def test_build_matrix_with_inline_catalogue():
    catalogue = [Requirement("REQ-X-01", "X", "MUST", ("current",), "x", ())]
    ref = traceability.ScenarioRef("f.feature::s", "F", "s", 3,
                                   frozenset({"REQ-X-01", "REQ-X-02"}))
    m = traceability.build_matrix(catalogue, [ref])
    assert [s.id for s in m.rows[0].scenarios] == ["f.feature::s"]
    assert m.unknown == [("f.feature::s", "REQ-X-02")]


@pytest.mark.skipif(not (REPO / "features" / "requirements.yml").is_file(),
                    reason="the repository's features are not there yet")
def test_the_repository_features_parse():
    refs = traceability.parse_features(REPO / "features")
    assert all(r.id.count("::") == 1 for r in refs)


OUTLINE = """\
Feature: Per-platform tables

  @REQ-A-01
  Scenario Outline: on a <phone>
    Given a <phone>
    Then it works

    @ios
    Examples: iPhone
      | phone  |
      | iPhone |

    @android @profile-current @REQ-A-02
    Examples: Android
      | phone   |
      | Android |
"""


def test_an_examples_tables_tags_apply_to_its_own_rows_only(tmp_path):
    refs = traceability.parse_features(write_repo(tmp_path, OUTLINE) / "features")
    assert sorted(r.requirements for r in refs) == [("REQ-A-01",), ("REQ-A-01", "REQ-A-02")]
    assert sorted(sorted(r.profiles) for r in refs) == [[], ["current"]]
    assert {r.id for r in refs} == {"a.feature::on a <phone>"}


def test_a_profile_restricted_table_does_not_hide_the_outline_from_other_profiles(tmp_path):
    root = write_repo(tmp_path, OUTLINE)
    old = matrix_for(root, profile="2019")
    # The iPhone table runs in 2019; only the Android table is current-only.
    assert [s.name for s in row(old, "REQ-A-01").scenarios] == ["on a <phone>"]
    current = matrix_for(root, profile="current")
    assert [s.name for s in row(current, "REQ-A-01").scenarios] == ["on a <phone>"]
    assert [s.name for s in row(current, "REQ-A-02").scenarios] == ["on a <phone>"]


def test_an_outline_counts_once_per_requirement_however_many_tables_cover_it(tmp_path):
    m = matrix_for(write_repo(tmp_path, OUTLINE))
    assert (row(m, "REQ-A-01").positive, row(m, "REQ-A-01").negative) == (1, 0)


@pytest.mark.parametrize("profile", ["current", "2019"])
def test_the_repository_passes_the_traceability_check_under_each_profile(profile):
    catalogue = load_catalogue(REPO / "features" / "requirements.yml")
    m = traceability.build_matrix(catalogue, traceability.parse_features(REPO / "features"),
                                  profile)
    assert m.problems() == []


def test_a_tag_naming_a_retired_requirement_is_a_problem_that_says_where_it_went():
    catalogue = [Requirement("REQ-X-01", "X", "MUST", ("current",), "x", ())]
    retired = {"REQ-X-02": Retired("REQ-X-02", ("REQ-X-01",), "merged")}
    ref = traceability.ScenarioRef("f.feature::s", "F", "s", 3,
                                   frozenset({"REQ-X-01", "REQ-X-02"}))
    m = traceability.build_matrix(catalogue, [ref], retired=retired)
    assert m.problems() == ["f.feature::s: tag @REQ-X-02: REQ-X-02 was retired; its "
                            "checks are now REQ-X-01's (merged)"]
