"""The Allure HTML report tells the truth, opened the way a person opens it.

The browser tests build the report with the pinned Allure 3 CLI and open it from disk
(file://) in headless Chromium (authconform.report.render_check). They run a few scenarios
only; they skip only when Chromium or the Allure CLI is genuinely absent
(``./harness test`` installs both).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest

from authconform import cli
from authconform.report import html_report, render_check
from authconform.spec.catalogue import Requirement, load_catalogue
from tests.test_results_plugin import isolate, write_suite

REPO = Path(__file__).resolve().parent.parent
ALLURE = REPO / "node_modules" / ".bin" / "allure"

needs_browser = pytest.mark.skipif(
    render_check.find_chromium() is None,
    reason="chromium is missing: run scripts/setup-chromium.sh (./harness test does)")
needs_allure = pytest.mark.skipif(
    not ALLURE.exists(), reason="node_modules/.bin/allure is missing: run `npm ci`")

# One scenario outline of the real suite (two examples) and the mutant that breaks it.
SELECTION = "wrong_recovery_account_password or service_restarts"
MUTANT = "backup_on_with_wrong_password"


# ---------------------------------------------------------------- units

DOM = """<div>
<div data-testid="metadata-item-total"><div>Total</div><div><span>5</span></div></div>
<div data-testid="metadata-item-failed"><div>Failed</div><div><span>2</span></div></div>
<div data-testid="metadata-item-passed"><div>Passed</div><div><span>3</span></div></div>
<button data-testid="tree-leaf" data-tree-node-id="a1">
  <div data-testid="tree-leaf-status-failed"></div><span data-testid="tree-leaf-order">1</span>
  <span data-testid="tree-leaf-title">backup &amp; <b>restore</b> — iPhone</span></button>
<button data-testid="tree-leaf" data-tree-node-id="b2">
  <div data-testid="tree-leaf-status-passed"></div>
  <span data-testid="tree-leaf-title">codes</span></button>
