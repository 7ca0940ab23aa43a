"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import parsers, then

from steps.cast import Cast


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    assert any("connection" in alert.lower() for alert in alerts), alerts
