"""Does the HTML report tell the truth? A real headless-Chromium render says.

The report is opened the way a person opens a downloaded CI artifact: ``file://`` on
``allure-report/index.html`` (the single-file report), no web server. Chromium renders
it with a virtual-time budget and dumps the DOM; the check reads what the browser built
from the report's data -- the status counters (``metadata-item-<status>``) and every
tree leaf with its status icon (``tree-leaf-status-<status>``) and title -- and
compares them with ``conformance.json``:

* the totals: scenarios in all, passed, failed, broken (= error), skipped
  (= not-applicable + skipped);
* every scenario: shown once, with the Allure status of its conformance status. A leaf
  is tied to its scenario by the ``scenario_id`` label the run gave it (read from the
  report's embedded data, the only place that join is written down).

Allure 3 opens a tree group by default only when it holds failed or broken tests and
keeps what the reader opened in localStorage (``expandedTrees``). A small page in a
temporary folder -- file:// pages share one localStorage -- stores every group of the
report's tree as opened, then goes on to the report, as a reader clicking each group
open would. Screenshots of the overview or of one scenario's page
(``index.html#/<test result id>``) can be taken as well. A process that opens several
pages keeps one browser for them (``browser.py``), each page in a context of its own.

    python -m authconform.report.render_check --report-dir reports --screenshot reports/report.png

Exit codes: 0 the report matches conformance.json, 1 it does not (each difference is
printed), 2 Chromium, the report or conformance.json is missing.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from authconform.gate.allure_live import ALLURE_STATUS, SCENARIO_ID_LABEL
from authconform.report import browser
from authconform.report.banner import BANNER_ID

CHROMIUM_ENV = "AUTHCONFORM_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser", "chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
    "--allow-file-access-from-files",
)
WINDOW = (1400, 1000)
ALLURE_STATUSES = ("passed", "failed", "broken", "skipped", "unknown")


class RenderError(Exception):
    """Chromium or the report is missing, or the browser failed (exit code 2)."""


def find_chromium() -> str | None:
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# ---------------------------------------------------------------- the report's data

_DATA_ENTRY = re.compile(r'd\("([^"]+)","([A-Za-z0-9+/=]*)"\)')


def embedded_data(index_html: str) -> dict[str, Any]:
    """The JSON files the single-file report carries inline (``d("name", "<base64>")``)."""
    found: dict[str, Any] = {}
    for name, encoded in _DATA_ENTRY.findall(index_html):
        if not name.endswith(".json"):
            continue
        try:
            found[name] = json.loads(base64.b64decode(encoded))
        except (binascii.Error, ValueError):
            continue
    return found


def scenario_ids_by_leaf(data: Mapping[str, Any]) -> dict[str, str]:
    """Allure test result id -> the conformance scenario id the run labelled it with."""
    out = {}
    for name, result in data.items():
        if not name.startswith("data/test-results/") or not isinstance(result, Mapping):
            continue
        for label in result.get("labels", []):
            if label.get("name") == SCENARIO_ID_LABEL:
                out[str(result.get("id"))] = str(label.get("value"))
    return out


def tree_group_ids(data: Mapping[str, Any]) -> list[str]:
    ids: set[str] = set()
    for name, tree in data.items():
        if name.endswith("tree.json") and isinstance(tree, Mapping):
            ids.update(tree.get("groupsById", {}) or {})
    return sorted(ids)


# ---------------------------------------------------------------- the rendered DOM


@dataclass
class Leaf:
    node_id: str
    title: str = ""
    status: str | None = None


class _Rendered(HTMLParser):
    """Tree leaves (id, title, status) and the status counters of the rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.leaves: list[Leaf] = []
        self.counters: dict[str, int] = {}
        self._title_depth = 0
        self._counter: str | None = None
        self._counter_depth = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        testid = a.get("data-testid") or ""
        if self._title_depth:
            self._title_depth += 1
        if self._counter:
            self._counter_depth += 1
        if testid == "tree-leaf":
            self.leaves.append(Leaf(node_id=a.get("data-tree-node-id") or a.get("id") or ""))
        elif testid.startswith("tree-leaf-status-") and self.leaves:
            self.leaves[-1].status = testid.removeprefix("tree-leaf-status-")
        elif testid == "tree-leaf-title" and self.leaves:
            self._title_depth, self._buffer = 1, []
        elif (testid.removeprefix("metadata-item-") in ("total", *ALLURE_STATUSES)
              and testid.startswith("metadata-item-") and not self._counter):
            self._counter, self._counter_depth, self._buffer = (
                testid.removeprefix("metadata-item-"), 1, [])

    def handle_endtag(self, tag: str) -> None:
        if self._title_depth:
            self._title_depth -= 1
            if not self._title_depth:
                self.leaves[-1].title = " ".join("".join(self._buffer).split())
        if self._counter:
            self._counter_depth -= 1
            if not self._counter_depth:
                numbers = re.findall(r"\d+", "".join(self._buffer))
                if numbers:
                    self.counters[self._counter] = int(numbers[-1])
                self._counter = None

    def handle_data(self, data: str) -> None:
        if self._title_depth or self._counter:
            self._buffer.append(data)


