"""Mutants of recovering a backup on a new phone (recovery.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import apple_id_at, backup_here, unseal_backup
from authconform.alterations.patching import (
    on_refusal,
    override_app_property,
    swapped,
    wrap_app,
)
from sim.app import PERSONAL, THIRD_PARTY, Authenticator
from sim.device import Platform
from sim.refusals import Code, Done, Refusal
from sim.stores import BACKUP_NAME
from sim.world import World


def _stored_backup_of(world: World, username: str) -> bytes | None:
    record = world.keys.lookup(username)
    if record is None:
        return None
    if record.platform == "ios":
        location = apple_id_at(world, record.location)
        return world.icloud.get(location, BACKUP_NAME) if location else None
    return world.microsoft_storage.get(username, BACKUP_NAME)


@mutant("recovery_drops_last_account", "REQ-RECOVERY-03",
        "recovery restores every backed-up account but the last one")
def _recovery_drops_last_account(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        before = len(app.state.entries)
        done = original(username, password)
        if len(app.state.entries) > before:
            gone = app.state.entries.pop()
            app.device.push_keys.pop(gone.id, None)
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("recovery_wrong_password_accepted", "REQ-RECOVERY-04",
        "recovery accepts a wrong password for the recovery account")
def _recovery_wrong_password_accepted(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        account = world.msa.find(username)
        return original(username, account.password if account else password)

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("recovery_other_msa_finds_backup", "REQ-RECOVERY-04",
        "a Microsoft account with no backup is given the latest backup made on this platform")
def _recovery_other_msa_finds_backup(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code is not Code.NO_BACKUP_FOUND:
                raise
            platform = app.device.platform
            others = [(name, r) for name, r in world.keys.records.items()
                      if r.platform == platform.value and not r.deleted
                      and name != username.strip().lower()]
            if not others:
                raise
        name, record = others[-1]
        account = world.msa.find(name)
        apple_id = (apple_id_at(world, record.location) if platform is Platform.IOS
                    else app.device.apple_id)
        if account is None:
            raise Refusal(Code.NO_BACKUP_FOUND)
        with swapped(app.device, "apple_id", apple_id):
            return original(account.username, account.password)

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("offline_recovery_half_restores", "REQ-RECOVERY-05",
        "a recovery cut by the network keeps the third-party accounts it had already read")
def _offline_recovery_half_restores(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        had_accounts = bool(app.state.entries)
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code in (Code.NETWORK_UNAVAILABLE, Code.SERVICE_UNAVAILABLE) and (
                    not had_accounts):
                record = world.keys.lookup(username)
                data = _stored_backup_of(world, username)
                payload = unseal_backup(world, username, data) if data else None
                if (record is not None and payload is not None
                        and record.platform == app.device.platform.value):
                    app.state.entries.extend(app._restore(a) for a in payload.accounts
                                             if a.kind == THIRD_PARTY)
            raise

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("personal_needs_verification_after_restore", "REQ-RECOVERY-06",
        "restored personal accounts without push also wait for additional verification")
def _personal_needs_verification_after_restore(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == PERSONAL and not entry.push:
            entry.needs_verification = True
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("recovery_button_mislabelled_on_android", "REQ-RECOVERY-01",
        "on Android the recovery button reads 'Restore backup', not 'Start recovery'")
def _recovery_button_mislabelled_on_android(world: World) -> None:
    override_app_property(world, "recovery_label", lambda app, value: (
        "Restore backup" if value and app.device.platform is Platform.ANDROID else value))


@mutant("backup_found_by_icloud_alone", "REQ-RECOVERY-04",
        "on an iPhone any Microsoft account finds the backup kept in the signed-in iCloud")
def _backup_found_by_icloud_alone(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        if refusal.code not in (Code.NO_BACKUP_FOUND, Code.BACKUP_IN_OTHER_ICLOUD):
            return None
        found = backup_here(world, app)
        account = world.msa.find(found[0]) if found else None
        if account is None:
            return None
        return original(account.username, account.password)

    on_refusal(world, "begin_recovery", refused)


@mutant("cut_recovery_fails_again", "REQ-RECOVERY-05",
        "after a cut recovery, the next attempt on that phone fails the same way once more")
def _cut_recovery_fails_again(world: World) -> None:
    failed: dict[str, Code] = {}

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        code = failed.pop(app.device.id, None)
        if code is not None:
            raise Refusal(code)
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code in (Code.SERVICE_UNAVAILABLE, Code.NETWORK_UNAVAILABLE):
                failed[app.device.id] = refusal.code
            raise

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("backup_on_again_keeps_old_deletion", "REQ-RECOVERY-02",
        "backup turned off (or deleted from the phone) and on again keeps the old copy's "
        "deletion mark, so the new backup is never recovered")
def _backup_on_again_keeps_old_deletion(world: World) -> None:
    ended: set[str] = set()  # recovery accounts whose backup was once turned off

    def turn_off_backup(app: Authenticator, original: Callable[[], Done]) -> Done:
        user = app.state.backup.recovery_username
        done = original()
        if user:
            ended.add(user.lower())
        return done

    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        done = original(username, password)
        record = world.keys.lookup(username)
        if username.strip().lower() in ended and record is not None:
            record.deleted = True
        return done

    wrap_app(world, "turn_off_backup", turn_off_backup)
    wrap_app(world, "turn_on_backup", turn_on_backup)


@mutant("retry_keeps_the_cut_sign_in", "REQ-RECOVERY-04",
        "after a recovery refused past its sign-in (a cut connection), the next attempt on "
        "that phone counts as still signed in and takes any password")
def _retry_keeps_the_cut_sign_in(world: World) -> None:
    signed_in: set[tuple[str, str]] = set()  # (phone, account) a cut attempt signed in

    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        key = (app.device.id, username.strip().lower())
        account = world.msa.find(username)
        if key in signed_in and account is not None:
            password = account.password
        try:
            return original(username, password)
        except Refusal as refusal:
            if (refusal.code is not Code.SIGN_IN_FAILED and account is not None
                    and account.password == password):
                signed_in.add(key)
            raise

    wrap_app(world, "begin_recovery", begin_recovery)
