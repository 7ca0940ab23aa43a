"""The Allure HTML report, built by the pinned Allure 3 CLI and rendered by headless
Chromium, shows every scenario of the run (authconform.render_check)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from authconform import cli, render_check
from tests.test_results_plugin import PLUGINS, isolate, write_suite

REPO = Path(__file__).resolve().parent.parent
ALLURE = REPO / "node_modules" / ".bin" / "allure"

needs_browser = pytest.mark.skipif(
    render_check.find_chromium() is None,
    reason="chromium is missing: run scripts/setup-chromium.sh (./harness test does)")
needs_allure = pytest.mark.skipif(
    not ALLURE.exists(), reason="node_modules/.bin/allure is missing: run `npm ci`")


def test_leaf_titles_reads_only_tree_leaf_titles():
    dom = ('<div><span data-testid="tree-leaf-title" class="x">backup &amp; restore</span>'
           '<span data-testid="tree-leaf-title"><b>nested</b>  title </span>'
           '<span data-testid="other">not a leaf</span>'
           '<script>var s = "hidden scenario";</script></div>')
    assert render_check.leaf_titles(dom) == ["backup & restore", "nested title"]


def test_render_result_counts_each_copy_of_a_name():
    result = render_check.RenderResult(expected=("a", "b", "c", "a"), shown=("a", "c", "x"),
                                       screenshot=None)
    assert result.missing == ["a", "b"]
    assert render_check.RenderResult(("a",), ("a", "a"), None).missing == []


def test_missing_report_is_a_render_error(tmp_path):
    with pytest.raises(render_check.RenderError, match="no report"):
        render_check.render_report(tmp_path, ["x"])


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def build(tmp_path_factory, *argv: str) -> tuple[int, Path]:
    """Run the tiny suite through `authconform run`, HTML included."""
    mp = pytest.MonkeyPatch()
    try:
        isolate(mp)
        repo = write_suite(tmp_path_factory.mktemp("render") / "repo")
        out = repo / "out"
        code = cli.main(["run", "--root", str(repo), "--sut", "mini", "--report-dir", str(out),
                         *argv, "--", *PLUGINS])
    finally:
        mp.undo()
    return code, out


@pytest.fixture(scope="module")
def built_report(tmp_path_factory):
    if not ALLURE.exists():
        pytest.skip("node_modules/.bin/allure is missing: run `npm ci`")
    return build(tmp_path_factory)


@needs_allure
@needs_browser
def test_every_scenario_appears_in_the_rendered_report(built_report):
    code, out = built_report
    assert code == 3, "the tiny suite has an adapter error scenario"
    assert (out / "allure-report" / "index.html").is_file()
    doc = json.loads((out / "conformance.json").read_text())
    names = render_check.expected_names(doc)
    assert len(names) == 11
    shot = out / "report.png"
    result = render_check.render_report(out / "allure-report", names, screenshot=shot)
    assert result.missing == [], f"not shown: {result.missing}; shown: {result.shown}"
    assert "several phones ios" in result.shown
    width, height = png_size(shot)
    assert (width, height) == (1400, 1000)
    assert shot.stat().st_size > 20_000, "a blank page compresses to almost nothing"


@needs_allure
@needs_browser
def test_groups_without_failures_are_opened_for_the_check(tmp_path_factory, capsys):
    # Allure 3 keeps a group closed unless it holds a failure: an all-green run shows no
    # scenario names until the groups are opened, which the check does first.
    code, out = build(tmp_path_factory, "-k", "backup_turns_on or several_phones")
    assert code == 0
    assert render_check.main(["--report-dir", str(out)]) == 0
    assert "3/3 scenarios shown" in capsys.readouterr().out


@needs_allure
@needs_browser
def test_render_check_fails_for_a_scenario_the_report_lacks(built_report, capsys):
    _, out = built_report
    doc = json.loads((out / "conformance.json").read_text())
    doc["scenarios"].append({**doc["scenarios"][0], "id": "ghost::x",
                             "name": "a scenario that never ran"})
    fake = out.parent / "fake"
    fake.mkdir(exist_ok=True)
    (fake / "conformance.json").write_text(json.dumps(doc))
    (fake / "allure-report").symlink_to(out / "allure-report")
    assert render_check.main(["--report-dir", str(fake)]) == 1
    assert "missing: a scenario that never ran" in capsys.readouterr().out


@needs_allure
def test_report_command_keeps_history_between_builds(built_report, capsys):
    _, out = built_report
    history = out / "history.jsonl"
    before = len(history.read_text().splitlines())
    assert before >= 1
    assert cli.main(["report", "--report-dir", str(out)]) == 0
    assert "allure-report/index.html" in capsys.readouterr().out
    assert len(history.read_text().splitlines()) == before + 1
    config = json.loads((out / "allurerc.json").read_text())
    assert config["historyPath"] == str(history.resolve())
