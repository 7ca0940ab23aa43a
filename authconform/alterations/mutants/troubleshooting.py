"""Mutants of the troubleshooting answers (troubleshooting.feature)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import apple_id_at, unseal_backup
from authconform.alterations.patching import (
    on_refusal,
    swapped,
    wrap,
    wrap_app,
)
from sim.app import Authenticator, BackupState
from sim.device import Platform
from sim.refusals import Code, Done, Refusal
from sim.stores import BACKUP_NAME
from sim.world import World


@contextlib.contextmanager
def _posing_as(app: Authenticator, platform: Platform, apple_id: str | None) -> Iterator[None]:
    """Let the app act as if it ran on ``platform`` with ``apple_id`` signed in."""
    device = app.device
    with (swapped(device, "platform", platform), swapped(device, "apple_id", apple_id),
          swapped(device, "app_version", "99.0.0")):
        yield


@mutant("os_switch_restores", "REQ-TROUBLE-01",
        "a backup made on the other operating system is found and restored")
def _os_switch_restores(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        record = world.keys.lookup(username)
        if refusal.code is not Code.BACKUP_ON_OTHER_PLATFORM or record is None:
            return None
        platform = Platform(record.platform)
        apple_id = apple_id_at(world, record.location) if platform is Platform.IOS else None
        with _posing_as(app, platform, apple_id):
            return original(username, password)

    on_refusal(world, "begin_recovery", refused)


@mutant("no_catch_up_upload", "REQ-TROUBLE-02",
        "changes made offline are not uploaded when the phone is back online")
def _no_catch_up_upload(world: World) -> None:
    wrap_app(world, "retry_backup", lambda app, original: None)


@mutant("other_apple_id_sees_backup", "REQ-TROUBLE-03",
        "recovery on an iPhone signed in to another Apple ID still finds the backup")
def _other_apple_id_sees_backup(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        record = world.keys.lookup(username)
        apple_id = apple_id_at(world, record.location) if record else None
        if refusal.code is not Code.BACKUP_IN_OTHER_ICLOUD or apple_id is None:
            return None
        with swapped(app.device, "apple_id", apple_id):
            return original(username, password)

    on_refusal(world, "begin_recovery", refused)


@mutant("delete_backup_noop", "REQ-TROUBLE-04",
        "deleting the backup through storage management reports success but keeps it")
def _delete_backup_noop(world: World) -> None:
    wrap(world, "delete_backup", lambda original, kind, location: world.store(kind).get(
        location, BACKUP_NAME) is not None)


@mutant("phone_deletion_keeps_copy", "REQ-TROUBLE-04",
        "deleting the backup from the old phone turns backup off there but leaves the copy")
def _phone_deletion_keeps_copy(world: World) -> None:
    def delete_backup_from_phone(app: Authenticator, original: Callable[[], Done]) -> Done:
        if not app.state.backup.on:
            return original()
        app.state.backup = BackupState()
        return Done("Your backup is deleted from the cloud.")

    wrap_app(world, "delete_backup_from_phone", delete_backup_from_phone)


@mutant("account_problem_ignored", "REQ-TROUBLE-07",
        "a recovery account with a problem of its own (blocked) still signs in and recovers")
def _account_problem_ignored(world: World) -> None:
    def sign_in(original: Callable[..., Any], username: str, password: str,
                now: float) -> Any:
        account = world.msa.find(username)
        if account is None or not account.problem:
            return original(username, password, now)
        with swapped(account, "problem", False):
            return original(username, password, now)

    wrap(world.msa, "sign_in", sign_in)


@mutant("damaged_backup_partially_restored", "REQ-TROUBLE-06",
        "a damaged backup is restored in part from whatever could still be read")
def _damaged_backup_partially_restored(world: World) -> None:
    intact: dict[tuple[str, str], bytes] = {}  # last data handed to a store, by place

    for store in (world.icloud, world.microsoft_storage):
        def put(original: Callable[..., None], location: str, name: str, data: bytes,
                *args: Any, store: Any = store) -> None:
            intact[(store.kind.value, location.lower())] = data  # staged or final
            original(location, name, data, *args)

        wrap(store, "put", put)

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        try:
            return original(username, password)
        except Refusal as refusal:
            record = world.keys.lookup(username)
            if refusal.code is not Code.BACKUP_DAMAGED or record is None:
                raise
            location = (app.device.apple_id if app.device.platform is Platform.IOS
                        else username) or ""
            data = intact.get((app._store().kind.value, location.lower()))
            payload = unseal_backup(world, username, data) if data else None
            if payload is None:
                raise
        half = payload.accounts[: max(1, len(payload.accounts) // 2)]
        app.state.entries.extend(app._restore(a) for a in half)
        return Done(f"Recovered {len(half)} account(s).")

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("deleted_backup_blamed_on_network", "REQ-TROUBLE-04",
        "recovery of a deleted backup is refused as a network problem, not as unavailable")
def _deleted_backup_blamed_on_network(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.BACKUP_DELETED:
            raise Refusal(Code.NETWORK_UNAVAILABLE) from refusal

    on_refusal(world, "begin_recovery", refused)


@mutant("offline_queue_keeps_the_first_change", "REQ-TROUBLE-02",
        "offline, the upload waiting holds the accounts as they were at the first change; "
        "later changes made before the phone is back online never reach the cloud")
def _offline_queue_keeps_the_first_change(world: World) -> None:
    queued: dict[str, Any] = {}  # phone -> the payload it could not send

    def _payload(app: Authenticator, original: Callable[[], Any]) -> Any:
        return queued.get(app.device.id) or original()

    def _sync(app: Authenticator, original: Callable[[], bool]) -> bool:
        sent = original()
        if sent:
            queued.pop(app.device.id, None)
        elif app.state.backup.on and app.device.id not in queued:
            queued[app.device.id] = app._payload()  # not queued yet: today's accounts
        return sent

    wrap_app(world, "_payload", _payload)
    wrap_app(world, "_sync", _sync)


@mutant("waiting_change_forgotten_on_app_restart", "REQ-TROUBLE-02",
        "a change waiting for the network is forgotten when the app is closed and opened "
        "again: back online, nothing is sent")
def _waiting_change_forgotten_on_app_restart(world: World) -> None:
    def restart(app: Authenticator, original: Callable[[], None]) -> None:
        app.state.backup.dirty = False
        original()

    wrap_app(world, "restart", restart)


@mutant("other_platform_attempt_drops_the_backup", "REQ-TROUBLE-01",
        "a recovery tried on the other kind of phone resets the recovery account's "
        "pairing, so the backup is lost for the next phone of the kind that made it")
def _other_platform_attempt_drops_the_backup(world: World) -> None:
    def dropped(app: Authenticator, original: Any, refusal: Refusal, username: str,
                password: str) -> None:
        record = world.keys.lookup(username)
        if refusal.code is Code.BACKUP_ON_OTHER_PLATFORM and record is not None:
            record.deleted = True

    on_refusal(world, "begin_recovery", dropped)


@mutant("second_attempt_after_os_switch_restores", "REQ-TROUBLE-01",
        "a phone refused once because the backup was made on the other operating system "
        "restores that backup on the next attempt")
def _second_attempt_after_os_switch_restores(world: World) -> None:
    refused_once: set[str] = set()  # phones told the backup is on the other platform

    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        record = world.keys.lookup(username)
        if app.device.id in refused_once and record is not None:
            platform = Platform(record.platform)
            apple_id = (apple_id_at(world, record.location) if platform is Platform.IOS
                        else None)
            with _posing_as(app, platform, apple_id):
                return original(username, password)
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code is Code.BACKUP_ON_OTHER_PLATFORM:
                refused_once.add(app.device.id)
            raise

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("offline_deletion_claimed_not_done", "REQ-TROUBLE-04",
        "deleting the backup from the old phone while it is offline answers that it is "
        "deleted but only switches backup off there: a new phone still recovers it")
def _offline_deletion_claimed_not_done(world: World) -> None:
    def delete_backup_from_phone(app: Authenticator, original: Callable[[], Done]) -> Done:
        if app.state.backup.on and not app.device.online:
            app.state.backup = BackupState()
            return Done("Your backup is deleted from the cloud.")
        return original()

    wrap_app(world, "delete_backup_from_phone", delete_backup_from_phone)
