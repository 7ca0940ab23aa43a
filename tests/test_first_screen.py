"""What a QA lead sees first: the verdict, in words and colour, above Allure's report;
not-applicable scenarios told as such; requirement pages that quote the documents.

The browser tests run the tiny suite of tests/test_results_plugin.py, extended with a
synthetic document its requirements are bound to (``a.txt``: written here, never the
real documents), into one report folder per verdict, and open each report from disk in
headless Chromium (authconform.report.render_check). They skip only when Chromium or the
Allure CLI is absent (``./harness test`` installs both).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from authconform.gate import verdict
from authconform.report import banner as verdict_banner
from authconform.report import html_report, render_check
from authconform.spec import sources
from authconform.spec.catalogue import Requirement, load_catalogue
from tests.test_report_render import build_mini, needs_allure, needs_browser
from tests.test_results_plugin import REQUIREMENTS, write_suite

# ---------------------------------------------------------------- a synthetic document

DOCUMENT = """\
Intro
Backup is switched on from the settings once the person has signed in.
Recover
Recovery brings back every account the backup holds.
Codes
A code changes every thirty seconds.
Camera
The app asks before it uses the camera.
Store
The storage keeps one backup for each recovery account.
Life
Starting and stopping the app leaves nothing behind.
"""
SECTIONS = ("Intro", "Recover", "Codes", "Camera", "Store", "Life")


def bound_suite(root: Path, seeds: Path) -> Path:
    """The tiny suite with every requirement bound to its paragraph of ``a.txt`` (by
    locator and fingerprint, as features/requirements.yml binds the real ones), and the
    document in ``seeds`` -- the user's copy, outside the repository."""
    write_suite(root)
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "a.txt").write_text(DOCUMENT, encoding="utf-8")
    passages = {p.locator.section: p for p in sources.split("a.txt", DOCUMENT)}
    assert sorted(passages) == sorted(SECTIONS)
    catalogue = REQUIREMENTS
    for section in SECTIONS:
        catalogue = catalogue.replace(
            f"{{doc: a.txt, section: {section}}}",
            f"{{doc: a.txt, section: {section}, para: 1, fp: {passages[section].fp}}}")
    (root / "features" / "requirements.yml").write_text(catalogue)
    (root / "features" / "sources.yml").write_text(
        "documents:\n  - a.txt\nno_behaviour: []\n")
    return root


def _doc(out: Path) -> dict:
    return json.loads((out / "conformance.json").read_text())


# ---------------------------------------------------------------- the banner, units

DOC = {"verdict": "non-conformant",
       "reasons": ["MUST requirement REQ-A-02 failed", "MUST requirement REQ-A-03 failed"],
       "coverage": {"must": 3, "verified": 3, "failed": ["REQ-A-02", "REQ-A-03"],
                    "unverified": [], "needs": {}},
       "requirements": [{"id": "REQ-A-02", "status": "failed", "summary": "Codes <expire>"},
                        {"id": "REQ-A-03", "status": "failed", "summary": "Backup works"}]}


def test_the_coverage_line_says_how_many_of_the_verified_failed() -> None:
    assert verdict.coverage_line(DOC) == (
        "all 3 documented MUST requirements verified (2 failed)")
    passing = {"coverage": {**DOC["coverage"], "failed": []}}
    assert verdict.coverage_line(passing) == "all 3 documented MUST requirements verified"


@pytest.mark.parametrize("said", verdict.VERDICTS)
def test_the_banner_says_each_verdict_in_its_own_colour(said: str) -> None:
    page = verdict_banner.with_banner("<html><head></head><body><div id=app></div></body>",
                                      {**DOC, "verdict": said})
    banner = render_check.read_banner(page)
    assert banner is not None and banner.verdict == said and banner.first
    assert f"exit {verdict_banner.EXIT_OF[said]}" in banner.headline
    assert verdict_banner.COLOUR[said] in page
    if said != verdict.CONFORMANT:  # never green unless conformant
        assert verdict_banner.COLOUR[said] != verdict_banner.COLOUR[verdict.CONFORMANT]
    assert render_check.compare_banner({**DOC, "verdict": said}, banner) == []


def test_the_banner_names_the_failed_requirements_with_links_and_escapes_them() -> None:
    page = verdict_banner.render_banner(DOC)
    assert 'href="requirements/REQ-A-02.html"' in page and "Codes &lt;expire&gt;" in page
    banner = render_check.read_banner(f"<body>{page}</body>")
    assert banner is not None and banner.requirements == ["REQ-A-02", "REQ-A-03"]
    assert banner.coverage == "all 3 documented MUST requirements verified (2 failed)"


def test_a_report_with_no_conformance_document_says_error() -> None:
    assert verdict_banner.banner_facts(None)["verdict"] == verdict.ERROR
    banner = render_check.read_banner(f"<body>{verdict_banner.render_banner(None)}</body>")
    assert banner is not None and banner.verdict == verdict.ERROR


