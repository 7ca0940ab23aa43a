"""An ambiguity is not a default (authconform.gate.inference): a target that declares no
reading is judged under each, passes when every scenario of one reading passes, and is
told which; a target that mixes readings fails, naming what contradicted what; a
declared reading is judged under that reading only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from authconform.gate import inference, merge, verdict
from authconform.gate.verdict import RunInfo, ScenarioResult
from authconform.port import READINGS, Reading
from authconform.report import allure_files
from authconform.spec.catalogue import Requirement

TODAY = dt.date(2025, 6, 1)
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parent.parent
CATALOGUE = [Requirement(id="REQ-A-01", area="A", level="MUST", profiles=("current",),
                         summary="a", sources=({"doc": "a.txt"},)),
             Requirement(id="REQ-A-02", area="A", level="MUST", profiles=("current",),
                         summary="b", sources=({"doc": "a.txt"},))]


def sc(name: str, status: str, reading: Reading | None = None, *values: str,
       req: str = "REQ-A-01") -> ScenarioResult:
    return ScenarioResult(
        id=f"x.feature::{name}", feature="X", name=name, status=status, requirements=(req,),
        message=None if status == "passed" else f"{status} because",
        readings={reading.value: values} if reading else {})


def following(reading: Reading, value: str) -> list[ScenarioResult]:
    """The results of a target that follows ``value``: its scenarios pass, the other
    values' fail, and an untagged one passes."""
    return [sc("untagged", "passed", req="REQ-A-02")] + [
        sc(f"{reading.value}-{v}", "passed" if v == value else "failed", reading, v)
        for v in READINGS[reading]]


def build(scenarios: list[ScenarioResult], declared: dict[str, str] | None = None,
          shard: tuple[int, int] | None = None, selection: str = "full") -> dict:
    run = RunInfo(target_name="app", profile="current", seed=1, pytest_exit_status=1,
                  readings=declared or {}, shard=shard, selection=selection)
    doc = verdict.build_document(CATALOGUE, scenarios, run, today=TODAY, generated_at=NOW)
    assert verdict.validate_document(doc) == [], verdict.validate_document(doc)
    return doc


@pytest.mark.parametrize(("reading", "value"), [
    (r, v) for r in Reading for v in READINGS[r]])
def test_an_undeclared_target_that_follows_one_reading_is_conformant_and_told_which(
        reading: Reading, value: str) -> None:
    doc = build(following(reading, value))
    assert doc["verdict"] == "conformant", doc["reasons"]
    told = doc["readings"][reading.value]
    assert told["state"] == "inferred" and told["followed"] == value
    assert f"{reading.value} found to follow {value!r}" in verdict.readings_line(doc)
    others = [s for s in doc["scenarios"] if s["id"].endswith("-" + value) is False
              and s.get("readings")]
    assert others and all(s["status"] == "not-applicable" and s["observed"]["status"]
                          == "failed" and repr(value) in s["message"] for s in others)


def test_a_target_that_mixes_readings_fails_naming_the_contradiction() -> None:
    r = Reading.SECOND_PAIRING
    mixed = [sc("newest one", "passed", r, "newest_wins"),
             sc("newest two", "failed", r, "newest_wins"),
             sc("refused one", "failed", r, "refused"),
             sc("own one", "failed", r, "each_keeps_own")]
    doc = build(mixed)
    assert doc["verdict"] == "non-conformant"
    assert doc["readings"]["second_pairing"]["state"] == "mixed"
    reason = next(x for x in doc["reasons"] if x.startswith("reading second_pairing"))
    assert '"newest one" passed but "newest two" failed' in reason
    assert '"refused one" failed' in reason and '"own one" failed' in reason
    # nothing is explained away: the failures still fail their requirement
    assert [s["status"] for s in doc["scenarios"]] == ["passed", "failed", "failed", "failed"]


def test_a_declared_reading_is_judged_under_that_reading_only() -> None:
    r = Reading.SECOND_PAIRING
    # the declared value's scenario failed: no other reading may rescue the target
    doc = build([sc("refused", "failed", r, "refused"),
                 sc("newest", "not-applicable", r, "newest_wins")],
                declared={"second_pairing": "refused"})
    assert doc["verdict"] == "non-conformant"
    assert doc["readings"]["second_pairing"] == {
        "state": "declared", "values": list(READINGS[r]), "declared": "refused"}
    assert doc["target"]["readings"] == {"second_pairing": "refused"}
    assert "second_pairing declared 'refused'" in verdict.readings_line(doc)
    assert verdict.readings_line(doc, inferred_only=True) == ""


