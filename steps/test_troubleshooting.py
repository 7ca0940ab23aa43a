"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import given, parsers, scenarios, then

from steps.cast import Cast

scenarios("../features/troubleshooting.feature")


@given("the cloud store will damage the next backup it is sent")
def _(cast: Cast) -> None:
    cast.target.world.inject_fault("store_corrupts_next_write")


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    assert any("connection" in alert.lower() for alert in alerts), alerts
