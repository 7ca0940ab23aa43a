"""``HttpAdapter``: the service process it starts, the ``url`` option, strict decoding,
per-person tokens, and answers identical to the in-process simulator."""

from __future__ import annotations

import json
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from authconform import port
from authconform.adapters import AdapterLoadError, TargetConfig, load_adapter
from authconform.adapters.guard import GuardedTarget
from authconform.adapters.http import (
    NO_WAIT,
    HttpAdapter,
    HttpTarget,
    LoopbackTransport,
    ManagedService,
    _Session,
    _unix_listener,
)
from authconform.adapters.inprocess import SimTarget
from authconform.service import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's advice to move to httpx2
    from fastapi.testclient import TestClient

MUTANT = "msa_codes_identical"


@pytest.fixture(scope="module")
def adapter() -> Iterator[HttpAdapter]:
    started = HttpAdapter()
    started.start(TargetConfig(op_timeout=30))
    yield started
    started.stop()


def scenario(target: Any) -> list[Any]:
    """Backup on one iPhone, recovery on another: most of both halves of the port."""
    world, app = target.world, target.app
    person = world.create_person()
    msa = world.create_microsoft_account(person.id)
    apple = world.create_apple_id(person.id)
    old = world.create_device(person.id, port.Platform.IOS, "6.8.0")
    seen: list[Any] = [person, msa, apple, old]
    seen.append(world.sign_in_to_icloud(old, apple.username, apple.password))
    seen.append(app.add_personal_account(old, msa.username, msa.password, push=True))
    site = world.create_site_account(person.id, "GitHub", digits=8, algorithm="SHA256")
    seen += [site, app.scan_qr(old, site.qr_png)]
    app.answer_camera_prompt(old, True)
    seen += [app.scan_qr(old, site.qr_png), app.screen(old)]
    seen.append(app.turn_on_backup(old, msa.username, msa.password))
    world.advance_clock(45)
    new = world.create_device(person.id, port.Platform.IOS, "6.8.0")
    world.sign_in_to_icloud(new, apple.username, apple.password)
    seen.append(app.begin_recovery(new, msa.username, msa.password))
    entries = app.list_accounts(new)
    pending = next(e for e in entries if e.needs_verification)
    seen += [entries, app.current_code(new, pending.id)]
    seen.append(app.sign_in_to_recover(new, pending.id, msa.password, "email"))
    mail = world.messages(msa.alternate_email)
    seen += [mail, app.confirm_verification_code(new, pending.id, mail[-1].code)]
    seen += [app.screen(new), world.stored_objects(), world.traffic(),
             world.device_secrets(new), world.now(), world.snapshot()]
    return seen


@pytest.mark.parametrize("seed", [1, 2024])
def test_answers_are_identical_to_the_in_process_simulator(adapter: HttpAdapter,
                                                            seed: int) -> None:
    over_http = GuardedTarget(adapter.new_target(seed), 30)
    in_process = GuardedTarget(SimTarget(seed=seed), 30)
    try:
        assert scenario(over_http) == scenario(in_process)
    finally:
        over_http.close()


def test_the_service_runs_on_loopback_and_stops_with_the_adapter() -> None:
    adapter = HttpAdapter()
    adapter.start(TargetConfig(options={"state": "off"}))
    service = adapter.service
    assert service is not None and service.url.startswith("http://127.0.0.1:")
    assert port.Capability.RESTART not in adapter.capabilities  # no state file
    process = service.process
    assert process is not None and process.poll() is None
    # its own requests go over the service's Unix socket; its TCP port stays for ``url``
    assert service.unix_path is not None and Path(service.unix_path).exists()
    assert adapter.loopback is not None and adapter.loopback.unix_path == service.unix_path
    with httpx.Client(base_url=service.url) as over_tcp:
        assert over_tcp.get("/healthz").status_code == 200
    adapter.stop()
    assert process.poll() is not None
    assert service.sock.fileno() == -1  # the port is given back
    assert not Path(service.unix_path).exists()  # and the socket file removed


