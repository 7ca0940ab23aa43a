"""A pytest plugin (``-p bench.component_plugin``) that times named components of a
suite run *without* a profiler: a few functions are wrapped with a perf_counter pair
and their inclusive time summed (an inner call of the same component is not counted
twice). Writes JSON to ``$AUTHCONFORM_BENCH_COMPONENTS`` at the end of the session.

Components: pytest-bdd's step lookup, QR rendering and decoding, Faker instance
creation and Faker calls, world creation, sealing and key making, TOTP, the guard (the
whole guarded call, and the adapter call inside it, so the guard's own share is the
difference), the report collector's hooks and its end-of-session writing, and the
catalogue's YAML loading.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_totals: dict[str, list[float]] = {}  # name -> [seconds, calls]
_depth: dict[str, int] = {}


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _depth.get(name, 0) == 0
        _depth[name] = _depth.get(name, 0) + 1
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[name] -= 1
            if outer:
                total = _totals.setdefault(name, [0.0, 0])
                total[0] += time.perf_counter() - started
                total[1] += 1

    return wrapper


def _patch(module_name: str, attribute: str, name: str) -> None:
    try:
        module = importlib.import_module(module_name)
        owner: Any = module
        parts = attribute.split(".")
        for part in parts[:-1]:
            owner = getattr(owner, part)
        original = owner.__dict__[parts[-1]] if isinstance(owner, type) else getattr(
            owner, parts[-1])
    except (ImportError, AttributeError, KeyError):
        return
    if inspect.isgeneratorfunction(original):
        return  # a hook wrapper: pluggy needs a generator function, and its time spans others
    if isinstance(original, property):
        setattr(owner, parts[-1], property(_timed(name, original.fget)))  # type: ignore[arg-type]
    elif isinstance(original, staticmethod | classmethod):
        setattr(owner, parts[-1], type(original)(_timed(name, original.__func__)))
    else:
        setattr(owner, parts[-1], _timed(name, original))


def _patch_generator(module_name: str, attribute: str, name: str) -> None:
    """For a generator function consumed at once: time the consumption."""
    try:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)
    except (ImportError, AttributeError):
        return

    def eager(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(list(original(*args, **kwargs)))

    setattr(module, attribute, _timed(name, eager))


def _faker_calls() -> None:
    """Every Faker provider method call through a Faker proxy."""
    try:
        from faker.proxy import Faker
    except ImportError:
        return
    original = Faker.__getattr__

    def getattr_(self: Any, attr: str) -> Any:
        value = original(self, attr)
        if callable(value) and not attr.startswith("_") and attr not in {
                "seed_instance", "seed", "random"}:
            return _timed("Faker calls (name, email, ...)", value)
        return value

    Faker.__getattr__ = getattr_  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)  # before authconform.gate.plugin registers the collector
def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("AUTHCONFORM_BENCH_COMPONENTS") or hasattr(config, "workerinput"):
        return
    _patch_generator("pytest_bdd.scenario", "find_fixturedefs_for_step",
                     "pytest-bdd step lookup")
    _patch("sim.qr", "render", "QR render")
    _patch("sim.qr", "decode", "QR decode")
    _patch("sim.world", "World.__init__", "World.__init__")
    _patch("sim.world", "World.faker", "World.faker (makes a Faker on first use)")
    _faker_calls()
    for fn in ("new_key", "new_device_key", "seal", "unseal", "sign", "verify"):
        _patch("sim.crypto", fn, "crypto (keys, seal, sign)")
    for fn in ("code_at", "accepts", "uri", "__post_init__"):
        _patch("sim.codes", f"TotpParams.{fn}", "TOTP (TotpParams)")
    _patch("authconform.adapters.guard", "_Guarded._call", "guarded call (total)")
    _patch("authconform.adapters.guard", "_Runner.run", "guarded call: the adapter part")
    _patch("authconform.adapters.guard", "check_value", "guard: result check")
    _patch("authconform.gate.plugin", "load_catalogue", "catalogue load (plugin)")
    _patch("authconform.gate.verdict", "load_catalogue", "catalogue load (verdict)")
    results = importlib.import_module("authconform.gate.results") if _exists(
        "authconform.gate.results") else None
    collector = getattr(results, "ResultCollector", None)
    if collector is not None:
        for hook in ("pytest_runtest_makereport", "pytest_runtest_logreport"):
            if hook in collector.__dict__:
                _patch("authconform.gate.results", f"ResultCollector.{hook}",
                       "report collector (per scenario)")
        for hook in ("pytest_sessionfinish", "pytest_terminal_summary", "pytest_unconfigure"):
            if hook in collector.__dict__:
                _patch("authconform.gate.results", f"ResultCollector.{hook}",
                       "report writing (end of session)")


def _exists(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    path = os.environ.get("AUTHCONFORM_BENCH_COMPONENTS")
    if not path or hasattr(config, "workerinput"):
        return
    doc = {name: {"seconds": seconds, "calls": calls}
           for name, (seconds, calls) in _totals.items()}
    Path(path).write_text(json.dumps(doc), encoding="utf-8")
