"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import parsers, scenarios, then, when

from authconform import port
from steps.cast import Cast
from steps.inspection import STORE_KIND

scenarios("../features/troubleshooting.feature")


DAMAGES = {"changes one byte of": "flip", "cuts off the second half of": "truncate"}


@when(parsers.parse("someone {damage} {name:w}'s backup in {store}"))
def _(cast: Cast, damage: str, name: str, store: str) -> None:
    """Damage the backup at rest (capability tamper)."""
    kind = STORE_KIND[store]
    location = (cast.apple_id(name) if kind is port.Store.ICLOUD else cast.msa(name)).username
    assert cast.target.world.tamper_backup(kind, location, DAMAGES[damage]), "no backup"


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    assert any("connection" in alert.lower() for alert in alerts), alerts
