"""The HTTP service: its endpoints, who may call what, limits, errors and persistence.

Most tests call the ASGI application in this process; the restart test starts the real
service process through ``HttpAdapter``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import pickle
import sqlite3
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from authconform import port
from authconform.adapters import TargetConfig
from authconform.adapters.guard import GuardedTarget
from authconform.adapters.http import HttpAdapter
from authconform.service import create_app
from authconform.service.app import BodyLimit, OperationDispatch
from authconform.wire.operations import Scope, operations

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's advice to move to httpx2
    from fastapi.testclient import TestClient


def _client(state: Path | None = None, **kwargs: Any) -> TestClient:
    return TestClient(create_app(state, **kwargs), raise_server_exceptions=False)


class World:
    """One world on a test client: its operator, and helpers to call as anyone."""

    def __init__(self, client: TestClient, seed: int = 7, **spec: Any):
        self.client = client
        created = client.post("/v1/worlds", json={"seed": seed, **spec})
        assert created.status_code == 201, created.text
        self.id = created.json()["world_id"]
        self.operator = created.json()["operator_token"]
        self.info = created.json()["info"]

    def headers(self, token: str | None) -> dict[str, str]:
        headers = {"X-World-Id": self.id}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def post(self, path: str, body: Any = None, token: str | None = "operator") -> Any:
        token = self.operator if token == "operator" else token
        return self.client.post(path, json=body, headers=self.headers(token))

    def get(self, path: str, token: str | None = "operator", **params: Any) -> Any:
        token = self.operator if token == "operator" else token
        return self.client.get(path, params=params, headers=self.headers(token))

    def person(self) -> tuple[str, str]:
        answer = self.post("/v1/world/create_person").json()
        return answer["result"]["id"], answer["person_token"]

    def iphone(self, person_id: str, token: str | None = "operator") -> str:
        answer = self.post("/v1/world/create_device", {
            "person_id": person_id, "platform": "ios", "app_version": "6.8.0"}, token)
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]


def _no_traceback(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) >= {"error", "message"}, body
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """One service for the module (building the app takes a while); a world per test."""
    with _client() as c:
        yield c


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


# ---------------------------------------------------------------- the published schema


def test_every_port_operation_has_its_own_typed_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    served = {name for name in vars(port.AppPort) | vars(port.WorldPort)
              if not name.startswith("_") and name != "restart_service"}
    assert served == set(operations())
    for op in operations().values():
        entry = spec["paths"][op.path][op.method.lower()]
        assert entry["operationId"] == op.name
        result = entry["responses"]["200"]["content"]["application/json"]["schema"]
        assert result["$ref"].endswith(f"/{op.name.title().replace('_', '')}Response")
        if op.method == "POST" and op.body_params:
            body = entry["requestBody"]["content"]["application/json"]["schema"]
            model = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
            assert set(model["properties"]) == {p.name for p in op.body_params}
            assert model["additionalProperties"] is False
        if op.method == "GET":
            query = {p["name"] for p in entry.get("parameters", []) if p["in"] == "query"}
            assert query == {p.name for p in op.body_params}
        assert {"401", "403", "404", "422"} <= set(entry["responses"])
    assert spec["components"]["schemas"]["ScanQrRequest"]["properties"]["image"][
        "format"] == "byte"
    assert spec["paths"]["/v1/devices/{device_id}/screen"].keys() == {"get"}
    assert spec["paths"]["/v1/world/advance_clock"].keys() == {"post"}


# ---------------------------------------------------------------- worlds


def test_a_world_is_created_with_its_info_and_can_be_deleted(client: TestClient) -> None:
    w = World(client, profile="2019")
    assert w.info["profile"] == "2019" and w.info["name"] == "http"
    assert set(w.info["capabilities"]) == {c.value for c in port.Capability} - {"restart"}
    assert w.get(f"/v1/worlds/{w.id}").json()["profile"] == "2019"
    assert client.delete(f"/v1/worlds/{w.id}", headers=w.headers(w.operator)
                         ).status_code == 204
    assert _no_traceback(w.get("/v1/world/now"))["error"] == "not_found"


@pytest.mark.parametrize(("spec", "status"), [
    ({"profile": "2030"}, 400),
    ({"options": {"colour": "red"}}, 400),
    ({"options": {"recovery_block": "sometimes"}}, 400),
    ({"mutant": "no-such-mutant"}, 400),
    ({"seed": -1}, 422),
    ({"seeds": 1}, 422),
])
def test_a_world_that_cannot_be_made_is_refused(client: TestClient, spec: dict[str, Any],
                                                 status: int) -> None:
    response = client.post("/v1/worlds", json=spec)
    assert response.status_code == status
    _no_traceback(response)


@pytest.mark.parametrize(("seed", "status"), [
    (0, 201), (2**32 - 1, 201), (2**63 - 1, 201), (2**63, 422), (-1, 422), (1.5, 422),
])
def test_every_seed_the_harness_sends_makes_a_world(client: TestClient, seed: Any,
                                                     status: int) -> None:
    # the harness sends a scenario's world 0 ... 2^32 - 1; the schema says int64
    assert client.post("/v1/worlds", json={"seed": seed}).status_code == status


def test_an_integral_number_is_an_integer_in_a_request_too(world: World) -> None:
    person, _ = world.person()
    answer = world.post("/v1/world/create_site_account",
                        {"person_id": person, "issuer": "GitHub", "digits": 8.0,
                         "period": 30.0})
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["digits"] == 8
    refused = world.post("/v1/world/create_site_account",
                         {"person_id": person, "issuer": "GitHub", "digits": 8.5})
    assert refused.status_code == 422


def test_same_seed_same_world(client: TestClient) -> None:
    people = [World(client, seed=42).post("/v1/world/create_person").json()["result"]
              for _ in range(2)]
    assert people[0] == people[1]


def test_a_service_token_guards_world_creation() -> None:
    with _client(service_token="s3cret") as c:
        assert c.post("/v1/worlds", json={}).status_code == 401
        assert c.post("/v1/worlds", json={}, headers={"Authorization": "Bearer nope"}
                      ).status_code == 401
        assert c.post("/v1/worlds", json={}, headers={"Authorization": "Bearer s3cret"}
                      ).status_code == 201


def test_the_number_of_worlds_is_bounded() -> None:
    with _client(max_worlds=2) as c:
        World(c), World(c)
        assert _no_traceback(c.post("/v1/worlds", json={}))["error"] == "too_many_worlds"


# ---------------------------------------------------------------- operations


def test_operations_answer_port_values_as_json(world: World) -> None:
    person_id, _ = world.person()
    msa = world.post("/v1/world/create_microsoft_account", {"person_id": person_id}
                     ).json()["result"]
    apple = world.post("/v1/world/create_apple_id", {"person_id": person_id}).json()["result"]
    device = world.iphone(person_id)
    signed_in = world.post("/v1/world/sign_in_to_icloud", {
        "device_id": device, "apple_username": apple["username"],
        "password": apple["password"]}).json()["result"]
    assert signed_in["ok"] is True and signed_in["code"] == "OK"
    added = world.post(f"/v1/devices/{device}/add_personal_account",
                       {"username": msa["username"], "password": msa["password"]})
    assert added.json()["result"]["ok"] is True
    entries = world.get(f"/v1/devices/{device}/list_accounts").json()["result"]
    assert [e["kind"] for e in entries] == ["personal"]
    code = world.get(f"/v1/devices/{device}/current_code", entry_id=entries[0]["id"]
                     ).json()["result"]
    assert world.post("/v1/world/provider_accepts_code", {
        "account_id": msa["id"], "code": code, "device_id": device}).json()["result"] is True
    site = world.post("/v1/world/create_site_account", {"person_id": person_id,
                                                         "issuer": "GitHub"}).json()["result"]
    assert base64.b64decode(site["qr_png"], validate=True).startswith(b"\x89PNG")
    assert world.get("/v1/world/now").json()["result"] == pytest.approx(1767225600.0)


def test_a_refusal_is_an_outcome_not_an_http_error(world: World) -> None:
    person_id, _ = world.person()
    device = world.iphone(person_id)
    refused = world.post(f"/v1/devices/{device}/add_personal_account",
                         {"username": "nobody@outlook.example", "password": "wrong"})
    assert refused.status_code == 200
    assert refused.json()["result"]["ok"] is False
    assert refused.json()["result"]["code"] == "SIGN_IN_FAILED"


def test_bytes_travel_as_base64(world: World) -> None:
    person_id, _ = world.person()
    device = world.iphone(person_id)
    world.post(f"/v1/devices/{device}/answer_camera_prompt", {"allow": True})
    site = world.post("/v1/world/create_site_account", {"person_id": person_id,
                                                         "issuer": "GitHub"}).json()["result"]
    scanned = world.post(f"/v1/devices/{device}/scan_qr", {"image": site["qr_png"]})
    assert scanned.json()["result"]["ok"] is True
    not_base64 = world.post(f"/v1/devices/{device}/scan_qr", {"image": "%%%not base64%%%"})
    assert not_base64.status_code == 422
    assert "base64" in _no_traceback(not_base64)["message"]


# ---------------------------------------------------------------- authentication


def test_a_call_needs_a_token_of_its_world(client: TestClient, world: World) -> None:
    other = World(client)
    assert _no_traceback(world.get("/v1/world/now", token=None))["error"] == "unauthorized"
    assert world.get("/v1/world/now", token="made-up").status_code == 401
    assert world.get("/v1/world/now", token=other.operator).status_code == 401
    no_world = client.get("/v1/world/now", headers={"Authorization": f"Bearer {world.operator}"})
    assert no_world.status_code == 422
    unknown = client.get("/v1/world/now", headers={"X-World-Id": "w-nope",
                                                   "Authorization": f"Bearer {world.operator}"})
    assert _no_traceback(unknown)["error"] == "not_found"


def test_a_person_token_reaches_only_that_persons_devices(world: World) -> None:
    alex, alex_token = world.person()
    sam, sam_token = world.person()
    alex_phone = world.iphone(alex, alex_token)
    sam_phone = world.iphone(sam, sam_token)
    # each person drives their own phone...
    assert world.get(f"/v1/devices/{alex_phone}/screen", alex_token).status_code == 200
    assert world.post(f"/v1/devices/{sam_phone}/answer_camera_prompt", {"allow": True},
                      sam_token).status_code == 200
    # ...and never the other's, whatever the operation
    for response in (
        world.get(f"/v1/devices/{sam_phone}/screen", alex_token),
        world.get(f"/v1/devices/{sam_phone}/list_accounts", alex_token),
        world.post(f"/v1/devices/{sam_phone}/turn_off_backup", None, alex_token),
        world.post(f"/v1/devices/{sam_phone}/add_personal_account",
                   {"username": "x@outlook.example", "password": "y"}, alex_token),
        world.post("/v1/world/sign_out_of_icloud", {"device_id": sam_phone}, alex_token),
        world.post("/v1/world/create_device", {"person_id": sam, "platform": "ios",
                                                "app_version": "6.8.0"}, alex_token),
        world.post("/v1/world/create_microsoft_account", {"person_id": sam}, alex_token),
    ):
        body = _no_traceback(response)
        assert response.status_code == 403, response.text
        assert body["error"] == "forbidden" and "person" in body["message"]
    # Sam's phone is untouched: the camera is as Sam left it
    assert world.get(f"/v1/devices/{sam_phone}/screen", sam_token
                     ).json()["result"]["camera_permission"] == "allowed"


def test_a_person_token_reads_only_that_persons_messages_and_stores(world: World) -> None:
    alex, alex_token = world.person()
    sam, sam_token = world.person()
    alex_msa = world.post("/v1/world/create_microsoft_account", {"person_id": alex},
                          alex_token).json()["result"]
    sam_msa = world.post("/v1/world/create_microsoft_account", {"person_id": sam},
                         sam_token).json()["result"]
    assert world.get("/v1/world/messages", alex_token, to=alex_msa["alternate_email"]
                     ).status_code == 200
    assert world.get("/v1/world/messages", alex_token, to=sam_msa["alternate_email"]
                     ).status_code == 403
    assert world.post("/v1/world/delete_backup", {"store": "microsoft",
                                                  "location": sam_msa["username"]},
                      alex_token).status_code == 403
    assert world.post("/v1/world/delete_backup", {"store": "microsoft",
                                                  "location": alex_msa["username"]},
                      alex_token).status_code == 200


@pytest.mark.parametrize("op", [op for op in operations().values()
                                if op.access.scope is Scope.OPERATOR])
def test_world_control_needs_the_operator_token(world: World, op: Any) -> None:
    _, token = world.person()
    args = {p.name: _placeholder(p.type) for p in op.body_params}
    if op.method == "GET":
        response = world.get(op.path, token, **args)
    else:
        response = world.post(op.path, args or None, token)
    assert response.status_code == 403
    assert "operator token" in _no_traceback(response)["message"]


def _placeholder(tp: Any) -> Any:
    return {float: 1.0, bool: True, int: 1, port.Store: "icloud"}.get(tp, "x")


def test_only_the_operator_deletes_a_world(client: TestClient, world: World) -> None:
    _, token = world.person()
    assert client.delete(f"/v1/worlds/{world.id}", headers=world.headers(token)
                         ).status_code == 403
    assert world.get("/v1/world/now").status_code == 200


# ---------------------------------------------------------------- limits and bad input


def test_a_body_over_the_size_limit_is_refused_with_413(world: World) -> None:
    person_id, _ = world.person()
    device = world.iphone(person_id)
    big = base64.b64encode(b"\0" * (1 << 20)).decode()
    response = world.post(f"/v1/devices/{device}/scan_qr", {"image": big})
    assert response.status_code == 413
    assert _no_traceback(response)["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"x" * 65536

    streamed = world.client.post(f"/v1/devices/{device}/scan_qr", content=chunks(),
                                 headers=world.headers(world.operator))
    assert streamed.status_code == 413


def test_a_smaller_limit_can_be_configured() -> None:
    with _client(max_body=100) as c:
        assert c.post("/v1/worlds", content=b"{" + b" " * 200 + b"}",
                      headers={"content-type": "application/json"}).status_code == 413


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'{"seconds": "soon"}', "application/json"),
    (b'{"seconds": NaN}', "application/json"),
    (b'{"seconds": -5}', "application/json"),
    (b'{"seconds": 1, "extra": true}', "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"seconds=1", "application/x-www-form-urlencoded"),
])
def test_malformed_input_is_a_4xx_with_a_json_message(world: World, body: bytes,
                                                      content_type: str) -> None:
    response = world.client.post("/v1/world/advance_clock", content=body, headers={
        **world.headers(world.operator), "content-type": content_type})
    assert 400 <= response.status_code < 500
    assert _no_traceback(response)["message"]
    assert world.get("/v1/world/now").json()["result"] == pytest.approx(1767225600.0)


def test_arguments_the_world_cannot_use_are_400_and_unknown_ids_404(world: World) -> None:
    person_id, _ = world.person()
    bad_version = world.post("/v1/world/create_device", {
        "person_id": person_id, "platform": "ios", "app_version": "five"})
    assert bad_version.status_code == 400
    assert "5.7.0" in _no_traceback(bad_version)["message"]
    assert world.post("/v1/world/inject_fault", {"point": "meteor_strike"}).status_code == 400
    assert world.get("/v1/devices/device-99/screen").status_code == 404
    assert world.get("/v1/world/push_result", request_id="push-99").status_code == 404
    assert world.post("/v1/world/create_apple_id", {"person_id": "person-99"}
                      ).status_code == 404
    unknown_path = world.get("/v1/world/teleport")
    assert _no_traceback(unknown_path)["error"] == "not_found"
    wrong_method = world.get("/v1/world/advance_clock")
    assert _no_traceback(wrong_method)["error"] == "method_not_allowed"


def test_strange_text_does_not_break_the_answer(world: World) -> None:
    person_id, _ = world.person()
    device = world.iphone(person_id)
    response = world.client.post(
        f"/v1/devices/{device}/enter_code_manually",
        content=b'{"issuer": "\\ud800", "username": "\\udfff", "secret": "JBSWY3DPEHPK3PXP"}',
        headers={**world.headers(world.operator), "content-type": "application/json"})
    assert response.status_code in (200, 400)
    assert response.json()


# ---------------------------------------------------------------- persistence


def test_worlds_and_tokens_survive_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with _client(state) as c:
        w = World(c)
        person_id, token = w.person()
        device = w.iphone(person_id, token)
        w.post(f"/v1/devices/{device}/answer_camera_prompt", {"allow": True}, token)
        w.post("/v1/world/advance_clock", {"seconds": 60})
    assert state.stat().st_mode & 0o077 == 0  # the file holds secrets: owner only
    with _client(state) as c:
        w.client = c
        screen = w.get(f"/v1/devices/{device}/screen", token)
        assert screen.status_code == 200
        assert screen.json()["result"]["camera_permission"] == "allowed"
        assert w.get("/v1/world/now").json()["result"] == pytest.approx(1767225660.0)
        assert c.get("/v1/info").json()["worlds"] == 1


def test_every_mutating_request_is_written_before_it_is_answered(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    c = _client(state)  # no lifespan: nothing is flushed at shutdown
    w = World(c)
    w.post("/v1/world/advance_clock", {"seconds": 5})
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM worlds").fetchone() == (1,)
    with _client(state) as again:
        w.client = again
        assert w.get("/v1/world/now").json()["result"] == pytest.approx(1767225605.0)


def test_restart_service_keeps_the_state_mid_scenario() -> None:
    adapter = HttpAdapter()
    adapter.start(TargetConfig(op_timeout=30))
    try:
        assert port.Capability.RESTART in adapter.capabilities
        target = GuardedTarget(adapter.new_target(11), 30)
        person = target.world.create_person()
        msa = target.world.create_microsoft_account(person.id)
        device = target.world.create_device(person.id, port.Platform.ANDROID, "6.8.0")
        assert target.app.add_personal_account(device, msa.username, msa.password).ok
        code = target.app.current_code(device, "acct-1")
        assert adapter.service is not None
        pid, port_number = adapter.service.process.pid, adapter.service.port  # type: ignore
        target.world.restart_service()
        assert adapter.service.process.pid != pid  # type: ignore[union-attr]
        assert adapter.service.port == port_number
        assert [e.username for e in target.app.list_accounts(device)] == [msa.username]
        assert target.app.current_code(device, "acct-1") == code
        assert target.world.provider_accepts_code(msa.id, code, device)
        # A second restart is served by the spare the first one left ready, and it too
        # reads what was changed after the first restart.
        service = adapter.service
        spare = service.spare
        assert spare is not None and spare.poll() is None
        target.world.advance_clock(31)
        moved_on = target.app.current_code(device, "acct-1")
        clock = target.world.now()
        target.world.restart_service()
        assert service.process is spare and service.port == port_number
        assert target.world.now() == clock  # the world's clock, as written at the stop
        assert target.app.current_code(device, "acct-1") == moved_on
        next_spare = service.spare
        assert next_spare is not None and next_spare is not spare
        target.close()
    finally:
        adapter.stop()
    assert next_spare.poll() is not None, "the adapter stopped and left a spare running"


def test_the_service_guide_lists_every_endpoint() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "http-service.md").read_text(
        encoding="utf-8")
    for op in operations().values():
        assert f"| {op.method} | `{op.path}` |" in guide, f"docs/http-service.md lacks {op.path}"


def test_the_dispatcher_answers_exactly_as_the_fastapi_routes() -> None:
    """Well-formed operation requests skip FastAPI's routing (``OperationDispatch``);
    the answers, errors included, must be the ones the routes give."""
    def script(c: TestClient) -> list[tuple[int, Any]]:
        w = World(c, seed=21)
        alex, alex_token = w.person()
        _sam, sam_token = w.person()
        phone = w.iphone(alex, alex_token)
        msa = w.post("/v1/world/create_microsoft_account", {"person_id": alex}, alex_token)
        answers = [
            w.post(f"/v1/devices/{phone}/add_personal_account", {
                "username": msa.json()["result"]["username"],
                "password": msa.json()["result"]["password"]}, alex_token),
            w.get(f"/v1/devices/{phone}/list_accounts", alex_token),
            w.get(f"/v1/devices/{phone}/current_code", alex_token, entry_id="acct-1"),
            w.get(f"/v1/devices/{phone}/current_code", alex_token),  # missing entry_id
            w.get(f"/v1/devices/{phone}/screen", sam_token),  # someone else's phone
            w.post("/v1/world/advance_clock", {"seconds": 30}),
            w.post("/v1/world/advance_clock", {"seconds": "soon"}),
            w.post("/v1/world/advance_clock", {"seconds": 30}, sam_token),
            w.post("/v1/world/inject_fault", {"point": "meteor_strike"}),
            w.get("/v1/world/now", None),
            w.client.get("/v1/world/now", headers={"Authorization": f"Bearer {w.operator}"}),
            w.client.post("/v1/world/advance_clock", content=b'{"seconds": 1}',
                          headers={**w.headers(w.operator), "content-type": "text/plain"}),
            w.get("/v1/world/snapshot"),
        ]
        return [(r.status_code, _without_tokens(r.json())) for r in answers]

    with _client(dispatch=False) as plain, _client() as dispatched:
        assert isinstance(dispatched.app.front.app, OperationDispatch)
        assert isinstance(plain.app.front, BodyLimit)
        assert not isinstance(plain.app.front.app, OperationDispatch)
        assert script(dispatched) == script(plain)


def _without_tokens(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _without_tokens(v) for k, v in body.items() if k != "person_token"}
    return body


def test_with_a_flush_interval_changes_are_written_later_and_at_shutdown(
        tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"

    def rows() -> int:
        with sqlite3.connect(state) as db:
            return int(db.execute("SELECT count(*) FROM worlds").fetchone()[0])

    with _client(state, flush_interval=3600) as c:  # only the shutdown writes
        w = World(c)
        w.post("/v1/world/advance_clock", {"seconds": 5})
        assert rows() == 0
    assert rows() == 1
    with _client(state, flush_interval=0.05) as c:  # the background flush writes
        w.client = c
        w.post("/v1/world/advance_clock", {"seconds": 5})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with sqlite3.connect(state) as db:
                blob = db.execute("SELECT blob FROM worlds").fetchone()[0]
            if pickle.loads(blob)["world"].clock.now() == pytest.approx(1767225610.0):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the changed world was not written by the background flush")


# ------------------------------------------- the protocol's direct answers (protocol.py)


class _Wire(asyncio.Transport):
    """A transport that keeps what the protocol writes."""

    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.closed = False

    def write(self, data: Any) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8765)}.get(
            name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _answers(data: bytes, keep_ids: bool = False) -> list[tuple[bytes, Any]]:
    """Each whole answer in ``data``: its status line and headers, and its JSON body
    without ids and tokens that are random in each world."""
    answers = []
    while b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        if len(rest) < length:
            break
        body = _without_tokens(json.loads(rest[:length]))
        if isinstance(body, dict) and not keep_ids:  # a new world's: random in each
            body = {k: v for k, v in body.items() if k not in ("world_id", "operator_token")}
        answers.append((head, body))
        data = rest[length:]
    return answers


def _request(method: str, target: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "host: service"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    if method == "POST":
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _converse(direct: bool, own: bool = False
                    ) -> tuple[list[list[tuple[bytes, Any]]], int]:
    """One scripted conversation with the service's protocol, its direct answers on or
    off (or with ``own``, the protocol of the adapter's socket, ``direct.py``): each
    step's answers, and how many requests took the ASGI way."""
    import uvicorn
    from uvicorn.server import ServerState

    from authconform.service.direct import DirectProtocol
    from authconform.service.protocol import joined_writes_protocol

    app = create_app(max_body=2048)
    config = uvicorn.Config(app, http=joined_writes_protocol(),
                            lifespan="off", ws="none", access_log=False,
                            proxy_headers=False, server_header=False, date_header=False)
    config.load()
    state, started = ServerState(), []

    def connect() -> Any:
        """A new connection: its ``send(*chunks, answers=1)`` and its protocol."""
        wire = _Wire()
        protocol: Any
        if own:
            protocol = DirectProtocol(app, set())
            through = protocol._through_asgi
            protocol._through_asgi = lambda *a: (started.append(1), through(*a))[1]
            protocol.connection_made(wire)
        else:
            protocol = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=state, app_state={})
            protocol.connection_made(wire)
            if not direct:
                protocol._direct = None
            asgi = protocol._start_asgi_task
            protocol._start_asgi_task = lambda *a: (started.append(1), asgi(*a))

        async def send(*chunks: bytes, answers: int = 1, keep_ids: bool = False
                       ) -> list[tuple[bytes, Any]]:
            begin = len(wire.out)
            for chunk in chunks:
                protocol.data_received(chunk)
                await asyncio.sleep(0)
            for _ in range(2000):
                got = _answers(bytes(wire.out[begin:]), keep_ids)
                if len(got) >= answers:
                    return got
                await asyncio.sleep(0)
            raise AssertionError(f"no answer; wrote {bytes(wire.out[begin:])[:200]!r}")
        return send, protocol

    send, protocol = connect()
    created = await send(_request("POST", "/v1/worlds", b'{"seed": 21}',
                                  content_type="application/json"), keep_ids=True)
    world, operator = created[0][1].pop("world_id"), created[0][1].pop("operator_token")
    auth = {"x_world_id": world, "authorization": f"Bearer {operator}"}
    js = {**auth, "content_type": "application/json"}
    person = await send(_request("POST", "/v1/world/create_person", **auth))
    alex = person[0][1]["result"]["id"]
    device = json.dumps({"person_id": alex, "platform": "ios", "app_version": "6.8.0"})
    head, _, body = _request("POST", "/v1/world/create_device", device.encode(),
                             **js).partition(b"\r\n\r\n")
    steps = [created, person,
             await send(head + b"\r\n\r\n", body[:10], body[10:])]  # body in pieces
    phone = steps[-1][0][1]["result"]
    steps += [
        await send(_request("GET", f"/v1/devices/{phone}/list_accounts", **auth)),
        await send(_request("GET", f"/v1/devices/{phone}/current_code?entry_id=x", **auth)),
        await send(_request("GET", f"/v1/devices/{phone}/current_code", **auth)),  # 422
        await send(_request("POST", "/v1/world/advance_clock", b'{"seconds": "soon"}', **js)),
        await send(_request("POST", "/v1/world/advance_clock", b'{"seconds": 30}', **js)),
        await send(_request("GET", "/v1/world/now", x_world_id=world)),  # no token: 401
        await send(_request("GET", "/v1/world/now", x_world_id="nowhere",
                            authorization=f"Bearer {operator}")),  # 404
        await send(_request("GET", "/v1/world/now", **auth)
                   + _request("GET", "/v1/world/stored_objects", **auth), answers=2),
        # HTTP/1.0, and a body over the limit: each answered, then the connection closes
        await send(_request("GET", "/v1/world/now", **auth).replace(b"HTTP/1.1", b"HTTP/1.0")),
    ]
    protocol.connection_lost(None)
    send, protocol = connect()
    steps.append(await send(_request("POST", "/v1/world/advance_clock",
                                     b'{"seconds": 1}' + b" " * 3000, **js)))
    protocol.connection_lost(None)
    return steps, len(started)


