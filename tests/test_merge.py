"""Sharded runs (``run --shard K/N``) and ``authconform merge``: the merged verdict and
every scenario's status equal one unsharded run's with the same seed; shards that are
not the slices of one run are refused (exit 2) with a message naming why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from authconform.gate.plugin import parse_shard, shard_of
from tests.test_bad_input import QUIET, REPO, _env, cli_command, said

# A mutant that fails a documented and a robustness requirement: the comparison then
# covers failures too, not only passes. Four feature files, not the whole suite: the
# shards are a hash of each scenario's id, whatever is selected, and these hold
# scenarios that pass, fail (documented and robustness) and are not applicable.
FEATURES = ("features/recovery.feature", "features/security.feature",
            "features/existing_accounts.feature",
            "features/regressions/recovery_trusts_an_old_sign_in_seed_12.feature")
RUN = ("--mutant", "recovery_wrong_password_accepted", "--seed", "11", "--no-html",
       *(arg for path in FEATURES for arg in ("--feature", path)))
SHARDS = 3


def gate(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli_command(), *args], cwd=REPO, env=_env(tmp), text=True,
                          capture_output=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One unsharded run and its three shards, from the same seed."""
    tmp = tmp_path_factory.mktemp("shards")
    done = gate(tmp, "run", *RUN, "--report-dir", str(tmp / "one"), "--", *QUIET)
    assert done.returncode == 1, said(done)[-3000:]
    for k in range(1, SHARDS + 1):
        done = gate(tmp, "run", *RUN, "--shard", f"{k}/{SHARDS}",
                    "--report-dir", str(tmp / f"shard{k}"), "--", *QUIET)
        assert done.returncode in (0, 1), said(done)[-3000:]
        assert "shard " in done.stdout.splitlines()[-2], said(done)[-2000:]
    yield tmp


def _doc(folder: Path) -> dict:
    return json.loads((folder / "conformance.json").read_text(encoding="utf-8"))


def _merge(tmp: Path, *dirs: Path, out: str = "merged") -> subprocess.CompletedProcess[str]:
    return gate(tmp, "merge", *map(str, dirs), "--report-dir", str(tmp / out), "--no-html")


def _shards(tmp: Path) -> list[Path]:
    return [tmp / f"shard{k}" for k in range(1, SHARDS + 1)]


def test_the_shards_split_the_scenarios_without_overlap(runs: Path) -> None:
    ids = [{s["id"] for s in _doc(d)["scenarios"]} for d in _shards(runs)]
    assert all(ids)
    assert sum(map(len, ids)) == len(set().union(*ids))
    assert set().union(*ids) == {s["id"] for s in _doc(runs / "one")["scenarios"]}


def test_merged_shards_equal_one_run(runs: Path) -> None:
    done = _merge(runs, *_shards(runs))
    one, merged = _doc(runs / "one"), _doc(runs / "merged")
    assert done.returncode == 1, said(done)[-3000:]
    assert merged["verdict"] == one["verdict"] == "non-conformant"
    # the selection holds every kind of result the merge has to carry over
    assert {"passed", "failed", "not-applicable"} <= {s["status"] for s in one["scenarios"]}
    assert one["robustness"]["failed"], one["robustness"]
    assert merged["reasons"] == one["reasons"]
    assert ({s["id"]: s["status"] for s in merged["scenarios"]}
            == {s["id"]: s["status"] for s in one["scenarios"]})
    assert ({r["id"]: r["status"] for r in merged["requirements"]}
            == {r["id"]: r["status"] for r in one["requirements"]})
    for key in ("coverage", "robustness", "totals", "unverified", "seed", "target"):
        assert merged[key] == one[key], key
    assert "shard" not in merged
    out = runs / "merged"
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testcase ") == len(one["scenarios"])
    assert "REQ-BACKUP-06" in (out / "summary.md").read_text(encoding="utf-8")
    results = list((out / "allure-results").glob("*-result.json"))
    assert len(results) == sum(len(list((d / "allure-results").glob("*-result.json")))
                               for d in _shards(runs))
    assert (out / "allure-results" / "environment.properties").is_file()


def _altered(runs: Path, name: str, change) -> Path:
    """A copy of shard 2 with its document changed."""
    folder = runs / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(runs / "shard2", folder)
    doc = _doc(folder)
    change(doc)
    (folder / "conformance.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("name", "change", "message"), [
    ("seed", lambda d: d.update(seed=12), "the shards differ in seed"),
    ("profile", lambda d: d.update(profile="2019"), "the shards differ in profile"),
    ("target", lambda d: d["target"].update(version="9"), "the shards differ in target"),
    ("catalogue", lambda d: d["suite"].update(catalogue_sha256="0" * 64),
     "the shards differ in requirement catalogue"),
    ("features", lambda d: d["suite"].update(features_sha256="0" * 64),
     "the shards differ in feature files"),
    ("count", lambda d: d["shard"].update(count=4), "different numbers of slices"),
    ("unsharded", lambda d: d.pop("shard"), "not a shard (run with --shard K/N)"),
])
def test_merge_refuses_shards_of_different_runs(runs: Path, name: str, change,
                                                message: str) -> None:
    folder = _altered(runs, name, change)
    done = _merge(runs, runs / "shard1", folder, runs / "shard3", out=f"refused-{name}")
    assert done.returncode == 2, said(done)[-3000:]
    assert message in done.stderr
    assert not (runs / f"refused-{name}" / "conformance.json").exists()


