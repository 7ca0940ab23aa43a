"""The HTTP protocol as an outside team meets it: services that get one point of the
contract wrong (refusals as HTTP 409, nulls left out, an unknown capability, another
port version), each reached by URL as the team's own service would be, and what the
adapter and the self-test make of them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from authconform import port
from authconform.adapters import AdapterLoadError, TargetConfig
from authconform.adapters.guard import GuardedTarget
from authconform.adapters.http import HttpAdapter
from authconform.adapters.inprocess import SimTarget
from authconform.adapters.selftest import run_selftest
from authconform.service import create_app

Rewrite = Callable[[str, str, int, Any], tuple[int, Any]]


class Rewriting:
    """The reference service, each JSON answer passed through ``rewrite(method, path,
    status, body) -> (status, body)``: one wrong or liberal habit of another server."""

    def __init__(self, rewrite: Rewrite):
        self.app = create_app()
        self.rewrite = rewrite
        self.seen: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.seen.append(f"{scope['method']} {scope['path']}")
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        status, body = start["status"], b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", [])
                   if k.lower() != b"content-length"]
        if body and dict(headers).get(b"content-type", b"").startswith(b"application/json"):
            status, answer = self.rewrite(scope["method"], scope["path"], status,
                                          json.loads(body))
            body = json.dumps(answer).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` on a free loopback port in a thread; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:  # a start-up condition, not a timed test
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def refusals_as_409(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """The trap: a refusal answered as an HTTP error instead of an Outcome."""
    result = body.get("result") if isinstance(body, dict) else None
    if status == 200 and isinstance(result, dict) and result.get("ok") is False:
        return 409, {"error": result["code"], "message": result["message"]}
    return status, body


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def nulls_left_out(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """What Swift's Codable does with nil: the member is not written at all."""
    if path.startswith(("/v1/world/", "/v1/devices/")) and isinstance(body, dict):
        return status, _without_nulls(body)
    return status, body


