"""What the backup holds, read through the target's own decryption (capability
backup_contents), and whether its stored bytes give any of it away.

000 "Important" / 002 "IMPORTANT": the backup keeps user names and the secrets that make
codes, nothing else about the accounts (no mail, no files). The decrypted fields are the
oracle for the ciphertext check too: none of them may be readable in the stored bytes
however the bytes are decoded, so the check does not depend on guessing what a target
might have copied.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from pytest_bdd import given, parsers, then

from authconform.gate.preconditions import owned_by
from authconform.port import AccountKind, BackupContents, Capability, Platform, Store
from authconform.spec.readable import LONG_ENOUGH, plain_forms
from steps.cast import Cast, split_labels
from steps.inspection import STORE_KIND
from steps.promised import STORE_REQUIREMENT, field_values, key_readings, same_secret
from steps.security import own_names, text_forms

PLATFORM_OF = {Store.ICLOUD: Platform.IOS, Store.MICROSOFT: Platform.ANDROID}


def _contents(cast: Cast, name: str, store_name: str) -> BackupContents:
    store = STORE_KIND[store_name]
    location = cast.storage_location(name, PLATFORM_OF[store])[1]
    contents = cast.target.world.backup_contents(store, location)
    # Finding the backup is what the check stands on, not what it checks: a backup
    # that is not where the documents put it is the location requirement's failure.
    with owned_by(STORE_REQUIREMENT[store]):
        assert contents is not None, f"there is no backup of {name}'s in {store_name}"
    assert contents.entries, "the decrypted backup holds no account at all"
    return contents


def _values(contents: BackupContents) -> list[str]:
    return [*(v for e in contents.entries for v in field_values(e)),
            *contents.settings.values(), *contents.settings.keys()]


def _private_words(cast: Cast, name: str) -> dict[str, str]:
    """What the backup must not hold: passwords and the recovery account's contact details."""
    msa = cast.msa(name)
    words = {"the recovery account password": msa.password}
    if msa.alternate_email:
        words["the alternate email address"] = msa.alternate_email
    if msa.alternate_phone:
        words["the alternate phone number"] = msa.alternate_phone
    for (owner, label), account in cast.accounts.items():
        if owner == name and account.password:
            words[f"the {label} password"] = account.password
    for apple_id in (cast.apple_ids.get(name), cast.second_apple_ids.get(name)):
        if apple_id is not None:
            words["the Apple ID password"] = apple_id.password
    return words


def _assert_absent(values: list[str], words: dict[str, str]) -> None:
    lowered = [v.lower() for v in values]
    for what, word in words.items():
        found = [v for v in lowered if word.lower() in v]
        assert not found, f"the backup holds {what}"


# ------------------------------------------------------------------ planting data
@given(parsers.parse("{name:w} keeps mail and files in the personal Microsoft account"),
       target_fixture="account_data")
def _(cast: Cast, name: str) -> dict[str, str]:
    msa = cast.msa(name)
    # A quote and a non-ASCII letter, so that JSON would escape them (steps/security.py).
    data = {"a mail": f'Lunch on "Friday" at the café? Reply to {name} about order '
                      f'{msa.id}-mail',
            "a file": f"Holiday budget spreadsheet {msa.id}-file"}
    for (kind, text) in zip(("mail", "file"), data.values(), strict=True):
        cast.target.world.put_account_data(msa.id, kind, text)
    return data


@given(parsers.parse('{name:w} keeps mail and files in the "{label}" personal Microsoft '
                     "account"), target_fixture="account_data")
def _(cast: Cast, name: str, label: str) -> dict[str, str]:
    """Mail and a file in another personal Microsoft account of the person's, one the app
    holds (not the recovery account)."""
    msa = cast.account(name, label).msa
    assert msa is not None, f"{label} is not a personal Microsoft account"
    data = {"a mail": f'Dinner on "Sunday" at the brasserie? Ask {name} about trip '
                      f"{msa.id}-mail",
            "a file": f"Garden plan drawing {msa.id}-file"}
    for (kind, text) in zip(("mail", "file"), data.values(), strict=True):
        cast.target.world.put_account_data(msa.id, kind, text)
    return data


# ------------------------------------------------------------------ what is inside
@then(parsers.parse("{name:w}'s backup in {store_name} holds the accounts \"{labels}\" by "
                    "user name, with the secret of each third-party account"))
def _(cast: Cast, name: str, store_name: str, labels: str) -> None:
    contents = _contents(cast, name, store_name)
    for label in split_labels(labels):
        account = cast.account(name, label)
        held = [e for e in contents.entries if e.kind is account.kind and any(
            v.lower() == account.username.lower() for v in field_values(e))]
        assert held, f"the backup holds no {label} entry by its user name"
        if account.kind is AccountKind.THIRD_PARTY and account.site is not None:
            secret = account.site.secret
            assert any(same_secret(v, secret) for e in held for v in field_values(e)), (
                f"the backup holds no secret for {label}")


@then(parsers.parse("{name:w}'s backup in {store_name} holds no password or contact "
                    "detail"))
def _(cast: Cast, store_name: str, name: str) -> None:
    _assert_absent(_values(_contents(cast, name, store_name)), _private_words(cast, name))


