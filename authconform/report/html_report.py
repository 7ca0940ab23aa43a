"""The Allure HTML report: one self-contained ``index.html`` plus a page per requirement.

``build`` runs the pinned Allure 3 CLI (``node_modules/.bin/allure``) over
``<report-dir>/allure-results`` and writes ``<report-dir>/allure-report/``:

* ``index.html`` -- the awesome plugin's single-file report (``singleFile``): scripts,
  styles and data inlined, so it opens from disk (``file://``), from a downloaded CI
  artifact or a mail attachment, with no web server;
* the verdict first: ``index.html`` opens with the gate's verdict, coverage line and
  failed requirements above Allure's own overview (authconform.report.banner);
* ``requirements/<REQ-ID>.html`` and ``requirements/index.html`` -- one static page per
  requirement (summary, level, grade, interpretation, this run's status and scenarios,
  and beside them the bound passages quoted from the user's copy of the documents when
  one is at hand: ``--sources DIR``, else $AUTHCONFORM_SOURCES or ../shared/seeds); the
  requirement links of each scenario in Allure point there. The project carries no
  copy of the documents: the words come from the user's folder at build time.

The output folder is emptied first. Allure 3 moves its plugin's files up into the
output folder only when that folder holds a single directory; on a second build into
a used folder it leaves the new report in ``awesome/`` and the old ``index.html`` in
place, so a failing run would still show the previous green report. Trends survive
because the history lives outside the folder (``<report-dir>/history.jsonl``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from authconform.gate.allure_live import (
    CATEGORIES,
    HIDDEN_LABELS,
    REQUIREMENTS_DIR,
    TREE_GROUPS,
)
from authconform.gate.requirement_card import page, sources_list
from authconform.report import banner
from authconform.spec import sources as sources_mod
from authconform.spec.catalogue import ConfigurationError, Requirement, load_catalogue

REPORT_NAME = "authconform conformance"


def allure_config(report_dir: Path, name: str = REPORT_NAME) -> dict[str, Any]:
    report_dir = report_dir.resolve()
    return {
        "name": name,
        "output": str(report_dir / "allure-report"),
        # one line per generated report; keep it between CI runs (cache) for trends
        "historyPath": str(report_dir / "history.jsonl"),
        "historyLimit": 50,
        "hideLabels": list(HIDDEN_LABELS),
        "plugins": {"awesome": {"options": {
            "reportName": name,
            "singleFile": True,  # opens from file://: no fetch() of data files
            "groupBy": list(TREE_GROUPS),  # area -> feature file -> scenario
        }}},
        "categories": [{k: v for k, v in c.items() if k != "description"}
                       for c in CATEGORIES],
    }


def empty_folder(folder: Path) -> None:
    """Remove everything inside ``folder`` (created if missing), never the folder's
    parents; refuses a path that is not a directory."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OSError(f"{folder} is not a directory")
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def report_name(doc: Mapping[str, Any] | None) -> str:
    """The report's title names the verdict: Allure shows it in the header and the
    browser tab, where a green ring would otherwise speak first."""
    said = doc.get("verdict") if doc else None
    return f"{REPORT_NAME}: {said or 'error'}"


def build(report_dir: Path, allure: str, *, root: Path | None = None,
          sources: Path | None = None) -> tuple[bool, str]:
    """``allure generate`` from <report-dir>/allure-results into an emptied
    <report-dir>/allure-report, then the requirement pages; ``(ok, index or why)``."""
    results = report_dir / "allure-results"
    if not results.is_dir():
        return False, f"{results} does not exist: run the suite first"
    out = report_dir / "allure-report"
    try:
        empty_folder(out)
    except OSError as exc:
        return False, f"cannot empty {out}: {exc}"
    doc = _document(report_dir / "conformance.json")
    config = report_dir / "allurerc.json"
    config.write_text(json.dumps(allure_config(report_dir, report_name(doc)), indent=2) + "\n",
                      encoding="utf-8")
    cmd = [allure, "generate", str(results.resolve()), "--config", str(config.resolve()),
           "--output", str(out.resolve())]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600,
                              cwd=report_dir)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"allure generate failed: {exc}"
    index = out / "index.html"
    if done.returncode != 0 or not index.is_file():
        tail = (done.stderr or done.stdout).strip()[-1500:]
        return False, f"allure generate failed (exit {done.returncode}): {tail}"
    page = offline_single_file(index.read_text(encoding="utf-8"))
    index.write_text(banner.with_banner(page, doc), encoding="utf-8")
    catalogue = _catalogue(root)
    if catalogue:
        write_requirement_pages(out / REQUIREMENTS_DIR, catalogue, doc,
                                sources=sources or default_sources(root))
    return True, str(index)


