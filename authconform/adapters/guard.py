"""Fail closed: every port call goes through a guard.

The guard (1) refuses operations whose capability the target did not declare
(``CapabilityMissing`` -> the scenario is *not-applicable*), (2) runs the call with a
per-operation timeout, (3) turns any exception from the adapter into ``TargetError``
naming the adapter and the operation, and (4) checks that the answer has the type the
port promises. A crash, a hang or garbage is therefore an *error*, never a pass.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import signal
import threading
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

from authconform import port


class _Malformed(Exception):
    pass


@functools.cache
def _hints(protocol: type, name: str) -> dict[str, Any]:
    return typing.get_type_hints(getattr(protocol, name), vars(port))


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    # Resolving string annotations compiles them: once per class, not once per answer.
    hints = typing.get_type_hints(cls, vars(port))
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


# Answers that already have exactly the promised type need no walk: a string, a number,
# a flag, bytes, or an enum member (most of the ~50,000 values a run checks).
_EXACT = frozenset({str, int, float, bool, bytes})


@functools.cache
def _exact_is_enough(expected: type) -> bool:
    return expected in _EXACT or issubclass(expected, Enum)


def check_value(value: Any, expected: Any, where: str = "result") -> Any:
    """Return ``value`` coerced to ``expected`` where that is lossless (an enum from its
    string), or raise _Malformed naming what is wrong."""
    kind = type(value)
    if kind is expected and _exact_is_enough(kind):
        return value
    origin = typing.get_origin(expected)
    if expected is Any or expected is object:
        return value
    if expected is type(None):
        if value is not None:
            raise _Malformed(f"{where}: expected None, got {type(value).__name__}")
        return None
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(expected):
            try:
                return check_value(value, option, where)
            except _Malformed as exc:
                errors.append(str(exc))
        raise _Malformed("; ".join(errors))
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, list | tuple | frozenset | set):
            raise _Malformed(f"{where}: expected a sequence, got {type(value).__name__}")
        args = typing.get_args(expected)
        item = args[0] if args else Any
        items = [check_value(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return origin(items) if origin is not tuple else tuple(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise _Malformed(f"{where}: expected a mapping, got {type(value).__name__}")
        return value
    if isinstance(expected, type) and issubclass(expected, Enum):
        try:
            return expected(value)
        except ValueError as exc:
            raise _Malformed(f"{where}: {value!r} is not a {expected.__name__}") from exc
    if isinstance(expected, type) and dataclasses.is_dataclass(expected):
        if not isinstance(value, expected):
            raise _Malformed(f"{where}: expected {expected.__name__}, got "
                             f"{type(value).__name__}")
        for name, hint in _field_hints(expected):
            check_value(getattr(value, name), hint, f"{where}.{name}")
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Malformed(f"{where}: expected a number, got {type(value).__name__}")
        return float(value)
    if isinstance(expected, type):
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise _Malformed(f"{where}: expected {expected.__name__}, got "
                             f"{type(value).__name__}")
        return value
    return value


class _OpTimeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _OpTimeout()


class _Runner:
    """Runs one operation with a deadline.

    In the main thread (where pytest runs scenarios) a real-time interval timer
    interrupts a hung call: cheap enough for every call. Elsewhere the call runs on a
    worker thread that is abandoned if it hangs."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.timeout <= 0:
            return fn(*args, **kwargs)
        if threading.current_thread() is threading.main_thread() and hasattr(
                signal, "setitimer"):
            previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                return fn(*args, **kwargs)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        if self.pool is None:
            self.pool = concurrent.futures.ThreadPoolExecutor(1, "authconform-op")
        future = self.pool.submit(fn, *args, **kwargs)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
            raise _OpTimeout() from None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


class _Guarded:
    def __init__(self, inner: Any, protocol: type, adapter: str,
                 capabilities: frozenset[port.Capability], runner: _Runner):
        self._inner, self._protocol, self._adapter = inner, protocol, adapter
        self._capabilities, self._runner = capabilities, runner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(self._protocol, name):
            raise AttributeError(f"{self._protocol.__name__} has no operation {name!r}")
        return functools.partial(self._call, name)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        needed = port.CAPABILITY_OF.get(name)
        if needed is not None and needed not in self._capabilities:
            raise port.CapabilityMissing(needed, name)
        fn = getattr(self._inner, name, None)
        if not callable(fn):
            raise port.TargetError(self._adapter, name, "operation not implemented")
        try:
            result = self._runner.run(fn, *args, **kwargs)
        except port.CapabilityMissing:
            raise
        except _OpTimeout:
            raise port.TargetError(self._adapter, name,
                                   f"no answer within {self._runner.timeout:g} s") from None
        except port.TargetError:
            raise
        except Exception as exc:
            raise port.TargetError(self._adapter, name,
                                   f"raised {type(exc).__name__}: {exc}") from exc
        try:
            return check_value(result, _hints(self._protocol, name)["return"], name)
        except _Malformed as exc:
            raise port.TargetError(self._adapter, name, f"malformed answer: {exc}") from None


class GuardedTarget:
    """What steps receive: the adapter's target behind the guard."""

    def __init__(self, inner: port.Target, timeout: float):
        info = getattr(inner, "info", None)
        if not isinstance(info, port.TargetInfo):
            raise port.TargetError(type(inner).__name__, "info",
                                   "target has no TargetInfo in .info")
        problem = port.declaration_problem(info)
        if problem:
            raise port.TargetError(info.name, "info", problem)
        self.inner = inner
        self.info = info
        self._runner = _Runner(timeout)
        caps = frozenset(info.capabilities)
        self.app: Any = _Guarded(inner.app, port.AppPort, info.name, caps, self._runner)
        self.world: Any = _Guarded(inner.world, port.WorldPort, info.name, caps, self._runner)

    def has(self, capability: port.Capability) -> bool:
        return capability in self.info.capabilities

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self._runner.close()
