"""How steps tell accounts apart (steps/cast.py): never by a user name alone.

A person may use one user name at every site, and an app may name tiles by user name, so
two tiles can share both; the ``one-user-name-everywhere`` variant is such an app. These
tests drive it through the port and check that each step helper finds the right tile.
"""

from __future__ import annotations

import pytest

from authconform.adapters.guard import GuardedTarget
from authconform.adapters.inprocess import SimTarget
from authconform.alterations.variants import VARIANTS
from authconform.port import AccountEntry, AccountKind, BackedUpEntry, Platform
from steps import promised
from steps.cast import Cast, Phone, entry_for


@pytest.fixture
def cast() -> Cast:
    """Alex with GitHub and Dropbox on one iPhone, under one user name and one tile name."""
    inner = SimTarget(seed=5)
    VARIANTS["one-user-name-everywhere"].apply(inner.world_model)
    cast = Cast(GuardedTarget(inner, 10.0))
    person = cast.person("Alex")
    device = cast.target.world.create_device(person.id, Platform.IOS, "6.8.0")
    cast.phones["iPhone"] = Phone("iPhone", "Alex", device, Platform.IOS, "Alex's iPhone")
    for issuer in ("GitHub", "Dropbox"):
        cast.add_site("Alex", cast.target.world.create_site_account(person.id, issuer))
        site = cast.account("Alex", issuer).site
        assert site is not None
        assert cast.target.app.enter_code_manually(device, site.issuer, site.username,
                                                   site.secret).ok
    return cast


def test_the_variant_really_shares_one_user_name_and_one_tile_name(cast: Cast) -> None:
    github, dropbox = cast.target.app.list_accounts(cast.phone("iPhone").id)
    assert github.username == dropbox.username
    assert github.display_name == dropbox.display_name
    assert github.issuer != dropbox.issuer


def test_each_account_finds_its_own_tile(cast: Cast) -> None:
    entries = cast.target.app.list_accounts(cast.phone("iPhone").id)
    for label in ("GitHub", "Dropbox"):
        assert cast.entry("iPhone", label).issuer == label
        assert cast.label_of("Alex", cast.entry("iPhone", label)) == label
    assert [cast.label_of("Alex", e) for e in entries] == ["GitHub", "Dropbox"]


def test_a_removed_account_is_missed_although_another_tile_has_its_user_name(
        cast: Cast) -> None:
    device = cast.phone("iPhone").id
    assert cast.target.app.remove_account(device, cast.entry("iPhone", "GitHub").id).ok
    entries = cast.target.app.list_accounts(device)
    assert entry_for(entries, cast.account("Alex", "GitHub")) is None
    assert entry_for(entries, cast.account("Alex", "Dropbox")) is not None


def test_issuer_and_user_name_are_compared_without_case(cast: Cast) -> None:
    tile = cast.entry("iPhone", "GitHub")
    shouted = AccountEntry(tile.id, tile.kind, "GITHUB", tile.username.upper(),
                           tile.display_name, False, False)
    assert entry_for([shouted], cast.account("Alex", "GitHub")) == shouted


def test_a_personal_tile_is_found_by_its_address_whatever_issuer_the_app_shows() -> None:
    # The port suggests "Microsoft"; another word there is the app's choice, not a fault.
    inner = SimTarget(seed=5)
    cast = Cast(GuardedTarget(inner, 10.0))
    person = cast.person("Alex")
    cast.add_msa("Alex", cast.target.world.create_microsoft_account(person.id))
    account = cast.account("Alex", "Microsoft")
    tile = AccountEntry("e1", AccountKind.PERSONAL, "Microsoft account", account.username,
                        account.username, False, False)
    assert entry_for([tile], account) == tile


def test_a_backed_up_third_party_account_is_matched_by_its_issuer_too(cast: Cast) -> None:
    github, dropbox = cast.target.app.list_accounts(cast.phone("iPhone").id)
    backed_up = BackedUpEntry(AccountKind.THIRD_PARTY,
                              {"label": f"GitHub:{github.username}", "user": github.username})
    assert promised._holds(backed_up, github)
    assert not promised._holds(backed_up, dropbox)