<script>var s = "tree-leaf hidden";</script></div>"""


def test_the_rendered_dom_gives_counters_and_leaves_with_their_status():
    leaves, counters = render_check.read_dom(DOM)
    assert counters == {"total": 5, "failed": 2, "passed": 3}
    assert [(x.node_id, x.status, x.title) for x in leaves] == [
        ("a1", "failed", "backup & restore — iPhone"), ("b2", "passed", "codes")]


def _doc(*scenarios: tuple[str, str]) -> dict:
    totals = dict.fromkeys(("passed", "failed", "error", "not-applicable", "skipped"), 0)
    for _, status in scenarios:
        totals[status] += 1
    totals["total"] = len(scenarios)
    return {"totals": {"scenarios": totals},
            "scenarios": [{"id": sid, "status": status} for sid, status in scenarios]}


def _rendered(*leaves: tuple[str, str], counters: dict[str, int]) -> render_check.Rendered:
    return render_check.Rendered(
        leaves=[render_check.Leaf(f"n{i}", sid, status) for i, (sid, status) in
                enumerate(leaves)],
        counters=counters, scenario_of={f"n{i}": sid for i, (sid, _) in enumerate(leaves)})


def test_compare_accepts_a_report_that_matches():
    doc = _doc(("f::a", "passed"), ("f::b", "error"), ("f::c", "not-applicable"))
    shown = _rendered(("f::a", "passed"), ("f::b", "broken"), ("f::c", "skipped"),
                      counters={"total": 3, "passed": 1, "broken": 1, "skipped": 1})
    assert render_check.compare(doc, shown) == []


def test_compare_names_every_difference():
    # the stale report: the second run failed, the report still shows the first (green)
    doc = _doc(("f::a", "failed"), ("f::b", "passed"), ("f::c", "passed"))
    shown = _rendered(("f::a", "passed"), ("f::b", "passed"), ("f::ghost", "passed"),
                      counters={"total": 3, "passed": 3})
    problems = render_check.compare(doc, shown)
    assert "the report shows 3 passed, conformance.json has 2" in problems
    assert "the report shows 0 failed, conformance.json has 1" in problems
    assert "f::a: the report shows passed, conformance.json failed" in problems
    assert "f::c: not shown in the report" in problems
    assert "the report shows 'f::ghost', which is not in conformance.json" in problems


def test_the_single_file_report_carries_its_data_inline():
    payload = {"id": "a1", "labels": [{"name": "scenario_id", "value": "f::a"}]}
    import base64

    encoded = base64.b64encode(json.dumps(payload).encode()).decode()
    page = f'<script>Promise.allSettled([d("data/test-results/a1.json","{encoded}")])</script>'
    data = render_check.embedded_data(page)
    assert render_check.scenario_ids_by_leaf(data) == {"a1": "f::a"}


def test_missing_report_is_a_render_error(tmp_path):
    with pytest.raises(render_check.RenderError, match="no report"):
        render_check.render_report(tmp_path)


def test_the_output_folder_is_emptied_and_the_history_kept(tmp_path):
    out = tmp_path / "allure-report"
    (out / "awesome").mkdir(parents=True)
    (out / "index.html").write_text("old run")
    (out / "awesome" / "index.html").write_text("newer run")
    (tmp_path / "history.jsonl").write_text("{}\n")
    html_report.empty_folder(out)
    assert out.is_dir() and list(out.iterdir()) == []
    assert (tmp_path / "history.jsonl").read_text() == "{}\n"


def test_allure_config_asks_for_one_file_grouped_by_area(tmp_path):
    options = cli.allure_config(tmp_path)["plugins"]["awesome"]["options"]
    assert options["singleFile"] is True
    assert options["groupBy"] == ["epic", "feature"]
    assert {"host", "thread"} <= set(cli.allure_config(tmp_path)["hideLabels"])


def test_a_requirement_page_says_what_the_requirement_is_and_how_it_fared(tmp_path):
    req = Requirement(
        id="REQ-DEMO-01", area="DEMO", level="MUST", profiles=("current",),
        summary="Backup can be turned on <soon>", sources=({"doc": "a.txt", "section": "Intro"},),
        interpretation="Read as: on first launch")
    doc = {"requirements": [{"id": "REQ-DEMO-01", "status": "failed",
                             "scenarios": ["demo.feature::backup turns on"]}]}
    written = html_report.write_requirement_pages(tmp_path, [req], doc)
    assert [p.name for p in written] == ["REQ-DEMO-01.html", "index.html"]
    page = (tmp_path / "REQ-DEMO-01.html").read_text()
    for text in ("REQ-DEMO-01", "Backup can be turned on &lt;soon&gt;", "a.txt",
                 "Intro", "Read as: on first launch", ">failed<",
                 "demo.feature::backup turns on", "MUST"):
        assert text in page
    assert 'href="REQ-DEMO-01.html"' in (tmp_path / "index.html").read_text()


# ---------------------------------------------------------------- browser: tiny suite


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def build_mini(repo: Path, out: Path, *argv: str) -> int:
    mp = pytest.MonkeyPatch()
    try:
        isolate(mp)
        return cli.main(["run", "--root", str(repo), "--sut", "mini", "--report-dir",
                         str(out), *argv])  # the gate names the plugins it loads
    finally:
        mp.undo()


@needs_allure
@needs_browser
def test_a_second_run_replaces_the_report_and_the_check_compares_statuses(tmp_path):
    repo = write_suite(tmp_path / "repo")
    out = repo / "out"
    # first a green run, then the whole tiny suite (failures, errors, n/a) into the same
    # folder: the report must show the second run, opened from disk
    assert build_mini(repo, out, "-k", "backup_turns_on or several_phones") == 0
    first = json.loads((out / "conformance.json").read_text())
    assert build_mini(repo, out) == 3
    second = json.loads((out / "conformance.json").read_text())
    report = out / "allure-report"
    assert sorted(p.name for p in report.iterdir()) == [
        "index.html", "requirements", "summary.json", "test-results.json"], (
        "one self-contained index.html: no awesome/ folder, no data/ to fetch")
    shot = out / "report.png"
    problems, rendered = render_check.check(out, screenshot=shot)
    assert problems == []
    assert rendered.counters == {"total": 11, "passed": 4, "failed": 1, "broken": 3,
                                 "skipped": 3}
    statuses = {rendered.scenario_of[leaf.node_id]: leaf.status for leaf in rendered.leaves}
    assert statuses["demo.feature::recovery restores nothing"] == "failed"
    assert statuses["demo.feature::store breaks"] == "broken"
    assert len(rendered.leaves) == second["totals"]["scenarios"]["total"]
    # the check can fail: the same render judged against the first (green) run
    assert render_check.compare(first, rendered)
    assert png_size(shot) == render_check.WINDOW
    assert shot.stat().st_size > 20_000, "a blank page compresses to almost nothing"
    history = (out / "history.jsonl").read_text().splitlines()
    assert len(history) == 2, "trends are kept across builds"


@needs_allure
@needs_browser
def test_render_check_exit_code_follows_the_comparison(tmp_path, capsys, monkeypatch):
    repo = write_suite(tmp_path / "repo")
    out = repo / "out"
    assert build_mini(repo, out, "-k", "backup_turns_on or recovery_restores") == 1
    renders = []
    real = render_check.render_report

    def render_once(*args, **kwargs):
        # the report does not change below, only the document it is judged against:
        # the browser's reading of it is taken once (a Chromium start is seconds of CPU)
        if not renders:
            renders.append(real(*args, **kwargs))
        return renders[0]

    monkeypatch.setattr(render_check, "render_report", render_once)
    assert render_check.main(["--report-dir", str(out)]) == 0
    assert "matches conformance.json" in capsys.readouterr().out
    doc = json.loads((out / "conformance.json").read_text())
    for s in doc["scenarios"]:
        s["status"] = "passed"  # a document that disagrees with the report
    doc["totals"]["scenarios"].update(passed=2, failed=0)
    (out / "conformance.json").write_text(json.dumps(doc))
    assert render_check.main(["--report-dir", str(out)]) == 1
    said = capsys.readouterr().out
    assert "DOES NOT match" in said
    assert "recovery restores nothing: the report shows failed, conformance.json passed" in said


# ---------------------------------------------------------------- browser: real suite


@pytest.fixture(scope="module")
def mutant_report(tmp_path_factory):
    """The real suite on a few scenarios: a conformant run, then the same scenarios
    against a mutant, into one report folder; the report is the second run's."""
    if not ALLURE.exists():
        pytest.skip("node_modules/.bin/allure is missing: run `npm ci`")
    out = tmp_path_factory.mktemp("mutant") / "reports"
    base = ["run", "--root", str(REPO), "--report-dir", str(out), "-k", SELECTION,
            "--seed", "5"]
    # the first run's HTML would be replaced at once: only the second run builds it
    # (a report replacing an earlier one: test_a_second_run_replaces_the_report...)
    assert cli.main([*base, "--no-html"]) == 0
    assert cli.main([*base, "--mutant", MUTANT]) == 1
    return out