def test_a_reading_no_scenario_decided_is_undecided_and_moves_nothing() -> None:
    r = Reading.RED_DOT
    doc = build([sc("dot", "not-applicable", r, "out_of_date"),
                 sc("plain", "passed", req="REQ-A-02")])
    assert doc["readings"]["red_dot"]["state"] == "undecided"
    assert not any(x.startswith("reading ") for x in doc["reasons"])


def test_a_failure_under_every_reading_is_still_a_failure() -> None:
    """A broken app is not 'following another reading': every value failed."""
    r = Reading.EXISTING_ACCOUNTS
    doc = build([sc("any", "failed", r, "any"), sc("same", "failed", r, "same")])
    assert doc["verdict"] == "non-conformant"
    assert doc["readings"]["existing_accounts"]["followed"] is None


def test_two_values_that_both_hold_name_the_first_and_say_so() -> None:
    r = Reading.SECOND_PAIRING
    doc = build([sc("both", "passed", r, "newest_wins", "refused"),
                 sc("own", "failed", r, "each_keeps_own")])
    told = doc["readings"]["second_pairing"]
    assert told["followed"] == "newest_wins" and told["holds"] == ["newest_wins", "refused"]
    assert "also consistent with 'refused'" in verdict.readings_line(doc)


def test_merge_decides_again_from_the_raw_results_of_every_shard() -> None:
    """Shard 1 alone saw only the 'refused' scenario pass; shard 2 holds the failure
    that makes 'refused' not hold. The merged document must decide on both."""
    r = Reading.SECOND_PAIRING
    one = build([sc("refused a", "passed", r, "refused"),
                 sc("newest a", "failed", r, "newest_wins")], shard=(1, 2))
    two = build([sc("refused b", "failed", r, "refused"),
                 sc("newest b", "passed", r, "newest_wins"),
                 sc("own b", "failed", r, "each_keeps_own")], shard=(2, 2))
    assert one["readings"]["second_pairing"]["followed"] == "refused"
    merged = merge.merged_document([one, two], today=TODAY, generated_at=NOW)
    assert merged["readings"]["second_pairing"]["state"] == "mixed"
    assert merged["verdict"] == "non-conformant"
    # the raw statuses came back from "observed"
    assert {s["id"].split("::")[1]: s["status"] for s in merged["scenarios"]} == {
        "refused a": "passed", "newest a": "failed", "refused b": "failed",
        "newest b": "passed", "own b": "failed"}
    again = merge.merged_document([one], today=TODAY, generated_at=NOW)
    assert again["readings"] == one["readings"]
    assert sorted(again["scenarios"], key=lambda s: s["id"]) == sorted(
        one["scenarios"], key=lambda s: s["id"])


def test_a_scenario_round_trips_with_its_readings_and_observation() -> None:
    judged = inference.apply(
        [ScenarioResult(
            id="x::s", feature="X", name="s", status="blocked", message="m",
            blocked_by="REQ-A-02", readings={"red_dot": ("out_of_date",)})],
        [inference.Decision("red_dot", followed="restore_sign_in",
                            holds=("restore_sign_in",))])
    d = judged[0].to_dict()
    assert d["status"] == "not-applicable" and "blocked_by" not in d
    assert d["observed"] == {"status": "blocked", "message": "m", "blocked_by": "REQ-A-02"}
    raw = ScenarioResult.from_dict(json.loads(json.dumps(d)))
    assert (raw.status, raw.message, raw.blocked_by) == ("blocked", "m", "REQ-A-02")
    assert raw.readings == {"red_dot": ("out_of_date",)}


def test_every_reading_value_has_a_tagged_scenario_somewhere() -> None:
    """Otherwise a target that follows that value could never be found to follow it."""
    from authconform.spec import readings, traceability

    tagged = {(r, v) for s in traceability.parse_features(REPO / "features")
              for r, vs in readings.needed(s.tags).items() for v in vs}
    assert tagged == {(r, v) for r in Reading for v in READINGS[r]}


