"""Recovering accounts on a new phone (area RECOVERY)."""

from pytest_bdd import given, parsers, when

from authconform.spec.allowed import allowed
from steps.cast import Cast

# Where a connection can drop during recovery, as the port's fault points name it.
DROP_POINTS = {
    "before the backup key is fetched": "network_drop_before_key_fetch",
    "while the backup downloads": "network_drop_during_download",
    "after the backup has downloaded": "network_drop_after_download",
}
SERVICES = {"iCloud": "icloud", "backup key": "key-service",
            "Microsoft cloud storage": "microsoft-storage"}


@given(parsers.parse("the connection will drop {moment}"))
@allowed(moment=DROP_POINTS)
def _(cast: Cast, moment: str) -> None:
    cast.target.world.inject_fault(DROP_POINTS[moment])


@given(parsers.parse('the "{service}" service is down'))
@allowed(service=SERVICES)
def _(cast: Cast, service: str) -> None:
    cast.target.world.set_service_online(SERVICES[service], False)


@when(parsers.parse('the "{service}" service is back'))
@allowed(service=SERVICES)
def _(cast: Cast, service: str) -> None:
    cast.target.world.set_service_online(SERVICES[service], True)
