"""Attacks on backup and recovery (area SECURITY): secrets searched for in every stored
byte and every message, damaged backups, other people's accounts, borrowed or stale QR
codes, the IT administrator's view, and stale sign-ins.

Damage comes through ``WorldPort.tamper_backup`` (capability tamper). The stale sign-in
uses the fault point ``recovery_sign_in_stale_before_key_release``: the clock moves past
the key holder's freshness limit between the recovery sign-in and the key release.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by, precondition
from authconform.port import (
    AccountKind,
    AdminDevice,
    AdminView,
    Outcome,
    Store,
    StoredObject,
    TrafficRecord,
)
from authconform.spec.allowed import allowed
from authconform.spec.mentions import mentions, organisation_knows
from authconform.spec.person import start_recovery
from authconform.spec.readable import plain_forms, secret_forms
from steps.cast import Cast, Phone
from steps.outcomes import refused
from steps.promised import STORE_REQUIREMENT

STORES = {"iCloud": Store.ICLOUD, "Microsoft's cloud storage": Store.MICROSOFT}
STORAGE_AND_KEYS = frozenset({"icloud", "microsoft-storage", "key-service"})
STALE_SIGN_IN = "recovery_sign_in_stale_before_key_release"
MIN_CORE = 8  # shorter encoded fragments would match by chance


# ------------------------------------------------------------------ encodings
def _aligned(value: bytes, group: int, encode: object) -> list[bytes]:
    """The part of ``encode(value)`` that shows up whatever the value's offset inside a
    longer encoded stream: one fragment per possible alignment, partial groups dropped."""
    out = []
    for shift in range(group):
        whole = (len(value) - shift) // group * group
        if whole > 0:
            core = encode(value[shift:shift + whole]).rstrip(b"=")  # type: ignore[operator]
            if len(core) >= MIN_CORE:
                out.append(core)
    return out


def byte_forms(raw: bytes) -> list[bytes]:
    """Raw bytes as they could sit readable: raw, hex, base64 (standard and URL-safe) and
    base32, at any alignment."""
    forms = {raw, raw.hex().encode(), raw.hex().upper().encode()}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.update(_aligned(raw, 3, encode))
    forms.update(_aligned(raw, 5, base64.b32encode))
    return [f for f in forms if f]


def json_forms(text: str) -> set[bytes]:
    """A text as it sits inside a JSON string: quotes and backslashes escaped, and
    non-ASCII letters either as \\uXXXX or as they are."""
    return {json.dumps(text)[1:-1].encode(),
            json.dumps(text, ensure_ascii=False)[1:-1].encode()}


def text_forms(text: str) -> list[bytes]:
    return sorted({*plain_forms(text), text.encode("utf-16-be"), *json_forms(text),
                   *byte_forms(text.encode())})


def base32_secret_forms(secret: str) -> list[bytes]:
    raw = secret_forms(secret)[-1]  # the key bytes the base32 text stands for
    return sorted({*secret_forms(secret), *text_forms(secret), *byte_forms(raw)})


def _third_party_secrets(cast: Cast, name: str) -> dict[str, list[bytes]]:
    return {f"the {label} secret": base32_secret_forms(a.site.secret)
            for (owner, label), a in cast.accounts.items()
            if owner == name and a.kind is AccountKind.THIRD_PARTY and a.site is not None}


def _passwords(cast: Cast, name: str) -> dict[str, list[bytes]]:
    found = {f"the {label} password": text_forms(a.password)
             for (owner, label), a in cast.accounts.items() if owner == name and a.password}
    others = {"Apple ID": cast.apple_ids.get(name),
              "second Apple ID": cast.second_apple_ids.get(name),
              "second Microsoft account": cast.second_msas.get(name)}
    for what, account in others.items():
        if account is not None:
            found[f"the {what} password"] = text_forms(account.password)
    return found


def _device_keys(cast: Cast, name: str) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for label, phone in cast.phones.items():
        if phone.owner == name:
            for n, key in enumerate(cast.target.world.device_secrets(phone.id)):
                found[f"device key {n + 1} of the {label}"] = byte_forms(key)
    return found


def _assert_nowhere(where: str, blobs: Iterable[bytes], wanted: dict[str, list[bytes]]) -> None:
    blobs = list(blobs)
    assert blobs, f"there is nothing in {where} to inspect"
    assert wanted, "there are no secrets to look for"
    for what, forms in wanted.items():
        for blob in blobs:
            hit = next((f for f in forms if f in blob), None)
            assert hit is None, f"{what} is readable in {where} (as {hit[:12]!r}...)"


def _object_bytes(objects: list[StoredObject]) -> list[bytes]:
    return [o.data for o in objects] + [f"{o.location}/{o.name}".encode() for o in objects]


# ------------------------------------------------------------------ what is readable
# A device key (the private half of a push credential) readable in the store or on the
# wire is REQ-PRIVACY-05's, which the documents state: the security checks still look for
# it, but charge it there, so that one leak fails one requirement.
DEVICE_KEYS = "REQ-PRIVACY-05"
# A third-party secret readable in the store is REQ-PRIVACY-03's (the stored data shows
# no secret in any encoding): looked for there, so that one leak fails one requirement.
@then(parsers.parse("no stored object holds a password or device key of {name:w}'s in any "
                    "encoding"))
def _(cast: Cast, name: str) -> None:
    keys = _device_keys(cast, name)
    assert keys, f"{name}'s phones hold no device key, so the check would prove nothing"
    stored = _object_bytes(cast.target.world.stored_objects())
    with owned_by(DEVICE_KEYS):
        _assert_nowhere("the cloud stores", stored, keys)
    _assert_nowhere("the cloud stores", stored, _passwords(cast, name))


# 000/002 notice: no other information about the accounts is kept, mail and files named.
@then(parsers.parse("no stored object anywhere holds the mail and files of {name:w}'s "
                    "personal Microsoft account in any encoding"))
@then(parsers.parse('no stored object anywhere holds the mail and files of {name:w}\'s '
                    '"{label}" account in any encoding'))
def _(cast: Cast, account_data: dict[str, str], name: str) -> None:
    _assert_nowhere("the cloud stores", _object_bytes(cast.target.world.stored_objects()),
                    {what: text_forms(text) for what, text in account_data.items()})


# 002: the two sign-ins together protect the backup; a storage location that kept the key
# would open it alone. Needs the backup_key capability (the key, for searching).
@then(parsers.parse("no stored object anywhere holds the key that opens {name:w}'s backup in "
                    "{store} in any encoding"))
def _(cast: Cast, name: str, store: str) -> None:
    kind = STORES[store]
    location = (cast.apple_id(name) if kind is Store.ICLOUD else cast.msa(name)).username
    with owned_by(STORE_REQUIREMENT[kind]):  # the backup is kept where the documents say
        key = cast.target.world.backup_key(kind, location)
        assert key, f"no key opens a backup in {store} under {location}"
    _assert_nowhere("the cloud stores", _object_bytes(cast.target.world.stored_objects()),
                    {"the backup key": byte_forms(key)})


@then(parsers.parse("no network message holds a third-party secret or a device key of "
                    "{name:w}'s in any encoding"))
def _(cast: Cast, name: str) -> None:
    keys = _device_keys(cast, name)
    assert keys, f"{name}'s phones hold no device key, so the check would prove nothing"
    payloads = [t.payload for t in cast.target.world.traffic()]
    with owned_by(DEVICE_KEYS):
        _assert_nowhere("the network traffic", payloads, keys)
    _assert_nowhere("the network traffic", payloads, _third_party_secrets(cast, name))


@then(parsers.parse("no password of {name:w}'s went to a cloud store or the backup key holder"))
def _(cast: Cast, name: str) -> None:
    payloads = [t.payload for t in cast.target.world.traffic()
                if t.service in STORAGE_AND_KEYS]
    _assert_nowhere("traffic to the cloud stores and the key holder", payloads,
                    _passwords(cast, name))


# ------------------------------------------------------------------ damaging the backup
DAMAGE = {"changes one byte of": "flip", "cuts off the second half of": "truncate"}


@when(parsers.parse("someone {damage} {name:w}'s backup in {store}"))
@allowed(damage=DAMAGE)
def _(cast: Cast, damage: str, name: str, store: str) -> None:
    assert damage in DAMAGE, f"unknown damage {damage!r}; use one of {sorted(DAMAGE)}"
    kind = STORES[store]
    location = (cast.apple_id(name) if kind is Store.ICLOUD else cast.msa(name)).username
    with owned_by(STORE_REQUIREMENT[kind]):  # the backup is kept where the documents say
        assert cast.target.world.tamper_backup(kind, location, DAMAGE[damage]), (
            f"there is no backup in {store} under {location}")


# ------------------------------------------------------------------ what a refusal reveals
def identifying(cast: Cast, name: str) -> set[str]:
    """Every name, address and issuer that would tell someone about ``name``'s accounts."""
    return own_names(cast, name) | {a.site.issuer for (owner, _), a in cast.accounts.items()
                                    if owner == name and a.site is not None}


