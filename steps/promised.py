"""What a Given step promises, checked where the target lets us look.

"Alex has backed up the accounts ..." and "Alex has recovered the backup ..." promise a
state that the rest of the scenario builds on. When the promise is broken, the scenario
learns nothing about its own requirements, so the break is charged to the requirement
that documents the promised behaviour (``authconform/gate/preconditions.py``) instead of
surfacing later in a Then step of some other requirement.

Only what the documents say is checked, and only through evidence the target chose to
expose: the stored objects (capability store_inspection) and the decrypted backup
(capability backup_contents). A target without them gets no early check (the cascade is
then caught later, as before), and never a not-applicable because of it.

* Turning backup on with the right account writes the backup to the documented storage
  location (iCloud on iOS, REQ-BACKUP-04; Microsoft's cloud storage on Android,
  REQ-BACKUP-05), and the accounts already in the app go into it (BACKUP-06 says they
  are uploaded; what is kept of each kind is REQ-STORED-01, -02 and -03).
* A change made with backup on and nothing in the way reaches the backup by itself
  (REQ-BACKUP-06), where a scenario relies on it before it breaks something else.
* A recovery that succeeded restores every account the backup holds (REQ-RECOVERY-03);
  a restored work or school account, or one that used sign-in notifications, appears
  but waits for additional verification (REQ-STORED-02 says so in as many words; the
  VERIFY area then says how it is verified); restored third-party accounts and personal
  accounts without notifications are ready at once (REQ-RECOVERY-06); a restored
  third-party account shows the same code as the owner's other phone that holds it
  (REQ-CODES-03: the secret is shared, so the code is too); a restored personal account
  that is ready shows a code its Microsoft account accepts from that phone (REQ-CODES-02).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import urllib.parse
from collections.abc import Callable

from authconform.gate.preconditions import owned_by
from authconform.port import (
    AccountEntry,
    AccountKind,
    BackedUpEntry,
    BackupContents,
    Capability,
    MicrosoftAccount,
    Platform,
    Store,
)
from steps.cast import Cast, Phone, account_key, tile_key

# Where a backup made on each platform is kept, and the requirement that says so.
STORAGE = {Platform.IOS: (Store.ICLOUD, "REQ-BACKUP-04"),
           Platform.ANDROID: (Store.MICROSOFT, "REQ-BACKUP-05")}
STORE_REQUIREMENT = {store: requirement for store, requirement in STORAGE.values()}


def can(cast: Cast, capability: Capability) -> bool:
    return capability in cast.target.info.capabilities


def location(phone: Phone, msa: MicrosoftAccount) -> str | None:
    """The storage location a backup of ``phone`` with ``msa`` belongs in: the phone's
    Apple ID on iOS (None if the steps do not know it), the account on Android."""
    return phone.apple_id if phone.platform is Platform.IOS else msa.username


def field_values(backed_up: BackedUpEntry) -> list[str]:
    """The values of the entry's fields and, of an ``otpauth://`` URI among them, its
    parts: the label's issuer and account name, the query's issuer and secret. Neither
    document says how the backup holds an account (a field each, or one URI), so the
    steps look for a value in either."""
    values = []
    for value in backed_up.fields.values():
        values.append(value)
        if value.strip().lower().startswith("otpauth://"):
            values += _uri_parts(value.strip())
    return values


def _uri_parts(uri: str) -> list[str]:
    parsed = urllib.parse.urlsplit(uri)
    label = urllib.parse.unquote(parsed.path.lstrip("/"))
    query = urllib.parse.parse_qs(parsed.query)
    parts = [label, *label.split(":", 1),
             *(v for key in ("issuer", "secret") for v in query.get(key, []))]
    return [p.strip() for p in parts if p.strip()]


def _b32(text: str) -> bytes:
    text = text.replace(" ", "").upper().rstrip("=")
    return base64.b32decode(text + "=" * (-len(text) % 8))


_KEY_DECODERS: tuple[Callable[[str], bytes], ...] = (
    _b32, bytes.fromhex, lambda t: base64.b64decode(t, validate=True),
    lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))


def key_readings(value: str) -> list[bytes]:
    """Every key ``value`` could stand for: base32 as typed (case, spaces and padding
    aside), hex or base64. The documents say a secret is kept, not how."""
    found = []
    for decode in _KEY_DECODERS:
        with contextlib.suppress(binascii.Error, ValueError):
            found.append(decode(value.strip()))
    return found


def same_secret(value: str, secret: str) -> bool:
    """Is ``value`` the base32 ``secret``, in any of the forms ``key_readings`` knows?"""
    try:
        key = _b32(secret)
    except (binascii.Error, ValueError):
        return False
    return key in key_readings(value)


def _holds(backed_up: BackedUpEntry, entry: AccountEntry) -> bool:
    """Is ``backed_up`` the account the tile ``entry`` shows? Its user name is one of the
    fields; a third-party account's issuer is in one of them too (as a field of its own,
    a label or a URI: the backup's field names are the target's), since one person may
    use the same user name at every site (steps/cast.py)."""
    values = [value.lower() for value in field_values(backed_up)]
    if backed_up.kind is not entry.kind or entry.username.lower() not in values:
        return False
    issuer = entry.issuer.strip().lower()
    return entry.kind is not AccountKind.THIRD_PARTY or any(issuer in v for v in values)


def _kept_by(entry: AccountEntry) -> str:
    """The requirement that puts an account of this kind into the backup."""
    if entry.kind is AccountKind.WORK:
        return "REQ-STORED-03"  # the one place the documents put school accounts in it
    if entry.push:
        return "REQ-STORED-02"  # carried by name
    return "REQ-STORED-01"  # user name and secret


def stored_backup(cast: Cast, phone: Phone, msa: MicrosoftAccount) -> BackupContents | None:
    """The decrypted backup in ``phone``'s storage location, or None (no backup there,
    or the target does not show backups, or the location is unknown)."""
    where = location(phone, msa)
    if where is None or not can(cast, Capability.BACKUP_CONTENTS):
        return None
    store, _ = STORAGE[phone.platform]
    return cast.target.world.backup_contents(store, where)


def backup_written(cast: Cast, phone: Phone, msa: MicrosoftAccount) -> None:
    """After backup was turned on successfully on ``phone`` with ``msa``. An app that
    holds no account yet has nothing to back up: the documents say the accounts are
    stored, not that an empty copy is written when the setting goes on."""
    entries = cast.target.app.list_accounts(phone.id)
    if not entries:
        return
    store, requirement = STORAGE[phone.platform]
    where = location(phone, msa)
    if can(cast, Capability.STORE_INSPECTION):
        with owned_by(requirement):
            held = [o for o in cast.target.world.stored_objects() if o.store is store
                    and (where is None or o.location.lower() == where.lower())]
            assert held, (f"backup is on, yet {store.value} holds no backup"
                          + (f" under {where}" if where else ""))
    if where is None or not can(cast, Capability.BACKUP_CONTENTS):
        return
    contents = cast.target.world.backup_contents(store, where)
    with owned_by(requirement):
        assert contents is not None, f"backup is on, yet there is no backup in {store.value}"
    for entry in entries:
        if entry.needs_verification:
            continue  # whether a backup keeps an account still waiting, no document says
        with owned_by(_kept_by(entry)):
            assert any(_holds(b, entry) for b in contents.entries), (
                f"the backup holds no {entry.kind.value} account {entry.issuer!r}")


def change_uploaded(cast: Cast, phone: Phone, msa: MicrosoftAccount, entry: AccountEntry
                    ) -> None:
    """After ``entry`` was added to ``phone`` with backup on and nothing in the way: the
    change reached the backup without any action of the user (REQ-BACKUP-06)."""
    contents = stored_backup(cast, phone, msa)
    if contents is None:
        return  # nothing to look at: no early check, as for every promise here
    with owned_by("REQ-BACKUP-06"):
        assert any(_holds(b, entry) for b in contents.entries), (
            f"the {entry.issuer} account was added to the {phone.label} with backup on, yet "
            "the backup does not hold it")


def before_recovery(cast: Cast, phone: Phone, msa: MicrosoftAccount
                    ) -> tuple[BackupContents | None, set[str]]:
    """What ``recovered`` compares with: the backup as it is now, and the accounts the
    phone shows now (a recovery that merged would keep those)."""
    return stored_backup(cast, phone, msa), {e.id for e in
                                             cast.target.app.list_accounts(phone.id)}


def recovered(cast: Cast, name: str, phone: Phone,
              before: tuple[BackupContents | None, set[str]]) -> None:
    """After a recovery on ``phone`` succeeded; ``before`` is what ``before_recovery``
    read just before it (no backup: nothing to compare with)."""
    contents, already = before
    if contents is None:
        return
    shown = cast.target.app.list_accounts(phone.id)
    pushed = {account_key(cast.accounts[key])
              for key in cast.push if key[0] == name and key in cast.accounts}
    for backed_up in contents.entries:
        with owned_by("REQ-RECOVERY-03"):
            found = [e for e in shown if _holds(backed_up, e)]
            assert found, (f"the backup holds a {backed_up.kind.value} account that the "
                           f"{phone.label} does not show after recovery")
        for entry in (e for e in found if e.id not in already):
            if entry.kind is AccountKind.WORK or tile_key(entry) in pushed:
                with owned_by("REQ-STORED-02"):
                    assert entry.needs_verification, (
                        f"the restored {entry.kind.value} account {entry.issuer!r} is usable "
                        "without additional verification")
            else:
                with owned_by("REQ-RECOVERY-06"):
                    assert not entry.needs_verification, (
                        f"the restored {entry.kind.value} account {entry.issuer!r} waits "
                        "for verification")
            if entry.kind is AccountKind.THIRD_PARTY:
                _same_code_as_elsewhere(cast, name, phone, entry)
            elif entry.kind is AccountKind.PERSONAL and not entry.needs_verification:
                _code_accepted(cast, name, phone, entry)


def _code_accepted(cast: Cast, name: str, phone: Phone, entry: AccountEntry) -> None:
    """A restored personal account that is ready shows a code its Microsoft account
    accepts from this phone (REQ-CODES-02: each phone's code works with that phone).
    Checked here, once, so that every scenario leaning on a working restored account is
    blocked by a broken credential rather than failed by it."""
    account = next((a for (owner, _), a in cast.accounts.items()
                    if owner == name and a.kind is AccountKind.PERSONAL
                    and a.username.lower() == entry.username.lower()), None)
    if account is None:
        return  # not an account the steps know: nothing to ask its provider about
    with owned_by("REQ-CODES-02"):
        code = cast.code_on(phone.id, entry.id)
        assert code is not None, (
            f"the restored Microsoft account shows no code on the {phone.label}")
        assert cast.target.world.provider_accepts_code(account.id, code, phone.id), (
            f"the Microsoft account refuses the code the {phone.label} shows after recovery")


def _same_code_as_elsewhere(cast: Cast, name: str, phone: Phone, entry: AccountEntry) -> None:
    """A restored third-party account shows the code another phone of the owner shows
    for it at the same instant (REQ-CODES-03: one shared secret). Read there, here and
    there again: if the two reads there differ, a time step ended in between and
    nothing is concluded."""
    app = cast.target.app
    for other in cast.phones.values():
        if other.owner != name or other.id == phone.id:
            continue
        twin = next((e for e in app.list_accounts(other.id)
                     if tile_key(e) == tile_key(entry)), None)
        if twin is None:
            continue
        before = cast.code_on(other.id, twin.id)
        here = cast.code_on(phone.id, entry.id)
        after = cast.code_on(other.id, twin.id)
        if before is not None and before == after:
            with owned_by("REQ-CODES-03"):
                assert here == before, (
                    f"the restored {entry.issuer} account shows {here!r} on the {phone.label}"
                    f", the {other.label} shows {before!r} at the same instant")
        return
