"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import parsers, scenarios, then, when

from authconform import port
from steps.cast import Cast
from steps.inspection import STORE_KIND

scenarios("../features/troubleshooting.feature")


@when(parsers.parse("{name:w}'s backup in {store} gets damaged"))
def _(cast: Cast, name: str, store: str) -> None:
    """Damage the backup at rest. The port has no operation for this yet (proposed:
    ``WorldPort.tamper_backup(store, location, offset) -> bool`` under capability
    faults); until it has, the scenario is not applicable rather than passing."""
    if not hasattr(port.WorldPort, "tamper_backup"):
        raise port.CapabilityMissing(
            port.Capability.FAULTS,
            "tamper_backup(store, location, offset) is proposed but not in the port yet")
    kind = STORE_KIND[store]
    location = (cast.apple_id(name) if kind is port.Store.ICLOUD else cast.msa(name)).username
    assert cast.target.world.tamper_backup(kind, location, 0), "there was no backup"


@then(parsers.parse('the "{phone}" says the backup will finish when the connection is back'))
def _(cast: Cast, phone: str) -> None:
    alerts = cast.target.app.screen(cast.phone(phone).id).alerts
    assert any("connection" in alert.lower() for alert in alerts), alerts