# The single-file report as Allure 3 writes it: the app's script (a blocking <script
# src="data:...">) comes before the inline script that registers the report's data.
# The app reads that data when it first needs it, and fetches a file instead when the
# data is not registered yet -- which on file:// fails ("Failed to fetch", an empty or
# half-drawn report) whenever the browser parses the 5-10 MB page slowly (a busy
# machine; 3 of 6 concurrent headless loads here). Registering the data first removes
# the race. The analytics tag (a request to Google on every opening) goes too: a
# conformance report opened from a downloaded artifact makes no network requests.
_DATA_SCRIPT = re.compile(
    r"\s*<script async>\s*window\.allureReportDataReady = false;.*?</script>"
    r"\s*<script defer>\s*Promise\.allSettled\(\[.*?</script>", re.S)
_ANALYTICS = re.compile(
    r"\s*<script async src=\"https://www\.googletagmanager\.com/[^\"]*\"></script>"
    r"\s*<script>\s*window\.dataLayer = .*?</script>", re.S)
_APP_SCRIPT = re.compile(r"<script\s+(?:async\s+)?(?:defer\s+)?src=\"data:text/javascript;")


def offline_single_file(page: str) -> str:
    """``index.html`` with the report's data registered before the app starts and no
    analytics tag; a page not laid out as expected is returned unchanged (the render
    check then says whether it opens)."""
    page = _ANALYTICS.sub("", page, count=1)
    data = _DATA_SCRIPT.search(page)
    app = _APP_SCRIPT.search(page)
    if data is None or app is None or app.start() > data.start():
        return page
    block = data.group(0).strip()
    page = page[:data.start()] + page[data.end():]
    return page[:app.start()] + block + "\n    " + page[app.start():]


def _catalogue(root: Path | None) -> list[Requirement]:
    if root is None:
        return []
    try:
        return load_catalogue(root / "features" / "requirements.yml")
    except ConfigurationError:
        return []  # the run already reported it; the report is still worth building


def _document(path: Path) -> Mapping[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, Mapping) else None


# ---------------------------------------------------------------- requirement pages



def _status_badge(status: str | None) -> str:
    label = status or "not run"
    return f'<span class="s {html.escape(status or "none")}">{html.escape(label)}</span>'






Passages = Mapping[str, Sequence[sources_mod.Passage]]


def read_passages(folder: Path | None, catalogue: Sequence[Requirement]) -> Passages:
    """The paragraphs of the documents the catalogue binds, read from the user's copy
    in ``folder`` (the project carries none); empty when there is no folder."""
    if folder is None or not folder.is_dir():
        return {}
    names = sorted({str(s.get("doc")) for r in catalogue for s in r.sources if s.get("doc")})
    try:
        found, _missing = sources_mod.read_documents(folder, names)
    except (OSError, UnicodeDecodeError):
        return {}
    return found


def default_sources(root: Path | None) -> Path | None:
    """Where the documents are when no --sources is given: $AUTHCONFORM_SOURCES, else
    ``../shared/seeds`` beside the repository when it exists (sources_cli)."""
    from authconform.spec import sources_cli

    return sources_cli.default_sources_dir(root) if root is not None else None


def quoted_sources(req: Requirement, passages: Passages) -> str:
    """Each bound passage as the user's copy of the document words it, with document
    and section; a passage whose fingerprint no longer matches is marked, one not found
    says so."""
    out = []
    for s in req.sources:
        doc, section, para = str(s.get("doc", "")), str(s.get("section", "")), s.get("para")
        where = (f"{html.escape(doc)}, section &ldquo;{html.escape(section)}&rdquo;"
                 + (f", paragraph {html.escape(str(para))}" if para else ""))
        found = next((p for p in passages.get(doc, ())
                      if p.locator.section == section and str(p.locator.para) == str(para)),
                     None)
        if found is None:
            out.append(f'<blockquote class="missing"><footer>{where}: not found in this '
                       "copy of the document</footer></blockquote>")
            continue
        note = ("" if not s.get("fp") or found.fp == s.get("fp") else
                ' <span class="changed">(the wording differs from the one bound: '
                "review)</span>")
        out.append(f'<blockquote data-testid="source-passage">{html.escape(found.text)}'
                   f"<footer>{where}{note}</footer></blockquote>")
    return "".join(out)




def scenario_label(scenario: Mapping[str, Any]) -> str:
    """``<title> (<feature file>)``: the scenario as the report titles it."""
    title = scenario.get("title") or scenario.get("name") or scenario["id"]
    return f"{title} ({str(scenario['id']).split('::', 1)[0]})"