def test_the_banner_check_fails_on_a_misleading_first_screen() -> None:
    # mutants of the page the check must catch: no banner, the wrong verdict, the
    # banner below the report, a failed requirement left out
    assert render_check.compare_banner(DOC, None) == [
        "the report's first screen shows no verdict"]
    green = render_check.read_banner(
        f"<body>{verdict_banner.render_banner({**DOC, 'verdict': 'conformant'})}</body>")
    assert any("says 'conformant'" in p for p in render_check.compare_banner(DOC, green))
    below = render_check.read_banner(
        f"<body><div id=app></div>{verdict_banner.render_banner(DOC)}</body>")
    assert "the verdict is not the first thing on the page" in render_check.compare_banner(
        DOC, below)
    one_reason = verdict_banner.render_banner({**DOC, "reasons": DOC["reasons"][:1]})
    fewer = render_check.read_banner(f"<body>{one_reason}</body>")
    assert any("names" in p for p in render_check.compare_banner(DOC, fewer))


def test_the_report_title_names_the_verdict() -> None:
    assert html_report.report_name(DOC).endswith(": non-conformant")
    assert html_report.report_name(None).endswith(": error")


# ---------------------------------------------------------------- requirement pages, units


def _req(section: str = "Intro", fp: str | None = None) -> Requirement:
    passage = {p.locator.section: p for p in sources.split("a.txt", DOCUMENT)}[section]
    return Requirement(
        id="REQ-DEMO-01", area="DEMO", level="MUST", profiles=("current",),
        summary="Backup turns on after sign-in",
        sources=({"doc": "a.txt", "section": section, "para": "1",
                  "fp": fp or passage.fp},))