def read_dom(dom: str) -> tuple[list[Leaf], dict[str, int]]:
    parser = _Rendered()
    parser.feed(dom)
    parser.close()
    for leaf in parser.leaves:
        leaf.title = html.unescape(leaf.title)
    return parser.leaves, parser.counters


def leaf_titles(dom: str) -> list[str]:
    return [leaf.title for leaf in read_dom(dom)[0]]


class _Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: _Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def text(self, sep: str = " ") -> str:
        """The text inside, the pieces of separate elements joined by ``sep``."""
        parts: list[str] = []
        stack: list[_Node | str] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                parts.append(node)
            elif node.tag not in ("script", "style", "svg"):
                stack.extend(reversed(node.children))
        return sep.join(parts)

    def walk(self) -> Iterator[_Node]:
        stack: list[_Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, _Node)]))

    def find(self, testid: str) -> list[_Node]:
        """Descendants (and self) whose ``data-testid`` is ``testid``, in page order."""
        return [node for node in self.walk() if node.attrs.get("data-testid") == testid]

    def status(self) -> str | None:
        """The status icon directly inside this node (``tree-leaf-status-<status>``)."""
        for child in self.children:
            if isinstance(child, _Node):
                testid = child.attrs.get("data-testid") or ""
                if testid.startswith("tree-leaf-status-"):
                    return testid.removeprefix("tree-leaf-status-")
        return None


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self._at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, dict(attrs), self._at)
        self._at.children.append(node)
        if tag not in _VOID:
            self._at = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._at.children.append(_Node(tag, dict(attrs), self._at))

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self._at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._at = node.parent

    def handle_data(self, data: str) -> None:
        self._at.children.append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ResultPage:
    """What a scenario's page in the report shows (``index.html#/<result id>``)."""

    title: str = ""
    status: str | None = None
    category: str | None = None
    error: str = ""  # the message box, its lines kept
    labels: dict[str, list[str]] = field(default_factory=dict)  # and parameters
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (text, href)
    steps: list[tuple[str, str | None]] = field(default_factory=list)  # (title, status)
    attachments: list[str] = field(default_factory=list)
    text: str = ""  # everything the page says, squashed


def read_result_page(dom: str) -> ResultPage:
    tree = _Tree()
    tree.feed(dom)
    tree.close()
    root = tree.root
    page = ResultPage()
    for node in root.find("test-result-info-title")[:1]:
        page.title = _squash(node.text())
    for status in ALLURE_STATUSES:
        if root.find(f"test-result-status-{status}"):
            page.status = status
    for node in root.find("test-result-error-message")[:1]:
        page.error = node.text("").strip()
    for item in root.find("metadata-item"):
        keys, values = item.find("metadata-item-key"), item.find("metadata-item-value")
        if keys and values:
            page.labels.setdefault(_squash(keys[0].text()), []).append(
                _squash(values[0].text()))
    for link in root.find("test-result-meta-link"):
        anchors = [node.attrs.get("href") for node in link.walk() if node.tag == "a"]
        page.links.append((_squash(link.text()), anchors[0] if anchors else None))
    for header in root.find("test-result-step-header"):
        titles = header.find("test-result-step-title")
        if titles:
            page.steps.append((_squash(titles[0].text()), header.status()))
    for header in root.find("test-result-attachment-header"):
        page.attachments.append(_squash(header.text()))
    page.text = _squash(root.text())
    for node in root.walk():  # a plain line "Category: <name>" under the title
        if node.children and all(isinstance(c, str) for c in node.children):
            said = _squash(node.text())
            if said.startswith("Category: "):
                page.category = said.removeprefix("Category: ")
                break
    return page


