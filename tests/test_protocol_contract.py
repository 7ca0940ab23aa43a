"""The HTTP protocol as an outside team meets it: services that get one point of the
contract wrong (refusals as HTTP 409, nulls left out, an unknown capability, another
port version), each reached by URL as the team's own service would be, and what the
adapter and the self-test make of them."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from authconform import port
from authconform.adapters import AdapterLoadError, TargetConfig, versions
from authconform.adapters.guard import GuardedTarget
from authconform.adapters.http import HttpAdapter
from authconform.adapters.inprocess import SimTarget
from authconform.adapters.selftest import run_selftest
from authconform.service import create_app
from authconform.wire import schema

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


def _floats_for_integers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _floats_for_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_for_integers(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _with_extra_member(value: Any) -> Any:
    if isinstance(value, dict):
        return {**{k: _with_extra_member(v) for k, v in value.items()}, "x_trace": "abc"}
    if isinstance(value, list):
        return [_with_extra_member(v) for v in value]
    return value


def newer_habits(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """Integers as 6.0 (JSON Schema's integers) and a member the port does not know in
    every object of every result: what a service of a newer minor version may send."""
    if (path.startswith(("/v1/world/", "/v1/devices/")) and status == 200
            and isinstance(body, dict) and not path.endswith("/snapshot")):
        return status, {**body, "result": _with_extra_member(
            _floats_for_integers(body.get("result")))}
    return status, body


def test_integral_numbers_and_unknown_answer_members_pass_and_are_named() -> None:
    with serving(Rewriting(newer_habits)) as url:
        checks = _selftest(url)
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            target = GuardedTarget(adapter.new_target(4), 30)
            person = target.world.create_person()
            site = target.world.create_site_account(person.id, "GitHub", digits=8)
            reference = SimTarget(seed=4)
            assert site == reference.world.create_site_account(
                reference.world.create_person().id, "GitHub", digits=8)
            assert type(site.digits) is int and site.digits == 8
            target.close()
        finally:
            adapter.stop()
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    unknown = checks["unknown members"]
    assert unknown.warning and "Screen.x_trace" in unknown.detail
    assert "Outcome.x_trace" in unknown.detail and "Person.x_trace" in unknown.detail


def test_the_reference_service_sends_no_unknown_member() -> None:
    with serving(Rewriting(unchanged)) as url:
        checks = _selftest(url)
    assert not checks["unknown members"].warning
    assert checks["unknown members"].detail.startswith("none")


def test_the_service_still_refuses_an_unknown_member_in_a_request() -> None:
    with serving(Rewriting(unchanged)) as url, httpx.Client(base_url=url) as client:
        created = client.post("/v1/worlds", json={"seed": 1}).json()
        headers = {"X-World-Id": created["world_id"],
                   "authorization": f"Bearer {created['operator_token']}"}
        answer = client.post("/v1/world/create_microsoft_account", headers=headers,
                             json={"person_id": "person-1", "mood": "fine"})
        assert answer.status_code == 422
        assert client.post("/v1/worlds", json={"seed": 1, "mood": 1}).status_code == 422


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


# ---------------------------------------------------------------- versions and worlds


def test_a_pre_release_protocol_runs_compared_on_its_numbers_with_the_suffix_shown() -> None:
    declared = f"{port.PORT_VERSION}-rc.1+build.7"
    with serving(Rewriting(info_with(protocol=declared))) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            assert adapter.port_version == declared
            version, note = versions.check_adapter(adapter, 1)
        finally:
            adapter.stop()
        checks = _selftest(url)
    assert version == declared and note is not None and declared in note
    assert checks["port version"].ok and declared in checks["port version"].detail
    older = f"{versions.CURRENT.major}.0.0-beta"
    with serving(Rewriting(info_with(protocol=older))) as url:
        checks = _selftest(url)
    assert f"written for port version {older}" in checks["port version"].detail


def test_a_missing_protocol_is_named_as_v1_info_protocol() -> None:
    def without_protocol(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path == "/v1/info":
            body.pop("protocol")
        return status, body
    with serving(Rewriting(without_protocol)) as url:
        checks = _selftest(url)
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            _, note = versions.check_adapter(adapter, 1)
        finally:
            adapter.stop()
    detail = checks["port version"].detail
    assert "declares no port version (/v1/info protocol)" in detail
    assert note is not None and "(/v1/info protocol)" in note
    assert "TargetInfo.port_version" not in detail + note


class SlowWorlds:
    """The reference service, creating each world only after ``delay`` seconds (a
    device reset), or answering 500 to every creation."""

    def __init__(self, delay: float = 0.0, fail: bool = False, **info: Any):
        self.inner = Rewriting(info_with(**info) if info else unchanged)
        self.delay, self.fail = delay, fail

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] == "/v1/worlds"):
            if self.fail:
                body = b'{"error": "internal_error", "message": "no device"}'
                await send({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await asyncio.sleep(self.delay)
        await self.inner(scope, receive, send)

    def worlds(self) -> int:
        return len(self.inner.app.state.registry.worlds)


def test_a_world_is_waited_for_up_to_start_timeout_beyond_the_op_timeout() -> None:
    service = SlowWorlds(delay=1.0)
    with serving(service) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(op_timeout=0.3, options={"url": url,
                                                            "start_timeout": "5"}))
        try:
            assert adapter.world_timeout == 5
            target = adapter.new_target(1)
            assert service.worlds() == 1
            target.close()  # over url the DELETE is waited for
            assert service.worlds() == 0
        finally:
            adapter.stop()


def test_a_world_given_up_on_is_deleted_when_the_service_answers_after_all() -> None:
    service = SlowWorlds(delay=1.0)
    with serving(service) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(op_timeout=0.3, options={"url": url,
                                                            "start_timeout": "0.2"}))
        try:
            with pytest.raises(port.TargetError, match=r"adapter 'http' failed in "
                                                       r"new_target: ReadTimeout: no answer "
                                                       r"within 0.3 s"):
                adapter.new_target(1)
            assert service.worlds() == 0  # not created yet: the service is slow
            deadline = time.monotonic() + 20
            while service.worlds() or not any(
                    seen.startswith("DELETE /v1/worlds/") for seen in service.inner.seen):
                assert time.monotonic() < deadline, "the late world was left behind"
                time.sleep(0.05)
            service.delay = 0
            target = adapter.new_target(2)  # the next world gets a new worker
            target.close()
        finally:
            adapter.stop()


def test_the_protocol_reaches_the_verdict_when_the_start_up_world_fails() -> None:
    with serving(SlowWorlds(fail=True, protocol="2.0.0")) as url:
        adapter = HttpAdapter()
        adapter.start(TargetConfig(options={"url": url}))
        try:
            declared, note = versions.check_adapter(adapter, 1)
        finally:
            adapter.stop()
    assert declared == "2.0.0"
    assert note is not None and "written for port version 2.0.0" in note


def test_the_seeds_the_harness_sends_are_ones_the_schema_allows() -> None:
    from authconform.gate.plugin import scenario_seed

    seeds = [scenario_seed(base, f"features/x.feature::s{i}") for base in (0, 1, 2**31)
             for i in range(200)]
    assert max(seeds) < 2**32 and max(seeds) > 2**31  # the whole 32-bit range is used
    with serving(Rewriting(unchanged)) as url, httpx.Client(base_url=url) as client:
        for seed in (0, 2**32 - 1, 2**63 - 1):
            assert client.post("/v1/worlds", json={"seed": seed}).status_code == 201, seed
        for seed in (-1, 2**63):
            assert client.post("/v1/worlds", json={"seed": seed}).status_code == 422, seed
    published = schema.CreateWorld.model_json_schema()["properties"]["seed"]
    assert published["format"] == "int64" and published["minimum"] == 0