def test_merge_refuses_missing_repeated_and_overlapping_shards(runs: Path) -> None:
    s1, s2, s3 = _shards(runs)
    done = _merge(runs, s1, s3, out="refused-missing")
    assert done.returncode == 2 and "missing shard(s) 2 of 3" in done.stderr, said(done)
    done = _merge(runs, s1, s2, s2, s3, out="refused-twice")
    assert done.returncode == 2 and "shard 2 of 3 given twice" in done.stderr, said(done)
    stolen = _doc(s1)["scenarios"][0]

    def overlap(doc: dict) -> None:
        doc["scenarios"].append(stolen)

    folder = _altered(runs, "overlap", overlap)
    done = _merge(runs, s1, folder, s3, out="refused-overlap")
    assert done.returncode == 2 and "is in two shards" in done.stderr, said(done)
    assert stolen["id"] in done.stderr


def test_shard_numbers_are_checked_and_the_split_is_stable() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(Exception, match="expected K/N"):
            parse_shard(bad)
    # a scenario's slice depends on its id alone
    assert shard_of("features/x.feature::test_a", 4) == shard_of("features/x.feature::test_a", 4)
    assert {shard_of(f"f::{n}", 3) for n in range(60)} == {1, 2, 3}


def test_a_bad_shard_option_is_a_usage_error(tmp_path: Path) -> None:
    done = gate(tmp_path, "run", "--shard", "5/3", "--no-html", "--report-dir",
                str(tmp_path / "r"))
    assert done.returncode == 2
    assert "expected K/N with 1 <= K <= N, got '5/3'" in said(done)


def test_the_github_workflow_runs_every_shard_then_merges() -> None:
    import yaml

    flow = yaml.safe_load((REPO / ".github" / "workflows" / "conformance.yml").read_text())
    jobs = flow["jobs"]
    shards = jobs["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(flow["env"]["SHARDS"]) + 1))
    shard_script = "\n".join(s.get("run", "") for s in jobs["shard"]["steps"])
    assert '--shard "$SHARD/$SHARDS"' in shard_script and '--seed "$SEED"' in shard_script
    assert jobs["merge"]["needs"] == "shard" and jobs["merge"]["if"] == "always()"
    merge_script = "\n".join(s.get("run", "") for s in jobs["merge"]["steps"])
    assert "authconform merge shards/conformance-shard-*" in merge_script


def test_a_broken_file_seen_by_every_shard_is_one_error(runs: Path) -> None:
    import datetime as dt

    from authconform.gate import merge

    docs = [_doc(d) for d in _shards(runs)]
    for doc in docs:
        doc["harness"]["collection_errors"] = ["features/x.feature:5: inconsistent cell count"]
    merged = merge.merged_document(docs, today=dt.date(2026, 1, 1),
                                   generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert merged["harness"]["collection_errors"] == [
        "features/x.feature:5: inconsistent cell count"]
    assert merged["verdict"] == "error"


def test_the_merged_html_report_shows_every_scenario_of_every_shard(runs: Path) -> None:
    """The merged Allure HTML report, opened from disk, matches the merged document
    (the render check compares every scenario's status)."""
    from authconform.report import render_check

    if render_check.find_chromium() is None or not (
            REPO / "node_modules" / ".bin" / "allure").exists():
        pytest.skip("chromium or the Allure CLI is missing: ./harness test installs both")
    done = gate(runs, "merge", *map(str, _shards(runs)), "--report-dir", str(runs / "html"))
    assert done.returncode == 1, said(done)[-3000:]
    check = subprocess.run(
        [sys.executable, "-m", "authconform.report.render_check", "--report-dir",
         str(runs / "html")],
        cwd=REPO, env=_env(runs), text=True, capture_output=True, timeout=300, check=False)
    assert check.returncode == 0, said(check)[-3000:]
    assert f"{len(_doc(runs / 'one')['scenarios'])} scenarios" in check.stdout


def test_a_signed_merge_verifies(runs: Path) -> None:
    from authconform.gate import attest

    private, public = attest.keygen(runs / "merge-key")
    done = gate(runs, "merge", *map(str, _shards(runs)), "--report-dir", str(runs / "signed"),
                "--no-html", "--sign", str(private))
    assert done.returncode == 1, said(done)[-3000:]  # the mutant's verdict, signed
    where = runs / "signed" / "conformance.intoto.json"
    assert f"attestation {where}" in done.stdout
    done = gate(runs, "verify", str(where), "--key", str(public))
    assert done.returncode == 0, said(done)[-3000:]
    assert "ok: conformance.json" in done.stdout


def test_the_github_workflow_signs_the_verdict_and_checks_the_live_documents() -> None:
    import yaml

    flow = yaml.safe_load((REPO / ".github" / "workflows" / "conformance.yml").read_text())
    jobs = flow["jobs"]
    merge_script = "\n".join(s.get("run", "") for s in jobs["merge"]["steps"])
    assert '--sign "$RUNNER_TEMP/signing.key"' in merge_script
    assert "authconform verify reports/conformance.intoto.json" in merge_script
    sources_script = "\n".join(s.get("run", "") for s in jobs["sources"]["steps"])
    assert "authconform requirements --sources live" in sources_script
    assert "authconform drift sources-last live" in sources_script
    assert flow[True]["schedule"]  # 'on:' reads as True in YAML 1.1
