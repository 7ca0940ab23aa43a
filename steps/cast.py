"""The cast of one scenario: role names in the Gherkin mapped to handles in the target.

Features speak of "Alex", the "old iPhone" and the "GitHub" account; the world makes the
real people (Faker names), devices and enrolments. ``Cast`` is the small registry that
joins the two for one scenario. Given and When steps register what they create in it;
Then steps only look things up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pytest

from authconform.port import (
    AccountEntry,
    AccountKind,
    ActivationQr,
    Alert,
    AlertCode,
    AppleId,
    MicrosoftAccount,
    Person,
    Platform,
    SiteAccount,
    Store,
    Tenant,
    WorkAccount,
)
from authconform.spec.wording import typed_code

# The app builds a phone has unless a scenario names one: recent enough for backup under
# the current article (000: iOS 5.7.0+, Android 6.6.0+).
LATEST_VERSION = {Platform.IOS: "6.8.0", Platform.ANDROID: "6.8.0"}
PERSONAL_LABEL = "Microsoft"  # the personal Microsoft account's tile says "Microsoft"


def platform_of(phone: str) -> Platform:
    """a phone's label naming an iPhone or an Android phone ('old iPhone', 'new Android
    phone')."""
    if "iphone" in phone.lower():
        return Platform.IOS
    if "android" in phone.lower():
        return Platform.ANDROID
    raise ValueError(f"say which kind of phone {phone!r} is: iPhone or Android phone")


# Values every step's parameter of this name must take (authconform.spec.allowed): checked
# before any scenario runs, so a phone that is neither kind fails at its feature line.
ALLOWED_PARAMETERS = {"phone": platform_of}


def split_labels(text: str) -> list[str]:
    """'Microsoft, GitHub and Contoso' -> ['Microsoft', 'GitHub', 'Contoso']."""
    return [part.strip() for part in text.replace(" and ", ",").split(",") if part.strip()]


@dataclass
class Account:
    """One of a person's accounts as its provider knows it, by the label the features use
    ("Microsoft" for the personal Microsoft account, an organisation for a work or school
    account, an issuer for a third-party account)."""

    owner: str
    label: str
    kind: AccountKind
    id: str  # the provider's handle: MSA, work account or site account id
    username: str
    password: str | None = None
    site: SiteAccount | None = None
    tenant: Tenant | None = None
    msa: MicrosoftAccount | None = None  # a personal account's, with its alternate addresses


@dataclass
class Phone:
    label: str
    owner: str
    id: str
    platform: Platform
    name: str  # the device name an organisation's administrator sees
    # The Apple ID the phone is signed in to iCloud with (its storage location on iOS),
    # as far as the scenario's steps know: set when a sign-in succeeds.
    apple_id: str | None = None
    # Whether the app's camera access was allowed (True), refused or taken back (False),
    # or never answered (None), as far as the scenario's steps know.
    camera_allowed: bool | None = None


