"""The service's server (``authconform/service/server.py``): uvicorn's, stopping without
uvicorn's fixed pauses, and still gracefully: a request being answered when the stop
comes is answered, and the lifespan's shutdown (which writes every world) runs after it.

Each server runs in a thread of its own, where uvicorn installs no signal handlers: the
stop request is the call a signal would make, ``handle_exit``."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from authconform.service import server as prompt

WAIT = 30  # seconds before a test gives up on a server: never reached when all is well


class _App:
    """An ASGI app whose one request is answered only once the test says so."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.received = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.events.append("lifespan shutdown")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await receive()
        self.received.set()
        while not self.release.is_set():
            await asyncio.sleep(0.001)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"answered"})
        self.events.append("answered")


class _Running:
    def __init__(self, app: _App, server_class: type[uvicorn.Server]):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False,
                                timeout_graceful_shutdown=WAIT)
        self.server = server_class(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        for _ in range(int(WAIT * 100)):
            if self.server.started:
                return
            threading.Event().wait(0.01)
        pytest.fail("the server did not start")

    def stop(self) -> None:
        self.server.handle_exit(signal.SIGTERM, None)

    def stopped(self) -> bool:
        self.thread.join(WAIT)
        return not self.thread.is_alive()


@pytest.fixture(params=["prompt", "uvicorn's own shutdown"])
def server_class(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[type[uvicorn.Server]]:
    if request.param != "prompt":  # as with a uvicorn lacking a member the shutdown uses
        monkeypatch.setattr(prompt, "_UVICORN_PARTS", (*prompt._UVICORN_PARTS, "_gone"))
    yield prompt.PromptServer


def test_a_stop_request_ends_the_main_loop_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # With an hour between uvicorn's ticks, only the wake-up can end the loop in time.
    monkeypatch.setattr(prompt, "_TICK", 3600.0)
    running = _Running(_App(), prompt.PromptServer)
    running.start()
    running.stop()
    assert running.stopped(), f"the server was still running {WAIT} s after the stop"


def test_a_request_being_answered_when_the_stop_comes_is_answered_first(
        server_class: type[uvicorn.Server]) -> None:
    app = _App()
    running = _Running(app, server_class)
    running.start()
    with socket.create_connection(("127.0.0.1", running.port), timeout=WAIT) as client:
        client.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        assert app.received.wait(WAIT)
        running.stop()
        app.release.set()
        answer = b""
        while b"answered" not in answer:
            chunk = client.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert running.stopped()
    assert app.events == ["answered", "lifespan shutdown"]


def test_an_idle_kept_alive_connection_does_not_hold_the_stop() -> None:
    app = _App()
    app.release.set()
    running = _Running(app, prompt.PromptServer)
    running.start()
    with socket.create_connection(("127.0.0.1", running.port), timeout=WAIT) as client:
        client.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        running.stop()  # the connection stays open, idle, on the client's side
        assert running.stopped()
        assert client.recv(4096) == b""  # closed by the server
    assert app.events == ["answered", "lifespan shutdown"]
