"""Accounts in the app: adding, renaming, reordering and removing tiles; what the Accounts
screen shows; the codes on the tiles and whether the providers take them."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import AccountKind, Capability, Outcome
from steps.camera import scanned
from steps.cast import Account, Cast, entry_for, split_labels, tile_key


def add_account(cast: Cast, account: Account, device_id: str, push: bool) -> Outcome:
    """Add an account the way its provider hands it out, without the camera: a personal
    account by signing in, a work account by typing its activation code and URL, a
    third-party account by typing its secret."""
    app, world = cast.target.app, cast.target.world
    if push:
        cast.push.add((account.owner, account.label))
    if account.kind is AccountKind.PERSONAL:
        return app.add_personal_account(device_id, account.username, account.password, push)
    if account.kind is AccountKind.WORK:
        assert account.tenant is not None
        qr = world.issue_activation_qr(account.tenant.id, account.id)
        cast.setup_qrs[(account.owner, account.label)] = qr
        return app.enter_activation_manually(device_id, qr.code, qr.url, push)
    site = account.site
    assert site is not None
    return app.enter_code_manually(device_id, site.issuer, site.username, site.secret,
                                   site.digits, site.period, site.algorithm)


PUSH_SUFFIX = " with sign-in notifications"


def add_labelled(cast: Cast, name: str, labels: str, device_id: str) -> None:
    """Add 'Microsoft with sign-in notifications, GitHub': each account, with push where
    its label says so."""
    for label in split_labels(labels):
        push = label.endswith(PUSH_SUFFIX)
        label = label.removesuffix(PUSH_SUFFIX)
        outcome = add_account(cast, cast.account(name, label), device_id, push=push)
        assert outcome.ok, (label, outcome)


# ------------------------------------------------------------------ adding
@given(parsers.parse('{name:w} has added the "{label}" account to the "{phone}"'))
def _(cast: Cast, name: str, label: str, phone: str) -> None:
    outcome = add_account(cast, cast.account(name, label), cast.phone(phone).id, push=False)
    assert outcome.ok, outcome


@given(parsers.parse('{name:w} has added the "{label}" account with sign-in notifications '
                     'to the "{phone}"'))
def _(cast: Cast, name: str, label: str, phone: str) -> None:
    outcome = add_account(cast, cast.account(name, label), cast.phone(phone).id, push=True)
    assert outcome.ok, outcome


@given(parsers.parse('{name:w} has added the accounts "{labels}" to the "{phone}"'))
def _(cast: Cast, name: str, labels: str, phone: str) -> None:
    device_id = cast.phone(phone).id
    for label in split_labels(labels):
        outcome = add_account(cast, cast.account(name, label), device_id, push=False)
        assert outcome.ok, (label, outcome)


@given(parsers.parse('{name:w} has typed in the accounts "{labels}" under one user name on '
                     'the "{phone}"'))
def _(cast: Cast, name: str, labels: str, phone: str) -> None:
    """Third-party accounts typed in by hand, each with its own site's secret, all named
    with the first one's user name: a person may use one name at every site, and types
    what they like. Their tiles then differ by issuer alone (steps/cast.py)."""
    accounts = [cast.account(name, label) for label in split_labels(labels)]
    shared = accounts[0].username
    for account in accounts:
        site = account.site
        assert site is not None, f"{account.label} is not a third-party account"
        outcome = cast.target.app.enter_code_manually(
            cast.phone(phone).id, site.issuer, shared, site.secret, site.digits, site.period,
            site.algorithm)
        assert outcome.ok, (account.label, outcome)
        cast.add_account(dataclasses.replace(account, username=shared))


@when(parsers.parse('{name:w} adds the "{label}" account to the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    return add_account(cast, cast.account(name, label), cast.phone(phone).id, push=False)


@when(parsers.parse('{name:w} types in the secret of the "{label}" account on the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    site = cast.account(name, label).site
    assert site is not None, f"{label} is not a third-party account"
    return cast.target.app.enter_code_manually(cast.phone(phone).id, site.issuer,
                                               site.username, site.secret, site.digits,
                                               site.period, site.algorithm)


@when(parsers.parse('{name:w} scans the QR code of the "{label}" account with the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    site = cast.account(name, label).site
    assert site is not None, f"{label} is not a third-party account"
    return scanned(cast, phone, cast.target.app.scan_qr(cast.phone(phone).id, site.qr_png))


# ------------------------------------------------------------------ changing
@given(parsers.parse('{name:w} has renamed the "{label}" account to "{new_name}" on the '
                     '"{phone}"'))
@when(parsers.parse('{name:w} renames the "{label}" account to "{new_name}" on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, label: str, new_name: str, phone: str) -> Outcome:
    return cast.target.app.rename_account(cast.phone(phone).id,
                                          cast.entry(phone, label).id, new_name)


@when(parsers.parse('{name:w} moves the "{label}" account to the top on the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, label: str, phone: str) -> Outcome:
    return move_to_top(cast, label, phone)


@when(parsers.parse('{name:w} moves the bottom account to the top on the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    """A reorder that changes the order whatever place the app gave each new account
    (the documents do not say where one goes): the last shown goes first."""
    return move_bottom_to_top(cast, phone)


@when(parsers.parse('{name:w} moves the bottom account to the top on the "{phone}" and the '
                    "change is backed up"), target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    return backed_up_change(cast, lambda: move_bottom_to_top(cast, phone))


def move_bottom_to_top(cast: Cast, phone: str) -> Outcome:
    device_id = cast.phone(phone).id
    ids = [e.id for e in cast.target.app.list_accounts(device_id)]
    assert len(ids) > 1, f"the {phone} shows {len(ids)} account(s): nothing to reorder"
    return cast.target.app.reorder_accounts(device_id, [ids[-1], *ids[:-1]])


def move_to_top(cast: Cast, label: str, phone: str) -> Outcome:
    device_id = cast.phone(phone).id
    first = cast.entry(phone, label).id
    ids = [e.id for e in cast.target.app.list_accounts(device_id)]
    return cast.target.app.reorder_accounts(device_id, [first] + [i for i in ids if i != first])


# A change made while backup is on, online and signed in reaches the storage location
# by itself (REQ-BACKUP-06). A scenario about what recovery then makes of the change
# (the order, REQ-STORED-04) leans on that: where the target shows its
# stores, these steps see the stored backup change, and charge BACKUP-06 if it did not.
UPLOADED = "REQ-BACKUP-06"


def backed_up_change(cast: Cast, change: Callable[[], Outcome]) -> Outcome:
    inspect = Capability.STORE_INSPECTION in cast.target.info.capabilities
    before = cast.target.world.stored_objects() if inspect else None
    outcome = change()
    if before is not None and outcome.ok:
        with owned_by(UPLOADED):
            assert cast.target.world.stored_objects() != before, (
                "the change never reached the storage location")
    return outcome


@when(parsers.parse('{name:w} moves the "{label}" account to the top on the "{phone}" and the '
                    "change is backed up"), target_fixture="outcome")
def _(cast: Cast, label: str, phone: str) -> Outcome:
    return backed_up_change(cast, lambda: move_to_top(cast, label, phone))


@when(parsers.parse('{name:w} renames the "{label}" account to "{new_name}" on the "{phone}" '
                    "and the change is backed up"), target_fixture="outcome")
def _(cast: Cast, label: str, new_name: str, phone: str) -> Outcome:
    return backed_up_change(cast, lambda: cast.target.app.rename_account(
        cast.phone(phone).id, cast.entry(phone, label).id, new_name))


@given(parsers.parse('{name:w} has removed the "{label}" account from the "{phone}"'))
@when(parsers.parse('{name:w} removes the "{label}" account from the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, label: str, phone: str) -> Outcome:
    return cast.target.app.remove_account(cast.phone(phone).id, cast.entry(phone, label).id)


@when(parsers.parse('{name:w} removes every account from the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    device_id = cast.phone(phone).id
    outcome = Outcome.success()
    for entry in cast.target.app.list_accounts(device_id):
        outcome = cast.target.app.remove_account(device_id, entry.id)
        assert outcome.ok, outcome
    return outcome


# ------------------------------------------------------------------ the Accounts screen
def shown_labels(cast: Cast, phone: str) -> list[str]:
    """The accounts ``phone`` shows, top to bottom, by the labels the features use."""
    p = cast.phone(phone)
    return [cast.label_of(p.owner, e) for e in cast.target.app.list_accounts(p.id)]


@then(parsers.parse('the "{phone}" shows the accounts "{labels}" in that order'))
def _(cast: Cast, phone: str, labels: str) -> None:
    # Only where the scenario's requirement is about the order (REQ-STORED-04, a
    # reorder reaching the backup): elsewhere the order would fail a requirement that
    # says nothing of it, so those scenarios use the step below.
    assert shown_labels(cast, phone) == split_labels(labels)


@then(parsers.parse('the "{phone}" shows the accounts in the order the "{other}" shows them'))
def _(cast: Cast, phone: str, other: str) -> None:
    """The same accounts, in the same order, on both phones (by who they are, never by a
    name: steps/cast.py)."""
    here = [tile_key(e) for e in cast.target.app.list_accounts(cast.phone(phone).id)]
    there = [tile_key(e) for e in cast.target.app.list_accounts(cast.phone(other).id)]
    assert here == there, (f"the {phone} shows {shown_labels(cast, phone)}, the {other} "
                           f"{shown_labels(cast, other)}")


@then(parsers.parse('the "{phone}" shows the accounts "{labels}" and no others'))
def _(cast: Cast, phone: str, labels: str) -> None:
    """Each account once, nothing else, in whatever order."""
    assert sorted(shown_labels(cast, phone)) == sorted(split_labels(labels))


@then(parsers.parse('the "{phone}" shows the "{label}" account'))
def _(cast: Cast, phone: str, label: str) -> None:
    cast.entry(phone, label)


@then(parsers.parse('the "{phone}" does not show the "{label}" account'))
def _(cast: Cast, phone: str, label: str) -> None:
    account = cast.known(cast.phone(phone).owner, label)
    if account is not None:  # an account never used cannot be on any phone
        entries = cast.target.app.list_accounts(cast.phone(phone).id)
        assert entry_for(entries, account) is None


@then(parsers.parse('the "{phone}" shows none of {name:w}\'s accounts'))
def _(cast: Cast, phone: str, name: str) -> None:
    entries = cast.target.app.list_accounts(cast.phone(phone).id)
    for (owner, label), account in cast.accounts.items():
        if owner == name:
            assert entry_for(entries, account) is None, f"{name}'s {label} account is shown"


@then(parsers.parse('the "{phone}" shows no accounts'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.list_accounts(cast.phone(phone).id) == []


@then(parsers.parse('the "{phone}" shows the "{label}" account named "{display_name}"'))
def _(cast: Cast, phone: str, label: str, display_name: str) -> None:
    assert cast.entry(phone, label).display_name == display_name


# A name given before backup was turned on coming back with the recovery is
# REQ-STORED-05's (robustness: the documents never mention names). A scenario that
# judges a later rename by what the recovery shows checks this first, so a recovery that
# drops every name is charged there once.
NAMES_RESTORED = "REQ-STORED-05"


@then(parsers.parse('the "{phone}" shows the "{label}" account still named "{display_name}"'))
def _(cast: Cast, phone: str, label: str, display_name: str) -> None:
    entry = cast.entry(phone, label)  # the account missing is not a name dropped
    with owned_by(NAMES_RESTORED):
        assert entry.display_name == display_name, (
            f"the {label} account came back without the name it had when it was backed up")


# ------------------------------------------------------------------ codes
@when(parsers.parse('{name:w} reads the "{label}" codes on the "{first}" and the "{second}"'),
      target_fixture="codes")
def _(cast: Cast, label: str, first: str, second: str) -> dict[str, str | None]:
    """Both codes within one time step (read_codes)."""
    return read_codes(cast, label, first, second)


def read_codes(cast: Cast, label: str, first: str, second: str) -> dict[str, str | None]:
    """The two phones' codes within one time step. Reading a code may take a while on a
    real phone (the clock cannot be held), so the first phone is read again after the
    second: if its code changed, a time step ended between the reads and all are read
    anew (a few times at most; codes that keep changing are returned as last read)."""
    for _ in range(5):
        one, other, again = (cast.code(first, label), cast.code(second, label),
                             cast.code(first, label))
        if one == again:
            break
    return {first: again, second: other}


@when(parsers.parse('{name:w} reads the "{label}" codes on the "{first}" and the "{second}", '
                    "which differ"), target_fixture="codes")
def _(cast: Cast, label: str, first: str, second: str) -> dict[str, str | None]:
    """For a scenario about which phone a personal account's code works from: that
    needs each phone to hold its own credential, so the codes differ (REQ-CODES-01);
    two equal codes leave nothing to tell apart."""
    codes = read_codes(cast, label, first, second)
    personal = cast.account_on(first, label).kind is AccountKind.PERSONAL
    with owned_by("REQ-CODES-01") if personal else contextlib.nullcontext():
        one, other = codes.values()
        assert one is not None and other is not None and one != other, codes
    return codes


@then("the two codes differ")
def _(codes: dict[str, str | None]) -> None:
    """Checks that the two codes read in the When step are both shown and differ."""
    first, second = codes.values()
    assert first is not None and second is not None
    assert first != second


@then("the two codes are the same")
def _(codes: dict[str, str | None]) -> None:
    """Checks that the two codes read in the When step are shown and equal."""
    first, second = codes.values()
    assert first is not None and first == second


@then(parsers.parse("each code has {digits:d} digits"))
def _(codes: dict[str, str | None], digits: int) -> None:
    """Checks that every code read in the When step is that many digits."""
    for code in codes.values():
        assert code is not None and code.isdigit() and len(code) == digits, code


@then(parsers.parse('the "{label}" provider accepts each code only from the phone that '
                    "shows it"))
def _(cast: Cast, codes: dict[str, str | None], label: str) -> None:
    world = cast.target.world
    for shown_on, code in codes.items():
        account = cast.account_on(shown_on, label)
        for typed_on in codes:
            accepted = world.provider_accepts_code(account.id, code, cast.phone(typed_on).id)
            assert accepted == (typed_on == shown_on), (code, shown_on, typed_on)


@then(parsers.parse('the "{label}" provider accepts each code from the phone that shows it'))
def _(cast: Cast, codes: dict[str, str | None], label: str) -> None:
    # Each code works with its own phone (000/002); whether the other phone's code is
    # refused is a reading the target declares (Reading.OTHER_PHONE_CODE).
    world = cast.target.world
    for shown_on, code in codes.items():
        account = cast.account_on(shown_on, label)
        assert code is not None and world.provider_accepts_code(
            account.id, code, cast.phone(shown_on).id), (code, shown_on)


@then(parsers.parse('the "{label}" provider accepts each code from either phone'))
def _(cast: Cast, codes: dict[str, str | None], label: str) -> None:
    world = cast.target.world
    for shown_on, code in codes.items():
        account = cast.account_on(shown_on, label)
        for typed_on in codes:
            assert world.provider_accepts_code(account.id, code, cast.phone(typed_on).id)


@then(parsers.parse('the "{label}" account on the "{phone}" shows a code its provider '
                    "accepts"))
def _(cast: Cast, label: str, phone: str) -> None:
    device_id = cast.phone(phone).id
    code = cast.code(phone, label)
    assert code is not None, f"the {label} tile on the {phone} shows no code"
    assert cast.target.world.provider_accepts_code(cast.account_on(phone, label).id, code,
                                                   device_id)


# The phone gives nothing the provider takes: a code it refuses, no code, or no tile at
# all. 000 (FAQs) says the organisation unregisters the lost phone; what that phone's
# app then shows (the old tile, a waiting tile, none) is the app's choice.
@then(parsers.parse('the "{label}" account on the "{phone}" makes no code its provider '
                    "accepts"))
def _(cast: Cast, label: str, phone: str) -> None:
    device_id = cast.phone(phone).id
    account = cast.account_on(phone, label)
    tile = entry_for(cast.target.app.list_accounts(device_id), account)
    code = cast.code_on(device_id, tile.id) if tile is not None else None
    assert code is None or not cast.target.world.provider_accepts_code(account.id, code,
                                                                       device_id)


@then(parsers.parse('the "{label}" account on the "{phone}" shows no code'))
def _(cast: Cast, label: str, phone: str) -> None:
    assert cast.code(phone, label) is None