@pytest.fixture(scope="module")
def mutant_rendered(mutant_report):
    """``render_check.check`` of that report: one browser run for the tests that read it
    (each is marked ``needs_browser``)."""
    return render_check.check(mutant_report)


@needs_browser
def test_the_report_of_a_mutant_run_shows_its_failures_from_disk(mutant_report,
                                                                 mutant_rendered):
    problems, rendered = mutant_rendered
    assert problems == []
    doc = json.loads((mutant_report / "conformance.json").read_text())
    failed = sorted(s["id"] for s in doc["scenarios"] if s["status"] == "failed")
    assert len(failed) == 2
    shown = {rendered.scenario_of[leaf.node_id]: (leaf.status, leaf.title)
             for leaf in rendered.leaves}
    assert {sid: shown[sid][0] for sid in failed} == dict.fromkeys(failed, "failed")
    titles = sorted(shown[sid][1] for sid in failed)
    assert titles == ["A wrong recovery account password leaves backup off — Android phone",
                      "A wrong recovery account password leaves backup off — iPhone"]
    assert rendered.counters["failed"] == 2
    assert rendered.counters["skipped"] == doc["totals"]["scenarios"]["not-applicable"] >= 1


def _results(report_dir: Path) -> list[dict]:
    return [json.loads(p.read_text())
            for p in (report_dir / "allure-results").glob("*-result.json")]


