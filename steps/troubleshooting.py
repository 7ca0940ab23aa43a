"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import given, parsers, then, when

from authconform.port import AlertCode
from steps.cast import Cast


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    # Either sign is a correct answer: the documents only say a connection is needed.
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    codes = {alert.code for alert in alerts}
    assert codes & {AlertCode.BACKUP_PENDING, AlertCode.NO_NETWORK}, alerts


# ------------------------------------------------------------------ the recovery account
@given(parsers.parse("{name:w}'s personal Microsoft account has a problem of its own"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, True)


@when(parsers.parse("the problem with {name:w}'s personal Microsoft account is solved"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, False)
