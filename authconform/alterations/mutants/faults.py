"""Mutants of outages and interruptions around backup and recovery (faults.feature)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import apple_id_at
from authconform.alterations.patching import (
    on_refusal,
    wrap,
    wrap_app,
)
from sim import crypto
from sim.app import Authenticator
from sim.backup import BackupPayload
from sim.refusals import Code, Done, Refusal
from sim.stores import BACKUP_NAME, StoredBlob
from sim.world import World


@mutant("upload_deletes_old_copy_first", "REQ-FAULT-01",
        "an upload deletes the previous backup before writing, so a cut upload leaves none")
def _upload_deletes_old_copy_first(world: World) -> None:
    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        location = app.state.backup.location
        if location is not None:
            app._store().delete(location, BACKUP_NAME)
        original()

    wrap_app(world, "_upload", _upload)


def _trusting_uploads(world: World, damaged: bool) -> None:
    """Uploads that believe the store's acknowledgement. After a refused upload whose
    write the store acknowledged, the app counts the upload done anyway when the write
    was lost (``damaged=False``) or, with ``damaged=True``, when the store kept a damaged
    copy -- which the app then makes the current backup."""
    writes: dict[str, Any] = {}

    for store in (world.icloud, world.microsoft_storage):
        def put(original: Callable[..., None], location: str, name: str, data: bytes,
                *args: Any, store: Any = store) -> None:
            original(location, name, data, *args)
            writes["last"] = (store, location, data, store.get(location, name))

        wrap(store, "put", put)

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        writes.pop("last", None)
        try:
            original()
        except Refusal:
            last = writes.pop("last", None)
            if last is None:
                raise
            store, location, sent, kept = last
            if damaged and kept is not None and kept != sent:
                store.objects[(location.lower(), BACKUP_NAME)] = StoredBlob(kept, app.now)
            elif damaged or kept is not None:
                raise

    wrap_app(world, "_upload", _upload)


@mutant("lost_write_not_noticed", "REQ-FAULT-02",
        "a write the store acknowledged but dropped counts as a finished backup")
def _lost_write_not_noticed(world: World) -> None:
    _trusting_uploads(world, damaged=False)


@mutant("turn_on_claims_success_on_fault", "REQ-FAULT-03",
        "turning backup on reports success when the key holder or the network failed")
def _turn_on_claims_success_on_fault(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        if refusal.code in (Code.SERVICE_UNAVAILABLE, Code.NETWORK_UNAVAILABLE):
            return Done("Backup is on.")
        return None

    on_refusal(world, "turn_on_backup", refused)


@mutant("truncated_write_not_noticed", "REQ-FAULT-04",
        "a truncated copy kept by the store counts as a finished backup and is never replaced")
def _truncated_write_not_noticed(world: World) -> None:
    _trusting_uploads(world, damaged=True)


@mutant("cut_recovery_marks_store", "REQ-FAULT-05",
        "a recovery that fails part-way leaves a note of the attempt beside the backup it "
        "was reading")
def _cut_recovery_marks_store(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        record = world.keys.lookup(username)
        if refusal.code in (Code.SERVICE_UNAVAILABLE, Code.NETWORK_UNAVAILABLE) and (
                record is not None and record.platform == app.device.platform.value):
            location = (apple_id_at(world, record.location) if record.platform == "ios"
                        else username)
            store = world.icloud if record.platform == "ios" else world.microsoft_storage
            if location is not None:
                store.objects[(location.lower(), "recovery-attempt")] = StoredBlob(
                    app.device.id.encode(), app.now)

    on_refusal(world, "begin_recovery", refused)


@mutant("two_writers_mix_backups", "REQ-FAULT-07",
        "an upload keeps the first account of a copy another phone stored, mixing two phones")
def _two_writers_mix_backups(world: World) -> None:
    # Only another phone's copy is mixed in: mixing in the phone's own previous copy
    # would be a different fault (a removed account staying in the backup, BACKUP-06).
    own: dict[str, set[tuple[str, str, str]]] = {}

    def key(account: Any) -> tuple[str, str, str]:
        return (account.kind, account.issuer.lower(), account.username.lower())

    def _payload(app: Authenticator, original: Callable[[], BackupPayload]) -> BackupPayload:
        payload = original()
        backup = app.state.backup
        if backup.location is None or backup.key is None:
            return payload
        data = app._store().get(backup.location, BACKUP_NAME)
        stored = None
        if data is not None:
            with contextlib.suppress(Exception):
                stored = BackupPayload.from_bytes(crypto.unseal(backup.key, data,
                                                                app._aad(backup.location)))
        previous = own.get(app.device.id)
        mine = {key(a) for a in payload.accounts}
        extra: list[Any] = []
        if stored is not None and {key(a) for a in stored.accounts} != previous:
            extra = [a for a in stored.accounts[:1] if key(a) not in mine]
        mixed = BackupPayload(payload.accounts + tuple(extra), payload.settings,
                              payload.made_on, payload.made_at)
        own[app.device.id] = {key(a) for a in mixed.accounts}
        return mixed

    wrap_app(world, "_payload", _payload)