def test_a_socket_path_too_long_for_a_unix_socket_leaves_tcp_alone(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    assert _unix_listener(deep / "service.sock") == (None, None)
    service = ManagedService(deep, None, 30)
    try:
        service.start()
        assert service.unix_path is None and service.transport().unix_path is None
        with httpx.Client(base_url=service.url, transport=service.transport()) as client:
            assert client.get("/healthz").status_code == 200
    finally:
        service.close()


def test_option_url_uses_a_running_service(adapter: HttpAdapter) -> None:
    assert adapter.service is not None
    client = HttpAdapter()
    client.start(TargetConfig(options={"url": adapter.service.url}))
    try:
        assert client.service is None  # nothing started
        assert port.Capability.RESTART not in client.capabilities
        assert port.Capability.CLOCK in client.capabilities
        target = GuardedTarget(client.new_target(5), 30)
        assert target.world.create_person() == GuardedTarget(SimTarget(seed=5), 5
                                                             ).world.create_person()
        with pytest.raises(port.CapabilityMissing):
            target.world.restart_service()
        target.close()
    finally:
        client.stop()


def test_no_service_at_the_url_is_a_load_error() -> None:
    with pytest.raises(AdapterLoadError, match=r"no usable service at http://127.0.0.1:9"):
        load_adapter("http").start(TargetConfig(options={"url": "http://127.0.0.1:9"}))


def test_a_service_that_does_not_come_up_names_its_port_and_log() -> None:
    adapter = HttpAdapter()
    with pytest.raises(AdapterLoadError) as caught:
        adapter.start(TargetConfig(options={"start_timeout": "0"}))
    message = str(caught.value)
    assert "did not answer /healthz within 0 s" in message
    assert "127.0.0.1:" in message and "service.log" in message
    assert adapter.service is not None and adapter.service.process is None  # not left running
    adapter.stop()
    assert adapter.service is None


def test_an_unknown_mutant_is_a_load_error(adapter: HttpAdapter) -> None:
    assert adapter.service is not None
    with pytest.raises(AdapterLoadError, match="unknown mutant 'no_such_mutant'"):
        HttpAdapter().start(TargetConfig(mutant="no_such_mutant",
                                         options={"url": adapter.service.url}))


def test_a_mutant_is_applied_to_every_world(adapter: HttpAdapter) -> None:
    assert adapter.service is not None
    mutated = HttpAdapter()
    mutated.start(TargetConfig(mutant=MUTANT, options={"url": adapter.service.url}))
    try:
        target = mutated.new_target(1)
        assert target.info.name == f"http+{MUTANT}"
        target.close()
    finally:
        mutated.stop()


# ---------------------------------------------------------------- against the ASGI app


class Recorder:
    """The service's ASGI app, noting which token each request carried."""

    def __init__(self) -> None:
        self.app = create_app()
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            auth = dict(scope["headers"]).get(b"authorization", b"").decode()
            self.seen.append((scope["path"], auth.removeprefix("Bearer ")))
        await self.app(scope, receive, send)


def _in_process_target(app: Any) -> HttpTarget:
    client = TestClient(app)
    created = client.post("/v1/worlds", json={"seed": 8}).json()
    session = _Session(client, created["world_id"], created["operator_token"], "http")
    info = port.TargetInfo("http", "0", frozenset(port.Capability), "current")
    return HttpTarget(info, session, HttpAdapter())


def test_each_persons_calls_carry_that_persons_token() -> None:
    recorder = Recorder()
    target = _in_process_target(recorder)
    alex, sam = target.world.create_person(), target.world.create_person()
    alex_phone = target.world.create_device(alex.id, port.Platform.IOS, "6.8.0")
    sam_msa = target.world.create_microsoft_account(sam.id)
    target.app.screen(alex_phone)
    target.world.messages(sam_msa.alternate_email)
    target.world.advance_clock(5)
    tokens = target.session.person_tokens
    operator = target.session.operator
    assert recorder.seen[-5:] == [
        ("/v1/world/create_device", tokens[alex.id]),
        ("/v1/world/create_microsoft_account", tokens[sam.id]),
        (f"/v1/devices/{alex_phone}/screen", tokens[alex.id]),
        ("/v1/world/messages", tokens[sam.id]),
        ("/v1/world/advance_clock", operator),
    ]
    assert len({tokens[alex.id], tokens[sam.id], operator}) == 3


def test_arguments_bind_like_the_port(adapter: HttpAdapter) -> None:
    target = adapter.new_target(3)
    person = target.world.create_person()
    device = target.world.create_device(person_id=person.id, platform="android",
                                        app_version="6.8.0", name="Work phone")
    assert target.world.snapshot()["devices"][device]["platform"] == "android"
    with pytest.raises(TypeError):
        target.world.create_device(person.id)  # type: ignore[call-arg]
    target.close()


# ---------------------------------------------------------------- strict decoding


def _garbage_target(reply: Callable[[httpx.Request], httpx.Response]) -> GuardedTarget:
    client = httpx.Client(base_url="http://sut", transport=httpx.MockTransport(reply))
    info = port.TargetInfo("http", "0", frozenset(port.Capability), "current")
    return GuardedTarget(HttpTarget(info, _Session(client, "w-1", "t", "http"),
                                    HttpAdapter()), 5)


def _json(payload: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, content=json.dumps(payload).encode())


SCREEN = {"backup_setting": None, "backup_on": False, "recovery_offered": False,
          "red_dot": False, "alerts": [], "camera_prompt": None,
          "camera_permission": "not_asked"}


@pytest.mark.parametrize(("reply", "complaint"), [
    (lambda r: httpx.Response(200, content=b"<html>"), "not JSON"),
    (_json(["result"]), "not a JSON object"),
    (_json({"answer": SCREEN}), "result: missing"),
    (_json({"result": {**SCREEN, "backup_on": "yes"}}), "result.backup_on: expected a boolean"),
    (_json({"result": {k: v for k, v in SCREEN.items() if k != "red_dot"}}), "lacks 'red_dot'"),
    (_json({"result": {**SCREEN, "camera_permission": "maybe"}}), "not a CameraPermission"),
    (_json({"error": "internal_error", "message": "boom"}, 500), "HTTP 500 internal_error"),
    (lambda r: httpx.Response(502, content=b"bad gateway"), "HTTP 502 bad gateway"),
])
def test_a_malformed_or_failed_answer_is_a_target_error(reply: Any, complaint: str) -> None:
    with pytest.raises(port.TargetError) as caught:
        _garbage_target(reply).app.screen("device-1")
    assert caught.value.operation == "screen" and caught.value.adapter == "http"
    assert complaint in caught.value.detail


SITE = {"id": "site-1", "issuer": "GitHub", "username": "alex", "secret": "JBSWY3DP",
        "digits": 6, "period": 30, "algorithm": "SHA1", "uri": "otpauth://totp/x",
        "qr_png": "iVBO"}


def test_an_integral_number_reads_as_an_integer_and_a_fraction_is_refused() -> None:
    # 6.0 is an integer to OpenAPI 3.1 / JSON Schema: a service's encoder may write it
    site = _garbage_target(_json({"result": {**SITE, "digits": 6.0, "period": 30.0}})
                           ).world.create_site_account("person-1", "GitHub")
    assert (site.digits, site.period) == (6, 30)
    assert type(site.digits) is int and type(site.period) is int
    with pytest.raises(port.TargetError, match=r"result.digits: expected an integer, got a "
                                               r"fraction \(6.5\)"):
        _garbage_target(_json({"result": {**SITE, "digits": 6.5}})
                        ).world.create_site_account("person-1", "GitHub")
    with pytest.raises(port.TargetError, match=r"result.digits: expected an integer, got "
                                               r"boolean"):
        _garbage_target(_json({"result": {**SITE, "digits": True}})
                        ).world.create_site_account("person-1", "GitHub")


def test_an_unknown_answer_member_is_ignored_and_named() -> None:
    # a service of a newer minor version may add members: the run goes on
    target = _garbage_target(_json({"result": {**SCREEN, "mood": "fine",
                                               "alerts": [{"code": "BACKUP_PENDING",
                                                           "message": "m", "tone": 1}]}}))
    screen = target.app.screen("device-1")
    assert screen.red_dot is False and screen.alerts[0].message == "m"
    assert target.inner.unknown_members == {"Screen.mood", "Alert.tone"}


def test_errors_name_the_adapter_http_and_the_services_own_name_for_its_target() -> None:
    client = httpx.Client(base_url="http://sut", transport=httpx.MockTransport(
        _json({"result": {**SCREEN, "red_dot": "yes"}})))
    info = port.TargetInfo("acme", "0", frozenset(port.Capability), "current")
    session = _Session(client, "w-1", "t", "http", target="acme")
    target = GuardedTarget(HttpTarget(info, session, HttpAdapter()), 5)
    with pytest.raises(port.TargetError) as caught:
        target.app.screen("device-1")
    assert caught.value.adapter == "http"  # not the service's 'acme'
    assert str(caught.value).startswith("adapter 'http' failed in screen: malformed answer")
    assert caught.value.detail.endswith("(target 'acme')")
    # the guard's own errors name the adapter too
    assert target.app.screen.func.__self__._adapter == "http"  # type: ignore[attr-defined]
    # a target the service names after the adapter is not named twice
    same = _Session(client, "w-1", "t", "http", target="http")
    with pytest.raises(port.TargetError) as plain:
        GuardedTarget(HttpTarget(info, same, HttpAdapter()), 5).app.screen("device-1")
    assert "(target" not in plain.value.detail


def test_bad_base64_is_a_target_error() -> None:
    with pytest.raises(port.TargetError, match=r"result\[0\]: not standard base64"):
        _garbage_target(_json({"result": ["not base64!"]})).world.device_secrets("device-1")
    stored = {"store": "icloud", "location": "a", "name": "b", "data": "QUJD=x",
              "updated_at": 1.0}
    with pytest.raises(port.TargetError, match=r"result\[0\].data: not standard base64"):
        _garbage_target(_json({"result": [stored]})).inner.world.stored_objects()


def test_a_dead_service_is_a_target_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)
    with pytest.raises(port.TargetError, match="ConnectError"):
        _garbage_target(refuse).world.now()


