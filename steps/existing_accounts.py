"""Recovery while accounts already exist (area EXISTING).

The documents read two ways (see REQ-EXISTING-01 and ``port.Reading.EXISTING_ACCOUNTS``):
any account blocks recovery, or only an account that is also in the backup does. The
target declares its reading in ``TargetInfo.readings``; scenarios written for one
reading carry ``@reading-existing_accounts-any`` or ``...-same`` and are not-applicable
against a target that declares the other (``authconform/spec/readings.py``). These Given
steps say the same in Gherkin, for a scenario that prefers words to a tag.
"""

import pytest
from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import Outcome, OutcomeCode, Reading
from authconform.spec import readings
from authconform.spec.person import start_recovery
from steps.accounts import shown_labels
from steps.cast import Cast, split_labels


def _needs_reading(cast: Cast, value: str) -> None:
    reason = readings.mismatch(cast.target.info, [readings.tag(Reading.EXISTING_ACCOUNTS,
                                                               value)])
    if reason:
        pytest.skip(reason)


@given("the app blocks recovery while it holds any account")
def _(cast: Cast) -> None:
    """Skips the scenario (not-applicable) unless the target declares the 'any account
    blocks recovery' reading."""
    _needs_reading(cast, "any")


@given("the app blocks recovery only while it holds an account from the backup")
def _(cast: Cast) -> None:
    """Skips the scenario (not-applicable) unless the target declares the 'only the same
    account blocks recovery' reading."""
    _needs_reading(cast, "same")


@given(parsers.parse('{name:w} has tried to begin recovery on the "{phone}" while it holds '
                     "accounts"))
@when(parsers.parse('{name:w} begins recovery on the "{phone}" while it holds accounts'),
      target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    """A recovery the accounts already on the phone must block (REQ-EXISTING-01), for a
    scenario about what such a refusal leaves or what comes after it (REQ-EXISTING-02,
    -03): a recovery that went ahead is the blocking requirement's failure, and the
    scenario learns nothing."""
    msa = cast.msa(name)
    outcome = start_recovery(cast.target.app, cast.phone(phone).id, msa.username, msa.password)
    with owned_by("REQ-EXISTING-01"):
        assert outcome.code is OutcomeCode.EXISTING_ACCOUNTS, (
            f"the {phone} holds accounts, yet recovery answered {outcome}")
    return outcome


# ------------------------------------------------------------------ what a refusal leaves
# What a refused recovery leaves behind is REQ-EXISTING-02's ("changes nothing"), whichever
# requirement's refusal the scenario is about: one broken behaviour, one failure.
UNCHANGED = "REQ-EXISTING-02"


@then(parsers.parse('the refusal left the "{phone}" with the accounts "{labels}" and no '
                    "others"))
def _(cast: Cast, phone: str, labels: str) -> None:
    with owned_by(UNCHANGED):
        shown = shown_labels(cast, phone)
        assert sorted(shown) == sorted(split_labels(labels)), (
            f"after the refused recovery the {phone} shows {shown}")


@then(parsers.parse('the refusal left the "{label}" account on the "{phone}" waiting for '
                    "additional verification"))
def _(cast: Cast, label: str, phone: str) -> None:
    with owned_by(UNCHANGED):
        assert cast.entry(phone, label).needs_verification, (
            f"after the refused recovery the {label} account no longer waits")
