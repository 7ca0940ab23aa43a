"""Mutants of turning backup on and off, and where each platform's backup goes (backup.feature)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    swapped,
    wrap,
    wrap_app,
)
from sim.app import THIRD_PARTY, Authenticator
from sim.backup import BackupPayload
from sim.device import Platform
from sim.refusals import Done, Refusal
from sim.world import World


@mutant("backup_on_with_wrong_password", "REQ-BACKUP-01",
        "turning backup on succeeds with a wrong recovery-account password")
def _backup_on_with_wrong_password(world: World) -> None:
    def turn_on_backup(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        account = world.msa.find(username)
        return original(username, account.password if account else password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@mutant("icloud_not_required", "REQ-BACKUP-02",
        "an iPhone turns backup on with no Apple ID signed in to iCloud")
def _icloud_not_required(world: World) -> None:
    def turn_on_backup(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        if app.device.platform is Platform.IOS and app.device.apple_id is None:
            with swapped(app.device, "apple_id", username):
                return original(username, password)
        return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@mutant("ios_backup_in_microsoft_storage", "REQ-BACKUP-04",
        "iPhone backups are written to Microsoft's cloud storage instead of iCloud")
def _ios_backup_in_microsoft_storage(world: World) -> None:
    wrap(world, "store_for", lambda original, platform: world.microsoft_storage)


@mutant("android_backup_in_icloud", "REQ-BACKUP-05",
        "Android backups are written to iCloud instead of Microsoft's cloud storage")
def _android_backup_in_icloud(world: World) -> None:
    wrap(world, "store_for", lambda original, platform: world.icloud)


@mutant("no_auto_upload", "REQ-BACKUP-06",
        "changes after turning backup on are never uploaded; only the first upload happens")
def _no_auto_upload(world: World) -> None:
    wrap_app(world, "_changed", lambda app, original, message: Done(message))


@mutant("uploads_after_turn_off", "REQ-BACKUP-07",
        "after backup is switched off, every change is still uploaded to the store with "
        "the key and location the backup had")
def _uploads_after_turn_off(world: World) -> None:
    switched_off: dict[str, Any] = {}  # device id -> the backup as it was when switched off

    def turn_off_backup(app: Authenticator, original: Callable[[], Done]) -> Done:
        was = copy.copy(app.state.backup)
        done = original()
        if was.on:
            switched_off[app.device.id] = was
        return done

    def _changed(app: Authenticator, original: Callable[[str], Done], message: str) -> Done:
        done = original(message)
        was = switched_off.get(app.device.id)
        if was is not None and not app.state.backup.on:
            with swapped(app.state, "backup", was), contextlib.suppress(Refusal):
                app._upload()
        return done

    wrap_app(world, "turn_off_backup", turn_off_backup)
    wrap_app(world, "_changed", _changed)


@mutant("no_auto_upload_after_turning_on_again", "REQ-BACKUP-06",
        "backup turned off and on again makes its first upload, but later changes are never "
        "uploaded by themselves")
def _no_auto_upload_after_turning_on_again(world: World) -> None:
    turned_off: set[str] = set()
    turning_on: set[str] = set()

    def turn_off_backup(app: Authenticator, original: Callable[[], Done]) -> Done:
        was_on = app.state.backup.on
        done = original()
        if was_on:
            turned_off.add(app.device.id)
        return done

    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        turning_on.add(app.device.id)
        try:
            return original(username, password)
        finally:
            turning_on.discard(app.device.id)

    def _sync(app: Authenticator, original: Callable[[], bool]) -> bool:
        if app.device.id in turned_off and app.device.id not in turning_on:
            return app.state.backup.on and not app.state.backup.dirty
        return original()

    wrap_app(world, "turn_off_backup", turn_off_backup)
    wrap_app(world, "turn_on_backup", turn_on_backup)
    wrap_app(world, "_sync", _sync)


@mutant("turning_on_again_uploads_old_copy", "REQ-BACKUP-06",
        "backup turned on again uploads the accounts of the last upload before it was "
        "turned off: accounts added while it was off are left out")
def _turning_on_again_uploads_old_copy(world: World) -> None:
    last: dict[str, set[str]] = {}  # device id -> ids of the accounts last uploaded
    stale: set[str] = set()

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        last[app.device.id] = {e.id for e in app.state.entries}

    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        if app.device.id in last:
            stale.add(app.device.id)
        try:
            return original(username, password)
        finally:
            stale.discard(app.device.id)

    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        if app.device.id not in stale:
            return payload
        ids = last.get(app.device.id, set())
        keep = tuple(a for e, a in zip(app.state.entries, payload.accounts, strict=True)
                     if e.id in ids)
        return dataclasses.replace(payload, accounts=keep)

    wrap_app(world, "_upload", _upload)
    wrap_app(world, "turn_on_backup", turn_on_backup)
    wrap_app(world, "_payload", _payload)


def _removal_drops(world: World, alike: Callable[[Any, Any], bool]) -> None:
    """Removing a third-party account drops from the backup every third-party account
    ``alike(removed, other)`` matches; they stay on the phone."""
    dropped: dict[str, set[str]] = {}

    def remove_account(app: Authenticator, original: Callable[[str], Done],
                       entry_id: str) -> Done:
        entry = app._entry(entry_id)
        if entry.kind == THIRD_PARTY:
            dropped.setdefault(app.device.id, set()).update(
                e.id for e in app.state.entries if e.kind == THIRD_PARTY and alike(entry, e))
        return original(entry_id)

    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        gone = dropped.get(app.device.id, set())
        if not gone:
            return payload
        keep = tuple(a for e, a in zip(app.state.entries, payload.accounts, strict=True)
                     if e.id not in gone)
        return dataclasses.replace(payload, accounts=keep)

    wrap_app(world, "remove_account", remove_account)
    wrap_app(world, "_payload", _payload)


@mutant("removal_drops_whole_site", "REQ-BACKUP-06",
        "removing a third-party account drops every account at that site from the backup: "
        "another account there stays on the phone but never comes back on a new one")
def _removal_drops_whole_site(world: World) -> None:
    _removal_drops(world, lambda gone, other: gone.issuer.lower() == other.issuer.lower())


@mutant("removal_drops_same_user_name", "REQ-BACKUP-06",
        "removing a third-party account drops every third-party account with that user name "
        "from the backup: the same name at another site never comes back on a new phone")
def _removal_drops_same_user_name(world: World) -> None:
    _removal_drops(world, lambda gone, other: gone.username.lower() == other.username.lower())
