"""The fail-closed guard: whatever an adapter does wrong becomes an error naming the
adapter and the operation, a missing capability becomes not-applicable, never a pass."""

from __future__ import annotations

import dataclasses
import inspect
import threading
import time
from typing import Any

import pytest

from authconform import port
from authconform.adapters.guard import GuardedTarget, check_value
from authconform.adapters.inprocess import SimTarget


class Scripted:
    """A target whose app and world answer what each test scripts."""

    def __init__(self, capabilities: frozenset[port.Capability] = frozenset(), **ops: Any):
        self.info = port.TargetInfo("scripted", "1", capabilities, "current")
        self.app = type("App", (), {k: staticmethod(v) for k, v in ops.items()})()
        self.world = type("World", (), {k: staticmethod(v) for k, v in ops.items()})()
        self.closed = False

    def close(self) -> None:
        self.closed = True


def _raises(exc: Exception) -> Any:
    def op(*args: Any, **kwargs: Any) -> Any:
        raise exc
    return op


def test_an_adapter_that_raises_is_a_target_error_naming_adapter_and_operation() -> None:
    guarded = GuardedTarget(Scripted(screen=_raises(RuntimeError("emulator crashed"))), 5)
    with pytest.raises(port.TargetError) as caught:
        guarded.app.screen("device-1")
    assert caught.value.adapter == "scripted"
    assert caught.value.operation == "screen"
    assert "RuntimeError: emulator crashed" in str(caught.value)
    assert isinstance(caught.value.__cause__, RuntimeError)


@pytest.mark.parametrize(("op", "answer", "complaint"), [
    ("screen", {"backup_on": True}, "expected Screen"),
    ("list_accounts", "acct-1", "expected a sequence"),
    ("list_accounts", [None], "expected AccountEntry"),
    ("current_code", 123456, "expected str"),
    ("create_person", port.Person(id=1, name="Alex"), "create_person.id"),  # type: ignore
    ("now", "noon", "expected a number"),
    ("now", True, "expected a number"),
    ("provider_accepts_code", "yes", "expected bool"),
    ("turn_on_backup", port.Outcome(True, "FINE", ""), "not a OutcomeCode"),  # type: ignore
])
def test_a_garbage_answer_is_a_target_error(op: str, answer: Any, complaint: str) -> None:
    guarded = GuardedTarget(Scripted(**{op: lambda *a, **k: answer}), 5)
    half = guarded.app if hasattr(port.AppPort, op) else guarded.world
    with pytest.raises(port.TargetError) as caught:
        getattr(half, op)(*(["x"] * _arity(op)))
    assert caught.value.operation == op
    assert "malformed answer" in caught.value.detail
    assert complaint in caught.value.detail


def _arity(op: str) -> int:
    protocol = port.AppPort if hasattr(port.AppPort, op) else port.WorldPort
    return len(inspect.signature(getattr(protocol, op)).parameters) - 1


def test_a_lossless_answer_is_normalised() -> None:
    guarded = GuardedTarget(Scripted(now=lambda: 5, screen=lambda d: port.Screen(
        "iCloud backup", False, True, False)), 5)
    assert guarded.world.now() == 5.0 and isinstance(guarded.world.now(), float)
    assert check_value("ios", port.Platform) is port.Platform.IOS


def test_a_hung_operation_times_out_as_a_target_error() -> None:
    guarded = GuardedTarget(Scripted(screen=lambda d: time.sleep(30)), 0.2)
    started = time.monotonic()
    with pytest.raises(port.TargetError) as caught:
        guarded.app.screen("device-1")
    assert time.monotonic() - started < 5
    assert caught.value.operation == "screen" and "no answer within 0.2 s" in str(caught.value)


def test_a_hung_operation_off_the_main_thread_also_times_out() -> None:
    release = threading.Event()
    guarded = GuardedTarget(Scripted(screen=lambda d: release.wait(30)), 0.2)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            guarded.app.screen("device-1")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    worker.join(5)
    release.set()
    assert len(outcome) == 1 and isinstance(outcome[0], port.TargetError)
    assert "no answer within" in str(outcome[0])
    guarded.close()