def test_the_protocol_answers_operations_directly_and_exactly_as_uvicorn_would() -> None:
    """The service's protocol answers well-formed operation requests without an ASGI
    cycle; every answer -- status line, headers, body -- is the one uvicorn's own way
    gives, and what the dispatcher leaves to FastAPI still reaches FastAPI."""
    direct, direct_asgi = asyncio.run(_converse(direct=True))
    plain, plain_asgi = asyncio.run(_converse(direct=False))
    assert direct == plain
    statuses = [answer[0].split(b"\r\n")[0] for step in plain for answer in step]
    assert statuses == [b"HTTP/1.1 201 Created"] + [b"HTTP/1.1 200 OK"] * 4 + [
        b"HTTP/1.1 422 Unprocessable Entity", b"HTTP/1.1 422 Unprocessable Entity",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 401 Unauthorized", b"HTTP/1.1 404 Not Found", b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK", b"HTTP/1.1 413 Request Entity Too Large"]
    assert plain_asgi == len(statuses)
    # creating the world, the two 422s, HTTP/1.0 and the 413 go uvicorn's way
    assert direct_asgi == 5


def test_the_adapters_socket_answers_exactly_as_uvicorn_would() -> None:
    """The protocol on the HTTP adapter's own socket (``service/direct.py``) gives the
    same answers, byte for byte, as uvicorn's way, for every request of the script:
    operations, what the dispatcher leaves to FastAPI, pipelined requests, HTTP/1.0
    and a body over the limit (refused before it is read, and the connection closed)."""
    own, own_asgi = asyncio.run(_converse(direct=True, own=True))
    plain, _ = asyncio.run(_converse(direct=False))
    assert own == plain
    # creating the world, the two 422s and HTTP/1.0 take the ASGI way; the 413 is
    # refused before any ASGI cycle starts
    assert own_asgi == 4
