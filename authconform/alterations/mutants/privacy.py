"""Mutants of what the backup keeps away from anyone else (privacy.feature)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import left_beside_backup
from authconform.alterations.patching import (
    wrap,
    wrap_app,
)
from sim.app import WORK, Authenticator
from sim.device import Platform
from sim.refusals import Done
from sim.stores import BACKUP_NAME, StoredBlob
from sim.world import World


@mutant("backup_encoded_not_encrypted", "REQ-PRIVACY-03",
        "the store holds the backup base64-encoded instead of encrypted (readable by anyone)")
def _backup_encoded_not_encrypted(world: World) -> None:
    sealed: dict[tuple[str, str], tuple[bytes, bytes]] = {}  # place -> (stored, sealed)

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        backup = app.state.backup
        store = app._store()
        assert backup.location is not None
        key = (backup.location.lower(), BACKUP_NAME)
        kept = store.objects.get(key)
        if kept is not None:
            encoded = base64.b64encode(app._payload().to_bytes())
            sealed[(store.kind.value, backup.location.lower())] = (encoded, kept.data)
            store.objects[key] = StoredBlob(encoded, kept.updated_at)

    for store in (world.icloud, world.microsoft_storage):
        def get(original: Callable[..., bytes | None], location: str, name: str,
                store: Any = store) -> bytes | None:
            data = original(location, name)
            pair = sealed.get((store.kind.value, location.lower()))
            if name == BACKUP_NAME and pair is not None and data == pair[0]:
                return pair[1]  # the app and the tester still read it as before
            return data

        wrap(store, "get", get)
    wrap_app(world, "_upload", _upload)


@mutant("backup_reported_to_telemetry", "REQ-PRIVACY-01",
        "every upload also sends the account names to a telemetry service")
def _backup_reported_to_telemetry(world: World) -> None:
    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        names = ",".join(e.username for e in app.state.entries)
        app._call("telemetry", "report", names.encode())

    wrap_app(world, "_upload", _upload)


@mutant("admin_sees_accounts", "REQ-PRIVACY-02",
        "the tenant's admin log lists every account on a registered phone")
def _admin_sees_accounts(world: World) -> None:
    def _changed(app: Authenticator, original: Callable[[str], Done], message: str) -> Done:
        done = original(message)
        names = ", ".join(e.username for e in app.state.entries)
        for tenant in world.tenants.values():
            if any(device == app.device.id for _, device in tenant.registrations):
                tenant.events.append(f"accounts on {app.device.name!r}: {names}")
        return done

    wrap_app(world, "_changed", _changed)


@mutant("backup_key_kept_in_store", "REQ-PRIVACY-03",
        "each upload leaves the backup key, base64-encoded, next to the backup it opens")
def _backup_key_kept_in_store(world: World) -> None:
    def key(app: Authenticator) -> bytes | None:
        record = world.keys.lookup(app.state.backup.recovery_username or "")
        return None if record is None else base64.b64encode(record.key)

    left_beside_backup(world, "authenticator-key", key)


@mutant("plaintext_backup", "REQ-PRIVACY-03",
        "the storage location holds the backup in plain text")
def _plaintext_backup(world: World) -> None:
    upload: dict[str, bytes] = {}  # the plain text and sealed blob of the upload under way
    sealed: dict[tuple[str, str], tuple[bytes, bytes]] = {}  # place -> (plain, sealed)

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        upload.clear()
        upload["plain"] = app._payload().to_bytes()
        try:
            original()
        finally:
            upload.clear()

    def expose(store: Any, location: str) -> None:
        """Once the sealed blob being uploaded is the backup, keep its plain text."""
        key = (location.lower(), BACKUP_NAME)
        kept = store.objects.get(key)
        if kept is not None and "sealed" in upload and kept.data == upload["sealed"]:
            sealed[(store.kind.value, location.lower())] = (upload["plain"], kept.data)
            store.objects[key] = StoredBlob(upload["plain"], kept.updated_at)

    for store in (world.icloud, world.microsoft_storage):
        def put(original: Callable[..., None], location: str, name: str, data: bytes,
                *args: Any, store: Any = store) -> None:
            if "plain" in upload:
                upload["sealed"] = data
            original(location, name, data, *args)
            expose(store, location)

        def promote(original: Callable[..., None], location: str, *args: Any,
                    store: Any = store) -> None:
            original(location, *args)
            expose(store, location)

        def get(original: Callable[..., bytes | None], location: str, name: str,
                store: Any = store) -> bytes | None:
            data = original(location, name)
            pair = sealed.get((store.kind.value, location.lower()))
            if name == BACKUP_NAME and pair is not None and data == pair[0]:
                return pair[1]
            return data

        def delete(original: Callable[..., bool], location: str, name: str,
                   store: Any = store) -> bool:
            if name == BACKUP_NAME:
                sealed.pop((store.kind.value, location.lower()), None)
            return original(location, name)

        wrap(store, "put", put)
        if hasattr(store, "promote"):
            wrap(store, "promote", promote)
        wrap(store, "get", get)
        wrap(store, "delete", delete)

    wrap_app(world, "_upload", _upload)


@mutant("push_key_in_backup", "REQ-PRIVACY-05",
        "every upload also writes the phone's private push keys next to the backup")
def _push_key_in_backup(world: World) -> None:
    keys_name = "authenticator-device-keys"

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        secrets = b"".join(app.device.push_keys.values())
        location = app.state.backup.location
        if secrets and location is not None:
            store = app._store()
            app._call(store.kind.service, "put", secrets)
            store.objects[(location.lower(), keys_name)] = StoredBlob(secrets, app.now)

    for store in (world.icloud, world.microsoft_storage):
        def delete(original: Callable[..., bool], location: str, name: str,
                   store: Any = store) -> bool:
            if name == BACKUP_NAME:
                store.objects.pop((location.lower(), keys_name), None)
            return original(location, name)

        wrap(store, "delete", delete)

    wrap_app(world, "_upload", _upload)


def _tell_administrators(world: World, app: Authenticator, what: str) -> None:
    """An event in every organisation of a work account on the phone, listing the app's
    accounts: what the documents say the administrator never learns."""
    names = ", ".join(f"{e.issuer}:{e.username}" for e in app.state.entries)
    for entry in app.state.entries:
        if entry.kind == WORK and entry.tenant_id in world.tenants:
            world.tenants[entry.tenant_id].events.append(
                f"device {app.device.name!r}: {what} (accounts on the device: {names})")


@mutant("administrator_told_when_backup_ends", "REQ-PRIVACY-02",
        "turning backup off, or deleting it from the phone, tells each organisation on the "
        "phone which accounts the app holds")
def _administrator_told_when_backup_ends(world: World) -> None:
    def turn_off_backup(app: Authenticator, original: Callable[[], Done]) -> Done:
        if app.state.backup.on:
            _tell_administrators(world, app, "backup turned off")
        return original()

    wrap_app(world, "turn_off_backup", turn_off_backup)


@mutant("administrator_told_of_personal_verification", "REQ-PRIVACY-02",
        "verifying a restored personal account tells each organisation on the phone which "
        "accounts the app holds")
def _administrator_told_of_personal_verification(world: World) -> None:
    def confirm_verification_code(app: Authenticator, original: Callable[..., Done],
                                  entry_id: str, code: str) -> Done:
        done = original(entry_id, code)
        _tell_administrators(world, app, "personal account verified")
        return done

    wrap_app(world, "confirm_verification_code", confirm_verification_code)


@mutant("administrator_told_on_scanned_recovery", "REQ-PRIVACY-02",
        "scanning a QR code to recover a waiting work account tells each organisation on the "
        "phone which accounts the app holds (typing the code and URL does not)")
def _administrator_told_on_scanned_recovery(world: World) -> None:
    def scan_qr_to_recover(app: Authenticator, original: Callable[..., Done], entry_id: str,
                           image: bytes) -> Done:
        done = original(entry_id, image)
        _tell_administrators(world, app, "work account recovered by scanning")
        return done

    wrap_app(world, "scan_qr_to_recover", scan_qr_to_recover)


@mutant("administrator_told_on_typed_recovery_on_android", "REQ-PRIVACY-02",
        "on Android, typing the code and URL to recover a waiting work account tells each "
        "organisation on the phone which accounts the app holds (scanning does not)")
def _administrator_told_on_typed_recovery_on_android(world: World) -> None:
    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        done = original(entry_id, code, url)
        if app.device.platform is Platform.ANDROID:
            _tell_administrators(world, app, "work account re-activated by code")
        return done

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)
