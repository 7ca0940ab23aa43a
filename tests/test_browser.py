"""The headless browser the render check keeps for many pages (authconform/report/
browser.py): the same pages as a browser started for each, and every way it can fail
falls back to one, or says so, without a wrong reading."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from authconform.report import browser, render_check
from tests.test_report_render import needs_browser, png_size

PAGE = """<!doctype html><title>t</title><body><p id="x">before</p><script>
setTimeout(() => { document.getElementById("x").textContent = "after a while"; }, 3000);
</script>"""


@pytest.fixture
def clean_slate() -> Iterator[None]:
    """No kept browser and nothing marked unusable, before and after."""
    browser._close_all()
    browser._UNUSABLE.clear()
    yield
    browser._close_all()
    browser._UNUSABLE.clear()


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.fixture
def chromium() -> str:
    found = render_check.find_chromium()
    assert found is not None
    return found


def _script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@needs_browser
def test_a_kept_browser_reads_pages_as_a_browser_of_their_own_does(
        tmp_path: Path, page: Path, chromium: str, clean_slate: None) -> None:
    shot = tmp_path / "shot.png"
    kept = [render_check._page_dom(chromium, page.as_uri(), 60, shot)]
    (first,) = browser._KEPT.values()
    kept.append(render_check._page_dom(chromium, page.as_uri(), 60, shot))
    (second,) = browser._KEPT.values()
    assert second is first and first.process.poll() is None  # one browser, still there
    assert png_size(shot) == render_check.WINDOW
    browser.never_again(chromium)  # now each page in a browser of its own
    alone = render_check._page_dom(chromium, page.as_uri(), 60)
    for dom in [*kept, alone]:
        # the page's own timer ran: the virtual-time budget, both ways
        assert '<p id="x">after a while</p>' in dom, dom[:400]


@needs_browser
def test_a_page_asked_for_while_the_kept_browser_is_busy_gets_its_own(
        page: Path, chromium: str, clean_slate: None) -> None:
    with browser.borrowed(chromium, ("--headless",)) as held:  # another thread's turn
        assert held is not None
        got: list[str] = []
        other = threading.Thread(target=lambda: got.append(
            render_check._page_dom(chromium, page.as_uri(), 60)))
        other.start()
        other.join(120)
    assert got and "after a while" in got[0]


@needs_browser
def test_a_browser_that_cannot_be_driven_is_left_alone_and_pages_still_open(
        tmp_path: Path, page: Path, chromium: str, clean_slate: None) -> None:
    # the same browser with its DevTools pipe closed before it starts
    deaf = _script(tmp_path, "deaf-chromium", f'exec 3>&- 4>&-; exec "{chromium}" "$@"')
    assert "after a while" in render_check._page_dom(deaf, page.as_uri(), 60)
    assert deaf in browser._UNUSABLE and not browser._KEPT


def test_a_browser_that_never_answers_is_a_render_error_and_is_stopped(
        tmp_path: Path, clean_slate: None) -> None:
    silent = _script(tmp_path, "silent-chromium", "exec sleep 600")
    with pytest.raises(render_check.RenderError, match="did not finish within 1s"):
        render_check._page_dom(silent, "file:///nowhere.html", 1)
    assert not browser._KEPT  # stopped, not kept for the next page


def test_a_browser_that_is_not_there_is_a_render_error(tmp_path: Path,
                                                        clean_slate: None) -> None:
    with pytest.raises(render_check.RenderError, match=r"cannot start .*no-such-browser"):
        render_check._page_dom(str(tmp_path / "no-such-browser"), "file:///x.html", 5)