@dataclass
class Cast:
    target: Any
    people: dict[str, Person] = field(default_factory=dict)
    recovery_accounts: dict[str, MicrosoftAccount] = field(default_factory=dict)
    second_msas: dict[str, MicrosoftAccount] = field(default_factory=dict)
    apple_ids: dict[str, AppleId] = field(default_factory=dict)
    second_apple_ids: dict[str, AppleId] = field(default_factory=dict)
    tenants: dict[str, Tenant] = field(default_factory=dict)
    accounts: dict[tuple[str, str], Account] = field(default_factory=dict)
    phones: dict[str, Phone] = field(default_factory=dict)
    setup_qrs: dict[tuple[str, str], ActivationQr] = field(default_factory=dict)
    # Accounts (owner, label) added with sign-in notifications on some phone.
    push: set[tuple[str, str]] = field(default_factory=set)
    # Third-party accounts a Given named but no step has used yet: the world makes them
    # (and draws their QR code) only on first use, keeping unused ones free.
    planned_sites: dict[tuple[str, str], tuple[int, int, str]] = field(default_factory=dict)
    # What the person typed into the last refused sign-in: the refusal may repeat it.
    typed: set[str] = field(default_factory=set)

    # ---------------------------------------------------------------- registering
    def person(self, name: str) -> Person:
        """The person playing ``name``, made by the world on first mention."""
        if name not in self.people:
            self.people[name] = self.target.world.create_person()
        return self.people[name]

    def tenant(self, org: str) -> Tenant:
        if org not in self.tenants:
            self.tenants[org] = self.target.world.create_tenant()
        return self.tenants[org]

    def add_account(self, account: Account) -> Account:
        self.accounts[(account.owner, account.label)] = account
        return account

    def add_msa(self, name: str, msa: MicrosoftAccount) -> None:
        self.recovery_accounts[name] = msa
        self.add_account(Account(name, PERSONAL_LABEL, AccountKind.PERSONAL, msa.id,
                                 msa.username, msa.password, msa=msa))

    def add_work(self, name: str, org: str, work: WorkAccount) -> None:
        self.add_account(Account(name, org, AccountKind.WORK, work.id, work.username,
                                 work.password, tenant=self.tenants[org]))

    def plan_site(self, name: str, issuer: str, digits: int = 6, period: int = 30,
                  algorithm: str = "SHA1") -> None:
        self.person(name)
        self.planned_sites[(name, issuer)] = (digits, period, algorithm)

    def add_site(self, name: str, site: SiteAccount) -> None:
        self.add_account(Account(name, site.issuer, AccountKind.THIRD_PARTY, site.id,
                                 site.username, site=site))

    # ---------------------------------------------------------------- looking up
    def phone(self, label: str) -> Phone:
        try:
            return self.phones[label]
        except KeyError:
            raise AssertionError(f"no phone called {label!r} in this scenario") from None

    def account(self, name: str, label: str) -> Account:
        """For Given and When steps: the account, made by the world on first use."""
        if (name, label) in self.planned_sites:
            digits, period, algorithm = self.planned_sites.pop((name, label))
            self.add_site(name, self.target.world.create_site_account(
                self.people[name].id, label, digits, period, algorithm))
        known = self.known(name, label)
        assert known is not None, f"{name} has no account called {label!r}"
        return known

    def known(self, name: str, label: str) -> Account | None:
        """For Then steps (which never change the world): the account if it was used;
        None for a planned third-party account that no step has used yet."""
        if (name, label) not in self.accounts and (name, label) not in self.planned_sites:
            raise AssertionError(f"{name} has no account called {label!r}")
        return self.accounts.get((name, label))

    def msa(self, name: str) -> MicrosoftAccount:
        try:
            return self.recovery_accounts[name]
        except KeyError:
            raise AssertionError(f"{name} has no personal Microsoft account") from None

    def apple_id(self, name: str) -> AppleId:
        try:
            return self.apple_ids[name]
        except KeyError:
            raise AssertionError(f"{name} has no Apple ID") from None

    def account_on(self, phone: str, label: str) -> Account:
        """The account ``label`` of the phone's owner; it must have been used."""
        known = self.known(self.phone(phone).owner, label)
        assert known is not None, f"the {label} account was never added to any phone"
        return known

    def alerts(self, phone: str, codes: Collection[AlertCode]) -> list[Alert]:
        """The alerts ``phone`` shows now with one of ``codes``: steps check codes only,
        never the wording, which each app chooses."""
        return [a for a in self.target.app.screen(self.phone(phone).id).alerts
                if a.code in codes]

    def entry(self, phone: str, label: str) -> AccountEntry:
        """The tile of the owner's ``label`` account on ``phone``; fails if it is absent."""
        found = entry_for(self.target.app.list_accounts(self.phone(phone).id),
                          self.account_on(phone, label))
        assert found is not None, f"the {phone} shows no {label} account"
        return found

    def code_on(self, device_id: str, entry_id: str) -> str | None:
        """The code a tile shows, as a person types it (``spec.wording.typed_code``)."""
        return typed_code(self.target.app.current_code(device_id, entry_id))

    def code(self, phone: str, label: str) -> str | None:
        """The code the ``label`` tile on ``phone`` shows, as a person types it."""
        return self.code_on(self.phone(phone).id, self.entry(phone, label).id)

    def label_of(self, owner: str, entry: AccountEntry) -> str:
        for account in self.accounts.values():
            if account.owner == owner and shows(entry, account):
                return account.label
        return f"{entry.issuer}: {entry.username}"

    def storage_location(self, name: str, platform: Platform) -> tuple[Store, str]:
        """Where a backup made on ``platform`` lives: the Apple ID's iCloud on iOS, the
        recovery account's Microsoft cloud storage on Android (000 troubleshooting)."""
        if platform is Platform.IOS:
            return Store.ICLOUD, self.apple_id(name).username
        return Store.MICROSOFT, self.msa(name).username


# Who is who on the Accounts screen. A user name is unique only at its own site: one
# person may use the same name at every site, so a third-party tile is told apart by its
# issuer and user name together. A personal or work account's user name is the address
# it signs in with, unique at Microsoft or in its organisation, and is enough on its own
# (the issuer the app shows for those is its own choice). Tiles on different phones are
# matched this way too: an entry id is the app's handle on one phone only.
AccountKey = tuple[str, str, str]  # kind, issuer (third-party only), user name


def account_key(account: Account) -> AccountKey:
    issuer = account.site.issuer if account.site is not None else account.label
    return _key(account.kind, issuer, account.username)


def tile_key(entry: AccountEntry) -> AccountKey:
    return _key(entry.kind, entry.issuer, entry.username)


def _key(kind: AccountKind, issuer: str, username: str) -> AccountKey:
    site = issuer.strip().lower() if kind is AccountKind.THIRD_PARTY else ""
    return kind.value, site, username.strip().lower()


def shows(entry: AccountEntry, account: Account) -> bool:
    """Is ``entry`` the tile of ``account``?"""
    return tile_key(entry) == account_key(account)


def entry_for(entries: list[AccountEntry], account: Account) -> AccountEntry | None:
    return next((e for e in entries if shows(e, account)), None)


@pytest.fixture
def cast(target: Any) -> Cast:
    """Who is who in this scenario."""
    return Cast(target)