def test_requirements_check_wants_a_scenario_under_every_reading(tmp_path: Path) -> None:
    from authconform.spec import traceability

    features = tmp_path / "features"
    features.mkdir()
    (features / "x.feature").write_text(
        "Feature: x\n\n  @REQ-A-01 @reading-existing_accounts-any\n  Scenario: y\n"
        "    Given z\n\n  @REQ-A-02\n  Scenario: w\n    Given z\n", encoding="utf-8")
    matrix = traceability.build_matrix(CATALOGUE, traceability.parse_features(features))
    assert matrix.problems() == [
        "REQ-A-01: no scenario under reading existing_accounts=same (each is written for "
        "another value)"]


@pytest.mark.parametrize("variant", ["undeclared-readings"])
def test_the_undeclared_variant_is_told_the_readings_it_follows(
        variant: str, tmp_path: Path) -> None:
    """End to end on the two features where readings decide the most: the variant
    declares nothing, follows a later value of each reading, and is conformant."""
    done = subprocess.run(
        [sys.executable, "-m", "authconform.cli", "run", "--report-dir", str(tmp_path),
         "--no-html", "--tags", "recovacct or existing"],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
        env={**__import__("os").environ, "AUTHCONFORM_SUT_VARIANT": variant})
    doc = json.loads((tmp_path / "conformance.json").read_text("utf-8"))
    assert doc["verdict"] == "conformant", done.stdout[-3000:]
    assert doc["readings"]["second_pairing"]["followed"] == "each_keeps_own"
    assert doc["readings"]["existing_accounts"]["followed"] == "same"
    assert "second_pairing found to follow 'each_keeps_own'" in done.stdout
    assert "second_pairing found to follow 'each_keeps_own'" in (
        tmp_path / "summary.md").read_text("utf-8")


MIXING = '''
from authconform.alterations.mutants.existing_accounts import _blocking_only
from authconform.alterations.variants import variant
from sim.app import PERSONAL

@variant("mixing-existing", "blocks recovery for a personal account not in the backup "
         "(the 'any' reading) but not for a third-party one (the 'same' reading)",
         declares_readings=False)
def _(world):
    _blocking_only(world, lambda app, entry: entry.kind == PERSONAL)
'''


