"""Pydantic models for the published OpenAPI schema, generated from the port's types.

Every port dataclass becomes a model of the same name; every operation gets a
``<Operation>Request`` body model (POST operations with arguments) and a
``<Operation>Response`` envelope ``{"result": ...}``. The models validate what comes in
and document what goes out; the answers themselves are written by ``codec``. What they
publish of an answer is what the adapter's ``codec`` accepts: a member that has a
default or can be null is not required (it may be left out), nor is a ``result`` that
can be null, and unknown members are not forbidden (the adapter ignores them).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model

from authconform import port
from authconform.wire import codec
from authconform.wire.operations import Operation


def _from_base64(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return codec.unb64(value, "base64 value")


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    WithJsonSchema({"type": "string", "format": "byte",
                    "description": "standard base64 with padding"}),
]


class ErrorBody(BaseModel):
    """Every answer that is not 200/201: what went wrong, never a traceback."""

    error: str = Field(description="stable machine-readable reason, e.g. not_found")
    message: str = Field(description="what went wrong, for a person")


class InvalidRequestBody(ErrorBody):
    problems: list[dict[str, Any]] = Field(default_factory=list,
                                           description="where the request is wrong")


_MODEL_CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False)
# Limits the signatures cannot state; the service refuses what exceeds them with 422.
CONSTRAINTS: dict[tuple[str, str], Any] = {
    ("advance_clock", "seconds"): Field(ge=0, le=100 * 365 * 24 * 3600),
}


def _pydantic_type(tp: Any) -> Any:
    if tp is bytes:
        return Base64Bytes
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return dataclass_model(tp)
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        items = [a for a in args if a is not Ellipsis]
        return list[_pydantic_type(items[0]) if items else Any]  # type: ignore[misc]
    if origin is dict:
        return dict[str, Any]
    if args and origin is not None and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return _pydantic_type(inner[0]) | None
    return tp


@functools.cache
def dataclass_model(cls: type) -> type[BaseModel]:
    hints = typing.get_type_hints(cls, vars(port))
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        default: Any = ...
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=f.default_factory)
        elif codec.nullable(hints[f.name]):
            default = None  # may be left out of an answer: it reads as null (codec)
        fields[f.name] = (_pydantic_type(hints[f.name]), default)
    doc = (cls.__doc__ or "").strip()
    if doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature: no docs
        doc = ""
    return create_model(cls.__name__, __doc__=doc or None, **fields)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@functools.cache
def request_model(op: Operation) -> type[BaseModel] | None:
    """The JSON body of a POST operation; None if it takes no arguments."""
    if op.method != "POST" or not op.body_params:
        return None
    fields: dict[str, Any] = {}
    for p in op.body_params:
        kind = _pydantic_type(p.type)
        constraint = CONSTRAINTS.get((op.name, p.name))
        if constraint is not None:
            kind = Annotated[kind, constraint]
        fields[p.name] = (kind, ... if p.required else p.default)
    return create_model(f"{_camel(op.name)}Request", __config__=_MODEL_CONFIG, **fields)


@functools.cache
def response_model(op: Operation) -> type[BaseModel]:
    # a result that can be null may be left out, as the adapter reads it (as null)
    can_be_null = op.returns is type(None) or codec.nullable(op.returns)
    fields: dict[str, Any] = {"result": (_pydantic_type(op.returns),
                                         None if can_be_null else ...)}
    if op.name == "create_person":
        fields["person_token"] = (str, Field(
            description="bearer token of this person: it reaches only their devices, "
                        "identities and messages"))
    return create_model(f"{_camel(op.name)}Response", **fields)


# ---------------------------------------------------------------- the /v1/worlds resource


def _int64(schema: dict[str, Any]) -> None:
    """``format: int64`` instead of the maximum, which the published document would
    carry as a float (2^63, one more than the largest int64)."""
    schema.pop("maximum", None)
    schema["format"] = "int64"


class CreateWorld(BaseModel):
    model_config = _MODEL_CONFIG

    seed: int = Field(0, ge=0, le=2**63 - 1, json_schema_extra=_int64,
                      description="seed for every random choice: 0 to 2^63 - 1 here; the "
                                  "harness sends 0 to 2^32 - 1 (4294967295) for a "
                                  "scenario's world, and the run's --seed for the world "
                                  "it makes at start")
    profile: str = Field("current", description="current (000) or 2019 (002)")
    mutant: str | None = Field(None, description="name of a deliberately faulty variant")
    options: dict[str, str] = Field(default_factory=dict,
                                    description="simulator options, e.g. recovery_block")


class TargetInfoModel(BaseModel):
    name: str
    version: str
    capabilities: list[port.Capability] = Field(
        default_factory=list, description="not read by the adapter, which takes the "
                                          "capabilities from /v1/info; may be left out, "
                                          "or sent as the same list")
    profile: str
    parameters: dict[str, float | None] = Field(
        default_factory=dict, description="declared values the documents leave open "
                                          "(see port.Parameter); absent = undeclared")
    readings: dict[str, str] = Field(
        default_factory=dict, description="the reading of each documented ambiguity "
                                          "(see port.Reading); absent = undeclared, the "
                                          "gate finds the one followed")
    port_version: str = Field(
        "", description="the port version this world was written for (semver); "
                        "informational: the adapter takes the version from /v1/info's "
                        "protocol")


class WorldCreated(BaseModel):
    world_id: str
    operator_token: str = Field(description="bearer token for world control and everything "
                                            "else in this world")
    info: TargetInfoModel


class ServiceInfo(BaseModel):
    """What the service is and offers. The adapter reads ``protocol``, ``capabilities``
    and ``mutants``; the rest is for people."""

    name: str = Field(description="the service's name")
    version: str = Field(description="the service's own version")
    protocol: str = Field(description="the port/protocol version it implements (semver, "
                                      "docs/port-changelog.md); another major version "
                                      "is refused at start")
    capabilities: list[port.Capability] = Field(
        description="the optional capabilities every world of this service has; the only "
                    "place the adapter reads them from. An unknown name is refused at "
                    "start")
    profiles: list[str] = Field(description="profiles a world may be created with")
    mutants: list[str] = Field(description="deliberately faulty variants it understands "
                                           "(usually none)")
    worlds: int = Field(description="worlds that exist now")
    persistent: bool = Field(description="whether worlds survive a restart")


class RestartResponse(BaseModel):
    result: None = Field(None, description="null, once the restarted service answers "
                                           "again (may be left out)")


class Health(BaseModel):
    status: str
