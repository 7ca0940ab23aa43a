"""``authconform mutants``: the runner, end to end on a small suite, in a subprocess.

The suite here is the kept regression feature (features/regressions/): it checks
third-party codes after recovery, so it kills ``third_party_rekeyed`` and cannot see
``order_lost`` -- one kill and one survivor, both known in advance. It runs on two seeds
(``--seeds``), as a sweep does: the same verdict on each, reported seed by seed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from authconform.alterations.mutants import MUTANTS
from authconform.proof.mutants import render_markdown

REPO = Path(__file__).resolve().parent.parent


def _runner(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from authconform.proof.mutants import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    report_dir = tmp_path_factory.mktemp("mutants")
    done = _runner("--suite", "features/regressions", "--only", "third_party_rekeyed",
                   "order_lost", "--workers", "2", "--seeds", "3-4", "--report-dir",
                   str(report_dir))
    doc = json.loads((report_dir / "mutants.json").read_text("utf-8"))
    return done.returncode, doc, (report_dir / "mutants.md").read_text("utf-8")


def test_one_kill_and_one_survivor_are_told_apart(small_run: tuple[int, dict, str]) -> None:
    exit_code, doc, _ = small_run
    assert exit_code == 1  # a survivor fails the run
    assert doc["reference_passed"] is True
    assert doc["reference"]["passed"] >= 1 and not doc["reference"]["failed"]
    assert doc["total"] == 2 and doc["killed"] == 1
    assert doc["survivors"] == ["order_lost"]
    assert doc["seeds"] == [3, 4] and doc["workers"] == 2
    assert [r["seed"] for r in doc["reference_by_seed"]] == [3, 4]
    assert all(r["passed"] >= 1 and not r["failed"] for r in doc["reference_by_seed"])
    assert doc["seed_dependent"] == []


def test_each_mutant_gives_its_result_on_every_seed(small_run: tuple[int, dict, str]) -> None:
    _, doc, _ = small_run
    by_name = {m["name"]: m for m in doc["mutants"]}
    for m in by_name.values():
        assert m["seeds"] == [3, 4] and [r["seed"] for r in m["by_seed"]] == [3, 4]
    assert [r["status"] for r in by_name["third_party_rekeyed"]["by_seed"]] == ["killed"] * 2
    assert by_name["third_party_rekeyed"]["survived_on"] == []
    assert by_name["order_lost"]["survived_on"] == [3, 4]


def test_each_mutant_is_reported_with_its_requirement_and_killer(
        small_run: tuple[int, dict, str]) -> None:
    _, doc, _ = small_run
    by_name = {m["name"]: m for m in doc["mutants"]}
    killed = by_name["third_party_rekeyed"]
    assert killed["killed"] and killed["status"] == "killed"
    assert killed["requirement"] == MUTANTS["third_party_rekeyed"].requirement
    assert killed["by_requirement_tag"] is True
    assert killed["killing_scenarios"] and "features/regressions/" in (
        killed["killing_scenarios"][0])
    assert killed["failure"]  # the end of the failing step's report
    survivor = by_name["order_lost"]
    assert not survivor["killed"] and survivor["status"] == "survived"
    assert survivor["killing_scenarios"] == [] and survivor["scenarios_run"] >= 1
    assert all(isinstance(m["seconds"], float) for m in doc["mutants"])


def test_markdown_report_has_a_row_per_mutant(small_run: tuple[int, dict, str]) -> None:
    _, doc, markdown = small_run
    assert markdown == render_markdown(doc)
    assert "| third_party_rekeyed | REQ-CODES-03 | killed |" in markdown
    assert "| order_lost | REQ-STORED-04 | survived |" in markdown
    assert "- survivors: order_lost" in markdown
    assert "| order_lost | REQ-STORED-04 | survived | 3, 4 |" in markdown
    assert "- seeds: 3-4 (2)" in markdown


def test_list_names_every_mutant() -> None:
    done = _runner("--list")
    assert done.returncode == 0
    listed = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert listed == list(MUTANTS)


def test_unknown_mutant_is_a_usage_error(tmp_path: Path) -> None:
    done = _runner("--only", "no_such_mutant", "--report-dir", str(tmp_path))
    assert done.returncode == 2
    assert "no_such_mutant" in done.stderr
    assert not (tmp_path / "mutants.json").exists()


@pytest.mark.parametrize("seeds", ["1-", "5-2", "a-b", "-3"])
def test_a_bad_seed_range_is_a_usage_error(tmp_path: Path, seeds: str) -> None:
    done = _runner("--seeds", seeds, "--report-dir", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--seeds" in done.stderr
    assert not (tmp_path / "mutants.json").exists()


def test_seed_and_seeds_together_are_a_usage_error(tmp_path: Path) -> None:
    done = _runner("--seed", "3", "--seeds", "1-2", "--report-dir", str(tmp_path))
    assert done.returncode == 2 and "not allowed with argument" in done.stderr


def test_mutants_json_follows_its_schema(small_run: tuple[int, dict, str]) -> None:
    _, doc, _ = small_run
    schema = json.loads((REPO / "authconform/schemas/mutants.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_a_mutant_missed_on_one_seed_is_not_killed_and_names_that_seed() -> None:
    from authconform.proof.mutants import MutantResult

    caught = MutantResult("m", "REQ-X-01", "d", True, ["s"], 1.0, "killed", 2, [], True,
                          "boom", seed=1)
    missed = MutantResult("m", "REQ-X-01", "d", False, [], 2.0, "survived", 9, seed=2)
    entry = MutantResult.combine([caught, missed])
    assert not entry["killed"] and entry["status"] == "survived"
    assert entry["seeds"] == [1, 2] and entry["survived_on"] == [2]
    assert [r["status"] for r in entry["by_seed"]] == ["killed", "survived"]
    assert entry["killing_scenarios"] == ["s"] and entry["seconds"] == 3.0