def info_with(**members: Any) -> Rewrite:
    def rewrite(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path == "/v1/info":
            return status, {**body, **members}
        return status, body
    return rewrite


def unchanged(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    return status, body


def _selftest(url: str) -> dict[str, Any]:
    checks = run_selftest("http", {"url": url}, op_timeout=30)
    return {c.name: c for c in checks}


# ---------------------------------------------------------------- the self-test


def test_the_self_test_passes_a_correct_service() -> None:
    with serving(Rewriting(unchanged)) as url:
        checks = _selftest(url)
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["refusal: wrong sign-in"].detail == "SIGN_IN_FAILED"
    assert checks["omitted members"].detail.startswith("none")


def test_the_self_test_fails_a_service_that_answers_refusals_as_409() -> None:
    with serving(Rewriting(refusals_as_409)) as url:
        checks = _selftest(url)
    failed = {name for name, c in checks.items() if not c.ok}
    # every refusal family the service can be asked for, and nothing of the happy path
    assert failed == {"refusal: wrong sign-in", "refusal: existing accounts",
                      "refusal: iCloud needed", "refusal: no backup for this account",
                      "refusal: QR not accepted", "refusal: no connection",
                      "refusal: account problem", "refusal: sign-in needed",
                      "refusal: not a personal account",
                      "refusal: not the recovery account"}
    detail = checks["refusal: wrong sign-in"].detail
    assert "HTTP 409 SIGN_IN_FAILED" in detail and "200 with an Outcome" in detail


def test_a_service_that_leaves_out_nulls_is_read_as_null_and_named() -> None:
    with serving(Rewriting(nulls_left_out)) as url:
        checks = _selftest(url)
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            target = GuardedTarget(adapter.new_target(4), 30)
            reference = SimTarget(seed=4)
            person = target.world.create_person()
            phone = target.world.create_device(person.id, port.Platform.ANDROID, "6.8.0")
            reference.world.create_person()
            same_phone = reference.world.create_device(person.id, port.Platform.ANDROID,
                                                       "6.8.0")
            # camera_prompt and backup_warning_at are null on a new phone: left out
            assert target.app.screen(phone) == reference.app.screen(same_phone)
            target.close()
        finally:
            adapter.stop()
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    omitted = checks["omitted members"]
    assert omitted.warning and "Screen.camera_prompt" in omitted.detail


def test_a_missing_member_that_cannot_be_null_is_still_an_error() -> None:
    def drop_red_dot(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.endswith("/screen"):
            body["result"].pop("red_dot")
        return status, body
    with serving(Rewriting(drop_red_dot)) as url:
        checks = _selftest(url)
    assert not checks["screen"].ok and "Screen lacks 'red_dot'" in checks["screen"].detail


# ---------------------------------------------------------------- start-up


def test_an_unknown_capability_is_a_clear_start_up_error() -> None:
    with (serving(Rewriting(info_with(capabilities=["clock", "time_travel"]))) as url,
          pytest.raises(AdapterLoadError, match=r"capability 'time_travel'.*known: clock")):
        HttpAdapter().start(TargetConfig(options={"url": url}))


def test_a_service_of_an_older_major_protocol_is_refused_naming_what_changed() -> None:
    with serving(Rewriting(info_with(protocol="1.3.0"))) as url:
        adapter = HttpAdapter()
        with pytest.raises(AdapterLoadError) as caught:
            adapter.start(TargetConfig(options={"url": url}))
    message = str(caught.value)
    assert "written for port version 1.3.0" in message
    assert "Screen.alerts holds Alert objects" in message
    assert "sign_in_to_update_backup" in message
    assert adapter.client is None  # nothing left open


def test_a_service_of_an_older_minor_protocol_runs_and_says_so() -> None:
    with serving(Rewriting(info_with(protocol="2.0.0"))) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            target = adapter.new_target(1)
            assert target.info.port_version == "2.0.0"
            target.close()
        finally:
            adapter.stop()
        checks = _selftest(url)
    assert checks["port version"].ok and checks["port version"].warning
    assert "written for port version 2.0.0" in checks["port version"].detail


def test_the_reference_service_declares_this_port_version() -> None:
    with serving(Rewriting(unchanged)) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            assert adapter.port_version == port.PORT_VERSION
        finally:
            adapter.stop()


# ---------------------------------------------------------------- restart by URL


class Restartable(Rewriting):
    """A service that lists restart and serves its endpoint (its worlds survive: there
    is nothing here to lose)."""

    def __init__(self) -> None:
        super().__init__(info_with(capabilities=sorted(
            c.value for c in port.Capability)))
        self.restarts = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/world/restart_service":
            self.restarts += 1
            body = b'{"result": null}'
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await super().__call__(scope, receive, send)


def test_a_service_reached_by_url_may_offer_restart_through_its_endpoint() -> None:
    service = Restartable()
    with serving(service) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            assert port.Capability.RESTART in adapter.capabilities
            target = GuardedTarget(adapter.new_target(2), 30)
            target.world.restart_service()
            target.close()
        finally:
            adapter.stop()
        checks = _selftest(url)
    assert service.restarts == 2  # the call above, and the self-test's exercise
    assert checks["capability restart"].detail == "declared; works"


def test_the_reference_service_does_not_offer_restart_and_says_why() -> None:
    with serving(Rewriting(unchanged)) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            assert port.Capability.RESTART not in adapter.capabilities
            target = GuardedTarget(adapter.new_target(2), 30)
            with pytest.raises(port.CapabilityMissing):
                target.world.restart_service()
            session = target.inner.session
            response = session.client.post(
                "/v1/world/restart_service", json={},
                headers={"X-World-Id": session.world_id,
                         "authorization": f"Bearer {session.operator}"})
            assert response.status_code == 404
            assert "does not restart itself" in response.json()["message"]
            target.close()
        finally:
            adapter.stop()
