"""One headless Chromium kept for many pages, driven over the DevTools protocol.

The render check opens a report, a scenario's page or a requirement page in headless
Chromium and reads the DOM it built. Starting a browser for each page cost two to three
times what the page itself costs once a browser is running: a process that checks
several pages (the harness's own tests check about twenty) keeps one browser instead.

The browser reads DevTools commands on its file descriptor 3 and answers on 4
(``--remote-debugging-pipe``: JSON messages ended by a NUL byte), so no port is opened.
Each page opens in a browser context of its own -- storage, cookies and cache as fresh
as a new profile's -- at the window size asked, and is read once its virtual-time
budget has run out, as ``--virtual-time-budget`` does for a one-page run; a screenshot,
if asked, is taken of that same page.

Only one page at a time uses the kept browser: ``borrowed`` yields None while another
thread holds it, and the caller starts a browser of its own for that page, the way it
always did. A browser that fails to start, to answer or within the time allowed is
stopped and forgotten (the next page starts a new one); one that cannot be driven this
way at all (no pipe support, no bash to hand it the pipe, another platform) is not
tried again in this process.

May import the standard library only: ``render_check`` decides what to open and reads
what comes back.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

_BASH = shutil.which("bash")


class BrowserError(Exception):
    """The kept browser could not be started or driven: open the page another way."""


class BrowserTimeout(BrowserError):
    """The page did not finish within the time allowed."""


class Browser:
    """A headless Chromium started with ``flags``, driven over its DevTools pipe."""

    def __init__(self, executable: str, flags: Sequence[str]):
        if os.name != "posix" or _BASH is None:
            raise BrowserError("the DevTools pipe needs bash to hand it descriptors 3 and 4")
        import fcntl  # POSIX only, as checked above

        self.profile = tempfile.mkdtemp(prefix="authconform-browser-")
        ours_to_write, theirs_to_read = os.pipe()[::-1]
        theirs_to_write, ours_to_read = os.pipe()[::-1]
        # The browser's ends go to the child above 9, then bash puts them on 3 and 4 and
        # starts the browser: no Python runs between fork and exec (preexec_fn is not
        # safe beside threads), and no number clashes with 3 or 4 on the way (a POSIX
        # sh such as dash takes one-digit descriptors only).
        read_end = fcntl.fcntl(theirs_to_read, fcntl.F_DUPFD_CLOEXEC, 10)
        write_end = fcntl.fcntl(theirs_to_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(theirs_to_read)
        os.close(theirs_to_write)
        launch = f'exec "$0" "$@" 3<&{read_end} 4>&{write_end} {read_end}<&- {write_end}>&-'
        try:
            self.process = subprocess.Popen(
                [_BASH, "-c", launch, executable, *flags, "--remote-debugging-pipe",
                 f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(read_end, write_end))
        except OSError as exc:
            for fd in (ours_to_write, read_end, write_end, ours_to_read):
                os.close(fd)
            shutil.rmtree(self.profile, ignore_errors=True)
            raise BrowserError(f"cannot start {executable}: {exc}") from exc
        os.close(read_end)
        os.close(write_end)
        self._out, self._in = ours_to_write, ours_to_read
        self._buffer = bytearray()
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # ------------------------------------------------------------ the protocol

    def _send(self, method: str, params: dict[str, Any] | None = None,
              session: str | None = None, *, deadline: float) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._out, data):]
        except OSError as exc:
            raise BrowserError(f"the browser is gone ({exc})") from exc
        wanted = self._next_id
        answer = self._until(lambda m: m.get("id") == wanted, deadline)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message', answer)}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def _until(self, wanted: Callable[[dict[str, Any]], bool],
               deadline: float) -> dict[str, Any]:
        """The first message ``wanted``, from those set aside or those still to come;
        events that are not are set aside for a later wait."""
        for index, message in enumerate(self._events):
            if wanted(message):
                return self._events.pop(index)
        while True:
            message = self._receive(deadline)
            if wanted(message):
                return message
            if "method" in message:
                self._events.append(message)

    def _receive(self, deadline: float) -> dict[str, Any]:
        searched = 0  # a page's DOM is megabytes: each new chunk is searched once
        while (end := self._buffer.find(b"\0", searched)) < 0:
            searched = len(self._buffer)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserTimeout("no answer in time")
            readable, _, _ = select.select([self._in], [], [], left)
            if not readable:
                raise BrowserTimeout("no answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError("the browser closed its DevTools pipe")
            self._buffer += chunk
        parsed: dict[str, Any] = json.loads(self._buffer[:end])
        del self._buffer[:end + 1]
        return parsed

    # ------------------------------------------------------------ a page

    def dom(self, url: str, *, window: tuple[int, int], budget_ms: int,
            timeout: float, screenshot: Path | None = None) -> str:
        """The DOM of ``url`` once its virtual-time budget has run out, in a browser
        context of its own; the PNG of its window to ``screenshot`` if given."""
        deadline = time.monotonic() + timeout
        context = self._send("Target.createBrowserContext", deadline=deadline)[
            "browserContextId"]
        try:
            target = self._send("Target.createTarget", {
                "url": "about:blank", "browserContextId": context},
                deadline=deadline)["targetId"]
            session = self._send("Target.attachToTarget", {
                "targetId": target, "flatten": True}, deadline=deadline)["sessionId"]
            self._send("Emulation.setDeviceMetricsOverride", {
                "width": window[0], "height": window[1], "deviceScaleFactor": 1,
                "mobile": False}, session, deadline=deadline)
            # time stands still until the page is asked for, then runs the budget out
            # as fast as the page lets it, waiting while files are still being read
            self._send("Emulation.setVirtualTimePolicy", {"policy": "pause"}, session,
                       deadline=deadline)
            self._send("Page.navigate", {"url": url}, session, deadline=deadline)
            self._send("Emulation.setVirtualTimePolicy", {
                "policy": "pauseIfNetworkFetchesPending", "budget": budget_ms}, session,
                deadline=deadline)
            self._until(lambda m: m.get("method") == "Emulation.virtualTimeBudgetExpired"
                        and m.get("sessionId") == session, deadline)
            found = self._send("Runtime.evaluate", {
                "expression": "document.documentElement.outerHTML",
                "returnByValue": True}, session, deadline=deadline)
            dom = found.get("result", {}).get("value")
            if not isinstance(dom, str):
                raise BrowserError(f"no DOM from {url}")
            if screenshot is not None:
                shot = self._send("Page.captureScreenshot", {"format": "png"}, session,
                                  deadline=deadline)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            return dom
        finally:
            self._events.clear()  # what the page and its target said: of no use now
            with contextlib.suppress(BrowserError):
                self._send("Target.disposeBrowserContext", {"browserContextId": context},
                           deadline=max(deadline, time.monotonic() + 5))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._out)  # the browser ends when its pipe closes
        with contextlib.suppress(OSError):
            os.close(self._in)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        shutil.rmtree(self.profile, ignore_errors=True)


# ---------------------------------------------------------------- the kept browser

_LOCK = threading.Lock()
_KEPT: dict[tuple[str, tuple[str, ...]], Browser] = {}
_UNUSABLE: set[str] = set()  # executables that could not be driven this way


@contextlib.contextmanager
def borrowed(executable: str, flags: Sequence[str]) -> Iterator[Browser | None]:
    """The kept browser for ``executable`` started with ``flags``, started if need be;
    None while another thread uses it, or where it cannot be driven: the caller then
    opens the page as it always did. A browser that fails while borrowed is stopped."""
    if executable in _UNUSABLE or not _LOCK.acquire(blocking=False):
        yield None
        return
    try:
        key = (executable, tuple(flags))
        browser = _KEPT.get(key)
        if browser is not None and browser.process.poll() is not None:
            _forget(key)
            browser = None
        if browser is None:
            try:
                browser = _KEPT[key] = Browser(executable, flags)
            except BrowserError:
                _UNUSABLE.add(executable)
                yield None
                return
        try:
            yield browser
        except BrowserError:
            _forget(key, kill=True)
            raise
    finally:
        _LOCK.release()


def never_again(executable: str) -> None:
    """``executable`` started but could not be driven over the pipe: leave it alone."""
    _UNUSABLE.add(executable)


def _forget(key: tuple[str, tuple[str, ...]], kill: bool = False) -> None:
    browser = _KEPT.pop(key, None)
    if browser is not None:
        if kill:
            with contextlib.suppress(OSError):
                browser.process.kill()
        browser.close()


@atexit.register
def _close_all() -> None:
    for key in list(_KEPT):
        _forget(key)