def test_a_bad_option_is_a_load_error_before_anything_starts() -> None:
    adapter = HttpAdapter()
    with pytest.raises(AdapterLoadError, match="recovery_block='sometimes'"):
        adapter.start(TargetConfig(options={"recovery_block": "sometimes"}))
    with pytest.raises(AdapterLoadError, match="start_timeout"):
        adapter.start(TargetConfig(options={"start_timeout": "soon"}))
    with pytest.raises(AdapterLoadError, match="flush_interval must not be negative"):
        adapter.start(TargetConfig(options={"flush_interval": "-1"}))
    assert adapter.service is None


def _recover_with_an_unrelated_account_present(target: Any) -> port.OutcomeCode:
    world, app = target.world, target.app
    person = world.create_person()
    msa = world.create_microsoft_account(person.id)
    old = world.create_device(person.id, port.Platform.ANDROID, "6.8.0")
    app.add_personal_account(old, msa.username, msa.password)
    assert app.turn_on_backup(old, msa.username, msa.password).ok
    new = world.create_device(person.id, port.Platform.ANDROID, "6.8.0")
    site = world.create_site_account(person.id, "GitHub")
    app.enter_code_manually(new, site.issuer, site.username, site.secret)
    return app.begin_recovery(new, msa.username, msa.password).code


