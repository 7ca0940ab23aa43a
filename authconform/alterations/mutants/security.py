"""Mutants of the harness's own security expectations (security.feature)."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import apple_id_at, backup_here
from authconform.alterations.patching import (
    on_each_tenant,
    on_refusal,
    wrap,
    wrap_app,
)
from sim.app import Authenticator
from sim.refusals import Code, Done, Refusal
from sim.stores import BACKUP_NAME, StoredBlob
from sim.world import World


@mutant("expired_code_accepted", "REQ-SECURITY-05",
        "verification codes never expire")
def _expired_code_accepted(world: World) -> None:
    def confirm_code(original: Callable[..., None], username: str, code: str,
                     now: float) -> None:
        account = world.msa.find(username)
        pending = account.pending if account else None
        if pending is not None:
            pending.expires_at = math.inf
        original(username, code, now)

    wrap(world.msa, "confirm_code", confirm_code)


def _tenant_activation_patch(world: World, before: Callable[[Any], Any],
                             after: Callable[[Any, Any], None]) -> None:
    """Run ``before(activation)`` ahead of each tenant's ``activate`` and
    ``after(activation, saved)`` once it returns or refuses."""

    def patch(tenant: Any) -> None:
        def activate(original: Callable[..., Any], code: str, *args: Any,
                     **kwargs: Any) -> Any:
            activation = tenant.activations.get(code.strip())
            saved = before(activation) if activation is not None else None
            try:
                return original(code, *args, **kwargs)
            finally:
                if activation is not None:
                    after(activation, saved)

        wrap(tenant, "activate", activate)

    on_each_tenant(world, patch)


@mutant("replayed_qr_accepted", "REQ-SECURITY-06",
        "an activation QR code can be used again after it was used once")
def _replayed_qr_accepted(world: World) -> None:
    def before(activation: Any) -> None:
        activation.used = False

    _tenant_activation_patch(world, before, lambda activation, saved: None)


@mutant("expired_qr_accepted", "REQ-SECURITY-06",
        "an activation QR code is accepted after it has expired")
def _expired_qr_accepted(world: World) -> None:
    def before(activation: Any) -> float:
        saved = activation.expires_at
        activation.expires_at = math.inf
        return saved

    def after(activation: Any, saved: float) -> None:
        activation.expires_at = saved

    _tenant_activation_patch(world, before, after)


@mutant("recovery_password_stored", "REQ-SECURITY-01",
        "each upload leaves the recovery password, base64-encoded, next to the backup")
def _recovery_password_stored(world: World) -> None:

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        backup = app.state.backup
        account = world.msa.find(backup.recovery_username or "")
        if account is not None and backup.location is not None:
            hint = base64.b64encode(account.password.encode())
            app._store().objects[(backup.location.lower(), "authenticator-sign-in")] = (
                StoredBlob(hint, app.now))

    wrap_app(world, "_upload", _upload)


@mutant("secret_sent_in_clear", "REQ-SECURITY-02",
        "the upload request carries the backup's plain text beside the sealed copy")
def _secret_sent_in_clear(world: World) -> None:
    def _call(app: Authenticator, original: Callable[..., None], service: str,
              operation: str, payload: bytes = b"") -> None:
        if operation == "put" and service in ("icloud", "microsoft-storage"):
            payload = payload + app._payload().to_bytes()
        original(service, operation, payload)

    wrap_app(world, "_call", _call)


@mutant("stale_sign_in_releases_key", "REQ-SECURITY-03",
        "the key holder releases the backup key to a recovery sign-in of any age")
def _stale_sign_in_releases_key(world: World) -> None:
    def release(original: Callable[..., bytes], username: str, session: Any, now: float,
                freshness: float) -> bytes:
        return original(username, session, now, math.inf)

    wrap(world.keys, "release", release)


@mutant("recovery_trusts_an_old_sign_in", "REQ-SECURITY-03",
        "recovery on a phone that once signed in to the account accepts a wrong password")
def _recovery_trusts_an_old_sign_in(world: World) -> None:
    signed_in: set[tuple[str, str]] = set()  # (device, account) that ever signed in

    def remember(app: Authenticator, original: Callable[..., Done], username: str,
                 password: str) -> Done:
        done = original(username, password)
        signed_in.add((app.device.id, username.strip().lower()))
        return done

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        account = world.msa.find(username)
        if account is not None and (app.device.id, account.username.lower()) in signed_in:
            password = account.password
        return remember(app, original, username, password)

    wrap_app(world, "turn_on_backup", remember)
    wrap_app(world, "add_personal_account",
             lambda app, original, username, password, push: remember(
                 app, lambda u, p: original(u, p, push), username, password))
    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("refusal_names_the_owner", "REQ-SECURITY-04",
        "a refused recovery says whose backup the iCloud holds, or which iCloud holds it")
def _refusal_names_the_owner(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.NO_BACKUP_FOUND:
            found = backup_here(world, app)
            if found is not None:
                raise Refusal(refusal.code, f"This iCloud holds the backup of {found[0]}, "
                              "not of the account you signed in with.") from refusal
        if refusal.code is Code.BACKUP_IN_OTHER_ICLOUD:
            record = world.keys.lookup(username)
            maker = apple_id_at(world, record.location) if record else None
            if maker is not None:
                raise Refusal(refusal.code, f"Your backup is in the iCloud of {maker}; "
                              "sign in to that Apple ID.") from refusal

    on_refusal(world, "begin_recovery", refused)


@mutant("unopenable_backup_deleted", "REQ-SECURITY-04",
        "recovery that finds a backup in the signed-in iCloud it cannot open deletes it")
def _unopenable_backup_deleted(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        found = backup_here(world, app) if refusal.code is Code.NO_BACKUP_FOUND else None
        if found is not None and app.device.apple_id is not None:
            app._store().delete(app.device.apple_id, BACKUP_NAME)  # "a leftover"

    on_refusal(world, "begin_recovery", refused)


@mutant("key_fetched_long_after_sign_in", "REQ-SECURITY-03",
        "recovery asks the key holder for the key 1.5 times the declared freshness after "
        "signing in, and the key holder allows twice that freshness")
def _key_fetched_long_after_sign_in(world: World) -> None:
    late = world.rules.key_release_freshness_s * 1.5

    def call(original: Callable[..., None], online: bool, device_id: str | None,
             service: str, operation: str, payload: bytes, at: float) -> None:
        if service == "key-service" and operation == "lookup":
            world.clock.advance(late)
            at += late
        original(online, device_id, service, operation, payload, at)

    def release(original: Callable[..., bytes], username: str, session: Any, now: float,
                freshness: float) -> bytes:
        return original(username, session, now, freshness * 2)

    wrap(world.network, "call", call)
    wrap(world.keys, "release", release)
