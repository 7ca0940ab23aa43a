"""``run --sources DIR``: a run given the source documents marks the requirements whose
passages changed ``review`` in conformance.json, summary.md and the terminal, and the
gate says which passages changed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from authconform import cli
from authconform.gate import merge, verdict
from authconform.report.summary import render_summary
from authconform.spec import sources
from authconform.spec.catalogue import Requirement
from tests.test_bad_input import gate_line, run_gate, said
from tests.test_sources import SEEDS, needs_seeds

TEXT = "guide\nKeys open doors.\nKeep one spare key.\nPage footer\n"
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


def _catalogue(passages: list[sources.Passage]) -> list[Requirement]:
    def bound(p: sources.Passage) -> dict[str, str]:
        return {"doc": "guide.txt", "section": p.locator.section,
                "para": str(p.locator.para), "fp": p.fp}
    return [Requirement("REQ-KEY-01", "KEY", "MUST", ("current",), "Doors open.",
                                (bound(passages[0]),)),
            Requirement("REQ-KEY-02", "KEY", "MUST", ("current",), "A spare is kept.",
                                (bound(passages[1]),))]


def _run(check: sources.SourceCheck | None, failing: bool = False) -> dict[str, object]:
    catalogue = _catalogue(sources.split("guide.txt", TEXT))
    scenarios = [verdict.ScenarioResult("a.feature::one", "a", "one", verdict.PASSED,
                                        ("REQ-KEY-01",)),
                 verdict.ScenarioResult("a.feature::two", "a", "two",
                                        verdict.FAILED if failing else verdict.PASSED,
                                        ("REQ-KEY-02",),
                                        message="wrong" if failing else None)]
    run = verdict.RunInfo(target_name="sim", seed=1,
                          sources=None if check is None else {**check.to_dict(), "dir": "d"})
    return verdict.build_document(catalogue, scenarios, run, today=NOW.date(),
                                  generated_at=NOW)


def _check(text: str) -> sources.SourceCheck:
    ps = sources.split("guide.txt", TEXT)
    footer = sources.Binding(ps[2].locator, ps[2].fp, "no behaviour", "footer")
    return sources.check(_catalogue(ps), sources.SourcesFile(["guide.txt"], [footer]),
                         {"guide.txt": sources.split("guide.txt", text)})


def test_documents_that_still_match_leave_the_verdict_alone() -> None:
    doc = _run(_check(TEXT))
    assert verdict.validate_document(doc) == []
    assert doc["verdict"] == verdict.CONFORMANT and doc["reasons"] == []
    assert doc["sources"]["status"] == "current"  # type: ignore[index]
    assert verdict.sources_line(doc) == ("guide.txt 3/3 paragraphs accounted for; the "
                                         "catalogue's bindings hold")
    assert "### Source documents" in render_summary(doc)
    plain = _run(None)
    assert "sources" not in plain and plain["verdict"] == verdict.CONFORMANT


def test_a_changed_passage_makes_its_requirement_review() -> None:
    doc = _run(_check(TEXT.replace("spare key", "copy")))
    assert verdict.validate_document(doc) == []
    assert doc["verdict"] == verdict.REVIEW
    by_id = {r["id"]: r for r in doc["requirements"]}  # type: ignore[attr-defined]
    assert by_id["REQ-KEY-02"]["review"] == ["guide.txt 'guide' \u00b62: text changed (line 3)"]
    assert by_id["REQ-KEY-02"]["status"] == verdict.PASSED  # what the target did stays
    assert "review" not in by_id["REQ-KEY-01"]
    code, line = cli.decide_exit_code(0, doc)
    assert code == cli.EXIT_NON_CONFORMANT
    assert line == ("source documents changed: 1 passage changed, 1 paragraph uncovered; "
                    "1 requirement to review: REQ-KEY-02")
    summary = render_summary(doc)
    assert "Conformance: **review**" in summary
    assert "| REQ-KEY-02 | guide.txt 'guide' \u00b62: text changed (line 3) |" in summary
    assert "review: source changed" in summary


def test_a_failure_stays_non_conformant_and_the_line_adds_the_review() -> None:
    doc = _run(_check(TEXT.replace("Keys open doors.\n", "")), failing=True)
    assert verdict.validate_document(doc) == []
    assert doc["verdict"] == verdict.NON_CONFORMANT
    code, line = cli.decide_exit_code(1, doc)
    assert code == cli.EXIT_NON_CONFORMANT
    assert line.startswith("1 MUST requirement failed: REQ-KEY-02; source documents changed:")
    assert "REQ-KEY-01" in line  # its passage went


def test_a_newcomer_without_sources_is_a_problem_in_the_run() -> None:
    ps = sources.split("guide.txt", TEXT)
    catalogue = [*_catalogue(ps), SimpleNamespace(id="REQ-KEY-03", sources=())]
    footer = sources.Binding(ps[2].locator, ps[2].fp, "no behaviour", "footer")
    check = sources.check(catalogue, sources.SourcesFile(["guide.txt"], [footer]),
                          {"guide.txt": ps})
    doc = _run(check)
    assert doc["verdict"] == verdict.REVIEW
    assert any("REQ-KEY-03: no source passage" in r for r in doc["reasons"])  # type: ignore


def test_shards_may_read_the_documents_from_different_folders() -> None:
    one = {**_run(_check(TEXT)), "shard": {"index": 1, "count": 2}}
    two = json.loads(json.dumps(one))
    two["shard"] = {"index": 2, "count": 2}
    two["scenarios"] = []
    two["sources"]["dir"] = "elsewhere"
    merge.check_slices([one, two], [Path("a"), Path("b")])
    two["sources"]["status"] = "drifted"
    with pytest.raises(merge.MergeError, match="source documents"):
        merge.check_slices([one, two], [Path("a"), Path("b")])


# ---------------------------------------------------------------- through the command

SELECTION = "turns_on_backup"


def test_run_with_a_missing_sources_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = run_gate(tmp_path, "-k", SELECTION, "--sources", str(tmp_path / "nowhere"))
    assert done.returncode == 2, said(done)[-3000:]
    assert "does not exist" in said(done)


@needs_seeds
def test_run_against_an_edited_copy_reports_review(tmp_path: Path) -> None:
    assert SEEDS is not None
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("000_95d2045858eeac78.txt", "002_7c4b4cc3792598fb.txt"):
        shutil.copyfile(SEEDS / name, docs / name)
    done = run_gate(tmp_path, "-k", SELECTION, "--seed", "3", "--sources", str(docs))
    assert done.returncode == 0, said(done)[-3000:]
    assert "the catalogue's bindings hold" in said(done)
    path = docs / "000_95d2045858eeac78.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "enable iCloud backup", "switch on iCloud backup"), encoding="utf-8")
    done = run_gate(tmp_path, "-k", SELECTION, "--seed", "3", "--sources", str(docs))
    line = gate_line(done)
    assert done.returncode == 1, said(done)[-3000:]
    assert line.startswith("authconform: review (exit 1): partial run"), line
    assert "REQ-BACKUP-04" in line and "1 passage changed" in line
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert verdict.validate_document(doc) == []
    assert doc["verdict"] == "review"
    assert {r["id"] for r in doc["requirements"] if r.get("review")} == {
        "REQ-BACKUP-04", "REQ-BACKUP-07", "REQ-FAULT-02"}
    assert "### Source documents" in (tmp_path / "reports" / "summary.md").read_text()
    env = (tmp_path / "reports" / "allure-results" / "environment.properties").read_text()
    assert "sources=" in env and "REQ-BACKUP-04" in env