def test_an_undeclared_target_that_mixes_readings_fails_naming_both_sides(
        tmp_path: Path) -> None:
    """End to end: a personal account not in the backup blocks recovery (as under
    'any'), a third-party one does not (as under 'same'). Neither reading holds."""
    # pytest in the process that registered the variant (`run` starts a new one)
    code = (f"import sys\n{MIXING}\nimport pytest\n"
            "from authconform.gate.pytest_args import SUITE_PLUGIN_ARGS\n"
            "sys.exit(pytest.main(['features', '-p', 'no:cacheprovider', *SUITE_PLUGIN_ARGS,"
            " '-q', '--sut', 'sim', '-m', 'existing', *sys.argv[1:]]))")
    done = subprocess.run(
        [sys.executable, "-c", code, "--authconform-report-dir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
        env={**__import__("os").environ, "AUTHCONFORM_SUT_VARIANT": "mixing-existing"})
    doc = json.loads((tmp_path / "conformance.json").read_text("utf-8"))
    assert doc["verdict"] == "non-conformant", done.stdout[-3000:]
    assert doc["readings"]["existing_accounts"]["state"] == "mixed"
    reason = next(r for r in doc["reasons"] if r.startswith("reading existing_accounts"))
    assert "'any': " in reason and "'same': " in reason and reason.count("passed but") == 2
    assert "third-party" in reason and "personal" in reason


def test_allure_shows_a_scenario_of_another_reading_as_not_applicable_and_back(
        tmp_path: Path) -> None:

    sid = "x.feature::newest"
    path = tmp_path / "1-result.json"
    path.write_text(json.dumps({"status": "failed", "statusDetails": {"message": "boom"},
                                "labels": [{"name": "scenario_id", "value": sid}]}))
    r = Reading.SECOND_PAIRING
    doc = build([sc("newest", "failed", r, "newest_wins"), sc("own", "passed", r,
                                                              "each_keeps_own")])
    allure_files.sync_reading_statuses(tmp_path, doc)
    shown = json.loads(path.read_text())
    assert shown["status"] == "skipped" and "found to follow 'each_keeps_own'" in shown[
        "statusDetails"]["message"]
    assert {"name": "observed", "value": "failed"} in shown["labels"]
    # a merge that decides otherwise puts the failure back
    mixed = build([sc("newest", "failed", r, "newest_wins"),
                   sc("refused", "failed", r, "refused"),
                   sc("own", "failed", r, "each_keeps_own")])
    allure_files.sync_reading_statuses(tmp_path, mixed)
    back = json.loads(path.read_text())
    assert back["status"] == "failed" and back["labels"] == [
        {"name": "scenario_id", "value": sid}]


@pytest.mark.parametrize(("name", "declared"), [
    ("undeclared-readings", {}), ("undeclared-first-readings", {}),
    ("second-pairing-each-keeps-own", {"second_pairing": "each_keeps_own"}),
    ("red-dot-restore-sign-in", {"red_dot": "restore_sign_in"})])
def test_a_variant_declares_its_reading_or_nothing(name: str, declared: dict) -> None:
    from authconform.adapters import TargetConfig
    from authconform.adapters.sim_adapter import SimAdapter

    adapter = SimAdapter()
    adapter.start(TargetConfig(options={"variant": name}))
    readings = dict(adapter.new_target(1).info.readings)
    assert readings == declared if not declared else declared.items() <= readings.items()


def test_a_value_with_no_scenario_in_the_run_is_followed_when_every_other_fails() -> None:
    """Profile 2019 deselects the narrow reading's scenarios: a target following it is
    on the footing of one that declares it, and the report says none of them ran."""
    r = Reading.EXISTING_ACCOUNTS
    doc = build([sc("any", "failed", r, "any"), sc("plain", "passed", req="REQ-A-02")])
    told = doc["readings"]["existing_accounts"]
    assert told["followed"] == "same" and told["untested"] is True
    assert doc["verdict"] == "conformant"
    assert "(none of its scenarios ran)" in verdict.readings_line(doc)
    # with every value in the run, the same failure is no excuse
    doc = build([sc("any", "failed", r, "any"), sc("same", "failed", r, "same")])
    assert doc["verdict"] == "non-conformant"
    # nor in a selection or one shard, where the absent value may be merely elsewhere
    for partial in ({"selection": "partial"}, {"shard": (1, 2)}):
        doc = build([sc("any", "failed", r, "any")], **partial)  # type: ignore[arg-type]
        assert doc["readings"]["existing_accounts"]["state"] == "mixed"


def test_a_value_whose_scenarios_could_not_run_is_followed_when_every_other_fails() -> None:
    """A target without the faults capability cannot run the restore-sign-in red dot's
    scenarios: one that follows that reading and declares nothing fails only the other
    reading's, and must not be called mixed -- in a selection or a shard too, since the
    same target could not run them there either."""
    r = Reading.RED_DOT
    lacking = dataclasses.replace(
        sc("restore", "not-applicable", r, "restore_sign_in"),
        message="not-applicable: target lacks capability 'faults' (inject_fault)")
    for partial in ({}, {"selection": "partial"}, {"shard": (1, 2)}):
        doc = build([sc("lapse", "failed", r, "out_of_date"), lacking,
                     sc("plain", "passed", req="REQ-A-02")], **partial)  # type: ignore[arg-type]
        told = doc["readings"]["red_dot"]
        assert told["followed"] == "restore_sign_in" and told["untested"] is True, told
        assert not any("follows no one reading" in x for x in doc["reasons"]), doc["reasons"]
    # one scenario of the value that failed is a contradiction again
    doc = build([sc("lapse", "failed", r, "out_of_date"), lacking,
                 sc("restore2", "failed", r, "restore_sign_in")])
    assert doc["readings"]["red_dot"]["state"] == "mixed"


def test_an_error_under_a_reading_not_followed_is_still_an_error() -> None:
    r = Reading.OTHER_PHONE_CODE
    doc = build([sc("refused", "passed", r, "refused"), sc("accepted", "error", r, "accepted")])
    assert doc["readings"]["other_phone_code"]["followed"] == "refused"
    assert doc["verdict"] == "error"