@then(parsers.parse("{name:w}'s backup in {store_name} holds none of the mail and files of "
                    "the personal Microsoft account"))
@then(parsers.parse("{name:w}'s backup in {store_name} holds none of the mail and files of "
                    'the "{label}" account'))
def _(cast: Cast, account_data: dict[str, str], store_name: str, name: str) -> None:
    _assert_absent(_values(_contents(cast, name, store_name)), account_data)


# Shorter keys would make a chance match likely; a TOTP key is 10 bytes or more (RFC 4226
# asks for 16, and 10 is the shortest in common use).
KEY_BYTES = 10
# The time steps and hashes a code could be made with: the documents name none.
CODE_MAKINGS = [(period, digest) for period in (30, 60)
                for digest in (hashlib.sha1, hashlib.sha256, hashlib.sha512)]


def _totp(key: bytes, now: float, period: int, digest: Callable[..., Any], digits: int
          ) -> str:
    """RFC 6238's code of ``key`` at ``now`` (RFC 4226's truncation). Written out rather
    than taken from pyotp, which refuses keys shorter than 14 bytes: apps use 10."""
    mac = hmac.new(key, struct.pack(">Q", int(now // period)), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


@then(parsers.parse("{name:w}'s backup in {store_name} holds nothing that makes the codes "
                    'the "{phone}" shows for the "{label}" account'))
def _(cast: Cast, name: str, store_name: str, phone: str, label: str) -> None:
    """000 "authenticator app" / 002: a work or school account's credential is bound to
    its phone and is not in the backup (REQ-STORED-02). Whatever field the target keeps
    it in and however it is written, a key that makes the code the phone shows now is
    that credential: every value in the backup is read as a key (base32, hex, base64) and
    tried with each time step and hash. Two unrelated keys give one code by chance only
    once in ten to the power of its length, per try."""
    code = cast.code(phone, label)
    if not code:
        pytest.skip(f"the {phone} shows no code for the {label} account: nothing to compare")
    now = cast.target.world.now()
    keys = {key for value in _values(_contents(cast, name, store_name))
            for key in key_readings(value) if len(key) >= KEY_BYTES}
    matches = [(key, period, digest) for key in keys for period, digest in CODE_MAKINGS
               if _totp(key, now, period, digest, len(code)) == code]
    if matches and cast.target.has(Capability.CLOCK):
        # One match can be chance (any text reads as some base64 key): the key that
        # makes the phone's codes also makes its next one. Last step of its scenarios.
        cast.target.world.advance_clock(60 * 60)
        later, at = cast.code(phone, label), cast.target.world.now()
        matches = [(key, period, digest) for key, period, digest in matches
                   if _totp(key, at, period, digest, len(later or "")) == later]
    if matches:
        _, period, digest = matches[0]
        raise AssertionError(f"the backup holds the key that makes the {label} codes of "
                             f"the {phone} (a {period}-second {digest().name.upper()} code)")


# ------------------------------------------------------------------ the stored bytes
def _readings(data: bytes) -> list[bytes]:
    """The stored bytes as anyone could read them without a key: as they are, and
    decoded from base64, hex or zlib where they decode."""
    found = [data]
    with contextlib.suppress(binascii.Error, ValueError):
        found.append(base64.b64decode(data.strip(), validate=True))
    with contextlib.suppress(ValueError):
        found.append(bytes.fromhex(data.strip().decode("ascii")))
    for candidate in list(found):
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(candidate))
    return found


def _is_theirs(cast: Cast, name: str, value: str) -> bool:
    """Does ``value`` hold something of ``name``'s own: a user name or contact detail
    (``steps.security.own_names``) or a site's secret? Not a site's or an organisation's
    name: those prove nothing when found (``authconform.spec.readable``)."""
    lowered = value.lower()
    mine = [a for (owner, _), a in cast.accounts.items() if owner == name]
    return (any(len(w) >= LONG_ENOUGH // 2 and w.lower() in lowered for w in own_names(cast, name))
            or any(same_secret(value, a.site.secret) for a in mine if a.site is not None))


@then(parsers.parse("nothing {name:w}'s backup in {store_name} holds can be read in the "
                    "stored bytes without the backup key"))
def _(cast: Cast, name: str, store_name: str) -> None:
    # What is the person's: a value that holds a user name, an address or a secret of
    # theirs. A word every backup of the app holds (a format's name, the issuer
    # "Microsoft", which may also be an organisation's name) may sit in a plain header
    # beside the ciphertext: the documents promise the accounts are protected, not the
    # file's label.
    values = [v for v in _values(_contents(cast, name, store_name))
              if len(v) >= LONG_ENOUGH and _is_theirs(cast, name, v)]
    assert values, "the decrypted backup holds nothing of theirs long enough to look for"
    stored = [o.data for o in cast.target.world.stored_objects()
              if o.store is STORE_KIND[store_name]]
    assert stored, f"nothing is stored in {store_name}"
    readings = [r for data in stored for r in _readings(data)]
    for value in values:
        for form in {*plain_forms(value), *text_forms(value)}:
            leaked = [r for r in readings if form in r]
            assert not leaked, f"{value[:4]}... from the backup is readable in the store"
