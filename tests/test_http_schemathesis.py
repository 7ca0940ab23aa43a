"""Fuzz the published OpenAPI schema with schemathesis against the ASGI app in process.

Two passes over every operation, a bounded number of examples each: as generated
(random world ids and tokens: the authentication surface), and inside a real world
with its operator token and, for app operations, a real device (the operations
themselves). Whatever comes in, the service answers without a 5xx, with a status the
schema documents, and a body that matches the schema.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from authconform.service import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's advice to move to httpx2
    from fastapi.testclient import TestClient

APP = create_app()
# As generated: random ids and tokens only reach the authentication layer, so random
# fuzzing is enough there; inside a world the coverage phase adds boundary and
# missing-field cases on top.
as_generated = schemathesis.openapi.from_asgi("/openapi.json", APP, config=(
    SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})))
in_a_world = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# schemathesis names each operation's test "test_x[METHOD /path]", but pytest 9.2 builds
# an item's node id from the function's own name and its parametrization only: every
# operation had the same id, and pytest-xdist, which tells items apart by id, ran one
# and dropped the rest. Given a parametrization, schemathesis names the function after
# the operation, so each id carries it. (tests/conftest.py refuses repeated ids.)
PASS = pytest.mark.parametrize("pass_name", ["fuzz"])
FEW = settings(max_examples=5, deadline=None, database=None, derandomize=True,
               suppress_health_check=list(HealthCheck))
MORE = settings(FEW, max_examples=10)


def _world() -> dict[str, str]:
    """A world with a person and an iPhone that already holds an account."""
    with TestClient(APP) as client:
        created = client.post("/v1/worlds", json={"seed": 3}).json()
        headers = {"X-World-Id": created["world_id"],
                   "Authorization": f"Bearer {created['operator_token']}"}
        person = client.post("/v1/world/create_person", headers=headers).json()["result"]
        device = client.post("/v1/world/create_device", headers=headers, json={
            "person_id": person["id"], "platform": "ios", "app_version": "6.8.0"}
        ).json()["result"]
        msa = client.post("/v1/world/create_microsoft_account", headers=headers,
                          json={"person_id": person["id"]}).json()["result"]
        client.post(f"/v1/devices/{device}/add_personal_account", headers=headers,
                    json={"username": msa["username"], "password": msa["password"]})
    return {**headers, "device_id": device}


WORLD = _world()


@as_generated.parametrize()
@PASS
@FEW
def test_no_server_error_as_generated(case: Any, pass_name: str) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500


@in_a_world.parametrize()
@PASS
@MORE
def test_no_server_error_inside_a_world(case: Any, pass_name: str) -> None:
    if case.path.startswith(("/v1/world/", "/v1/devices/")):
        case.headers = {**(case.headers or {}), "X-World-Id": WORLD["X-World-Id"],
                        "Authorization": WORLD["Authorization"]}
    if case.path_parameters and "device_id" in case.path_parameters:
        case.path_parameters["device_id"] = WORLD["device_id"]
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500
    if case.path.startswith("/v1/devices/"):
        assert response.status_code != 404 or "device" not in response.text


def test_the_fuzzed_world_is_still_whole() -> None:
    """After the fuzzing the world still answers as a world."""
    with TestClient(APP) as client:
        screen = client.get(f"/v1/devices/{WORLD['device_id']}/screen", headers={
            k: v for k, v in WORLD.items() if k != "device_id"})
    assert screen.status_code == 200
    assert screen.json()["result"]["backup_setting"] == "iCloud backup"


@pytest.mark.parametrize("path", ["/v1/world/advance_clock", "/v1/worlds"])
def test_the_schema_documents_what_the_fuzzer_relies_on(path: str) -> None:
    operation = APP.openapi()["paths"][path]["post"]
    assert {"422", "401"} <= set(operation["responses"])