def test_failures_are_told_in_the_users_words(mutant_report):
    doc = json.loads((mutant_report / "conformance.json").read_text())
    failed = [s for s in doc["scenarios"] if s["status"] == "failed"]
    message = failed[0]["message"]
    lines = message.splitlines()
    assert lines[0] == 'Then turning on backup is refused with "SIGN_IN_FAILED"'
    assert re.fullmatch(r"  at features/backup\.feature:\d+, scenario \"A wrong recovery "
                        r"account password leaves backup off\" \((iPhone|Android phone)\)",
                        lines[1])
    assert lines[2] == '  expected: turning on backup is refused with "SIGN_IN_FAILED"'
    assert lines[3].startswith("  answered: turning on backup was not refused: the app "
                               'answered OK ("'), lines[3]
    for text in (message, (mutant_report / "summary.md").read_text(),
                 (mutant_report / "junit.xml").read_text()):
        for noise in ("0x", "Traceback", "assert not", "Outcome("):
            assert noise not in text, noise
    assert 'message="Then turning on backup is refused with' in (
        mutant_report / "junit.xml").read_text()
    assert "answered: turning on backup was not refused" in (
        mutant_report / "summary.md").read_text()
    # conformance.json and summary.md title the scenario as the report does
    assert {s["title"] for s in failed} == {
        f"A wrong recovery account password leaves backup off — {p}"
        for p in ("iPhone", "Android phone")}
    assert ("| A wrong recovery account password leaves backup off — iPhone (backup.feature) "
            "| failed | REQ-BACKUP-01 |") in (mutant_report / "summary.md").read_text()
    # Allure: the same words on the test and on the failing step, the traceback attached
    result = next(r for r in _results(mutant_report) if r["status"] == "failed")
    allure_lines = result["statusDetails"]["message"].splitlines()
    assert allure_lines[0] == lines[0] and allure_lines[2:] == lines[2:]
    assert "trace" not in result["statusDetails"]
    step = next(s for s in result["steps"] if s["status"] == "failed")
    assert step["name"] == 'Then turning on backup is refused with "SIGN_IN_FAILED"'
    assert "trace" not in step.get("statusDetails", {})
    detail = next(a for a in result["attachments"] if a["name"].startswith("technical detail"))
    assert "AssertionError" in (mutant_report / "allure-results" / detail["source"]).read_text()


def test_the_technical_detail_keeps_the_code_not_the_fixture_values(mutant_report):
    from authconform.gate.allure_live import technical

    trace = ("fixturefunc = <function _ at 0x7fa2e09f74c0>\n"
             "kwargs = {'cast': Cast(target=<x.GuardedTarget object at 0x7f01>, "
             "recovery_accounts={'Alex': MicrosoftAccount(password='hunter2')})}\n\n"
             "    def _(cast: Cast, phone: str) -> None:\n"
             ">       assert shown == expected\n"
             "E       AssertionError: assert ['A'] == ['A', 'B']\n\n"
             "cast = Cast(target=<x.GuardedTarget object at 0x7f01>, people={})\n"
             "steps/accounts.py:118: AssertionError")
    kept = technical(trace)
    assert ">       assert shown == expected" in kept and "steps/accounts.py:118" in kept
    for gone in ("hunter2", "Cast(", "0x7f", "kwargs ="):
        assert gone not in kept, gone
    for path in (mutant_report / "allure-results").glob("*-attachment.txt"):
        text = path.read_text()
        for gone in (" at 0x", "Cast(", "password="):
            assert gone not in text, (path.name, gone)


