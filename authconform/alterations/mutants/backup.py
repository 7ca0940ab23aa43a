"""Mutants of turning backup on and off, and where each platform's backup goes (backup.feature)."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    swapped,
    wrap,
    wrap_app,
)
from sim.app import Authenticator
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
