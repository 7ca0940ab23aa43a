"""Evidence a user never sees but a tester can read: what the cloud stores hold, what went
over the network, and the keys a phone keeps to itself. Each step needs an optional
capability (store_inspection, traffic, device_inspection); targets without it make the
scenario not-applicable."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import AccountKind, Store
from authconform.spec.readable import carried, plain_forms, secret_forms, worth_finding
from steps.cast import Cast
from steps.promised import STORE_REQUIREMENT
from steps.security import identifying

STORE_KIND = {"iCloud": Store.ICLOUD, "Microsoft's cloud storage": Store.MICROSOFT}
# Every {store_name} and {store} names one of the two cloud stores (authconform.spec.allowed).
ALLOWED_PARAMETERS = {"store_name": STORE_KIND, "store": STORE_KIND}
STORE_SERVICE = {"iCloud": "icloud", "Microsoft's cloud storage": "microsoft-storage"}
CLOUD_SERVICES = frozenset(STORE_SERVICE.values())


def _stored(cast: Cast) -> list[bytes]:
    return [o.data for o in cast.target.world.stored_objects()]


def _assert_absent(blobs: list[bytes], forms: list[bytes], what: str) -> None:
    assert blobs, "there is nothing to inspect"
    for blob in blobs:
        for form in forms:
            assert form not in blob, f"{what} is readable in {len(blob)} bytes"


# ------------------------------------------------------------------ the cloud stores
# The person's own data only, and only where finding it is no chance
# (authconform.spec.readable: a site's or organisation's name proves nothing).
@then(parsers.parse("no stored backup contains the user name, password or secret of any of "
                    "{name:w}'s accounts"))
def _(cast: Cast, name: str) -> None:
    blobs = _stored(cast)
    for (owner, label), account in cast.accounts.items():
        if owner != name:
            continue
        _assert_absent(blobs, worth_finding(plain_forms(account.username)),
                       f"the {label} user name")
        if account.kind is AccountKind.THIRD_PARTY and account.site is not None:
            _assert_absent(blobs, worth_finding(secret_forms(account.site.secret)),
                           f"the {label} secret")
        if account.password:
            _assert_absent(blobs, worth_finding(plain_forms(account.password)),
                           f"the {label} password")


# ------------------------------------------------------------------ network traffic
@given("we start watching the network traffic", target_fixture="traffic_mark")
@when(parsers.parse('we start watching the network traffic of the "{phone}"'),
      target_fixture="traffic_mark")
def _(cast: Cast) -> int:
    return len(cast.target.world.traffic())


# The documents (000's and 002's privacy notes) say the accounts are shared with no other
# product or service, not that the app calls nothing else: a call of the app's own (a
# crash report, usage counts) is the app's choice as long as it carries nothing of the
# person's accounts. The backup itself must have gone somewhere: no traffic is a failure.
@then(parsers.parse("no call since to any service but the Microsoft account service, the "
                    "backup key holder or {store} carries anything of {name:w}'s accounts"))
def _(cast: Cast, traffic_mark: int, store: str, name: str) -> None:
    allowed = {"msa", "key-service", STORE_SERVICE[store]}
    since = cast.target.world.traffic()[traffic_mark:]
    assert since, "no traffic at all"
    mine = [a for (owner, _), a in cast.accounts.items() if owner == name]
    msa = cast.recovery_accounts.get(name)
    names = identifying(cast, name) | {a.password for a in mine if a.password}
    names |= {msa.password} if msa is not None else set()
    secrets = [a.site.secret for a in mine if a.site is not None]
    for call in since:
        if call.service not in allowed:
            found = carried(call.payload, names, secrets)
            assert not found, (f"a call to {call.service!r} ({call.operation}) carries "
                               f"{len(found)} of {name}'s names or secrets")


# ------------------------------------------------------------------ keys kept on a phone
# Whatever scenario uses them, these two check what REQ-VERIFY-07 documents (a new
# phone's push credential is its own); charged to it, so a scenario of another
# requirement that also looks at device keys is blocked, not failed, when they fail.
@then(parsers.parse('the "{phone}" holds a device key of its own'))
def _(cast: Cast, phone: str) -> None:
    with owned_by("REQ-VERIFY-07"):
        assert cast.target.world.device_secrets(cast.phone(phone).id), (
            f"the {phone} holds no device key")


@then(parsers.parse('the "{phone}" holds none of the device keys of the "{other}"'))
def _(cast: Cast, phone: str, other: str) -> None:
    world = cast.target.world
    mine = set(world.device_secrets(cast.phone(phone).id))
    theirs = set(world.device_secrets(cast.phone(other).id))
    assert theirs, f"the {other} holds no device key"
    with owned_by("REQ-VERIFY-07"):
        assert not mine & theirs, (
            f"the {phone} holds {len(mine & theirs)} of the {other}'s device keys")


def _device_keys(cast: Cast, *phones: str) -> list[bytes]:
    keys = [k for p in phones for k in cast.target.world.device_secrets(cast.phone(p).id)]
    assert keys, "no device keys to look for"
    return keys


@then(parsers.parse('no stored backup contains a device key of the "{first}" or the '
                    '"{second}"'))
def _(cast: Cast, first: str, second: str) -> None:
    _assert_absent(_stored(cast), _device_keys(cast, first, second), "a device key")


@then(parsers.parse('no network traffic contains a device key of the "{first}" or the '
                    '"{second}"'))
def _(cast: Cast, first: str, second: str) -> None:
    payloads = [t.payload for t in cast.target.world.traffic()]
    _assert_absent(payloads, _device_keys(cast, first, second), "a device key")


# ------------------------------------------------------------------ storage management
@when(parsers.parse("{name:w} deletes the backup while managing {store}"))
def _(cast: Cast, name: str, store: str) -> None:
    kind = STORE_KIND[store]
    location = (cast.apple_id(name) if kind is Store.ICLOUD else cast.msa(name)).username
    with owned_by(STORE_REQUIREMENT[kind]):  # the backup is kept where the documents say
        assert cast.target.world.delete_backup(kind, location), (
            f"there was no backup in {store} under {location} to delete")


# What the stores hold, not the calls the phone made: an app may read its cloud copy (to
# compare, say) while it must not change it, and a read is no upload.
Held = dict[tuple[Store, str, str], bytes]


def _held(cast: Cast) -> Held:
    return {(o.store, o.location, o.name): o.data for o in cast.target.world.stored_objects()}


@given("we note the stored backups", target_fixture="stored_before")
@when("we note the stored backups", target_fixture="stored_before")
def _(cast: Cast) -> Held:
    """What the stores hold now (may be nothing: then nothing may be added)."""
    return _held(cast)


@then("the stored backups are unchanged")
def _(cast: Cast, stored_before: Held) -> None:
    """Every stored object is still there with the same bytes, and none was added (the
    time an object says it was written is left aside: writing the same bytes again
    changes nothing a recovery would find)."""
    now = _held(cast)
    changed = sorted(f"{key[0].value}:{key[2]}" for key in now.keys() | stored_before.keys()
                     if now.get(key) != stored_before.get(key))
    assert not changed, f"the stores changed: {changed}"