def test_a_requirement_page_quotes_its_passages_beside_its_scenarios(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(DOCUMENT, encoding="utf-8")
    doc = {"requirements": [{"id": "REQ-DEMO-01", "status": "failed",
                             "scenarios": ["demo.feature::backup turns on"]}],
           "scenarios": [{"id": "demo.feature::backup turns on", "status": "failed",
                          "title": "backup turns on"}]}
    html_report.write_requirement_pages(tmp_path / "out", [_req()], doc, sources=seeds)
    page = (tmp_path / "out" / "REQ-DEMO-01.html").read_text()
    assert ("Backup is switched on from the settings once the person has signed in."
            in page)
    assert "a.txt, section &ldquo;Intro&rdquo;, paragraph 1" in page
    assert '<span class="s failed">failed</span> backup turns on (demo.feature)' in page
    assert page.count("Backup turns on after sign-in") == 2  # the <title> and once said


def test_a_passage_whose_wording_changed_is_marked_and_a_missing_one_said(
        tmp_path: Path) -> None:
    passages = {"a.txt": sources.split("a.txt", DOCUMENT)}
    changed = html_report.quoted_sources(_req(fp="0" * 16), passages)
    assert "the wording differs from the one bound: review" in changed
    gone = html_report.quoted_sources(_req(), {"a.txt": []})
    assert "not found in this copy of the document" in gone


def test_without_the_documents_a_page_names_its_sources_and_quotes_nothing(
        tmp_path: Path) -> None:
    page = html_report.render_requirement(_req(), None, passages={})
    assert "Backup is switched on" not in page
    assert "a.txt, section &ldquo;Intro&rdquo;" in page and "--sources DIR" in page


def test_a_requirement_page_says_its_summary_once() -> None:
    page = html_report.render_requirement(_req(), None)
    body = page.split("<body>", 1)[1]
    assert body.count("Backup turns on after sign-in") == 1


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    from authconform.spec import sources_cli

    found = sources_cli.default_sources_dir(Path(__file__).resolve().parent.parent)
    if found is None or not found.is_dir():
        pytest.skip("the source documents are not beside the repository "
                    "(../shared/seeds); set AUTHCONFORM_SOURCES to their folder")
    return found


def test_the_real_pages_quote_the_users_copy_of_the_documents(tmp_path: Path,
                                                              seeds_dir: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    catalogue = load_catalogue(root / "features" / "requirements.yml")
    html_report.write_requirement_pages(tmp_path, catalogue, None, sources=seeds_dir)
    for req in catalogue[:5]:
        page = (tmp_path / f"{req.id}.html").read_text()
        for bound in req.sources:
            text = next(p.text for p in sources.split(
                bound["doc"], (seeds_dir / bound["doc"]).read_text(encoding="utf-8"))
                if p.locator.section == bound["section"]
                and str(p.locator.para) == str(bound["para"]))
            assert html_report.html.escape(text) in page, (req.id, bound)
        assert "wording differs" not in page, "the catalogue's bindings hold"


# ---------------------------------------------------------------- browser: four verdicts


@pytest.fixture(scope="module")
def verdict_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One report folder per verdict, each a real run of the tiny suite: a passing
    selection; a failing one; one with an adapter error; and the passing selection
    checked against a copy of the document whose bound sentence was reworded."""
    # every folder a run names sits inside the repository: pytest takes the common
    # folder of its path arguments as its root, where it looks for features/
    repo = tmp_path_factory.mktemp("verdicts") / "repo"
    bound_suite(repo, repo / "seeds")
    base = repo / "out"
    changed = repo / "changed"
    changed.mkdir(parents=True)
    (changed / "a.txt").write_text(DOCUMENT.replace("once the person has signed in",
                                                    "after signing in"), encoding="utf-8")
    runs = {verdict.CONFORMANT: (0, ["-k", "backup_turns_on"]),
            verdict.NON_CONFORMANT: (1, ["-k", "recovery_restores"]),
            verdict.ERROR: (3, ["-k", "store_breaks"]),
            verdict.REVIEW: (1, ["-k", "backup_turns_on", "--sources", str(changed)])}
    out = {}
    for said, (code, argv) in runs.items():
        folder = base / said
        assert build_mini(repo, folder, *argv) == code, said
        assert _doc(folder)["verdict"] == said
        out[said] = folder
    return out


@pytest.fixture(scope="module")
def verdict_renders(verdict_reports: dict[str, Path]
                    ) -> dict[str, tuple[list[str], render_check.Rendered, Path]]:
    """Each verdict's report as the render check sees it, with a screenshot: one browser
    run per report for the tests that read them (each is marked ``needs_browser``)."""
    out = {}
    for said, folder in verdict_reports.items():
        shot = folder / "first-screen.png"
        problems, rendered = render_check.check(folder, screenshot=shot)
        out[said] = (problems, rendered, shot)
    return out


@needs_allure
@needs_browser
@pytest.mark.parametrize("said", verdict.VERDICTS)
def test_the_first_screen_states_the_verdict(verdict_reports: dict[str, Path],
                                             verdict_renders: dict[str, Any],
                                             said: str) -> None:
    out = verdict_reports[said]
    problems, rendered, shot = verdict_renders[said]
    assert problems == []
    assert rendered.banner is not None and rendered.banner.verdict == said
    assert rendered.banner.coverage == verdict.coverage_line(_doc(out))
    # what a person sees without scrolling: the top of the screen is the verdict's
    # colour (green only when conformant), not Allure's header or ring
    assert render_check.headline_colour(shot) == verdict_banner.COLOUR[said]


@needs_allure
@needs_browser
def test_the_failing_run_names_its_failed_requirement_first(
        verdict_renders: dict[str, Any]) -> None:
    _, rendered, _ = verdict_renders[verdict.NON_CONFORMANT]
    assert rendered.banner is not None
    assert rendered.banner.requirements == ["REQ-DEMO-02"]
    assert "1 failed" in rendered.banner.coverage


@needs_allure
@needs_browser
def test_report_pages_quote_the_synthetic_document(verdict_reports: dict[str, Path]) -> None:
    # the review run was given the reworded copy: its page quotes that copy, marked
    folder = verdict_reports[verdict.REVIEW] / "allure-report" / "requirements"
    dom = render_check.open_page((folder / "REQ-DEMO-01.html").as_uri())
    assert "Backup is switched on from the settings after signing in." in dom
    assert "the wording differs from the one bound: review" in dom
    assert "passed" in dom and "backup turns on (demo.feature)" in dom


@needs_allure
@needs_browser
def test_a_not_applicable_scenario_is_not_told_as_an_error(
        verdict_reports: dict[str, Path], tmp_path: Path) -> None:
    repo = verdict_reports[verdict.CONFORMANT].parent.parent
    out = repo / "out" / "na"
    assert build_mini(repo, out, "-k", "codes_expire_with_the_clock") == 0
    doc = _doc(out)
    na = next(s for s in doc["scenarios"] if s["status"] == "not-applicable")
    page = render_check.result_page(out / "allure-report", na["id"])
    assert page.status == "skipped" and page.category == "Not applicable"
    assert page.error == "", "no message box: Allure heads every message 'Error'"
    assert "Error" not in page.text.split("Overview", 1)[1][:400]
    assert page.labels["not applicable"][0].startswith(
        "Not applicable: the target does not declare the capability 'clock'")


@needs_browser
def test_the_requirements_index_reads_at_1280_pixels(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    catalogue = load_catalogue(root / "features" / "requirements.yml")
    html_report.write_requirement_pages(tmp_path, catalogue, None)
    width, height = render_check.page_size((tmp_path / "index.html").as_uri(), 1280)
    assert width <= 1280, "no sideways scrolling"
    # a row per requirement, its summary on one or two lines: the index was a
    # 60rem column ~190 px a requirement (14,000 px for 74)
    assert height <= 100 * len(catalogue) + 600, height