@pytest.mark.parametrize("block", ["any", "same"])
def test_the_recovery_block_option_reaches_every_world(adapter: HttpAdapter,
                                                       block: str) -> None:
    assert adapter.service is not None
    configured = HttpAdapter()
    configured.start(TargetConfig(options={"url": adapter.service.url,
                                           "recovery_block": block}))
    try:
        target = configured.new_target(2)
        over_http = _recover_with_an_unrelated_account_present(target)
        target.close()
    finally:
        configured.stop()
    in_process = _recover_with_an_unrelated_account_present(
        SimTarget(seed=2, recovery_block=block))
    assert over_http == in_process
    assert (over_http == port.OutcomeCode.EXISTING_ACCOUNTS) == (block == "any")


# ---------------------------------------------------------------- the loopback transport


class ScriptedServer:
    """A socket server on 127.0.0.1 that answers each connection's requests with the
    next scripted raw answers, then closes it."""

    def __init__(self, *connections: list[bytes]):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, args=(connections,), daemon=True)
        self.thread.start()

    def _serve(self, connections: tuple[list[bytes], ...]) -> None:
        for answers in connections:
            conn, _ = self.sock.accept()
            with conn:
                for answer in answers:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += conn.recv(65536)
                    self.requests.append(data)
                    if answer:
                        conn.sendall(answer)
                    else:
                        time.sleep(1)  # no answer at all

    def close(self) -> None:
        self.sock.close()