def own_names(cast: Cast, name: str) -> set[str]:
    """``name``'s own user names and contact details (no site's or organisation's name)."""
    found = {a.username for (owner, _), a in cast.accounts.items() if owner == name}
    for msa in (cast.recovery_accounts.get(name), cast.second_msas.get(name)):
        if msa is not None:
            found |= {msa.username, msa.alternate_email or "", msa.alternate_phone or ""}
    for apple_id in (cast.apple_ids.get(name), cast.second_apple_ids.get(name)):
        if apple_id is not None:
            found.add(apple_id.username)
    return {f for f in found if f}


# Whether someone else's account is refused at all is documented behaviour: another
# Microsoft account is REQ-RECOVERY-04's, another Apple ID REQ-TROUBLE-03's. A scenario
# about what the refusal gives away (REQ-SECURITY-04) leans on it, so this step checks
# the refusal and charges a missing one there.
def _refusal_owner(name: str, whose: str, **_: object) -> str:
    # Own Microsoft account in someone else's iCloud or on Android: the Microsoft
    # account made no backup there. Someone else's Microsoft account on one's own
    # iPhone: the Apple ID is not the one the backup was made under.
    return "REQ-RECOVERY-04" if whose == name else "REQ-TROUBLE-03"


@when(parsers.parse('{name:w} is refused recovery on the "{phone}" with {whose:w}\'s '
                    "Microsoft account"), target_fixture="outcome")
