"""Does the HTML report show every scenario? A real headless-Chromium render says.

The Allure 3 report is a single-page app that loads its data with fetch(), so it is
served over ``http://127.0.0.1:<free port>`` from a thread (file:// would block the
requests). Chromium renders it with a virtual-time budget and dumps the DOM; the check
reads the titles of the tree's leaves (``data-testid="tree-leaf-title"``) -- text the
browser built from the report's data, not text present in the HTML file -- and compares
them with the scenario names in conformance.json. A screenshot can be taken as well.

    python -m authconform.render_check --report-dir reports --screenshot reports/report.png

Exit codes: 0 every scenario is shown, 1 some are missing, 2 Chromium, the report or
conformance.json is missing.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM_ENV = "AUTHCONFORM_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser", "chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)
LEAF_TITLE = "tree-leaf-title"


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


# Allure 3 opens a tree group by default only when it holds failed or broken tests, and
# remembers what the reader opened in localStorage ("expandedTrees"). This page, served
# from the report's own origin, does what a reader clicking every group open would do,
# then goes on to the report.
PRIME_PATH = "/__authconform__/expand-all.html"
PRIME_PAGE = b"""<!doctype html><meta charset="utf-8"><title>expanding</title><script>
fetch("../widgets/tree.json").then(r => r.json()).then(tree => {
  const ids = Object.keys(tree.groupsById || {});
  localStorage.setItem("expandedTrees", JSON.stringify(ids));
  localStorage.setItem("collapsedTrees", "[]");
}).finally(() => location.replace("../index.html"));
</script>"""


class _Quiet(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == PRIME_PATH:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PRIME_PAGE)))
            self.end_headers()
            self.wfile.write(PRIME_PAGE)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _LeafTitles(HTMLParser):
    """Text of every element carrying data-testid="tree-leaf-title"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self._depth = 0  # >0 while inside a leaf title
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += 1
        elif dict(attrs).get("data-testid") == LEAF_TITLE:
            self._depth = 1
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.titles.append(" ".join("".join(self._buffer).split()))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._buffer.append(data)


def leaf_titles(dom: str) -> list[str]:
    parser = _LeafTitles()
    parser.feed(dom)
    parser.close()
    return parser.titles


def _chromium(chromium: str, profile: str, extra: Sequence[str], url: str,
              timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           "--virtual-time-budget=10000", "--window-size=1400,1000", *extra, url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"chromium did not finish within {timeout:.0f}s") from exc


@dataclass(frozen=True)
class RenderResult:
    expected: tuple[str, ...]
    shown: tuple[str, ...]
    screenshot: Path | None

    @property
    def missing(self) -> list[str]:
        """Names shown fewer times than expected (outline examples often share a name),
        once per missing copy."""
        short = Counter(self.expected) - Counter(self.shown)
        return sorted(short.elements())


def render_report(report_html_dir: str | Path, expected: Sequence[str], *,
                  screenshot: str | Path | None = None, chromium: str | None = None,
                  timeout: float = 120.0) -> RenderResult:
    """Render ``<report_html_dir>/index.html`` in headless Chromium and list the scenario
    names the tree shows."""
    directory = Path(report_html_dir)
    if not (directory / "index.html").is_file():
        raise RenderError(f"no report at {directory / 'index.html'}: build it first "
                          "(authconform report)")
    chromium = chromium or find_chromium()
    if not chromium:
        raise RenderError("chromium not found: install it with scripts/setup-chromium.sh "
                          f"(apt-get install chromium) or set {CHROMIUM_ENV}")
    shot = Path(screenshot).resolve() if screenshot else None
    with tempfile.TemporaryDirectory(prefix="authconform-chromium-") as profile, \
            serve(directory) as base:
        url = base + PRIME_PATH.lstrip("/")
        done = _chromium(chromium, profile, ["--dump-dom"], url, timeout)
        if done.returncode != 0 or not done.stdout.strip():
            raise RenderError(f"chromium failed (exit {done.returncode}): "
                              f"{done.stderr.strip()[-800:]}")
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            taken = _chromium(chromium, profile, [f"--screenshot={shot}"], url, timeout)
            if taken.returncode != 0 or not shot.is_file():
                raise RenderError(f"chromium took no screenshot (exit {taken.returncode}): "
                                  f"{taken.stderr.strip()[-800:]}")
    titles = tuple(html.unescape(t) for t in leaf_titles(done.stdout))
    return RenderResult(expected=tuple(expected), shown=titles, screenshot=shot)


def expected_names(conformance: dict[str, object]) -> list[str]:
    scenarios = conformance.get("scenarios", [])
    assert isinstance(scenarios, list)
    return [" ".join(str(s["name"]).split()) for s in scenarios]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m authconform.render_check",
        description="Render the Allure HTML report in headless Chromium and check that "
                    "every scenario of conformance.json is shown.")
    parser.add_argument("--report-dir", default="reports",
                        help="folder holding conformance.json and allure-report/")
    parser.add_argument("--screenshot", default=None, help="also save a PNG screenshot here")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    report_dir = Path(args.report_dir)
    try:
        doc = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"render-check: cannot read {report_dir / 'conformance.json'}: {exc}",
              file=sys.stderr)
        return 2
    try:
        result = render_report(report_dir / "allure-report", expected_names(doc),
                               screenshot=args.screenshot, timeout=args.timeout)
    except RenderError as exc:
        print(f"render-check: {exc}", file=sys.stderr)
        return 2
    missing = result.missing
    print(f"render-check: {len(result.expected) - len(missing)}/{len(result.expected)} "
          f"scenarios shown in the rendered report"
          + (f"; screenshot {result.screenshot}" if result.screenshot else ""))
    for name in missing:
        print(f"  missing: {name}")
    return 1 if missing else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
