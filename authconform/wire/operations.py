"""The operations the HTTP service serves, derived from the port's Protocols.

One table, read once from ``AppPort`` and ``WorldPort`` (names, parameters, defaults,
type hints, docstrings), drives both sides of the wire: the service builds one typed
endpoint per operation from it, and ``HttpAdapter`` builds one client call per
operation from it. Only what the signatures cannot say is written down here: which
operations only read (served with GET), and who may call what (``Access``).
"""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from authconform import port

# Operations that change nothing: served with GET, arguments in the query string.
READ_ONLY = frozenset({
    "list_accounts", "current_code", "screen",
    "now", "push_result", "stored_objects", "messages", "admin_view", "traffic",
    "device_secrets", "snapshot",
})
# Done by the adapter, not the service: a process cannot restart itself over its own API.
ADAPTER_ONLY = frozenset({"restart_service"})


class Scope(StrEnum):
    """Who may call an operation, besides the world's operator (who may call anything)."""

    OPERATOR = "operator"  # world control: only the operator token
    DEVICE = "device"  # the person who owns the device named by ``Access.param``
    PERSON = "person"  # the person named by ``Access.param``
    ADDRESS = "address"  # the person owning the address / storage location in the param


@dataclass(frozen=True)
class Access:
    scope: Scope
    param: str = ""


# World operations a person's own token may call; every other world operation is the
# operator's. Every app operation is scoped to the device in its path.
WORLD_ACCESS: dict[str, Access] = {
    "create_microsoft_account": Access(Scope.PERSON, "person_id"),
    "create_apple_id": Access(Scope.PERSON, "person_id"),
    "create_work_account": Access(Scope.PERSON, "person_id"),
    "create_site_account": Access(Scope.PERSON, "person_id"),
    "create_device": Access(Scope.PERSON, "person_id"),
    "sign_in_to_icloud": Access(Scope.DEVICE, "device_id"),
    "sign_out_of_icloud": Access(Scope.DEVICE, "device_id"),
    "messages": Access(Scope.ADDRESS, "to"),
    "delete_backup": Access(Scope.ADDRESS, "location"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: Any
    default: Any = inspect.Parameter.empty

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


@dataclass(frozen=True)
class Operation:
    name: str
    half: str  # "app" or "world"
    params: tuple[Param, ...]  # every parameter after self, device_id included
    returns: Any
    doc: str
    access: Access

    @property
    def method(self) -> str:
        return "GET" if self.name in READ_ONLY else "POST"

    @property
    def path(self) -> str:
        if self.half == "app":
            return f"/v1/devices/{{device_id}}/{self.name}"
        return f"/v1/world/{self.name}"

    @property
    def body_params(self) -> tuple[Param, ...]:
        """What travels in the JSON body (POST) or the query string (GET)."""
        if self.half == "app":
            return self.params[1:]  # device_id is in the path
        return self.params


def _doc(fn: Any) -> str:
    return inspect.cleandoc(fn.__doc__) if fn.__doc__ else ""


def _operations(protocol: type, half: str) -> list[Operation]:
    namespace = vars(port)
    found = []
    for name, fn in vars(protocol).items():
        if name.startswith("_") or not callable(fn) or name in ADAPTER_ONLY:
            continue
        hints = typing.get_type_hints(fn, namespace)
        signature = inspect.signature(fn)
        params = tuple(Param(p.name, hints[p.name], p.default)
                       for p in list(signature.parameters.values())[1:])
        if half == "app":
            if not params or params[0].name != "device_id":
                raise TypeError(f"AppPort.{name}: the first parameter must be device_id")
            access = Access(Scope.DEVICE, "device_id")
        else:
            access = WORLD_ACCESS.get(name, Access(Scope.OPERATOR))
        found.append(Operation(name, half, params, hints["return"], _doc(fn), access))
    return found


@functools.cache
def operations() -> dict[str, Operation]:
    """Every served operation by name, app operations first, in the port's order."""
    table = {op.name: op for op in _operations(port.AppPort, "app")}
    for op in _operations(port.WorldPort, "world"):
        if op.name in table:
            raise TypeError(f"operation {op.name!r} is in both halves of the port")
        table[op.name] = op
    return table


def app_operations() -> list[Operation]:
    return [op for op in operations().values() if op.half == "app"]


def world_operations() -> list[Operation]:
    return [op for op in operations().values() if op.half == "world"]