@precondition(_refusal_owner)
def _(cast: Cast, name: str, phone: str, whose: str) -> Outcome:
    msa, device_id = cast.msa(whose), cast.phone(phone).id
    cast.typed = {msa.username}  # a refusal may repeat what was typed: that tells nothing
    outcome = start_recovery(cast.target.app, device_id, msa.username, msa.password)
    # any refusal: the app may find no backup for that account, or ask for the account
    # (or the Apple ID) that made the one it sees; the documents do not say which
    refused(outcome, "recovery")
    assert cast.target.app.list_accounts(device_id) == [], (
        f"the refused recovery left accounts on the {phone}")
    return outcome


@then(parsers.parse("the refusal names nothing of {name:w}'s"))
def _(cast: Cast, outcome: Outcome, name: str) -> None:
    """Checks that the last refusal's message names none of the person's identifiers
    they did not type themselves."""
    # what was typed may come back, and an identifier inside it is no leak
    named = sorted(ident for ident, _ in mentions(
        [outcome.message], identifying(cast, name) - cast.typed, cast.typed))
    assert not named, f"the refusal tells about {name}: {named} in {outcome.message!r}"


# ------------------------------------------------------------------ the IT administrator
# The documents promise the administrator no information on the personal and third-party
# accounts; they never say how the administrator's record is worded. So a leak is one of
# the person's private identifiers (a user name, an issuer, an address or number) standing
# as a whole word in something the administrator sees, and not inside a text the
# administrator may see anyway: the organisation's name and domain, its users' user names
# (whole, or the part before the @) and their names as people, and the names the scenario
# gave its phones (never a name the target reports: that could carry a leak). User names
# are chosen by people and repeat: a third-party user name "alex" is no leak inside the
# work user name "alex@contoso.example" or in "Alex's old iPhone".
def admin_texts(view: AdminView) -> list[str]:
    """Every text the administrator sees, one by one."""
    return [*view.events, *view.accounts_seen,
            *(text for d in view.devices for text in (d.device_name, d.username))]


def admin_may_know(cast: Cast, org: str) -> set[str]:
    tenant = cast.tenants[org]
    members = [(account.username, cast.people[owner].name if owner in cast.people else "")
               for (owner, _), account in cast.accounts.items()
               if account.kind is AccountKind.WORK and account.tenant is not None
               and account.tenant.id == tenant.id]
    return organisation_knows(tenant.name, tenant.domain,
                              (phone.name for phone in cast.phones.values()), members)


def work_usernames(cast: Cast) -> set[str]:
    return {a.username.strip().lower() for a in cast.accounts.values()
            if a.kind is AccountKind.WORK}