def tree_paths(dom: str) -> dict[str, list[str]]:
    """Leaf id -> the titles of the tree groups it sits in, outermost first (the
    report's hierarchy: area, then feature file)."""
    tree = _Tree()
    tree.feed(dom)
    tree.close()
    paths: dict[str, list[str]] = {}
    for leaf in tree.root.find("tree-leaf"):
        path: list[str] = []
        node = leaf.parent
        while node is not None:
            if node.attrs.get("data-testid") == "tree-content" and node.parent is not None:
                siblings = [c for c in node.parent.children if isinstance(c, _Node)]
                at = siblings.index(node)
                header = siblings[at - 1] if at else None
                if header is not None and header.attrs.get("data-testid") == "tree-section":
                    titles = header.find("tree-section-title")
                    if titles:
                        path.insert(0, _squash(titles[0].text()))
            node = node.parent
        paths[leaf.attrs.get("data-tree-node-id") or leaf.attrs.get("id") or ""] = path
    return paths


# ---------------------------------------------------------------- the verdict banner


@dataclass
class Banner:
    """What the report's first screen says (authconform.report.banner)."""

    verdict: str
    headline: str = ""
    coverage: str = ""
    why: str = ""
    requirements: list[str] = field(default_factory=list)
    first: bool = False  # the first element of the page's body


def read_banner(dom: str) -> Banner | None:
    """The verdict section of the rendered report, or ``None`` when it has none."""
    tree = _Tree()
    tree.feed(dom)
    tree.close()
    found = tree.root.find(BANNER_ID)
    if not found:
        return None
    node = found[0]

    def said(testid: str) -> str:
        nodes = node.find(f"{BANNER_ID}-{testid}")
        return _squash(nodes[0].text()) if nodes else ""

    ids = [_squash(a.text()) for a in node.walk()
           if a.tag == "a" and "id" in (a.attrs.get("class") or "").split()]
    body = next((n for n in tree.root.walk() if n.tag == "body"), None)
    elements = [c for c in body.children if isinstance(c, _Node)
                and c.tag not in ("style", "script")] if body is not None else []
    return Banner(verdict=node.attrs.get("data-verdict") or "", headline=said("headline"),
                  coverage=said("coverage"), why=said("why"), requirements=ids,
                  first=bool(elements) and elements[0] is node)


def compare_banner(conformance: Mapping[str, Any] | None, banner: Banner | None) -> list[str]:
    """Every way the first screen misstates the verdict of ``conformance.json``."""
    from authconform.report import banner as verdict_banner

    if banner is None:
        return ["the report's first screen shows no verdict"]
    want = verdict_banner.banner_facts(conformance)
    problems = []
    if banner.verdict != want["verdict"]:
        problems.append(f"the first screen says {banner.verdict!r}, conformance.json "
                        f"{want['verdict']!r}")
    if not banner.first:
        problems.append("the verdict is not the first thing on the page")
    if _squash(want["coverage"]) != banner.coverage:
        problems.append(f"the first screen's coverage line is {banner.coverage!r}, "
                        f"conformance.json gives {want['coverage']!r}")
    shown = want["requirements"][:verdict_banner.SHOWN]
    if banner.requirements[:len(shown)] != shown:
        problems.append(f"the first screen names {banner.requirements}, the gate {shown}")
    return problems


def headline_colour(png: Path) -> str:
    """``#rrggbb`` of the top-left corner of a screenshot: the banner's background when
    the verdict is the first thing a person sees."""
    from PIL import Image

    with Image.open(png) as image:
        pixel = image.convert("RGB").getpixel((4, 4))
    assert isinstance(pixel, tuple)  # an RGB image gives (r, g, b)
    return "#" + "".join(f"{int(v):02x}" for v in pixel[:3])


# ---------------------------------------------------------------- Chromium


VIRTUAL_TIME_BUDGET_MS = 10_000


def _page_dom(chromium: str, url: str, timeout: float,
              screenshot: Path | None = None) -> str:
    """The DOM Chromium builds for ``url`` (and its window's PNG to ``screenshot``): in
    the browser this process keeps (``browser.py``) when it is free, else in one
    started for this page alone."""
    try:
        with browser.borrowed(chromium, CHROMIUM_FLAGS) as kept:
            if kept is not None:
                return kept.dom(url, window=WINDOW, budget_ms=VIRTUAL_TIME_BUDGET_MS,
                                timeout=timeout, screenshot=screenshot)
    except browser.BrowserTimeout:
        raise RenderError(f"chromium did not finish within {timeout:.0f}s") from None
    except browser.BrowserError:
        browser.never_again(chromium)  # this one cannot be driven so: one per page
    extra = ["--dump-dom"] + ([f"--screenshot={screenshot}"] if screenshot else [])
    with tempfile.TemporaryDirectory(prefix="authconform-chromium-") as tmp:
        done = _chromium(chromium, str(Path(tmp) / "profile"), extra, url, timeout)
    if done.returncode != 0 or not done.stdout.strip():
        raise RenderError(f"chromium failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[-800:]}")
    return done.stdout


