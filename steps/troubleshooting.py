"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import parsers, then

from authconform.port import AlertCode
from steps.cast import Cast


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    # Either sign is a correct answer: the documents only say a connection is needed.
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    codes = {alert.code for alert in alerts}
    assert codes & {AlertCode.BACKUP_PENDING, AlertCode.NO_NETWORK}, alerts