def admin_devices(view: AdminView, phone: Phone) -> list[AdminDevice]:
    """The records the administrator sees of ``phone``: by the world's handle when the
    target gives one (port 2.3.0), else by the name the phone was created with. The name
    an organisation shows is the app's, and two phones may share one: it is never the
    first choice."""
    if any(d.device_id is not None for d in view.devices):
        return [d for d in view.devices if d.device_id == phone.id]
    return [d for d in view.devices if d.device_name == phone.name]


@then(parsers.parse('the "{org}" administrator does not see the "{phone}" as registered'))
def _(cast: Cast, org: str, phone: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    assert not [d for d in admin_devices(view, cast.phone(phone)) if d.registered]


# Whether the record mentions backup at all is not checked here: the documents promise
# nothing about backup activity as such, only about the accounts, and a word test would
# judge the app's wording. That whatever backup and recovery add to the record is about
# the work account alone is checked in privacy.feature ("anything new ... is about").
@then(parsers.parse("the \"{org}\" administrator's view holds nothing of {name:w}'s personal "
                    "or third-party accounts"))
def _(cast: Cast, org: str, name: str) -> None:
    view = cast.target.world.admin_view(cast.tenants[org].id)
    seen = admin_texts(view)
    assert seen, "the administrator sees nothing at all, not even the work account"
    work = work_usernames(cast)
    leaks = mentions(seen, identifying(cast, name) - work, admin_may_know(cast, org))
    assert not leaks, f"the administrator sees {name}'s other accounts: {leaks}"
    wanted = {**_third_party_secrets(cast, name), **_passwords(cast, name)}
    _assert_nowhere("the administrator's view", [s.encode() for s in seen], wanted)
    unknown = {u.strip().lower() for u in view.accounts_seen} - work
    assert not unknown, f"the administrator sees user names of no work account: {unknown}"


def new_admin_events(before: AdminView, now: AdminView) -> list[str]:
    """The events in ``now`` that ``before`` did not have (as a multiset: the record's
    order is the target's own)."""
    return list((Counter(now.events) - Counter(before.events)).elements())


# ------------------------------------------------------------------ time and fresh sign-ins
@then(parsers.parse('the "{phone}" has asked the backup key holder for nothing since'))
def _(cast: Cast, traffic_mark: int, phone: str) -> None:
    device_id = cast.phone(phone).id
    since = cast.target.world.traffic()[traffic_mark:]
    # only this phone acts while we watch: a call recorded without a device is its own
    asked = [t.operation for t in since if t.device_id in (device_id, None)
             and t.service == "key-service"]
    assert not asked, f"the {phone} called the key holder: {asked}"


@then(parsers.parse('every call the "{phone}" made to the backup key holder came after it '
                    "signed in to the recovery account"))
def _(cast: Cast, phone: str) -> None:
    # How soon after is the target's declared key freshness (steps/declared.py).
    key_holder_calls_after_sign_in(cast, phone)


# A call to the account service is a sign-in when its operation says so in any of the
# words apps and recording proxies use ("sign-in", "login", "/oauth2/v2.0/token"):
# docs/adapters.md leaves operation names to the target.
SIGN_IN_WORDS = ("sign", "login", "log-in", "logon", "auth", "token")


def is_sign_in(call: TrafficRecord) -> bool:
    operation = call.operation.lower()
    return call.service == "msa" and any(word in operation for word in SIGN_IN_WORDS)


def key_holder_calls_after_sign_in(cast: Cast, phone: str) -> list[float]:
    """For each call ``phone`` made to the key holder, the seconds since its latest
    sign-in to the recovery account before it; fails if one came with none before."""
    device_id = cast.phone(phone).id
    mine = [t for t in cast.target.world.traffic() if t.device_id == device_id]
    key_calls = [i for i, t in enumerate(mine) if t.service == "key-service"]
    assert key_calls, f"the {phone} never called the key holder"
    ages = []
    for i in key_calls:
        sign_ins = [t.at for t in mine[:i] if is_sign_in(t)]
        assert sign_ins, f"the {phone} called the key holder ({mine[i].operation}) unsigned"
        ages.append(mine[i].at - max(sign_ins))
    return ages


@given("the recovery sign-in will go stale before the backup key is released")
def _(cast: Cast) -> None:
    cast.target.world.inject_fault(STALE_SIGN_IN)
