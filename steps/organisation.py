"""A work or school organisation's side: unregistering a phone and what its IT
administrator can see (capability: admin)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import precondition
from authconform.port import AccountKind, AdminDevice, AdminView
from authconform.spec.mentions import mentions
from steps.cast import Account, Cast, Phone
from steps.security import (
    admin_devices,
    admin_may_know,
    admin_texts,
    identifying,
    new_admin_events,
    work_usernames,
)


def _device(view: AdminView, phone: Phone) -> AdminDevice:
    found = admin_devices(view, phone)
    assert found, f"the administrator does not see the {phone.label}"
    return found[-1]  # the latest registration, if the view keeps earlier ones too


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
    assert _device(view, cast.phone(phone)).registered, (
        f"the {phone} was unregistered before {org} acted")


@given(parsers.parse('we note what the "{org}" administrator sees'), target_fixture="admin_before")
def _(cast: Cast, org: str) -> AdminView:
    return cast.target.world.admin_view(cast.tenants[org].id)


@then(parsers.parse('the "{org}" administrator sees the "{phone}" as unregistered'))
def _(cast: Cast, org: str, phone: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert not _device(view, cast.phone(phone)).registered


@then(parsers.parse('the "{org}" administrator sees the "{phone}" as registered'))
def _(cast: Cast, org: str, phone: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert _device(view, cast.phone(phone)).registered


@then(parsers.parse('the "{org}" administrator sees nothing of {name:w}\'s "{first}" and '
                    '"{second}" accounts'))
def _(cast: Cast, org: str, name: str, first: str, second: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    seen, known = admin_texts(view), admin_may_know(cast, org)
    for label in (first, second):
        account = cast.known(name, label)
        assert account is not None, f"{name}'s {label} account was never used"
        leaks = mentions(seen, _naming(cast, account), known)
        assert not leaks, f"the admin sees {name}'s {label} account: {leaks}"


@then(parsers.parse('every new thing the "{org}" administrator sees is about {name:w}\'s '
                    '"{label}" account'))
def _(cast: Cast, admin_before: AdminView, org: str, name: str, label: str) -> None:
    """Something new, and all of it about the work account (a re-activation)."""
    _new_only_about(cast, admin_before, org, name, label, something=True)


@then(parsers.parse('anything new the "{org}" administrator sees is about {name:w}\'s '
                    '"{label}" account'))
def _(cast: Cast, admin_before: AdminView, org: str, name: str, label: str) -> None:
    """Nothing new, or only about the work account: 000 "Important" and 002 keep the
    personal and third-party accounts from the administrator, not the work account's own
    goings-on (an app may tell the organisation its account was restored)."""
    _new_only_about(cast, admin_before, org, name, label, something=False)


def _new_only_about(cast: Cast, admin_before: AdminView, org: str, name: str, label: str,
                    something: bool) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    account = cast.known(name, label)
    assert account is not None, f"{name}'s {label} account was never used"
    assert account.kind is AccountKind.WORK, f"{label} is not a work or school account"
    username = account.username.strip().lower()
    new_events = new_admin_events(admin_before, view)
    new_devices = set(view.devices) - set(admin_before.devices)
    if something:
        assert new_events or new_devices, "the administrator sees nothing new at all"
    others = [d for d in new_devices if d.username.strip().lower() != username]
    assert not others, f"new devices of another user: {others}"
    new_names = {u.strip().lower() for u in view.accounts_seen} - {
        u.strip().lower() for u in admin_before.accounts_seen}
    assert new_names <= {username}, f"new user names the administrator sees: {new_names}"
    private = identifying(cast, name) - work_usernames(cast)
    leaks = mentions(new_events, private, admin_may_know(cast, org))
    assert not leaks, f"new events tell of {name}'s other accounts: {leaks}"


def _naming(cast: Cast, account: Account) -> set[str]:
    """What names ``account``: its user name, a third-party account's issuer, and a
    personal Microsoft account's alternate address and number."""
    found = {account.username}
    if account.site is not None:
        found.add(account.site.issuer)
    if account.kind is AccountKind.PERSONAL:
        for msa in (cast.recovery_accounts.get(account.owner),
                    cast.second_msas.get(account.owner)):
            if msa is not None and msa.id == account.id:
                found |= {msa.alternate_email or "", msa.alternate_phone or ""}
    return {f for f in found if f}