def _chromium(chromium: str, profile: str, extra: Sequence[str], url: str,
              timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
           f"--window-size={WINDOW[0]},{WINDOW[1]}", *extra, url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"chromium did not finish within {timeout:.0f}s") from exc
    except OSError as exc:
        raise RenderError(f"cannot start {chromium}: {exc}") from exc


def _primer(folder: Path, report_url: str, groups: Sequence[str]) -> str:
    """A page that marks every tree group opened, then opens the report."""
    page = folder / "expand-all.html"
    page.write_text(
        '<!doctype html><meta charset="utf-8"><script>'
        f'localStorage.setItem("expandedTrees", {json.dumps(json.dumps(list(groups)))});'
        'localStorage.setItem("collapsedTrees", "[]");'
        f"location.replace({json.dumps(report_url)});</script>", encoding="utf-8")
    return page.as_uri()


def _need(index: Path, chromium: str | None) -> str:
    if not index.is_file():
        raise RenderError(f"no report at {index}: build it first (authconform report)")
    found = chromium or find_chromium()
    if not found:
        raise RenderError("chromium not found: install it with scripts/setup-chromium.sh "
                          f"(apt-get install chromium) or set {CHROMIUM_ENV}")
    return found


@dataclass
class Rendered:
    leaves: list[Leaf]
    counters: dict[str, int]
    scenario_of: dict[str, str] = field(default_factory=dict)  # leaf id -> scenario id
    screenshot: Path | None = None
    paths: dict[str, list[str]] = field(default_factory=dict)  # leaf id -> its groups
    banner: Banner | None = None  # the verdict the first screen states


def render_report(report_html_dir: str | Path, *, screenshot: str | Path | None = None,
                  chromium: str | None = None, timeout: float = 120.0) -> Rendered:
    """Open ``<report_html_dir>/index.html`` from disk in headless Chromium, every tree
    group opened, and read what it shows."""
    index = Path(report_html_dir).resolve() / "index.html"
    chromium_path = _need(index, chromium)
    data = embedded_data(index.read_text(encoding="utf-8", errors="replace"))
    shot = Path(screenshot).resolve() if screenshot else None
    # One browser run reads the DOM and, if asked, takes the screenshot: a second
    # start of Chromium cost as much again. The picture is then of the report with
    # every group opened; its first screen (the verdict banner) is the same.
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        shot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="authconform-chromium-") as tmp:
        url = _primer(Path(tmp), index.as_uri(), tree_group_ids(data))
        dom = _page_dom(chromium_path, url, timeout, shot)
    if shot is not None and not shot.is_file():
        raise RenderError("chromium took no screenshot")
    leaves, counters = read_dom(dom)
    return Rendered(leaves, counters, scenario_ids_by_leaf(data), shot, tree_paths(dom),
                    read_banner(dom))


def open_page(url: str, *, chromium: str | None = None, timeout: float = 120.0) -> str:
    """The DOM of ``url`` as headless Chromium builds it (a report page, a requirement
    page), opened from disk like a downloaded artifact."""
    found = chromium or find_chromium()
    if not found:
        raise RenderError(f"chromium not found: set {CHROMIUM_ENV}")
    return _page_dom(found, url, timeout)


def page_size(url: str, width: int, *, chromium: str | None = None,
              timeout: float = 120.0) -> tuple[int, int]:
    """(width, height) in CSS pixels of the page at ``url`` laid out ``width`` pixels
    wide: a page holding it in a frame reads its size once it has loaded (file:// pages
    may read each other only with --allow-file-access-from-files)."""
    found = chromium or find_chromium()
    if not found:
        raise RenderError(f"chromium not found: set {CHROMIUM_ENV}")
    with tempfile.TemporaryDirectory(prefix="authconform-chromium-") as tmp:
        frame = Path(tmp) / "measure.html"
        frame.write_text(
            f'<!doctype html><body><iframe id="f" src="{html.escape(url)}" '
            f'style="width:{width}px;height:800px;border:0"></iframe><script>'
            "f.onload=()=>{const d=f.contentDocument.documentElement;"
            "document.body.dataset.size=d.scrollWidth+'x'+d.scrollHeight}</script>",
            encoding="utf-8")
        dom = _page_dom(found, frame.as_uri(), timeout)
    size = re.search(r'data-size="(\d+)x(\d+)"', dom)
    if size is None:
        raise RenderError(f"could not measure {url}")
    return int(size.group(1)), int(size.group(2))


