"""What an outside team reads -- docs/http-service.md and docs/openapi.json -- says what
the service and the adapter do. Each test here would have caught one of the wrong or
missing spots a team found building a server from the documents alone."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from authconform import port
from authconform.service import create_app
from authconform.service.__main__ import main as service_main
from authconform.spec import declarations
from authconform.wire import codec, schema
from authconform.wire.operations import operations

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's advice to move to httpx2
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "http-service.md").read_text(encoding="utf-8")
CHECKED_IN = REPO / "docs" / "openapi.json"


@pytest.fixture(scope="module")
def live() -> dict[str, Any]:
    return create_app().openapi()


# ---------------------------------------------------------------- the OpenAPI document


def test_the_checked_in_openapi_document_is_the_live_one(live: dict[str, Any]) -> None:
    checked_in = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert checked_in == json.loads(json.dumps(live)), (
        "docs/openapi.json is stale: python -m authconform.service --openapi "
        "> docs/openapi.json")


def test_the_service_prints_the_openapi_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert service_main(["--openapi"]) == 0
    assert capsys.readouterr().out == CHECKED_IN.read_text(encoding="utf-8")


def test_the_openapi_version_is_the_protocol_version(live: dict[str, Any]) -> None:
    assert live["info"]["version"] == port.PORT_VERSION


def test_creating_a_world_needs_no_token_in_the_schema_or_the_service(
        live: dict[str, Any]) -> None:
    # A server generated from a schema that demands a token refuses every world the
    # adapter creates without one.
    assert {} in live["paths"]["/v1/worlds"]["post"]["security"]
    assert TestClient(create_app()).post("/v1/worlds", json={}).status_code == 201


def test_every_mandatory_query_argument_is_required_in_the_schema(
        live: dict[str, Any]) -> None:
    for op in operations().values():
        if op.method != "GET":
            continue
        published = {p["name"]: p["required"]
                     for p in live["paths"][op.path]["get"].get("parameters", [])
                     if p["in"] == "query"}
        assert published == {p.name: p.required for p in op.body_params}, op.name
    # the ones the team found optional
    found = {p["name"] for op in ("current_code", "push_result", "messages", "admin_view",
                                  "device_secrets")
             for p in live["paths"][operations()[op].path]["get"]["parameters"]
             if p["in"] == "query" and p["required"]}
    assert found == {"entry_id", "request_id", "to", "tenant_id", "device_id"}


def test_the_schema_says_what_the_doc_says_on_each_point_the_team_tripped_over(
        live: dict[str, Any]) -> None:
    def plain(text: str) -> str:
        return " ".join(text.replace("`", "").lower().split())

    described, doc = plain(live["info"]["description"]), plain(DOC)
    for both in ("backup_contents too", "with no arguments gets", "may be left out",
                 "not an http error", "protocol", "post /v1/world/restart_service"):
        assert both in described and both in doc, both
    assert "(a refused Outcome is a 200)" in live["paths"]["/v1/world/now"]["get"][
        "responses"]["409"]["description"]


def test_a_post_without_arguments_takes_an_empty_object_or_no_body_at_all() -> None:
    client = TestClient(create_app())
    created = client.post("/v1/worlds", json={}).json()
    headers = {"X-World-Id": created["world_id"],
               "authorization": f"Bearer {created['operator_token']}"}
    assert client.post("/v1/world/create_person", json={}, headers=headers).status_code == 200
    assert client.post("/v1/world/create_tenant", headers=headers).status_code == 200


def test_the_optional_restart_endpoint_is_published(live: dict[str, Any]) -> None:
    assert "post" in live["paths"]["/v1/world/restart_service"]
    assert "/v1/world/restart_service" in DOC


# ---------------------------------------------------------------- http-service.md


def _table_rows() -> dict[str, tuple[str, str]]:
    """Operation name -> (method, arguments) from the doc's operation tables."""
    rows = {}
    for method, path, args in re.findall(
            r"^\| (GET|POST) \| `(/v1/(?:devices/\{device_id\}|world)/\w+)` \| ([^|]*) \|",
            DOC, flags=re.MULTILINE):
        rows[path.rsplit("/", 1)[1]] = (method, args.strip())
    return rows


def test_the_doc_lists_every_operation_with_the_method_the_service_uses() -> None:
    rows = _table_rows()
    assert set(rows) == set(operations())
    for name, (method, _) in rows.items():
        assert method == operations()[name].method, name
    # "operations that only read are GET" was wrong: say backup_contents is POST
    assert rows["backup_contents"][0] == "POST" and "`backup_contents` too" in DOC