def test_allure_results_are_organised_for_a_qa_lead(mutant_report):
    results = _results(mutant_report)
    raw = json.dumps(results)
    assert "object at 0x" not in raw
    assert "Cast(" not in raw and "password='" not in raw, "no fixture dumps, no passwords"
    for result in results:
        labels = {lab["name"]: lab["value"] for lab in result["labels"]}
        assert "host" not in labels and "thread" not in labels
        assert labels["epic"] and labels["feature"].endswith(".feature)")
        assert all(not s.get("parameters") for s in result["steps"])
        assert "[" not in result["name"], "no pytest parameter ids in titles"
        for link in result["links"]:
            assert link["type"] == "requirement"
            assert link["url"] == f"requirements/{link['name'].split(':')[0]}.html"
            assert (mutant_report / "allure-report" / link["url"]).is_file()
    na = [r for r in results if r["status"] == "skipped"]
    assert na, "the selection holds a not-applicable scenario"
    for result in na:
        labels = {lab["name"]: lab["value"] for lab in result["labels"]}
        assert labels["not-applicable"] == "capability restart"
        # no status message (Allure heads it "Error"): the need is the first parameter
        assert not result.get("statusDetails")
        assert result["parameters"][0]["value"].startswith(
            "Not applicable: the target does not declare the capability 'restart'")
    page = (mutant_report / "allure-report" / "requirements" / "REQ-BACKUP-01.html").read_text()
    assert ">failed<" in page and "000_95d2045858eeac78.txt" in page


def test_the_terminal_shows_the_step_not_the_traceback(tmp_path, capfd):
    code = cli.main(["run", "--root", str(REPO), "--report-dir", str(tmp_path), "--no-html",
                     "-k", "wrong_recovery_account_password", "--mutant", MUTANT])
    assert code == 1
    out = capfd.readouterr().out
    assert 'Then turning on backup is refused with "SIGN_IN_FAILED"' in out
    assert '  answered: turning on backup was not refused: the app answered OK ("' in out
    for noise in ("Traceback", "steps/outcomes.py", "0x", "Outcome(", "test_a_wrong",
                  "[old iPhone]"):
        assert noise not in out, noise
    # the section of each failure and the list at the end name the scenario, not pytest's
    # test function
    assert re.search(r"^_+ A wrong recovery account password leaves backup off — iPhone _+$",
                     out, re.M), out
    assert re.search(r"^  failed: features/backup\.feature:\d+, scenario \"A wrong recovery "
                     r"account password leaves backup off\" \(iPhone\)$", out, re.M), out


def test_a_wrong_list_of_accounts_is_shown_in_full(tmp_path, capfd):
    code = cli.main(["run", "--root", str(REPO), "--report-dir", str(tmp_path), "--no-html",
                     "--seed", "4", "-k", "change_made_offline_is_uploaded",
                     "--mutant", "no_catch_up_upload"])
    assert code == 1  # REQ-TROUBLE-02, documented: the change never reached the backup
    out = capfd.readouterr().out
    assert ("answered: the check `['Facebook', 'GitHub'] == ['Dropbox', 'Facebook', "
            "'GitHub']` did not hold") in out, out[-3000:]
    assert ",..." not in out


# ---------------------------------------------------------------- browser: scenario pages


