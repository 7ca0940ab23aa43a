"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import given, parsers, then, when

from authconform.port import Outcome
from authconform.spec.person import start_recovery
from steps.cast import Cast
from steps.outcomes import refused_as


# ------------------------------------------------------------------ the recovery account
@given(parsers.parse("{name:w}'s personal Microsoft account has a problem of its own"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, True)


@when(parsers.parse("the problem with {name:w}'s personal Microsoft account is solved"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, False)


# ------------------------------------------------------------------ accidental deletion
@then(parsers.parse('a deletion the app said it made holds: once the "{old}" is back online, '
                    '{name:w} finds no backup on the "{new}"'))
def _(cast: Cast, outcome: Outcome, old: str, name: str, new: str) -> None:
    """Reads the answer to a deletion asked for offline. A refusal (any code: the documents
    name no answer for an offline deletion) claims nothing, and nothing more is checked.
    A deletion answered as done (000/002 troubleshooting, accidental deletion) must hold,
    whether the app deleted at once or once back online: recovery then finds no backup."""
    cast.target.world.set_device_online(cast.phone(old).id, True)
    if not outcome.ok:
        return
    msa, phone = cast.msa(name), cast.phone(new)
    recovery = start_recovery(cast.target.app, phone.id, msa.username, msa.password)
    refused_as(recovery, "recovery after the deletion", "backup unavailable")
    shown = cast.target.app.list_accounts(phone.id)
    assert not shown, f"the {new} shows {len(shown)} accounts from a deleted backup"
