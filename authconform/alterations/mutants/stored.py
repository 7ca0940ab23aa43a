"""Mutants of what is and is not stored in the backup (stored.feature)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import added_by_scanning, left_beside_backup
from authconform.alterations.patching import (
    wrap_app,
)
from sim.app import PERSONAL, THIRD_PARTY, WORK, Authenticator
from sim.backup import BackupPayload
from sim.codes import TotpParams, secret_from_bytes
from sim.device import Platform
from sim.refusals import Done
from sim.world import World


@mutant("backup_keeps_mail", "REQ-STORED-01",
        "the backup also keeps the mail and files of the personal Microsoft account")
def _backup_keeps_mail(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        extra: dict[str, object] = {}
        for account in payload.accounts:
            msa = world.msa.find(account.username) if account.kind == PERSONAL else None
            for n, (kind, text) in enumerate(msa.data if msa else ()):
                extra[f"{account.username}:{kind}:{n}"] = text
        return dataclasses.replace(payload, settings={**payload.settings, **extra})

    wrap_app(world, "_payload", _payload)


@mutant("mail_cached_beside_backup", "REQ-STORED-01",
        "each upload also leaves a JSON cache of the personal account's mail and files "
        "next to the backup")
def _mail_cached_beside_backup(world: World) -> None:
    import json

    def cache(app: Authenticator) -> bytes | None:
        account = world.msa.find(app.state.backup.recovery_username or "")
        if account is None:
            return None
        return json.dumps({"items": [text for _, text in account.data]}).encode()

    left_beside_backup(world, "authenticator-cache.json", cache)


@mutant("work_accounts_left_out", "REQ-STORED-03",
        "work or school accounts are left out of the backup, so recovery never shows them")
def _work_accounts_left_out(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        return BackupPayload(tuple(a for a in payload.accounts if a.kind != WORK),
                             payload.settings, payload.made_on, payload.made_at)

    wrap_app(world, "_payload", _payload)


@mutant("work_restored_without_qr", "REQ-STORED-02",
        "restored work or school accounts are usable at once, with no QR verification")
def _work_restored_without_qr(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == WORK and entry.needs_verification:
            entry.needs_verification = False
            entry.params = TotpParams(secret_from_bytes(world.rng.randbytes(20)))
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("order_lost", "REQ-STORED-04",
        "recovery sorts the accounts by issuer and user name instead of the user's order")
def _order_lost(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        done = original(username, password)
        app.state.entries.sort(key=lambda e: (e.issuer.lower(), e.username.lower()))
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("account_names_not_restored", "REQ-STORED-05",
        "recovery drops the names the user gave accounts and shows the default names")
def _account_names_not_restored(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        entry.display_name = (f"{entry.issuer}: {entry.username}" if entry.kind == THIRD_PARTY
                              else entry.username)
        return entry

    wrap_app(world, "_restore", _restore)


# A restored notification account that works before it is verified breaks what
# REQ-STORED-02 says in as many words; the recovery Given checks it, so these two are
# filed there (VERIFY-02 and VERIFY-07 have mutants of their own below).
@mutant("push_usable_without_verification", "REQ-STORED-02",
        "restored personal push accounts get a push credential without any verification")
def _push_usable_without_verification(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        msa = world.msa.find(entry.username) if entry.kind == PERSONAL else None
        if msa is not None and entry.push and entry.needs_verification:
            msa.push_keys[app.device.id] = app._push_key(entry.id)
            entry.account_token = msa.account_token
            entry.params = world.msa.enroll_device(msa.username, msa.account_token,
                                                   app.device.id, world.rng)
            entry.needs_verification = False
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("old_push_key_reused", "REQ-STORED-02",
        "recovery copies the old phone's push key, so push works on the new phone unverified")
def _old_push_key_reused(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        msa = world.msa.find(entry.username) if entry.kind == PERSONAL else None
        if msa is None or not entry.push:
            return entry
        for device in world.devices.values():
            if device.id == app.device.id or device.id not in msa.push_keys:
                continue
            for old in world.apps[device.id].entries:
                if (old.kind == PERSONAL and old.push and old.id in device.push_keys
                        and old.username.lower() == entry.username.lower()):
                    app.device.push_keys[entry.id] = device.push_keys[old.id]
                    msa.push_keys[app.device.id] = msa.push_keys[device.id]
                    entry.account_token = msa.account_token
                    entry.params = world.msa.enroll_device(
                        msa.username, msa.account_token, app.device.id, world.rng)
                    entry.needs_verification = False
                    return entry
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("work_credential_in_backup", "REQ-STORED-02",
        "the backup also keeps each work or school account's code-making key (recovery "
        "still asks for the account's QR code)")
def _work_credential_in_backup(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        keys = {(e.kind, e.username): e.params.secret for e in app.state.entries
                if e.kind == WORK and e.params is not None}
        accounts = tuple(dataclasses.replace(a, secret=keys[(a.kind, a.username)])
                         if (a.kind, a.username) in keys else a for a in payload.accounts)
        return dataclasses.replace(payload, accounts=accounts)

    wrap_app(world, "_payload", _payload)


@mutant("backup_keyed_by_user_name", "REQ-STORED-01",
        "the backup keeps one account per user name, so of two sites' accounts under one "
        "user name only the first comes back")
def _backup_keyed_by_user_name(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        seen: set[str] = set()
        kept = []
        for account in payload.accounts:
            if account.username.lower() not in seen:
                kept.append(account)
            seen.add(account.username.lower())
        return dataclasses.replace(payload, accounts=tuple(kept))

    wrap_app(world, "_payload", _payload)


@mutant("scanned_accounts_not_backed_up", "REQ-STORED-01",
        "a third-party account added by scanning its QR code is kept on the phone only: "
        "it never reaches the backup")
def _scanned_accounts_not_backed_up(world: World) -> None:
    _scanned_left_out(world, lambda app: True)


def _scanned_left_out(world: World, on: Callable[[Authenticator], bool]) -> None:
    """Third-party accounts scanned on a phone ``on`` accepts stay out of its backup."""
    def upload_again(app: Authenticator, added: set[str]) -> None:
        app.state.backup.dirty = True  # the upload the scan made is made again, without
        app._sync()

    scanned = added_by_scanning(world, upload_again)

    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        if not on(app):
            return payload
        kept = tuple(a for a, e in zip(payload.accounts, app.state.entries, strict=True)
                     if e.id not in scanned or e.kind != THIRD_PARTY)
        return dataclasses.replace(payload, accounts=kept)

    wrap_app(world, "_payload", _payload)


@mutant("backup_keyed_by_site", "REQ-STORED-01",
        "the backup keeps one third-party account per site, so of two accounts at one site "
        "only the first comes back")
def _backup_keyed_by_site(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        sites: set[str] = set()
        kept = []
        for account in payload.accounts:
            if account.kind != THIRD_PARTY or account.issuer.lower() not in sites:
                kept.append(account)
            if account.kind == THIRD_PARTY:
                sites.add(account.issuer.lower())
        return dataclasses.replace(payload, accounts=tuple(kept))

    wrap_app(world, "_payload", _payload)


@mutant("scanned_accounts_not_backed_up_on_iphone", "REQ-STORED-01",
        "on an iPhone (the only phone of the 2019 profile), a third-party account added by "
        "scanning its QR code never reaches the backup; a typed one does")
def _scanned_accounts_not_backed_up_on_iphone(world: World) -> None:
    _scanned_left_out(world, lambda app: app.device.platform is Platform.IOS)


@mutant("waiting_accounts_moved_last", "REQ-STORED-04",
        "recovery puts the accounts that wait for more verification after the ready ones, "
        "losing Alex's order")
def _waiting_accounts_moved_last(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        done = original(username, password)
        entries = app.state.entries
        entries[:] = ([e for e in entries if not e.needs_verification]
                      + [e for e in entries if e.needs_verification])
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("backup_keeps_four_accounts", "REQ-STORED-03",
        "the backup keeps only the first four accounts: from the fifth on, accounts stay on "
        "the phone and never come back on a new phone")
def _backup_keeps_four_accounts(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        return dataclasses.replace(payload, accounts=payload.accounts[:4])

    wrap_app(world, "_payload", _payload)


@mutant("backup_keeps_other_msa_mail", "REQ-STORED-01",
        "the backup keeps the mail and files of every personal Microsoft account in the app "
        "other than the recovery account")
def _backup_keeps_other_msa_mail(world: World) -> None:
    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        recovery = (app.state.backup.recovery_username or "").lower()
        extra: dict[str, object] = {}
        for account in payload.accounts:
            if account.kind != PERSONAL or account.username.lower() == recovery:
                continue
            msa = world.msa.find(account.username)
            for n, (kind, text) in enumerate(msa.data if msa else ()):
                extra[f"{account.username}:{kind}:{n}"] = text
        return dataclasses.replace(payload, settings={**payload.settings, **extra})

    wrap_app(world, "_payload", _payload)
