"""What the app answered: the last ``Outcome`` a When step handed on as ``outcome``."""

from __future__ import annotations

from pytest_bdd import parsers, then

from authconform.families import family
from authconform.port import Outcome, OutcomeCode


@then(parsers.parse('the app answers "{code}"'))
def _(outcome: Outcome, code: str) -> None:
    assert outcome.code == OutcomeCode(code), outcome
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse('{action} is refused with "{code}"'))
def _(outcome: Outcome, action: str, code: str) -> None:
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    assert outcome.code == OutcomeCode(code), outcome
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse('{action} is refused as "{name}"'))
def _(outcome: Outcome, action: str, name: str) -> None:
    # Any code of the family is a correct answer; the message is kept for the report.
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    assert outcome.code in family(name), (
        f"{action} was refused with {outcome.code} ({outcome.message!r}), "
        f"not with one of the {name!r} codes {sorted(family(name))}")
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse("{action} is refused"))
def _(outcome: Outcome, action: str) -> None:
    assert not outcome.ok, f"{action} was not refused: {outcome}"
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"


@then(parsers.parse("{action} succeeds"))
def _(outcome: Outcome, action: str) -> None:
    assert outcome.ok and outcome.code == OutcomeCode.OK, f"{action} failed: {outcome}"


@then(parsers.parse('the message mentions "{words}"'))
def _(outcome: Outcome, words: str) -> None:
    assert words.lower() in outcome.message.lower(), outcome.message