def test_a_missing_capability_is_capability_missing_before_the_adapter_is_called() -> None:
    called = []
    guarded = GuardedTarget(Scripted(advance_clock=lambda s: called.append(s)), 5)
    with pytest.raises(port.CapabilityMissing) as caught:
        guarded.world.advance_clock(60)
    assert caught.value.capability is port.Capability.CLOCK
    assert caught.value.operation == "advance_clock"
    assert called == []


def test_capability_missing_raised_by_the_adapter_passes_through() -> None:
    missing = port.CapabilityMissing(port.Capability.RESTART, "restart_service")
    guarded = GuardedTarget(Scripted(frozenset({port.Capability.RESTART}),
                                     restart_service=_raises(missing)), 5)
    with pytest.raises(port.CapabilityMissing):
        guarded.world.restart_service()


def test_an_operation_the_adapter_lacks_is_a_target_error() -> None:
    guarded = GuardedTarget(Scripted(), 5)
    with pytest.raises(port.TargetError, match="not implemented"):
        guarded.app.begin_recovery("device-1", "u", "p")


def test_only_port_operations_are_reachable() -> None:
    guarded = GuardedTarget(SimTarget(seed=1), 5)
    with pytest.raises(AttributeError):
        guarded.world.world  # noqa: B018 - the simulator's internals stay hidden


def test_a_target_without_target_info_is_refused() -> None:
    target = Scripted()
    target.info = {"name": "scripted"}  # type: ignore[assignment]
    with pytest.raises(port.TargetError, match="TargetInfo"):
        GuardedTarget(target, 5)


def test_the_simulator_passes_the_guard_unchanged() -> None:
    guarded = GuardedTarget(SimTarget(seed=4), 5)
    person = guarded.world.create_person()
    device = guarded.world.create_device(person.id, port.Platform.ANDROID, "6.6.0")
    assert guarded.app.screen(device).backup_setting == "Cloud backup"
    guarded.close()


@pytest.mark.parametrize(("parameters", "readings", "problem"), [
    ({"msa_code_digitz": 6}, {}, "unknown parameter 'msa_code_digitz'"),
    ({"msa_code_digits": "six"}, {}, "must be a non-negative number"),
    ({"msa_code_digits": True}, {}, "must be a non-negative number"),
    ({}, {"existing_accounts": "some"}, "must be one of ['any', 'same']"),
    ({}, {"second_pairings": "refused"}, "unknown reading 'second_pairings'"),
])
def test_a_bad_declaration_is_a_target_error_naming_it(parameters, readings, problem) -> None:
    target = SimTarget(seed=1)
    target.info = dataclasses.replace(target.info, parameters=parameters, readings=readings)
    with pytest.raises(port.TargetError) as caught:
        GuardedTarget(target, timeout=5)
    assert problem in str(caught.value)


def test_an_unknown_capability_is_a_target_error_like_an_unknown_parameter() -> None:
    target = SimTarget(seed=1)
    target.info = dataclasses.replace(
        target.info, capabilities=frozenset({port.Capability.CLOCK, "time_travel"}))
    with pytest.raises(port.TargetError, match="unknown capability 'time_travel'"):
        GuardedTarget(target, timeout=5)
    target.info = dataclasses.replace(target.info, capabilities=frozenset({"clock"}))
    assert GuardedTarget(target, timeout=5).has(port.Capability.CLOCK)


def test_undeclared_readings_default_to_the_stricter_one() -> None:
    info = port.TargetInfo("x", "1", frozenset(), "current")
    assert info.reading(port.Reading.EXISTING_ACCOUNTS) == "any"
    assert info.reading(port.Reading.SECOND_PAIRING) == "newest_wins"
    assert info.parameter(port.Parameter.MSA_CODE_DIGITS) is None