def _ok(body: bytes, *extra: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
    return head % len(body) + b"".join(e + b"\r\n" for e in extra) + b"\r\n" + body


def test_the_loopback_transport_keeps_one_connection_and_reads_by_length() -> None:
    server = ScriptedServer([_ok(b'{"result": 1}'), _ok(b'{"result": 2}', b"connection: close")],
                            [_ok(b'{"result": 3}')])
    client = httpx.Client(transport=LoopbackTransport("127.0.0.1", server.port))
    url = f"http://127.0.0.1:{server.port}/v1/world/now"
    try:
        assert [client.get(url).json()["result"] for _ in range(3)] == [1, 2, 3]
        first = server.requests[0]
        assert first.startswith(b"GET /v1/world/now HTTP/1.1\r\n")
        assert b"content-length: 0" in first.lower()
    finally:
        client.close()
        server.close()


def test_the_loopback_transport_opens_again_when_the_service_closed_it() -> None:
    server = ScriptedServer([_ok(b'{"result": 1}')], [_ok(b'{"result": 2}')])
    client = httpx.Client(transport=LoopbackTransport("127.0.0.1", server.port))
    url = f"http://127.0.0.1:{server.port}/x"
    try:
        assert client.get(url).json() == {"result": 1}
        time.sleep(0.2)  # the server has closed the first connection meanwhile
        assert client.post(url, content=b"{}").json() == {"result": 2}
        assert server.requests[1].startswith(b"POST /x HTTP/1.1")
    finally:
        client.close()
        server.close()


@pytest.mark.parametrize(("answer", "error"), [
    (b"garbage\r\n\r\n", httpx.RemoteProtocolError),
    (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", httpx.RemoteProtocolError),
    (b"", httpx.ReadTimeout),
])
def test_the_loopback_transport_fails_as_httpx_does(answer: bytes, error: type) -> None:
    server = ScriptedServer([answer])
    client = httpx.Client(transport=LoopbackTransport("127.0.0.1", server.port), timeout=0.3)
    try:
        with pytest.raises(error):
            client.get(f"http://127.0.0.1:{server.port}/x")
    finally:
        client.close()
        server.close()


def _essentials(request: bytes) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """A raw request's line, the headers the service reads, and its body."""
    head, _, body = request.partition(b"\r\n\r\n")
    line, *lines = head.split(b"\r\n")
    headers = dict(entry.split(b": ", 1) for entry in lines)
    kept = {k.lower(): v for k, v in headers.items()
            if k.lower() not in (b"accept", b"accept-encoding", b"connection")}
    assert kept.pop(b"host").startswith(b"127.0.0.1:")  # each server has its own port
    return line, kept, body


def _error(status: bytes, body: bytes) -> bytes:
    return (b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
            % (status, len(body)) + body)


@pytest.mark.parametrize(("name", "args"), [
    ("now", {}),
    ("current_code", {"device_id": "d 1/x", "entry_id": "acct-1"}),
    ("advance_clock", {"seconds": 30.0}),
])
@pytest.mark.parametrize("answer", [
    _ok(b'{"result": null}'),
    _ok(b'{"result": 1.5}'),
    _ok(b"<html>"),
    _ok(b"[1]"),
    _error(b"404 Not Found", b'{"error": "not_found", "message": "no such world"}'),
    _error(b"502 Bad Gateway", b""),
    b"garbage\r\n\r\n",
], ids=["null", "number", "not-json", "not-an-object", "404", "502-empty", "garbage"])
def test_the_direct_path_asks_and_answers_as_the_httpx_path(
        name: str, args: dict[str, Any], answer: bytes) -> None:
    """A started service is called straight over its socket, without httpx's objects;
    the request the service reads and what the adapter makes of the answer must be the
    ones the path through httpx gives."""
    from authconform.wire.operations import operations

    said = {}
    for direct in (False, True):
        server = ScriptedServer([answer])
        transport = LoopbackTransport("127.0.0.1", server.port)
        client = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", transport=transport,
                              timeout=5, headers={"user-agent": "authconform/test"})
        session = _Session(client, "w-1", "t", "http", transport if direct else None)
        try:
            try:
                result: Any = session.call(operations()[name], dict(args))
            except port.TargetError as exc:
                result = f"TargetError: {exc}"
            said[direct] = (result, _essentials(server.requests[0]))
        finally:
            client.close()
            server.close()
    assert said[True] == said[False]


def test_a_request_over_the_size_limit_is_a_target_error(adapter: HttpAdapter) -> None:
    target = GuardedTarget(adapter.new_target(4), 30)
    person = target.world.create_person()
    phone = target.world.create_device(person.id, port.Platform.IOS, "6.8.0")
    with pytest.raises(port.TargetError, match="HTTP 413"):
        target.app.scan_qr(phone, b"\0" * (2 << 20))
    assert target.app.screen(phone).backup_setting == "iCloud backup"  # still talking
    target.close()


def test_a_no_wait_request_is_answered_later_and_its_answer_dropped() -> None:
    server = ScriptedServer([b"HTTP/1.1 204 No Content\r\n\r\n", _ok(b'{"result": 7}')])
    client = httpx.Client(transport=LoopbackTransport("127.0.0.1", server.port))
    base = f"http://127.0.0.1:{server.port}"
    try:
        assert client.delete(f"{base}/v1/worlds/w-1", extensions={NO_WAIT: True}
                             ).status_code == 202
        assert client.get(f"{base}/v1/world/now").json() == {"result": 7}
        assert [r.split(b" ", 2)[:2] for r in server.requests] == [
            [b"DELETE", b"/v1/worlds/w-1"], [b"GET", b"/v1/world/now"]]
    finally:
        client.close()
        server.close()


def test_closing_a_target_deletes_its_world(adapter: HttpAdapter) -> None:
    target = adapter.new_target(6)
    assert isinstance(target, HttpTarget)
    session = target.session
    target.close()
    answer = session.client.get(f"/v1/worlds/{session.world_id}",
                                headers={"authorization": f"Bearer {session.operator}"})
    assert answer.status_code == 404


@pytest.mark.parametrize(("op_timeout", "start_timeout", "expected"), [
    (10, None, 30.0), (45, None, 45), (2, "5", 5.0), (0, None, None)])
def test_worlds_wait_for_start_timeout_or_op_timeout_whichever_is_longer(
        adapter: HttpAdapter, op_timeout: float, start_timeout: str | None,
        expected: float | None) -> None:
    assert adapter.service is not None
    options = {"url": adapter.service.url}
    if start_timeout is not None:
        options["start_timeout"] = start_timeout
    client = HttpAdapter()
    client.start(TargetConfig(op_timeout=op_timeout, options=options))
    try:
        assert client.world_timeout == expected
        target = client.new_target(1)
        assert isinstance(target, HttpTarget)
        waits = target.session.close_timeout  # deleting waits as long (None: no limit)
        assert (waits.read if isinstance(waits, httpx.Timeout) else waits) == expected
        target.close()
    finally:
        client.stop()