def _scenario(report: Path, status: str) -> dict:
    doc = json.loads((report / "conformance.json").read_text())
    return next(s for s in doc["scenarios"] if s["status"] == status)


@needs_browser
def test_a_failing_scenario_page_tells_the_failure_in_the_users_words(mutant_report):
    failed = _scenario(mutant_report, "failed")
    page = render_check.result_page(mutant_report / "allure-report", failed["id"])
    assert page.status == "failed" and page.category == "Non-conformance"
    assert re.fullmatch(r"A wrong recovery account password leaves backup off — "
                        r"(iPhone|Android phone)", page.title), page.title
    lines = page.error.splitlines()
    assert lines[0] == 'Then turning on backup is refused with "SIGN_IN_FAILED"'
    assert re.match(r"  at features/backup\.feature:\d+, scenario ", lines[1]), lines
    assert lines[2] == '  expected: turning on backup is refused with "SIGN_IN_FAILED"'
    assert lines[3].startswith("  answered: turning on backup was not refused: the app "
                               'answered OK ("'), lines
    for noise in ("Traceback", "AssertionError", " at 0x", "Outcome(", "assert not"):
        assert noise not in page.error, noise
    assert ('Then turning on backup is refused with "SIGN_IN_FAILED"', "failed") in page.steps
    assert not {"host", "thread"} & set(page.labels), "no host/thread noise"
    assert page.labels["epic"] == ["BACKUP"]
    assert page.labels["requirement"] == ["REQ-BACKUP-01"], "the id in full"
    # the requirement: its id and paraphrase on the link, its page inside the report
    assert [text for text, _ in page.links] == [
        "REQ-BACKUP-01: Backup can only be switched on after signing in to a personal "
        "Microsoft account that becomes the recovery account; without that sign-in the "
        "setting stays off."]
    assert any("Requirement REQ-BACKUP-01 text/html" in a for a in page.attachments), (
        page.attachments)
    assert "password='" not in page.text and "Cast(" not in page.text


@needs_browser
def test_a_not_applicable_scenario_page_names_the_missing_capability(mutant_report):
    na = _scenario(mutant_report, "not-applicable")
    page = render_check.result_page(mutant_report / "allure-report", na["id"])
    assert page.status == "skipped"
    assert page.category == "Not applicable", "not the catch-all 'Skipped (not verified)'"
    assert page.labels["not-applicable"] == ["capability restart"]
    assert page.error == "", "no message box, which Allure heads 'Error'"
    assert page.labels["not applicable"][0].startswith(
        "Not applicable: the target does not declare the capability 'restart'")
    assert not any("traceback" in a for a in page.attachments), page.attachments


@needs_browser
def test_the_requirement_page_opens_from_disk_with_its_sources(mutant_report):
    req = next(r for r in load_catalogue(REPO / "features" / "requirements.yml")
               if r.id == "REQ-BACKUP-01")
    folder = mutant_report / "allure-report" / "requirements"
    dom = render_check.open_page((folder / "REQ-BACKUP-01.html").as_uri())
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())  # what the page says
    for said in (req.id, req.summary, req.interpretation, "failed",
                 *(s["doc"] for s in req.sources), *(s["section"] for s in req.sources)):
        assert " ".join(str(said).split()) in text, said
    # its scenarios as the report titles them, with their status: no pytest ids
    for platform in ("iPhone", "Android phone"):
        assert (f"failed A wrong recovery account password leaves backup off — {platform} "
                "(backup.feature)") in text, text
    assert "[old iPhone]" not in text
    index = render_check.open_page((folder / "index.html").as_uri())
    assert 'href="REQ-BACKUP-01.html"' in index


@needs_browser
def test_the_tree_is_area_then_feature_file(mutant_rendered):
    problems, rendered = mutant_rendered
    assert problems == []
    areas = {r.area for r in load_catalogue(REPO / "features" / "requirements.yml")}
    for leaf in rendered.leaves:
        path = rendered.paths[leaf.node_id]
        assert len(path) == 2 and path[0] in areas, path
        assert re.fullmatch(r".+ \([\w/]+\.feature\)", path[1]), path
    assert {tuple(p) for p in rendered.paths.values()} >= {
        ("BACKUP", "Turning on cloud backup (backup.feature)")}


