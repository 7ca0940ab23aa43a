"""People and their identities: personal Microsoft accounts, Apple IDs, work or school
accounts and third-party site accounts. All made by the world; named by role here."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers

from authconform.port import AccountKind
from steps.cast import Account, Cast


@given(parsers.parse("{name:w} has a personal Microsoft account"))
def _(cast: Cast, name: str) -> None:
    person = cast.person(name)
    cast.add_msa(name, cast.target.world.create_microsoft_account(person.id))


@given(parsers.parse("{name:w} has a personal Microsoft account without an alternate "
                     "phone number"))
def _(cast: Cast, name: str) -> None:
    person = cast.person(name)
    cast.add_msa(name, cast.target.world.create_microsoft_account(
        person.id, alternate_email=True, alternate_phone=False))


@given(parsers.parse("{name:w} has a second personal Microsoft account"))
def _(cast: Cast, name: str) -> None:
    cast.second_msas[name] = cast.target.world.create_microsoft_account(cast.person(name).id)


@given(parsers.parse('{name:w} has another personal Microsoft account called "{label}"'))
def _(cast: Cast, name: str, label: str) -> None:
    # An account in the app, not a recovery account: its tile is added and backed up like
    # any other, and it keeps its own password.
    msa = cast.target.world.create_microsoft_account(cast.person(name).id)
    cast.add_account(Account(name, label, AccountKind.PERSONAL, msa.id, msa.username,
                             msa.password, msa=msa))


@given(parsers.parse("{name:w} has an Apple ID"))
def _(cast: Cast, name: str) -> None:
    cast.apple_ids[name] = cast.target.world.create_apple_id(cast.person(name).id)


@given(parsers.parse("{name:w} has a second Apple ID"))
def _(cast: Cast, name: str) -> None:
    cast.second_apple_ids[name] = cast.target.world.create_apple_id(cast.person(name).id)


@given(parsers.parse('{name:w} has a work account at "{org}"'))
def _(cast: Cast, name: str, org: str) -> None:
    tenant = cast.tenant(org)
    cast.add_work(name, org, cast.target.world.create_work_account(tenant.id,
                                                                   cast.person(name).id))


@given(parsers.parse('{name:w} has a third-party "{issuer}" account'))
def _(cast: Cast, name: str, issuer: str) -> None:
    """Plans a TOTP account at a third-party site (6 digits, 30 s, SHA1); the world makes
    it on first use."""
    cast.plan_site(name, issuer)


@given(parsers.parse('{name:w} has a third-party "{issuer}" account with {digits:d}-digit codes '
                     "every {period:d} seconds using {algorithm}"))
def _(cast: Cast, name: str, issuer: str, digits: int, period: int, algorithm: str) -> None:
    """Plans a third-party TOTP account with these code settings; made on first use."""
    cast.plan_site(name, issuer, digits, period, algorithm)


@given(parsers.parse('{name:w} has a second "{issuer}" account called "{label}"'))
def _(cast: Cast, name: str, issuer: str, label: str) -> None:
    """Another account of the person's at the same third-party site (two mailboxes at one
    provider, say): the same issuer, its own user name and secret. ``label`` is only the
    scenario's name for it; its tile shows the site's name, as the first one's does."""
    site = cast.target.world.create_site_account(cast.person(name).id, issuer)
    first = cast.account(name, issuer)
    if site.username.strip().lower() == first.username.strip().lower():
        # one site, one user name: the world made the same account twice over, and two
        # accounts at one site cannot arise with it (not-applicable, never passed)
        pytest.skip(f"the world gives {name} one user name at {issuer}: no second account")
    cast.add_account(Account(name, label, AccountKind.THIRD_PARTY, site.id, site.username,
                             site=site))