def result_page(report_html_dir: str | Path, scenario_id: str, *,
                timeout: float = 120.0) -> ResultPage:
    """The page of one scenario (by its conformance.json id), opened from disk."""
    leaf = result_ids(report_html_dir)[scenario_id]
    index = (Path(report_html_dir) / "index.html").resolve()
    return read_result_page(open_page(f"{index.as_uri()}#/{leaf}", timeout=timeout))


def result_ids(report_html_dir: str | Path) -> dict[str, str]:
    """Conformance scenario id -> Allure test result id (for ``index.html#/<id>``)."""
    index = Path(report_html_dir) / "index.html"
    data = embedded_data(index.read_text(encoding="utf-8", errors="replace"))
    return {sid: leaf for leaf, sid in scenario_ids_by_leaf(data).items()}


# ---------------------------------------------------------------- the comparison


def expected_counters(conformance: Mapping[str, Any]) -> dict[str, int]:
    """The report's status counters as conformance.json's totals predict them."""
    totals = conformance["totals"]["scenarios"]
    counters = {"total": int(totals["total"])}
    for status, allure_status in ALLURE_STATUS.items():
        counters[allure_status] = counters.get(allure_status, 0) + int(totals.get(status, 0))
    return counters


def compare(conformance: Mapping[str, Any], rendered: Rendered) -> list[str]:
    """Every difference between the rendered report and conformance.json."""
    problems = []
    want = expected_counters(conformance)
    for key, count in want.items():
        shown = rendered.counters.get(key, 0)
        if shown != count:
            problems.append(f"the report shows {shown} {key}, conformance.json has {count}")
    expected = {s["id"]: ALLURE_STATUS[s["status"]] for s in conformance.get("scenarios", [])}
    seen: Counter[str] = Counter()
    for leaf in rendered.leaves:
        sid = rendered.scenario_of.get(leaf.node_id)
        if sid is None:
            problems.append(f"the report shows {leaf.title!r}, which is not a scenario of "
                            "this run")
            continue
        seen[sid] += 1
        if sid not in expected:
            problems.append(f"the report shows {sid!r}, which is not in conformance.json")
        elif leaf.status != expected[sid]:
            problems.append(f"{sid}: the report shows {leaf.status}, conformance.json "
                            f"{expected[sid]}")
    for sid in expected:
        if seen[sid] == 0:
            problems.append(f"{sid}: not shown in the report")
        elif seen[sid] > 1:
            problems.append(f"{sid}: shown {seen[sid]} times")
    return problems


def check(report_dir: str | Path, *, screenshot: str | Path | None = None,
          timeout: float = 120.0) -> tuple[list[str], Rendered]:
    report_dir = Path(report_dir)
    try:
        doc = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError(f"cannot read {report_dir / 'conformance.json'}: {exc}") from exc
    rendered = render_report(report_dir / "allure-report", screenshot=screenshot,
                             timeout=timeout)
    return compare(doc, rendered) + compare_banner(doc, rendered.banner), rendered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m authconform.report.render_check",
        description="Open the Allure HTML report from disk in headless Chromium and check "
                    "that its counts and every scenario's status match conformance.json.")
    parser.add_argument("--report-dir", default="reports",
                        help="folder holding conformance.json and allure-report/")
    parser.add_argument("--screenshot", default=None, help="also save a PNG screenshot here")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    try:
        problems, rendered = check(args.report_dir, screenshot=args.screenshot,
                                   timeout=args.timeout)
    except RenderError as exc:
        print(f"render-check: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{rendered.counters.get(k, 0)} {k}"
                       for k in ("total", *ALLURE_STATUSES) if rendered.counters.get(k))
    verdict = "matches conformance.json" if not problems else "DOES NOT match conformance.json"
    print(f"render-check: the report opened from disk shows {len(rendered.leaves)} scenarios "
          f"({counts}); it {verdict}"
          + (f"; screenshot {rendered.screenshot}" if rendered.screenshot else ""))
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