def render_requirement(req: Requirement, judged: Mapping[str, Any] | None,
                       scenarios_by_id: Mapping[str, Mapping[str, Any]] | None = None,
                       passages: Passages | None = None) -> str:
    """The page of one requirement: what the catalogue says, the passages it is bound
    to (quoted when the documents are at hand) beside its scenarios and their status."""
    sources_ = sources_list(req)
    rows = [
        ("Level", html.escape(req.level)),
        ("Grade", html.escape(str(getattr(req, "kind", "documented")))),
        ("Area", html.escape(req.area)),
        ("Profiles", html.escape(", ".join(req.profiles))),
        ("Interpretation", html.escape(req.interpretation) if req.interpretation
         else "none: the documents are unambiguous here"),
        ("Status in this run", _status_badge(judged.get("status") if judged else None)),
    ]
    if judged and judged.get("missing_capabilities"):
        rows.append(("Missing capabilities",
                     html.escape(", ".join(judged["missing_capabilities"]))))
    if judged and judged.get("waiver"):
        w = judged["waiver"]
        rows.append(("Waiver", html.escape(
            f"{w.get('state')}: {w.get('reason')} ({w.get('owner')}, until {w.get('expires')})")))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    scenarios = judged.get("scenarios", []) if judged else []
    known = scenarios_by_id or {}
    items = []
    for sid in scenarios:
        s = known.get(sid)
        items.append(f"<li>{_status_badge(s.get('status'))} {html.escape(scenario_label(s))}"
                     "</li>" if s is not None else f"<li>{html.escape(sid)}</li>")
    listed = (f'<ul class="scenarios">{"".join(items)}</ul>' if items
              else "<p>none in this run</p>")
    quotes = quoted_sources(req, passages) if passages else ""
    said = (quotes or (f"<ul>{sources_}</ul><p><small>The documents' wording is quoted here "
                       "when the report is built with --sources DIR.</small></p>"
                       if sources_ else "<p>none named</p>"))
    body = (f'<nav><a href="index.html">All requirements</a> &middot; '
            f'<a href="../index.html">Allure report</a></nav>'
            f'<h1><span class="id">{html.escape(req.id)}</span></h1>'
            f'<p class="summary" data-testid="summary"><b>Summary (paraphrase):</b> '
            f"{html.escape(req.summary)}</p><table>{table}</table>"
            f'<div class="side"><section><h2>What the documents say</h2>{said}</section>'
            f"<section><h2>Scenarios in this run</h2>{listed}</section></div>")
    return page(f"{req.id}: {req.summary}", body)


def render_index(catalogue: Sequence[Requirement],
                 judged: Mapping[str, Mapping[str, Any]]) -> str:
    """One table per area, the page's full width: a row per requirement, its summary
    beside its status (not a narrow column thousands of pixels tall)."""
    areas: dict[str, list[Requirement]] = {}
    for r in catalogue:
        areas.setdefault(r.area, []).append(r)
    tables = []
    for area, reqs in areas.items():
        rows = "".join(
            f'<tr><td><a class="id" href="{html.escape(r.id)}.html">{html.escape(r.id)}</a>'
            f"</td><td>{html.escape(r.level)}</td>"
            f"<td>{_status_badge(judged[r.id].get('status') if r.id in judged else None)}</td>"
            f'<td class="sum">{html.escape(r.summary)}</td></tr>' for r in reqs)
        tables.append(f'<h2 class="area">{html.escape(area)}</h2><table class="index">'
                      '<colgroup><col class="c1"><col class="c2"><col class="c3"><col>'
                      "</colgroup><tr><th>Requirement</th><th>Level</th><th>Status</th>"
                      f"<th>Summary</th></tr>{rows}</table>")
    body = ('<nav><a href="../index.html">Allure report</a></nav><h1>Requirements</h1>'
            + "".join(tables))
    return page("Requirements", body).replace("max-width:72rem", "max-width:none", 1)


def write_requirement_pages(folder: Path, catalogue: Sequence[Requirement],
                            doc: Mapping[str, Any] | None, *,
                            sources: Path | None = None) -> list[Path]:
    """A page per requirement and the index; ``sources`` is the folder of the user's
    copy of the documents, quoted on each page."""
    folder.mkdir(parents=True, exist_ok=True)
    judged = {r["id"]: r for r in (doc or {}).get("requirements", [])}
    scenarios = {s["id"]: s for s in (doc or {}).get("scenarios", [])}
    passages = read_passages(sources, catalogue)
    written = []
    for req in catalogue:
        path = folder / f"{req.id}.html"
        path.write_text(render_requirement(req, judged.get(req.id), scenarios, passages),
                        encoding="utf-8")
        written.append(path)
    index = folder / "index.html"
    index.write_text(render_index(catalogue, judged), encoding="utf-8")
    written.append(index)
    return written
