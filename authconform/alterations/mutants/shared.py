"""Helpers shared by the mutants of several areas (reading a world's stored backup,
posing as another phone, fresh code parameters, telling scanned accounts apart)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.patching import (
    wrap_app,
)
from sim import crypto
from sim.app import Authenticator, location_fingerprint
from sim.backup import BackupPayload
from sim.device import Platform
from sim.stores import StoredBlob
from sim.world import World


def apple_id_at(world: World, fingerprint: str) -> str | None:
    """The Apple ID whose iCloud is the storage location with this fingerprint."""
    return next((r.username for r in world.apple_ids.ids.values()
                 if location_fingerprint(r.username) == fingerprint), None)


def unseal_backup(world: World, username: str, data: bytes) -> BackupPayload | None:
    record = world.keys.lookup(username)
    if record is None:
        return None
    location = apple_id_at(world, record.location) if record.platform == "ios" else username
    if location is None:
        return None
    aad = f"{record.platform}|{location_fingerprint(location)}".encode()
    try:
        return BackupPayload.from_bytes(crypto.unseal(record.key, data, aad))
    except Exception:
        return None


def left_beside_backup(world: World, name: str,
                        content: Callable[[Authenticator], bytes | None]) -> None:
    """Each upload also stores ``content`` as object ``name`` at the backup's location."""
    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        location, data = app.state.backup.location, content(app)
        if location is not None and data is not None:
            app._store().objects[(location.lower(), name)] = StoredBlob(data, app.now)

    wrap_app(world, "_upload", _upload)


def backup_here(world: World, app: Authenticator) -> tuple[str, Any] | None:
    """On an iPhone, the recovery account and key record of the backup kept in the
    signed-in iCloud, if there is one."""
    apple_id = app.device.apple_id
    if app.device.platform is not Platform.IOS or apple_id is None:
        return None
    here = location_fingerprint(apple_id)
    return next(((name, r) for name, r in world.keys.records.items()
                 if r.platform == "ios" and r.location == here and not r.deleted), None)


def added_by_scanning(world: World, then: Callable[[Authenticator, set[str]], None] | None
                      = None) -> set[str]:
    """The ids of the accounts phones add by scanning a QR code, from now on; ``then(app,
    added)`` runs after each scan that added some (the scan's own upload is already made)."""
    scanned: set[str] = set()

    def scan_qr(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        before = {e.id for e in app.state.entries}
        done = original(*args)
        added = {e.id for e in app.state.entries if e.id not in before}
        scanned.update(added)
        if added and then is not None:
            then(app, added)
        return done

    wrap_app(world, "scan_qr", scan_qr)
    return scanned
