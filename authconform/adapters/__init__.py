"""Choosing a target: built-in adapters, entry points, or ``module:attribute``.

An *adapter* is started once per run and hands out a fresh ``Target`` per scenario:

    class Adapter(Protocol):
        name: str
        def start(self, config: TargetConfig) -> None: ...
        def new_target(self, seed: int) -> port.Target: ...
        def stop(self) -> None: ...

See docs/adapters.md.

The package holds the built-in adapters (``sim_adapter``, ``inprocess``, ``http``), the
guard every target is wrapped in (``guard``: timeouts, type checks), the port-version
check (``versions``) and the adapter self-test (``selftest``). It may import ``port``,
``spec``, ``wire`` and, to build simulated targets, ``sim`` and ``alterations``; never the
gate, the reports, ``proof``, ``service`` or ``cli``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from authconform import port

ENTRY_POINT_GROUP = "authconform.adapters"
BUILTIN = {
    "sim": "authconform.adapters.sim_adapter:SimAdapter",
    "http": "authconform.adapters.http:HttpAdapter",
}
ENV_PREFIX = "AUTHCONFORM_SUT_"


class AdapterLoadError(Exception):
    """The named adapter cannot be found, imported or configured (a usage error)."""


@dataclass(frozen=True)
class TargetConfig:
    seed: int = 0
    profile: str = "current"
    mutant: str | None = None
    op_timeout: float = 10.0
    options: Mapping[str, str] = field(default_factory=dict)


class Adapter(Protocol):
    name: str

    def start(self, config: TargetConfig) -> None: ...
    def new_target(self, seed: int) -> port.Target: ...
    def stop(self) -> None: ...


def _resolve(spec: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise AdapterLoadError(f"adapter {spec!r}: expected 'module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import failure is the adapter's, reported by name
        raise AdapterLoadError(
            f"adapter {spec!r}: importing {module_name!r} failed: "
            f"{type(exc).__name__}: {exc}") from exc
    try:
        obj = module
        for part in attribute.split("."):
            obj = getattr(obj, part)
    except AttributeError as exc:
        raise AdapterLoadError(f"adapter {spec!r}: {module_name!r} has no {attribute!r}") from exc
    return obj


def load_adapter(name: str) -> Adapter:
    """A built-in name, an entry point in group ``authconform.adapters``, or
    ``module:attribute`` naming an adapter class, factory or instance."""
    if name in BUILTIN:
        obj = _resolve(BUILTIN[name])
    elif ":" in name:
        obj = _resolve(name)
    else:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            known = sorted(set(BUILTIN) | {ep.name for ep in entry_points(
                group=ENTRY_POINT_GROUP)})
            raise AdapterLoadError(
                f"unknown adapter {name!r}; known: {', '.join(known)}; "
                "or give 'module:attribute'")
        try:
            obj = found[0].load()
        except Exception as exc:
            raise AdapterLoadError(f"adapter {name!r}: loading its entry point failed: "
                                   f"{type(exc).__name__}: {exc}") from exc
    adapter = obj() if callable(obj) and not _is_adapter(obj) else obj
    if not _is_adapter(adapter):
        raise AdapterLoadError(
            f"adapter {name!r} is not an adapter: it needs start(), new_target() and stop()")
    return adapter  # type: ignore[no-any-return,unused-ignore]


def _is_adapter(obj: Any) -> bool:
    return not isinstance(obj, type) and all(
        callable(getattr(obj, m, None)) for m in ("start", "new_target", "stop"))


def read_options(config_file: str | None, environ: Mapping[str, str] | None = None
                 ) -> dict[str, str]:
    """Adapter options: a TOML or YAML file's ``[sut]`` table (or top level), then
    ``AUTHCONFORM_SUT_<KEY>`` environment variables, which win."""
    options: dict[str, str] = {}
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise AdapterLoadError(f"adapter config file {config_file!r} does not exist")
        text = path.read_text(encoding="utf-8")
        try:
            if path.suffix == ".toml":
                import tomllib

                data = tomllib.loads(text)
            else:
                import yaml

                data = yaml.safe_load(text) or {}
        except Exception as exc:
            raise AdapterLoadError(f"adapter config file {config_file!r}: {exc}") from exc
        if not isinstance(data, dict):
            raise AdapterLoadError(f"adapter config file {config_file!r}: expected a table")
        table = data.get("sut", data)
        if not isinstance(table, dict):
            raise AdapterLoadError(f"adapter config file {config_file!r}: [sut] is not a table")
        options.update({str(k): str(v) for k, v in table.items()})
    env = os.environ if environ is None else environ
    for key, value in env.items():
        if key.startswith(ENV_PREFIX):
            options[key[len(ENV_PREFIX):].lower()] = value
    return options
