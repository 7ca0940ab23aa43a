"""Reading tags: a scenario written for the other reading is not-applicable, with a
reason naming the reading; a misspelt tag is a usage error; the verdict keeps the
reading as the cause."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from authconform.adapters.inprocess import SimTarget
from authconform.gate import verdict
from authconform.port import Reading
from authconform.spec import readings
from tests.test_bad_input import run_pytest

REPO = Path(__file__).resolve().parent.parent


def test_every_reading_value_has_a_tag() -> None:
    tags = readings.all_tags()
    assert "reading-existing_accounts-same" in tags
    assert "reading-second_pairing-refused" in tags
    assert readings.parse("reading-second_pairing-refused") == (Reading.SECOND_PAIRING,
                                                               "refused")
    assert readings.parse("ios") is None


@pytest.mark.parametrize("tag", ["reading-existing_account-same", "reading-existing_accounts",
                                 "reading-existing_accounts-some"])
def test_a_misspelt_reading_tag_is_refused_naming_the_valid_ones(tag: str) -> None:
    with pytest.raises(ValueError, match=rf"unknown reading tag @{tag}; known: .*"
                                         r"@reading-existing_accounts-any"):
        readings.parse(tag)


def test_a_scenario_for_the_other_reading_is_not_applicable_naming_it() -> None:
    info = SimTarget(seed=1).info
    assert readings.mismatch(info, ["ios", "reading-existing_accounts-any"]) is None
    reason = readings.mismatch(info, ["reading-existing_accounts-same"])
    assert reason == ("not-applicable: reading 'existing_accounts': the target declares "
                      "'any', this scenario is written for 'same'")
    # an undeclared reading is no default: every reading's scenarios run (inference)
    undeclared = dataclasses.replace(info, readings={})
    assert readings.mismatch(undeclared, ["reading-second_pairing-refused"]) is None
    # both values named: the scenario holds under either
    assert readings.mismatch(info, ["reading-existing_accounts-any",
                                    "reading-existing_accounts-same"]) is None
    # the verdict keeps the reading as the cause, not a capability
    assert verdict.missing_capability(reason) is None


def test_the_sim_declares_the_reading_it_was_built_with() -> None:
    assert SimTarget(seed=1, recovery_block="same").info.reading(
        Reading.EXISTING_ACCOUNTS) == "same"


def test_a_misspelt_tag_in_a_feature_file_is_a_usage_error(tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "x.feature").write_text(
        "Feature: x\n\n  @REQ-EXISTING-01 @reading-existing_accounts-sometimes\n"
        "  Scenario: y\n    Given Alex has a personal Microsoft account\n",
        encoding="utf-8")
    done = run_pytest(tmp_path, "-c", str(REPO / "pyproject.toml"), "--rootdir",
                      str(tmp_path), str(features), "-p", "authconform.gate.plugin",
                      cwd=tmp_path)
    assert done.returncode in (2, 4), done.stdout + done.stderr
    assert "reading-existing_accounts-sometimes" in done.stdout + done.stderr
