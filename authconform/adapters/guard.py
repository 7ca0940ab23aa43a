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


def check_value(value: Any, expected: Any, where: str = "result") -> Any:
    """Return ``value`` coerced to ``expected`` where that is lossless (an enum from its
    string), or raise _Malformed naming what is wrong."""
    return _checker(expected)(value, where)


Check = Callable[[Any, str], Any]

# Answers that already have exactly the promised type need no walk: a string, a number,
# a flag, bytes, or an enum member (most of the ~50,000 values a run checks).
_EXACT = frozenset({str, int, float, bool, bytes})


@functools.cache
def _checker(expected: Any) -> Check:
    """The check for one promised type, built once: the type is taken apart here, not
    again for each of the thousands of answers that promise it. Every check first lets
    a value of exactly the promised plain type or enum through."""
    if expected is Any or expected is object:
        return _as_is
    if expected is type(None):
        return _none
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(expected))
    if origin in (list, tuple, frozenset, set):
        args = typing.get_args(expected)
        return _sequence(origin, args[0] if args else Any)
    if origin is dict:
        return _mapping
    if isinstance(expected, type) and issubclass(expected, Enum):
        return _enum(expected)
    if isinstance(expected, type) and dataclasses.is_dataclass(expected):
        return _dataclass(expected)
    if expected is float:
        return _number
    if isinstance(expected, type):
        return _instance(expected)
    return _as_is


def _as_is(value: Any, where: str) -> Any:
    return value


def _none(value: Any, where: str) -> None:
    if value is not None:
        raise _Malformed(f"{where}: expected None, got {type(value).__name__}")
    return None


def _union(options: tuple[Any, ...]) -> Check:
    checks = [_checker(option) for option in options]

    def union(value: Any, where: str) -> Any:
        errors = []
        for check in checks:
            try:
                return check(value, where)
            except _Malformed as exc:
                errors.append(str(exc))
        raise _Malformed("; ".join(errors))

    return union


def _sequence(origin: type, item: Any) -> Check:
    def sequence(value: Any, where: str) -> Any:
        if not isinstance(value, list | tuple | frozenset | set):
            raise _Malformed(f"{where}: expected a sequence, got {type(value).__name__}")
        check = _checker(item)  # looked up here: a type may hold itself
        items = [check(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return origin(items) if origin is not tuple else tuple(items)

    return sequence


def _mapping(value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Malformed(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _enum(expected: type[Enum]) -> Check:
    def enum(value: Any, where: str) -> Any:
        if type(value) is expected:
            return value
        try:
            return expected(value)
        except ValueError as exc:
            raise _Malformed(f"{where}: {value!r} is not a {expected.__name__}") from exc

    return enum


def _dataclass(expected: type) -> Check:
    fields: list[tuple[str, Check]] = []

    def dataclass(value: Any, where: str) -> Any:
        if not isinstance(value, expected):
            raise _Malformed(f"{where}: expected {expected.__name__}, got "
                             f"{type(value).__name__}")
        if not fields:  # on first use: a field's type may be this very class
            fields.extend((name, _checker(hint)) for name, hint in _field_hints(expected))
        for name, check in fields:
            member = getattr(value, name)
            if type(member) in _EXACT and check is _exactly.get(type(member)):
                continue
            check(member, f"{where}.{name}")
        return value

    return dataclass


def _number(value: Any, where: str) -> float:
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Malformed(f"{where}: expected a number, got {type(value).__name__}")
    return float(value)


def _instance(expected: type) -> Check:
    def instance(value: Any, where: str) -> Any:
        if type(value) is expected:
            return value
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise _Malformed(f"{where}: expected {expected.__name__}, got "
                             f"{type(value).__name__}")
        return value

    return instance


# The checks a plain member of exactly its own type passes untouched: a dataclass's
# fields skip the call (and the text naming where they are) for those.
_exactly: dict[type, Check] = {kind: _checker(kind) for kind in _EXACT}


class _OpTimeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _OpTimeout()


# The C functions behind ``signal``: its Python wrappers turn every handler and signal
# number into enum members and back, which cost more than the timer itself.
try:
    import _signal as _raw_signal
except ImportError:  # an interpreter without CPython's module
    _raw_signal = signal
_TIMER = hasattr(signal, "setitimer")
_SIGALRM = int(getattr(signal, "SIGALRM", 14))
_ITIMER_REAL = int(getattr(signal, "ITIMER_REAL", 0))


class _Runner:
    """Runs one operation with a deadline.

    In the main thread (where pytest runs scenarios) a real-time interval timer
    interrupts a hung call: cheap enough for every call. Its handler is installed at
    the first call and stays until ``close`` puts the previous one back (checked at
    every call, in case something replaced it meanwhile); installing and restoring it
    around each call was a third of the guard's own cost. Elsewhere the call runs on a
    worker thread that is abandoned if it hangs."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._previous: Any = None  # the SIGALRM handler to put back at close
        self._installed = False

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.timeout <= 0:
            return fn(*args, **kwargs)
        if _TIMER and threading.current_thread() is threading.main_thread():
            if _raw_signal.getsignal(_SIGALRM) is not _alarm:
                previous = _raw_signal.signal(_SIGALRM, _alarm)
                if not self._installed:
                    self._previous, self._installed = previous, True
            _raw_signal.setitimer(_ITIMER_REAL, self.timeout)
            try:
                return fn(*args, **kwargs)
            finally:
                _raw_signal.setitimer(_ITIMER_REAL, 0)
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
        if self._installed:
            self._installed = False
            if (threading.current_thread() is threading.main_thread()
                    and _raw_signal.getsignal(_SIGALRM) is _alarm):
                _raw_signal.signal(_SIGALRM, self._previous)
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
        call = functools.partial(self._call, name)
        setattr(self, name, call)  # found once: later calls skip __getattr__
        return call

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
        # errors name the adapter: an adapter whose targets are named otherwise (an HTTP
        # service's, which names its own) says its name in ``adapter_name``
        adapter = str(getattr(inner, "adapter_name", "") or info.name)
        self.app: Any = _Guarded(inner.app, port.AppPort, adapter, caps, self._runner)
        self.world: Any = _Guarded(inner.world, port.WorldPort, adapter, caps, self._runner)

    def has(self, capability: port.Capability) -> bool:
        return capability in self.info.capabilities

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self._runner.close()