def test_the_doc_names_every_argument_of_every_operation() -> None:
    for name, (_, args) in _table_rows().items():
        listed = [re.match(r"\w+", a.strip()).group(0)  # type: ignore[union-attr]
                  for a in args.split(",") if a.strip() not in ("—", "")]
        assert listed == [p.name for p in operations()[name].body_params], name


def test_the_doc_names_every_member_of_v1_info() -> None:
    row = re.search(r"^\| `GET` \| `/v1/info` \| `(\{[^`]*\})` \|", DOC, flags=re.MULTILINE)
    assert row is not None
    members = re.findall(r'"(\w+)"', row.group(1))
    assert members == list(schema.ServiceInfo.model_fields)
    info = TestClient(create_app()).get("/v1/info").json()
    assert list(info) == members


def test_the_doc_describes_every_member_of_a_worlds_info() -> None:
    for member in schema.TargetInfoModel.model_fields:
        assert f"`{member}`" in DOC, member
    assert "the only place the adapter takes them from" in DOC  # capabilities' source


def test_the_doc_says_what_may_be_left_out_of_an_answer_as_the_codec_does() -> None:
    assert "may be left out when it has a default" in DOC
    assert "when it can be null" in DOC
    screen = {"backup_on": False, "recovery_offered": True, "red_dot": False}
    decoded = codec.decode(screen, port.Screen)
    assert decoded.backup_setting is None and decoded.alerts == ()
    with pytest.raises(codec.Malformed, match="Screen lacks 'red_dot'"):
        codec.decode({"backup_on": False, "recovery_offered": True}, port.Screen)


def test_left_out_members_are_named_to_whoever_asks() -> None:
    with codec.omitted_members() as omitted:
        codec.decode({"backup_on": False, "recovery_offered": True, "red_dot": False},
                     port.Screen)
    assert "Screen.backup_setting" in omitted and "Screen.alerts" in omitted
    assert "Screen.red_dot" not in omitted


def test_each_nullable_member_without_a_default_reads_as_null_when_left_out() -> None:
    # what Swift's Codable does with nil; it passed the self-test and then gave errors
    for example in _EXAMPLES:
        cls = type(example)
        hints = codec._field_hints(cls)
        full = codec.encode(example, cls)
        for f in dataclasses.fields(cls):
            if codec.nullable(hints[f.name]) and f.default is dataclasses.MISSING:
                left_out = {k: v for k, v in full.items() if k != f.name}
                assert getattr(codec.decode(left_out, cls), f.name) is None, f.name


_EXAMPLES = (
    port.MicrosoftAccount("m", "u", "p", "e", "s"),
    port.Message("email", "to", "s", "b", "123", 1.0),
    port.TrafficRecord("d", "msa", "op", b"x", 1.0),
    port.Screen("iCloud backup", True, True, False),
)


def test_the_doc_says_what_a_persons_own_addresses_and_locations_are() -> None:
    assert "**own addresses**" in DOC and "**own storage locations**" in DOC


def test_the_doc_has_the_section_for_other_languages() -> None:
    section = DOC.split("## Implementing the protocol in another language", 1)
    assert len(section) == 2
    text = section[1]
    for part in ("**The minimum.**", "**The order to build them in.**",
                 "**The conformance checklist**"):
        assert part in text
    # the minimum names only operations that exist and need no capability
    minimum = text.split("**The minimum.**", 1)[1].split("**The order", 1)[0]
    for name in re.findall(r"`(\w+)`", minimum):
        if name in operations():
            assert name not in port.CAPABILITY_OF or name == "delete_backup_from_phone"


def test_the_doc_and_the_schema_agree_on_the_version() -> None:
    assert f"now {port.PORT_VERSION}" in DOC


# ---------------------------------------------------------------- declarations


def test_every_parameter_a_step_reads_has_scenarios_the_self_test_can_name() -> None:
    used = set()
    for path in (REPO / "steps").glob("*.py"):
        used |= set(re.findall(r"declared\(cast, Parameter\.(\w+)\)", path.read_text()))
    assert used, "no step reads a declared parameter?"
    known = declarations.scenarios()
    for name in used:
        assert declarations.needing_parameter(port.Parameter[name], known), name


