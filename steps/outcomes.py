"""What the app answered: the last ``Outcome`` a When step handed on as ``outcome``."""

from __future__ import annotations

from pytest_bdd import parsers, then

from authconform.port import Outcome, OutcomeCode
from authconform.spec.allowed import allowed
from authconform.spec.families import FAMILIES, family

# The codes an answer can carry, for every {code} (authconform.spec.allowed).
ALLOWED_PARAMETERS = {"code": [c.value for c in OutcomeCode]}


def told(outcome: Outcome) -> None:
    """A refusal tells the user something (the port's contract: every refusal carries a
    message); a success may pass in silence, as Outcome.success() does: the documents
    word no success."""
    if not outcome.ok:
        assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse('the app answers "{code}"'))
def _(outcome: Outcome, code: str) -> None:
    """Checks the last answer's code, and that a refusal came with a message."""
    assert outcome.code == OutcomeCode(code), outcome
    told(outcome)


@then(parsers.parse("the app answers one of {codes}"))
def _(outcome: Outcome, codes: str) -> None:
    """Checks the last answer is any of the listed codes (a refusal with a message)."""
    # Several refusals that apply at once, in no documented order (the explorer writes
    # this): any of them is right. ``codes`` is a list like "A", "B".
    wanted = {OutcomeCode(c.strip().strip('"')) for c in codes.split(",")}
    assert outcome.code in wanted, f"{outcome} is not one of {sorted(wanted)}"
    told(outcome)


@then(parsers.parse('{action} is refused with "{code}"'))
def _(outcome: Outcome, action: str, code: str) -> None:
    """Checks the last answer is a refusal with this code and a message for the user."""
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    assert outcome.code == OutcomeCode(code), outcome
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


def refused_as(outcome: Outcome, action: str, name: str) -> None:
    """Any code of the family is a correct answer; the message is kept for the report."""
    codes = family(name)  # an unknown family name fails here, naming the known ones
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    assert outcome.code in codes, (
        f"{action} was refused with {outcome.code} ({outcome.message!r}), "
        f"not with one of the {name!r} codes {sorted(codes)}")
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse('{action} is refused as "{name}"'))
@allowed(name=FAMILIES)
def _(outcome: Outcome, action: str, name: str) -> None:
    """Checks the last answer is a refusal with any code of this family."""
    refused_as(outcome, action, name)


def refused(outcome: Outcome, action: str) -> None:
    """A refusal, whatever its code, with a message: where the documents say only that
    something does not work."""
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    told(outcome)


@then(parsers.parse("{action} is refused"))
def _(outcome: Outcome, action: str) -> None:
    """Checks the last answer is a refusal, whatever its code, with a message."""
    refused(outcome, action)


@then(parsers.parse("{action} succeeds"))
def _(outcome: Outcome, action: str) -> None:
    """Checks the last answer is OK."""
    assert outcome.ok and outcome.code == OutcomeCode.OK, f"{action} failed: {outcome}"


@then(parsers.parse('the app\'s answer is "{expected}"'))
def _(outcome: Outcome, expected: str) -> None:
    """Checks the last answer: "OK", or a refusal of the named family or code."""
    # For an Examples column that mixes success ("OK") with refusal families.
    if expected in FAMILIES:
        refused_as(outcome, "the request", expected)
    else:
        assert outcome.code == OutcomeCode(expected), outcome
        told(outcome)