@needs_browser
def test_the_report_opens_from_a_copied_artifact(mutant_report, tmp_path):
    """A CI artifact downloaded and unpacked elsewhere: the folder alone, no server."""
    artifact = tmp_path / "Downloads" / "conformance-report"
    shutil.copytree(mutant_report / "allure-report", artifact)
    shutil.copy(mutant_report / "conformance.json", tmp_path / "conformance.json")
    doc = json.loads((mutant_report / "conformance.json").read_text())
    rendered = render_check.render_report(artifact)
    assert render_check.compare(doc, rendered) == []
    assert rendered.counters["total"] == doc["totals"]["scenarios"]["total"]


@needs_allure
@needs_browser
def test_requirement_links_are_clickable_when_the_pages_are_published(tmp_path, monkeypatch):
    """Allure 3 makes only http(s) links clickable: with the address where CI publishes
    allure-report/requirements, the link on a scenario's page opens its requirement."""
    monkeypatch.setenv("AUTHCONFORM_REQUIREMENTS_URL", "https://reports.example/reqs/")
    repo = write_suite(tmp_path / "repo")
    out = repo / "out"
    assert build_mini(repo, out, "-k", "backup_turns_on") == 0
    doc = json.loads((out / "conformance.json").read_text())
    page = render_check.result_page(out / "allure-report", doc["scenarios"][0]["id"])
    hrefs = [href for _, href in page.links]
    assert hrefs and all(h and h.startswith("https://reports.example/reqs/REQ-") and
                         h.endswith(".html") for h in hrefs), page.links


def test_what_the_app_answered_is_said_in_words_not_as_a_repr():
    from authconform.gate import failures
    from authconform.port import Outcome, OutcomeCode

    said = failures.plain(f"backup was not refused: {Outcome(True, OutcomeCode.OK, 'On.')}")
    assert said == 'backup was not refused: the app answered OK ("On.")'
    # fields a newer port adds after the message do not break the words
    later = ("Outcome(ok=False, code=<OutcomeCode.CODE_SENT: 'CODE_SENT'>, message='Sent', "
             "alerts=(Alert(code=X, message='y'),))")
    assert failures.plain(later) == 'the app answered CODE_SENT ("Sent")'


def test_the_single_file_report_registers_its_data_first_and_calls_no_one(mutant_report):
    page = (mutant_report / "allure-report" / "index.html").read_text(encoding="utf-8")
    assert "googletagmanager" not in page and "gtag(" not in page
    data = page.index("window.allureReportDataReady = false")
    app = page.index('src="data:text/javascript;')
    assert data < app, "the app must find the report's data registered when it starts"
    assert html_report.offline_single_file(page) == page, "idempotent"


@needs_browser
def test_a_scenario_page_opens_from_disk_on_a_busy_machine(mutant_report):
    """Several browsers at once parse the page slowly; before the data script was moved
    ahead of the app, about half of them showed "Failed to fetch"."""
    from concurrent.futures import ThreadPoolExecutor

    na = _scenario(mutant_report, "not-applicable")
    leaf = render_check.result_ids(mutant_report / "allure-report")[na["id"]]
    url = f"{(mutant_report / 'allure-report' / 'index.html').resolve().as_uri()}#/{leaf}"
    with ThreadPoolExecutor(4) as pool:
        doms = list(pool.map(lambda _: render_check.open_page(url), range(4)))
    assert not [d for d in doms if "Failed to fetch" in d]
    pages = [render_check.read_result_page(d) for d in doms]
    assert any(p.title == na["name"] for p in pages), [p.title for p in pages]
