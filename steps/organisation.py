"""A work or school organisation's side: unregistering a phone and what its IT
administrator can see (capability: admin)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import precondition
from authconform.port import AdminDevice, AdminView
from steps.cast import Cast


def _device(view: AdminView, name: str) -> AdminDevice:
    found = [d for d in view.devices if d.device_name == name]
    assert found, f"the administrator does not see {name!r}"
    return found[-1]


@when(parsers.parse('"{org}" unregisters the "{phone}"'))
def _(cast: Cast, org: str, phone: str) -> None:
    cast.target.world.unregister_device(cast.tenants[org].id, cast.phone(phone).id)


@given(parsers.parse('the "{org}" administrator still sees the "{phone}" as registered'))
@precondition("REQ-LOST-02")
def _(cast: Cast, org: str, phone: str) -> None:
    """Until the organisation acts, the old phone stays registered, recovery on a new
    phone notwithstanding (REQ-LOST-02): what unregistering it does (REQ-LOST-01) can
    only be seen on a phone that was still registered."""
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert _device(view, cast.phone(phone).name).registered, (
        f"the {phone} was unregistered before {org} acted")


@given(parsers.parse('we note what the "{org}" administrator sees'), target_fixture="admin_before")
def _(cast: Cast, org: str) -> AdminView:
    return cast.target.world.admin_view(cast.tenants[org].id)


@then(parsers.parse('the "{org}" administrator sees the "{phone}" as unregistered'))
def _(cast: Cast, org: str, phone: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert not _device(view, cast.phone(phone).name).registered


@then(parsers.parse('the "{org}" administrator sees the "{phone}" as registered'))
def _(cast: Cast, org: str, phone: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert _device(view, cast.phone(phone).name).registered


@then(parsers.parse('the "{org}" administrator\'s events mention the "{phone}" being '
                    "unregistered"))
def _(cast: Cast, org: str, phone: str) -> None:
    name = cast.phone(phone).name
    events = cast.target.world.admin_view(cast.tenants[org].id).events
    assert any(name in e and "unregister" in e.lower() for e in events), events


@then(parsers.parse('the "{org}" administrator sees nothing new'))
def _(cast: Cast, admin_before: AdminView, org: str) -> None:
    assert cast.target.world.admin_view(cast.tenants[org].id) == admin_before


@then(parsers.parse('the "{org}" administrator sees nothing of {name:w}\'s "{first}" and '
                    '"{second}" accounts'))
def _(cast: Cast, org: str, name: str, first: str, second: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    seen = [*view.accounts_seen, *view.events, *(d.username for d in view.devices)]
    for label in (first, second):
        account = cast.known(name, label)
        assert account is not None, f"{name}'s {label} account was never used"
        username = account.username.lower()
        assert not [s for s in seen if username in s.lower()], f"the admin sees {label}"


@then(parsers.parse('every new thing the "{org}" administrator sees is about {name:w}\'s '
                    '"{label}" account'))
def _(cast: Cast, admin_before: AdminView, org: str, name: str, label: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    account = cast.known(name, label)
    assert account is not None, f"{name}'s {label} account was never used"
    username = account.username.lower()
    new_events = view.events[len(admin_before.events):]
    new_devices = set(view.devices) - set(admin_before.devices)
    assert new_events or new_devices, "the administrator sees nothing new at all"
    assert all(username in e.lower() for e in new_events), new_events
    assert all(d.username.lower() == username for d in new_devices), new_devices