def test_a_target_that_declares_nothing_is_warned_about_each_missing_declaration() -> None:
    bare = port.TargetInfo("bare", "1", frozenset(), "current")
    lines = declarations.warnings(bare)
    assert any(line.startswith("parameter 'qr_lifetime_s'") for line in lines)
    assert any(line.startswith("reading 'existing_accounts'") for line in lines)
    assert all("not-applicable" in line and "feature::" in line for line in lines)
    from authconform.adapters.inprocess import SimTarget

    assert declarations.warnings(SimTarget(seed=1).info) == []


# ---------------------------------------------------------------- the schema and the codec


def _codec_required(cls: type) -> set[str]:
    hints = codec._field_hints(cls)
    return {f.name for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            and not codec.nullable(hints[f.name])}


def test_a_member_the_adapter_lets_an_answer_leave_out_is_not_required_in_the_schema(
        live: dict[str, Any]) -> None:
    published = live["components"]["schemas"]
    classes = [obj for obj in vars(port).values()
               if isinstance(obj, type) and dataclasses.is_dataclass(obj)
               and obj.__name__ in published]
    assert {"Screen", "MicrosoftAccount", "Message", "TrafficRecord"} <= {
        c.__name__ for c in classes}
    for cls in classes:
        schema_of = published[cls.__name__]
        assert set(schema_of.get("required", [])) == _codec_required(cls), cls.__name__
        assert schema_of.get("additionalProperties", True) is not False, cls.__name__
    # the ones the team found required although the adapter reads them as null
    for cls, member in ((port.MicrosoftAccount, "alternate_email"),
                        (port.MicrosoftAccount, "alternate_phone"), (port.Message, "code"),
                        (port.TrafficRecord, "device_id"), (port.Screen, "backup_setting")):
        assert member not in published[cls.__name__]["required"]


def test_a_result_that_can_be_null_is_not_required_in_the_schema(live: dict[str, Any]) -> None:
    published = live["components"]["schemas"]
    for op in operations().values():
        can_be_null = op.returns is type(None) or codec.nullable(op.returns)
        name = schema.response_model(op).__name__
        required = "result" in published[name].get("required", [])
        assert required is not can_be_null, op.name
    assert "capabilities" not in published["TargetInfoModel"]["required"]
    assert "not read" in published["TargetInfoModel"]["properties"]["capabilities"][
        "description"]


def test_the_seed_is_published_as_int64_with_the_range_the_harness_sends(
        live: dict[str, Any]) -> None:
    seed = live["components"]["schemas"]["CreateWorld"]["properties"]["seed"]
    assert seed["type"] == "integer" and seed["format"] == "int64" and seed["minimum"] == 0
    assert "maximum" not in seed  # a float 2^63 there would allow one too many
    assert "4294967295" in seed["description"] and "4294967295" in DOC
    assert "2^32 \u2212 1 (4294967295)" in DOC


def test_the_doc_says_what_the_adapter_does_with_integers_unknown_members_and_versions(
        ) -> None:
    plain = " ".join(DOC.split())
    assert "`6.0` reads as `6`" in plain and "a fraction (`6.5`) is refused" in plain
    assert "An unknown member of an answer is ignored" in plain
    assert "unknown members of a *request* are refused (422)" in plain
    assert "pre-release or build suffix (`2.3.1-rc.1`, `2.3.1+build.7`) is accepted" in plain
    # a reading left out is undeclared (2.1.0), not the first value
    assert "one left out is taken as the first" not in plain
    assert "one left out is undeclared" in plain
    described = " ".join(create_app().openapi()["info"]["description"].split())
    assert "an unknown member is ignored" in described and "6.0" in described
    assert codec.decode({"id": "s", "issuer": "i", "username": "u", "secret": "s",
                         "digits": 6.0, "period": 30, "algorithm": "SHA1", "uri": "u",
                         "qr_png": ""}, port.SiteAccount).digits == 6


def test_the_doc_says_how_long_worlds_are_waited_for_and_when_delete_is() -> None:
    plain = " ".join(DOC.split())
    assert ("wait up to `start_timeout` (default 30) or `--op-timeout`, whichever is "
            "longer") in plain
    assert "deleted at once (best effort" in plain
    cost = plain.split("### Cost", 1)[1].split("What keeps a", 1)[0]
    assert "sent without waiting for the answer" in cost and "`url` it is waited for" in cost
    adapters_doc = " ".join((REPO / "docs" / "adapters.md").read_text(encoding="utf-8").split())
    assert "when that is longer than `--op-timeout`" in adapters_doc
