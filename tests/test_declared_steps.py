"""The steps that accept a refusal family, need a reading or a declared value: what
they say when they fail, and that an undeclared value is not-applicable, never a pass."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from authconform.adapters.inprocess import SimTarget
from authconform.port import Outcome, OutcomeCode, Parameter, Reading
from authconform.spec import families, readings
from steps.declared import declared
from steps.outcomes import refused_as


def test_any_code_of_the_family_passes_and_the_message_is_kept() -> None:
    for code in families.family("backup unavailable"):
        refused_as(Outcome(False, code, "gone"), "recovery", "backup unavailable")


def test_a_code_outside_the_family_names_the_code_its_message_and_the_family() -> None:
    with pytest.raises(AssertionError) as caught:
        refused_as(Outcome(False, OutcomeCode.NETWORK_UNAVAILABLE, "offline"), "recovery",
                   "backup unavailable")
    said = str(caught.value)
    assert "recovery was refused with NETWORK_UNAVAILABLE ('offline')" in said
    assert "'backup unavailable' codes" in said and "BACKUP_DELETED" in said


def test_a_success_or_a_silent_refusal_is_not_a_family_answer() -> None:
    with pytest.raises(AssertionError, match="recovery was not refused"):
        refused_as(Outcome.success("fine"), "recovery", "backup unavailable")
    with pytest.raises(AssertionError, match="came without a message"):
        refused_as(Outcome(False, OutcomeCode.NO_BACKUP_FOUND, " "), "recovery",
                   "backup unavailable")


def test_an_unknown_family_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown refusal family 'backup gone'; known: "):
        refused_as(Outcome(False, OutcomeCode.NO_BACKUP_FOUND, "x"), "recovery", "backup gone")


def test_every_family_code_is_a_port_code_and_no_family_is_empty() -> None:
    for name, codes in families.FAMILIES.items():
        assert codes and all(isinstance(c, OutcomeCode) for c in codes), name


def _cast(info: object) -> SimpleNamespace:
    return SimpleNamespace(target=SimpleNamespace(info=info))


def test_a_declared_value_is_used_and_an_undeclared_one_is_not_applicable() -> None:
    info = SimTarget(seed=1).info
    assert declared(_cast(info), Parameter.MSA_CODE_DIGITS) == 8  # type: ignore[arg-type]
    bare = dataclasses.replace(info, parameters={})
    with pytest.raises(pytest.skip.Exception) as caught:
        declared(_cast(bare), Parameter.KEY_FRESHNESS_S)  # type: ignore[arg-type]
    assert str(caught.value.msg).startswith(
        "not-applicable: parameter 'key_freshness_s' is not declared by the target")


def test_the_reading_steps_say_which_reading_the_target_declared() -> None:
    info = SimTarget(seed=1, recovery_block="same").info
    assert readings.mismatch(info, [readings.tag(Reading.EXISTING_ACCOUNTS, "any")]) == (
        "not-applicable: reading 'existing_accounts': the target declares 'same', this "
        "scenario is written for 'any'")


def test_the_verdict_names_an_undeclared_parameter_as_the_cause() -> None:
    from authconform.gate import verdict

    message = ("not-applicable: parameter 'qr_lifetime_s' is not declared by the target "
               "(TargetInfo.parameters), so this exact-number check cannot be made")
    result = verdict.ScenarioResult(id="s", name="s", feature="f", status="not-applicable",
                                    requirements=("REQ-A-01",), message=message)
    assert verdict.unverified_because("not-applicable", [result], True) == [
        "parameter qr_lifetime_s"]


def test_an_expired_qr_without_a_declared_lifetime_names_the_parameter() -> None:
    from steps.verification import _expired_qr

    bare = dataclasses.replace(SimTarget(seed=1).info, parameters={})
    with pytest.raises(pytest.skip.Exception) as caught:
        _expired_qr(_cast(bare), "Alex", "Contoso")  # type: ignore[arg-type]
    assert "parameter 'qr_lifetime_s' is not declared" in str(caught.value.msg)
