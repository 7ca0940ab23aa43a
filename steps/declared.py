"""Numbers the documents never name, taken from what the target declares.

The documents say a backup goes out of date when the recovery sign-in lapses, that a
verification code or an activation QR code proves identity (so it cannot last for
ever), that codes change with time -- but never for how long or how many digits. A
target declares those values in ``TargetInfo.parameters`` (``port.Parameter``); these
steps derive their numbers from the declaration, so the documented relation is checked
at the target's own values. An undeclared value makes the scenario not-applicable,
with a reason naming the parameter -- never a pass, never a failure.
"""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, then, when

from authconform.port import Parameter
from authconform.spec.catalogue import NOT_APPLICABLE_PREFIX
from steps.accounts import read_codes
from steps.cast import Cast
from steps.security import key_holder_calls_after_sign_in


def declared(cast: Cast, name: Parameter) -> float:
    """The target's declared value, or not-applicable naming the parameter."""
    value = cast.target.info.parameter(name)
    if value is None:
        pytest.skip(f"{NOT_APPLICABLE_PREFIX} parameter {name.value!r} is not declared by "
                    "the target (TargetInfo.parameters), so this exact-number check cannot "
                    "be made")
    return value


def _margin(span: float) -> float:
    """How far before or after a declared span to look: a day, or a tenth of a short
    span, so 'just before' and 'just after' stay on their side of it."""
    return min(24 * 3600.0, span / 10)


# ------------------------------------------------------------------ codes
@then("each code has as many digits as the target declares for personal accounts")
def _(cast: Cast, codes: dict[str, str | None]) -> None:
    """Checks every code read in the When step against the target's declared digits."""
    digits = int(declared(cast, Parameter.MSA_CODE_DIGITS))
    for code in codes.values():
        assert code is not None and code.isdigit() and len(code) == digits, (
            f"code {code!r} is not {digits} digits, as the target declares")


@then(parsers.parse('the "{label}" codes on the "{first}" and the "{second}" differ, at this '
                    "instant or one declared code period later"))
def _(cast: Cast, label: str, first: str, second: str) -> None:
    """Two phones with credentials of their own (REQ-CODES-01) show one code at one
    instant only by chance: one in ten to the power of the code's length. So when the
    two agree, both are read again one declared code period later, when each has
    changed; agreeing twice is one credential shared. The period is asked for only
    then: a target that declares none is not-applicable on that chance alone."""
    codes = read_codes(cast, label, first, second)
    one, other = codes.values()
    if one is not None and one == other:
        cast.target.world.advance_clock(declared(cast, Parameter.MSA_CODE_PERIOD_S))
        codes = read_codes(cast, label, first, second)
        one, other = codes.values()
    assert one is not None and other is not None, codes
    assert one != other, (
        f"the {first} and the {second} show the same {label} code at two successive "
        f"code periods ({one!r}): the two phones share one credential")


@when(parsers.parse('the time step of the noted "{label}" code and the declared drift '
                    "window pass"))
def _(cast: Cast, label: str) -> None:
    # The code's own period (a site's otpauth parameter); the provider's drift window
    # is the target's choice: one step past it, the noted code is out of every window.
    site = next(a.site for a in cast.accounts.values() if a.label == label and a.site)
    drift = int(declared(cast, Parameter.CODE_DRIFT_STEPS))
    cast.target.world.advance_clock((drift + 1) * site.period)


# ------------------------------------------------------------------ sign-in lifetime
@when("the declared recovery sign-in lifetime has almost passed")
def _(cast: Cast) -> None:
    lifetime = declared(cast, Parameter.RECOVERY_SIGN_IN_LIFETIME_S)
    cast.target.world.advance_clock(lifetime - _margin(lifetime))


@when("the declared recovery sign-in lifetime has passed")
def _(cast: Cast) -> None:
    lifetime = declared(cast, Parameter.RECOVERY_SIGN_IN_LIFETIME_S)
    cast.target.world.advance_clock(lifetime + _margin(lifetime))


# ------------------------------------------------------------------ one-time proofs
@when("the declared lifetime of an emailed or texted code passes")
def _(cast: Cast) -> None:
    cast.target.world.advance_clock(declared(cast, Parameter.EMAIL_CODE_LIFETIME_S) + 1)


@when("the declared lifetime of an activation QR code passes")
def _(cast: Cast) -> None:
    cast.target.world.advance_clock(declared(cast, Parameter.QR_LIFETIME_S) + 1)


@then(parsers.parse('every call the "{phone}" made to the backup key holder came within the '
                    "declared key freshness of its sign-in to the recovery account"))
def _(cast: Cast, phone: str) -> None:
    freshness = declared(cast, Parameter.KEY_FRESHNESS_S)
    for age in key_holder_calls_after_sign_in(cast, phone):
        assert age <= freshness, (
            f"the {phone} called the key holder {age:g} s after its last sign-in to the "
            f"recovery account; the target declares {freshness:g} s")
