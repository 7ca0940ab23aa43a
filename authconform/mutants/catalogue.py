"""The mutant catalogue: one deliberate fault per entry, each breaking one requirement.

``MUTANTS[name].apply(world)`` is called by the sim adapter on every new ``sim.World``
when a run says ``--mutant name``. A mutant only patches that world instance (see
``patching``), so it never leaks into another scenario. The requirement ids are those
of ``features/requirements.yml``; a test holds them to that file.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from authconform.mutants.patching import (
    on_each_app,
    on_each_device,
    on_each_tenant,
    on_refusal,
    override_app_property,
    swapped,
    wrap,
    wrap_app,
)
from sim import crypto
from sim.app import PERSONAL, THIRD_PARTY, WORK, Authenticator, BackupState, location_fingerprint
from sim.backup import BackupPayload
from sim.codes import TotpParams, secret_from_bytes
from sim.device import CAMERA_PROMPT, CameraPermission, Platform
from sim.keyservice import KeyRecord
from sim.msa import Msa
from sim.refusals import Code, Done, Refusal
from sim.rules import Rules, parse_version
from sim.stores import BACKUP_NAME, StoredBlob
from sim.world import World


@dataclass(frozen=True)
class Mutant:
    name: str
    requirement: str  # the REQ id this fault breaks
    description: str  # one line, what is wrong
    apply: Callable[[World], None]

    def __repr__(self) -> str:
        return f"Mutant({self.name!r}, {self.requirement})"


MUTANTS: dict[str, Mutant] = {}


def mutant(name: str, requirement: str, description: str
           ) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(apply: Callable[[World], None]) -> Callable[[World], None]:
        if name in MUTANTS:
            raise ValueError(f"duplicate mutant {name!r}")
        MUTANTS[name] = Mutant(name, requirement, description, apply)
        return apply

    return register


# ---------------------------------------------------------------- shared helpers


def _apple_id_at(world: World, fingerprint: str) -> str | None:
    """The Apple ID whose iCloud is the storage location with this fingerprint."""
    return next((r.username for r in world.apple_ids.ids.values()
                 if location_fingerprint(r.username) == fingerprint), None)


@contextlib.contextmanager
def _posing_as(app: Authenticator, platform: Platform, apple_id: str | None) -> Iterator[None]:
    """Let the app act as if it ran on ``platform`` with ``apple_id`` signed in."""
    device = app.device
    with (swapped(device, "platform", platform), swapped(device, "apple_id", apple_id),
          swapped(device, "app_version", "99.0.0")):
        yield


def _unseal_backup(world: World, username: str, data: bytes) -> BackupPayload | None:
    record = world.keys.lookup(username)
    if record is None:
        return None
    location = _apple_id_at(world, record.location) if record.platform == "ios" else username
    if location is None:
        return None
    aad = f"{record.platform}|{location_fingerprint(location)}".encode()
    try:
        return BackupPayload.from_bytes(crypto.unseal(record.key, data, aad))
    except Exception:
        return None


def _stored_backup_of(world: World, username: str) -> bytes | None:
    record = world.keys.lookup(username)
    if record is None:
        return None
    if record.platform == "ios":
        location = _apple_id_at(world, record.location)
        return world.icloud.get(location, BACKUP_NAME) if location else None
    return world.microsoft_storage.get(username, BACKUP_NAME)


def _fresh_params(world: World, like: TotpParams) -> TotpParams:
    return TotpParams(secret_from_bytes(world.rng.randbytes(20)), like.digits, like.period,
                      like.algorithm)


# ---------------------------------------------------------------- EXISTING


@mutant("recovery_merges_existing", "REQ-EXISTING-01",
        "recovery goes ahead although accounts exist, merging the backup after them")
def _recovery_merges_existing(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        kept = list(app.state.entries)
        app.state.entries.clear()
        try:
            done = original(username, password)
        except Refusal:
            app.state.entries[:] = kept
            raise
        app.state.entries[:0] = kept
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


def _blocking_only(world: World, counts: Callable[[Any], bool]) -> None:
    """Recovery looks only at the existing accounts ``counts`` accepts."""
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        ignored = [e for e in app.state.entries if not counts(e)]
        if not ignored:
            return original(username, password)
        kept = [e for e in app.state.entries if counts(e)]
        app.state.entries[:] = kept
        try:
            done = original(username, password)
        except Refusal:
            app.state.entries[:] = [*ignored, *kept]
            raise
        app.state.entries[:0] = ignored
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("work_account_does_not_block", "REQ-EXISTING-01",
        "a work or school account already in the app does not block recovery")
def _work_account_does_not_block(world: World) -> None:
    _blocking_only(world, lambda entry: entry.kind != WORK)


@mutant("only_personal_account_blocks", "REQ-EXISTING-01",
        "only a personal Microsoft account already in the app blocks recovery")
def _only_personal_account_blocks(world: World) -> None:
    _blocking_only(world, lambda entry: entry.kind == PERSONAL)


@mutant("waiting_accounts_do_not_block", "REQ-EXISTING-01",
        "restored accounts still waiting for verification do not count as accounts set up, "
        "so recovery runs again over them")
def _waiting_accounts_do_not_block(world: World) -> None:
    _blocking_only(world, lambda entry: not entry.needs_verification)


@mutant("refusal_deletes_existing", "REQ-EXISTING-02",
        "a recovery refused for existing accounts still deletes the first existing account")
def _refusal_deletes_existing(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.EXISTING_ACCOUNTS and app.state.entries:
            gone = app.state.entries.pop(0)
            app.device.push_keys.pop(gone.id, None)

    on_refusal(world, "begin_recovery", refused)


@mutant("existing_block_sticks", "REQ-EXISTING-03",
        "once refused for existing accounts, recovery stays refused after they are removed")
def _existing_block_sticks(world: World) -> None:
    blocked: set[str] = set()

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        if app.device.id in blocked:
            raise Refusal(Code.EXISTING_ACCOUNTS)
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code is Code.EXISTING_ACCOUNTS:
                blocked.add(app.device.id)
            raise

    wrap_app(world, "begin_recovery", begin_recovery)


# ---------------------------------------------------------------- CODES


@mutant("msa_codes_identical", "REQ-CODES-01",
        "a new phone reuses the old phone's Microsoft account credential, so codes match")
def _msa_codes_identical(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        account = world.msa.find(username)
        if account is not None and token == account.account_token:
            others = [p for d, p in account.credentials.items() if d != device_id]
            if others:
                account.credentials[device_id] = others[0]
                return others[0]
        return original(username, token, device_id, rng, *rest)

    wrap(world.msa, "enroll_device", enroll_device)


@mutant("restored_msa_credential_broken", "REQ-CODES-02",
        "a restored personal Microsoft account without push gets a credential its provider "
        "never enrolled, so its codes are refused")
def _restored_msa_credential_broken(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       *args: Any, **kwargs: Any) -> Done:
        done = original(*args, **kwargs)
        for entry in app.state.entries:
            if entry.kind == PERSONAL and not entry.needs_verification and entry.params:
                entry.params = _fresh_params(world, entry.params)
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("old_phone_credential_revoked", "REQ-CODES-02",
        "enrolling a new phone for a Microsoft account revokes every other phone's credential")
def _old_phone_credential_revoked(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        params = original(username, token, device_id, rng, *rest)
        account = world.msa.find(username)
        if account is not None:
            account.credentials = {device_id: params}
        return params

    wrap(world.msa, "enroll_device", enroll_device)


@mutant("third_party_rekeyed", "REQ-CODES-03",
        "a restored third-party account gets a new random secret instead of the backed-up one")
def _third_party_rekeyed(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == THIRD_PARTY and entry.params is not None:
            entry.params = _fresh_params(world, entry.params)
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("msa_codes_six_digits", "REQ-CODES-04",
        "personal Microsoft account codes have 6 digits, not the 8 the simulator declares")
def _msa_codes_six_digits(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        params = original(username, token, device_id, rng, *rest)
        short = TotpParams(params.secret, 6, params.period, params.algorithm)
        account = world.msa.find(username)
        if account is not None:
            account.credentials[device_id] = short
        return short

    wrap(world.msa, "enroll_device", enroll_device)


# ---------------------------------------------------------------- BACKUP


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
        "after backup is switched off, every change still sends an upload to the store")
def _uploads_after_turn_off(world: World) -> None:
    switched_off: dict[str, str] = {}  # device id -> store service it used

    def turn_off_backup(app: Authenticator, original: Callable[[], Done]) -> Done:
        service = app._store().kind.service
        was_on = app.state.backup.on
        done = original()
        if was_on:
            switched_off[app.device.id] = service
        return done

    def _changed(app: Authenticator, original: Callable[[str], Done], message: str) -> Done:
        done = original(message)
        service = switched_off.get(app.device.id)
        if service is not None and not app.state.backup.on:
            with contextlib.suppress(Refusal):
                app._call(service, "put")
        return done

    wrap_app(world, "turn_off_backup", turn_off_backup)
    wrap_app(world, "_changed", _changed)


# ---------------------------------------------------------------- STORED


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

    _left_beside_backup(world, "authenticator-cache.json", cache)


def _left_beside_backup(world: World, name: str,
                        content: Callable[[Authenticator], bytes | None]) -> None:
    """Each upload also stores ``content`` as object ``name`` at the backup's location."""
    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        location, data = app.state.backup.location, content(app)
        if location is not None and data is not None:
            app._store().objects[(location.lower(), name)] = StoredBlob(data, app.now)

    wrap_app(world, "_upload", _upload)


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


@mutant("account_names_not_restored", "REQ-STORED-04",
        "recovery drops the names the user gave accounts and shows the default names")
def _account_names_not_restored(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        entry.display_name = (f"{entry.issuer}: {entry.username}" if entry.kind == THIRD_PARTY
                              else entry.username)
        return entry

    wrap_app(world, "_restore", _restore)


# ---------------------------------------------------------------- RECOVERY


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
        apple_id = (_apple_id_at(world, record.location) if platform is Platform.IOS
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
                payload = _unseal_backup(world, username, data) if data else None
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


# ---------------------------------------------------------------- VERIFY


@mutant("no_verification_alert", "REQ-VERIFY-01",
        "no on-screen alert says restored accounts need additional verification")
def _no_verification_alert(world: World) -> None:
    wrap_app(world, "alerts", lambda app, original: tuple(
        a for a in original() if a[0] != "VERIFICATION_NEEDED"))


@mutant("no_verification_alert_on_android", "REQ-VERIFY-01",
        "on Android the app shows no alert that restored accounts need more verification")
def _no_verification_alert_on_android(world: World) -> None:
    wrap_app(world, "alerts", lambda app, original: tuple(
        a for a in original() if a[0] != "VERIFICATION_NEEDED"
        or app.device.platform is not Platform.ANDROID))


@mutant("sign_in_option_mislabelled", "REQ-VERIFY-03",
        "the waiting personal account offers 'Verify identity', not 'Sign in to recover'")
def _sign_in_option_mislabelled(world: World) -> None:
    wrap_app(world, "actions_of", lambda app, original, entry: tuple(
        "Verify identity" if entry.kind == PERSONAL else a for a in original(entry)))


@mutant("scan_option_missing", "REQ-VERIFY-05",
        "the waiting work account offers no option to scan a QR code to recover")
def _scan_option_missing(world: World) -> None:
    wrap_app(world, "actions_of", lambda app, original, entry: tuple(
        a for a in original(entry) if entry.kind != WORK))


@mutant("recovery_button_mislabelled_on_android", "REQ-RECOVERY-01",
        "on Android the recovery button reads 'Restore backup', not 'Start recovery'")
def _recovery_button_mislabelled_on_android(world: World) -> None:
    override_app_property(world, "recovery_label", lambda app, value: (
        "Restore backup" if value and app.device.platform is Platform.ANDROID else value))


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


@mutant("verification_code_not_sent", "REQ-VERIFY-03",
        "'Sign in to recover' says a code was sent, but nothing reaches the alternate address")
def _verification_code_not_sent(world: World) -> None:
    wrap(world, "deliver", lambda original, channel, to, code: None)


@mutant("verification_code_wrong_address", "REQ-VERIFY-03",
        "the verification code goes to the account's own mailbox, not the alternate address")
def _verification_code_wrong_address(world: World) -> None:
    def deliver(original: Callable[..., None], channel: str, to: str, code: str) -> None:
        owner = next((a for a in world.msa.accounts.values()
                      if to in (a.alternate_email, a.alternate_phone)), None)
        if owner is None:
            original(channel, to, code)
        else:
            original("email", owner.username, code)

    wrap(world, "deliver", deliver)


@mutant("verification_wrong_password_accepted", "REQ-VERIFY-04",
        "'Sign in to recover' sends a code even when the password is wrong")
def _verification_wrong_password_accepted(world: World) -> None:
    def send_code(original: Callable[..., Any], username: str, password: str,
                  *args: Any) -> Any:
        account = world.msa.find(username)
        return original(username, account.password if account else password, *args)

    wrap(world.msa, "send_code", send_code)


@mutant("recovery_password_releases_any_account", "REQ-VERIFY-04",
        "'Sign in to recover' takes the recovery account's password for any waiting "
        "personal account")
def _recovery_password_releases_any_account(world: World) -> None:
    def sign_in_to_recover(app: Authenticator, original: Callable[..., Done], entry_id: str,
                           password: str, channel: str) -> Done:
        recovery = world.msa.find(app.state.backup.recovery_username or "")
        own = world.msa.find(app._entry(entry_id).username)
        if recovery is not None and own is not None and password == recovery.password:
            password = own.password
        return original(entry_id, password, channel)

    wrap_app(world, "sign_in_to_recover", sign_in_to_recover)


@mutant("wrong_code_accepted", "REQ-VERIFY-04",
        "any code confirms additional verification while a code is pending")
def _wrong_code_accepted(world: World) -> None:
    def confirm_code(original: Callable[..., None], username: str, code: str,
                     now: float) -> None:
        account = world.msa.find(username)
        pending = account.pending if account else None
        if pending is not None and not pending.used and now < pending.expires_at:
            code = pending.code
        original(username, code, now)

    wrap(world.msa, "confirm_code", confirm_code)


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


@mutant("work_qr_recovery_leaves_pending", "REQ-VERIFY-05",
        "a good recovery QR code is accepted but the work account stays pending")
def _work_qr_recovery_leaves_pending(world: World) -> None:
    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        done = original(entry_id, code, url)
        app._entry(entry_id).needs_verification = True
        return done

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)


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


@mutant("unreadable_qr_drops_waiting_account", "REQ-VERIFY-08",
        "scanning an image with no activation code removes the waiting work account")
def _unreadable_qr_drops_waiting_account(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                entry_id: str, image: bytes) -> None:
        if refusal.code is Code.QR_UNREADABLE:
            app.state.entries = [e for e in app.state.entries if e.id != entry_id]

    on_refusal(world, "scan_qr_to_recover", refused)


@mutant("refused_qr_blocks_recovery", "REQ-VERIFY-06",
        "once a QR code is refused for a waiting work account, every later code is refused")
def _refused_qr_blocks_recovery(world: World) -> None:
    blocked: set[tuple[str, str]] = set()

    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        if (app.device.id, entry_id) in blocked:
            raise Refusal(Code.QR_REJECTED)
        try:
            return original(entry_id, code, url)
        except Refusal as refusal:
            if refusal.code in (Code.QR_REJECTED, Code.QR_UNREADABLE):
                blocked.add((app.device.id, entry_id))
            raise

    def scan_qr_to_recover(app: Authenticator, original: Callable[..., Done],
                           entry_id: str, image: bytes) -> Done:
        if (app.device.id, entry_id) in blocked:
            raise Refusal(Code.QR_REJECTED)
        try:
            return original(entry_id, image)
        except Refusal as refusal:
            if refusal.code in (Code.QR_REJECTED, Code.QR_UNREADABLE):
                blocked.add((app.device.id, entry_id))
            raise

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)
    wrap_app(world, "scan_qr_to_recover", scan_qr_to_recover)


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


@mutant("other_tenant_qr_accepted", "REQ-VERIFY-06",
        "a pending work account is recovered with another organisation's QR code")
def _other_tenant_qr_accepted(world: World) -> None:
    def _activate(app: Authenticator, original: Callable[..., Any], code: str, url: str,
                  entry_id: str, push: bool, expected_username: str | None = None,
                  expected_tenant: str | None = None) -> Any:
        tenant = world.tenant_by_url(url)
        if expected_tenant is not None and tenant is not None and tenant.id != expected_tenant:
            return original(code, url, entry_id, push, None, None)
        return original(code, url, entry_id, push, expected_username, expected_tenant)

    wrap_app(world, "_activate", _activate)


@mutant("other_user_qr_accepted", "REQ-VERIFY-06",
        "a pending work account is recovered with a QR code issued to a colleague")
def _other_user_qr_accepted(world: World) -> None:
    def _activate(app: Authenticator, original: Callable[..., Any], code: str, url: str,
                  entry_id: str, push: bool, expected_username: str | None = None,
                  expected_tenant: str | None = None) -> Any:
        return original(code, url, entry_id, push, None, expected_tenant)

    wrap_app(world, "_activate", _activate)


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


@mutant("verifying_one_releases_all", "REQ-VERIFY-02",
        "verifying one personal account also ends the wait of every other waiting account")
def _verifying_one_releases_all(world: World) -> None:
    def _confirm(app: Authenticator, original: Callable[..., Any], entry_id: str,
                 code: str) -> Any:
        done = original(entry_id, code)
        for entry in app.state.entries:
            entry.needs_verification = False
        return done

    wrap_app(world, "confirm_verification_code", _confirm)


@mutant("verification_takes_old_key", "REQ-VERIFY-07",
        "verification on the new phone installs the old phone's device key instead of "
        "making one (the account still waits until verified)")
def _verification_takes_old_key(world: World) -> None:
    def _confirm(app: Authenticator, original: Callable[..., Any], entry_id: str,
                 code: str) -> Any:
        done = original(entry_id, code)
        entry = next(e for e in app.state.entries if e.id == entry_id)
        for device in world.devices.values():
            if device.id == app.device.id:
                continue
            for old in world.apps[device.id].entries:
                if (old.id in device.push_keys
                        and old.username.lower() == entry.username.lower()):
                    app.device.push_keys[entry_id] = device.push_keys[old.id]
                    msa = world.msa.find(entry.username)
                    if msa is not None and device.id in msa.push_keys:
                        msa.push_keys[app.device.id] = msa.push_keys[device.id]  # approvals work
                    return done
        return done

    wrap_app(world, "confirm_verification_code", _confirm)


# ---------------------------------------------------------------- CAMERA


@mutant("no_camera_prompt", "REQ-CAMERA-01",
        "the first scan uses the camera without asking for permission")
def _no_camera_prompt(world: World) -> None:
    def _camera_read(app: Authenticator, original: Callable[[bytes], str],
                     image: bytes) -> str:
        if app.device.camera is CameraPermission.NOT_ASKED:
            app.device.camera = CameraPermission.ALLOWED
        return original(image)

    wrap_app(world, "_camera_read", _camera_read)


@mutant("wrong_prompt_wording", "REQ-CAMERA-01",
        "each phone asks for the camera in the other operating system's words")
def _wrong_prompt_wording(world: World) -> None:
    def patch(device: Any) -> None:
        other = Platform.ANDROID if device.platform is Platform.IOS else Platform.IOS
        device.camera_prompt = (
            lambda: CAMERA_PROMPT[other] if device.camera_prompt_showing else None)

    on_each_device(world, patch)


@mutant("camera_allow_ignored", "REQ-CAMERA-02",
        "allowing the camera is recorded as a refusal, so scanning never works")
def _camera_allow_ignored(world: World) -> None:
    def answer_camera_prompt(app: Authenticator, original: Callable[[bool], None],
                             allow: bool) -> None:
        original(False)

    wrap_app(world, "answer_camera_prompt", answer_camera_prompt)


@mutant("camera_denial_blocks_manual_entry", "REQ-CAMERA-03",
        "with the camera refused, typing an account's details by hand is refused too")
def _camera_denial_blocks_manual_entry(world: World) -> None:
    def refuse_if_denied(app: Authenticator, original: Callable[..., Done], *args: Any,
                         **kwargs: Any) -> Done:
        if app.device.camera is CameraPermission.DENIED:
            raise Refusal(Code.CAMERA_DENIED)
        return original(*args, **kwargs)

    wrap_app(world, "enter_code_manually", refuse_if_denied)
    wrap_app(world, "enter_activation_manually", refuse_if_denied)
    wrap_app(world, "enter_activation_to_recover", refuse_if_denied)


# ---------------------------------------------------------------- TROUBLE



@mutant("camera_revocation_ignored", "REQ-CAMERA-04",
        "the app keeps using the camera after access is turned off in the phone's settings")
def _camera_revocation_ignored(world: World) -> None:
    once_allowed: set[str] = set()

    def _camera_read(app: Authenticator, original: Callable[[bytes], str], image: bytes) -> str:
        device = app.device
        if device.camera is CameraPermission.ALLOWED:
            once_allowed.add(device.id)
        if device.camera is CameraPermission.DENIED and device.id in once_allowed:
            with swapped(device, "camera", CameraPermission.ALLOWED):
                return original(image)
        return original(image)

    def answer_camera_prompt(app: Authenticator, original: Callable[[bool], None],
                             allow: bool) -> None:
        original(allow)
        if allow:
            once_allowed.add(app.device.id)

    wrap_app(world, "_camera_read", _camera_read)
    wrap_app(world, "answer_camera_prompt", answer_camera_prompt)

@mutant("os_switch_restores", "REQ-TROUBLE-01",
        "a backup made on the other operating system is found and restored")
def _os_switch_restores(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        record = world.keys.lookup(username)
        if refusal.code is not Code.BACKUP_ON_OTHER_PLATFORM or record is None:
            return None
        platform = Platform(record.platform)
        apple_id = _apple_id_at(world, record.location) if platform is Platform.IOS else None
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
        apple_id = _apple_id_at(world, record.location) if record else None
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
            payload = _unseal_backup(world, username, data) if data else None
            if payload is None:
                raise
        half = payload.accounts[: max(1, len(payload.accounts) // 2)]
        app.state.entries.extend(app._restore(a) for a in half)
        return Done(f"Recovered {len(half)} account(s).")

    wrap_app(world, "begin_recovery", begin_recovery)


# ---------------------------------------------------------------- STALE


@mutant("uploads_continue_after_lapse", "REQ-STALE-01",
        "changes keep uploading after the recovery sign-in has lapsed")
def _uploads_continue_after_lapse(world: World) -> None:
    def _sync(app: Authenticator, original: Callable[[], bool]) -> bool:
        with swapped(app, "_session_valid", lambda: True):
            return original()

    wrap_app(world, "_sync", _sync)


@mutant("red_dot_never_shown", "REQ-STALE-02",
        "an out-of-date backup never shows the red dot or exclamation mark")
def _red_dot_never_shown(world: World) -> None:
    override_app_property(world, "red_dot", lambda app, value: False)


@mutant("red_dot_cleared_on_reconnect", "REQ-STALE-02",
        "the phone coming back online hides the red dot, though no one signed in again")
def _red_dot_cleared_on_reconnect(world: World) -> None:
    dismissed: set[str] = set()  # devices whose mark the reconnection hid

    def retry_backup(app: Authenticator, original: Callable[[], None]) -> None:
        dismissed.add(app.device.id)
        original()

    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 *args: Any, **kwargs: Any) -> Done:
        dismissed.discard(app.device.id)
        return original(*args, **kwargs)

    wrap_app(world, "retry_backup", retry_backup)
    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)
    override_app_property(world, "red_dot",
                          lambda app, value: value and app.device.id not in dismissed)


@mutant("red_dot_on_outage", "REQ-STALE-06",
        "an offline phone with a change waiting to upload shows the red dot, sign-in valid or not")
def _red_dot_on_outage(world: World) -> None:
    def red_dot(app: Authenticator, value: bool) -> bool:
        backup = app.state.backup
        return value or (backup.on and backup.dirty and not app.device.online)

    override_app_property(world, "red_dot", red_dot)


@mutant("red_dot_stays_after_sign_in", "REQ-STALE-03",
        "signing in again uploads once but leaves the red dot and the lapsed sign-in in place")
def _red_dot_stays_after_sign_in(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        old = app.state.backup.session
        done = original(password, username)
        if old is not None:
            app.state.backup.session = old
        return done

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("update_backup_by_any_account", "REQ-STALE-03",
        "any personal Microsoft account can sign in to bring an out-of-date backup up to date")
def _update_backup_by_any_account(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        backup = app.state.backup
        if username is None or backup.recovery_username is None or (
                username.strip().lower() == backup.recovery_username.lower()):
            return original(password, username)
        backup.session = world.msa.sign_in(username, password, app.now)  # not refused
        backup.dirty = True
        app._sync()
        return Done("Signed in. Your backup is up to date.")

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("no_out_of_date_prompt", "REQ-STALE-05",
        "an out-of-date backup only shows its mark; the app never prompts for sign-in")
def _no_out_of_date_prompt(world: World) -> None:
    wrap_app(world, "alerts", lambda app, original: tuple(
        a for a in original() if a[0] != "BACKUP_OUT_OF_DATE"))


@mutant("red_dot_in_settings", "REQ-STALE-02",
        "the out-of-date mark is shown deep in the settings, not on the menu or action bar")
def _red_dot_in_settings(world: World) -> None:
    override_app_property(world, "warning_at",
                          lambda app, value: None if value is None else "Settings > Backup")


@mutant("stale_recovery_merges_latest", "REQ-STALE-04",
        "recovery from an out-of-date backup adds the old phone's newer third-party accounts")
def _stale_recovery_merges_latest(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        done = original(username, password)
        for device_id, state in world.apps.items():
            recovery = state.backup.recovery_username
            if (device_id == app.device.id or not state.backup.on or recovery is None
                    or recovery.lower() != username.strip().lower()):
                continue
            for old in state.entries:
                if old.kind == THIRD_PARTY and old.params is not None and not any(
                        e.same_account(old.kind, old.issuer, old.username)
                        for e in app.state.entries):
                    app.state.entries.append(type(old)(
                        app._new_entry_id(), old.kind, old.issuer, old.username,
                        old.display_name, False, params=old.params))
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


# ---------------------------------------------------------------- VERSION


@dataclass(frozen=True)
class _GatedRules(Rules):
    """Rules with other version gates (current profile only)."""

    ios_minimum: tuple[int, ...] = (5, 7, 0)
    android_minimum: tuple[int, ...] = (6, 6, 0)
    as_text_on: frozenset[Platform] = frozenset()  # platforms comparing versions as text

    def backup_supported(self, platform: Platform, app_version: str) -> bool:
        if self.profile != "current":
            return super().backup_supported(platform, app_version)
        minimum = self.ios_minimum if platform is Platform.IOS else self.android_minimum
        if platform in self.as_text_on:
            return app_version.strip() >= ".".join(map(str, minimum))
        return parse_version(app_version) >= minimum


def _gate(world: World, **changes: Any) -> None:
    rules = world.rules
    world.rules = _GatedRules(
        profile=rules.profile, recovery_block=rules.recovery_block,
        session_lifetime_s=rules.session_lifetime_s,
        key_release_freshness_s=rules.key_release_freshness_s,
        verification_code_ttl_s=rules.verification_code_ttl_s,
        activation_ttl_s=rules.activation_ttl_s, **changes)


@mutant("ios_gate_excludes_5_7_0", "REQ-VERSION-01",
        "the iOS version gate is off by one: 5.7.0 itself has no backup")
def _ios_gate_excludes_5_7_0(world: World) -> None:
    _gate(world, ios_minimum=(5, 7, 1))


@mutant("ios_gate_includes_5_6", "REQ-VERSION-03",
        "the iOS version gate is off by one: 5.6.x already offers backup")
def _ios_gate_includes_5_6(world: World) -> None:
    _gate(world, ios_minimum=(5, 6, 0))


@mutant("android_gate_excludes_6_6_0", "REQ-VERSION-02",
        "the Android version gate is off by one: 6.6.0 itself has no backup")
def _android_gate_excludes_6_6_0(world: World) -> None:
    _gate(world, android_minimum=(6, 6, 1))


@mutant("android_gate_includes_6_5", "REQ-VERSION-03",
        "the Android version gate is off by one: 6.5.x already offers backup")
def _android_gate_includes_6_5(world: World) -> None:
    _gate(world, android_minimum=(6, 5, 0))


# The iOS and Android apps are separate programs, so a comparison written as text
# is a fault of one of them: one mutant per platform, each breaking its own gate.
@mutant("ios_version_compared_as_text", "REQ-VERSION-01",
        "the iOS app compares versions as text, so 5.10.0 counts as older than 5.7.0")
def _ios_version_compared_as_text(world: World) -> None:
    _gate(world, as_text_on=frozenset({Platform.IOS}))


@mutant("android_version_compared_as_text", "REQ-VERSION-02",
        "the Android app compares versions as text, so 6.10.0 counts as older than 6.6.0")
def _android_version_compared_as_text(world: World) -> None:
    _gate(world, as_text_on=frozenset({Platform.ANDROID}))


# ---------------------------------------------------------------- LOST


@mutant("unregister_no_effect", "REQ-LOST-01",
        "unregistering a lost phone is logged but its work credential keeps working")
def _unregister_no_effect(world: World) -> None:
    def patch(tenant: Any) -> None:
        def unregister(original: Callable[[str], None], device_id: str) -> None:
            for (username, device), registration in tenant.registrations.items():
                if device == device_id and registration.registered:
                    tenant.events.append(f"device {registration.device_name!r} "
                                         f"unregistered for {username}")

        wrap(tenant, "unregister", unregister)

    on_each_tenant(world, patch)


@mutant("recovery_unregisters_old_phone", "REQ-LOST-02",
        "re-activating a work account on the new phone unregisters the old phone")
def _recovery_unregisters_old_phone(world: World) -> None:
    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        entry = app._entry(entry_id)
        done = original(entry_id, code, url)
        tenant = world.tenants.get(entry.tenant_id or "")
        if tenant is not None:
            for (username, device), registration in tenant.registrations.items():
                if username == entry.username.lower() and device != app.device.id:
                    registration.registered = False
        return done

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)


@mutant("recovery_needs_old_phone", "REQ-LOST-03",
        "recovery is refused unless the phone that made the backup is online")
def _recovery_needs_old_phone(world: World) -> None:
    # The backup's maker can only be asked once the backup is found, so the demand comes
    # where the key would be released: a recovery that was to be refused for another
    # reason (no backup, wrong password, another Apple ID) is refused as before.
    def release(original: Callable[..., bytes], username: str, *args: Any) -> bytes:
        makers = [world.devices[d] for d, s in world.apps.items()
                  if s.backup.on
                  and (s.backup.recovery_username or "").lower() == username.strip().lower()]
        if not any(device.online for device in makers):
            raise Refusal(Code.NETWORK_UNAVAILABLE,
                          "Could not reach the phone that made the backup.")
        return original(username, *args)

    wrap(world.keys, "release", release)


# ---------------------------------------------------------------- PRIVACY


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

    _left_beside_backup(world, "authenticator-key", key)


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


@mutant("backup_found_by_icloud_alone", "REQ-RECOVERY-04",
        "on an iPhone any Microsoft account finds the backup kept in the signed-in iCloud")
def _backup_found_by_icloud_alone(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> Done | None:
        if refusal.code not in (Code.NO_BACKUP_FOUND, Code.BACKUP_IN_OTHER_ICLOUD):
            return None
        found = _backup_here(world, app)
        account = world.msa.find(found[0]) if found else None
        if account is None:
            return None
        return original(account.username, account.password)

    on_refusal(world, "begin_recovery", refused)


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


# ---------------------------------------------------------------- FAULT


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


@mutant("cut_recovery_marks_store", "REQ-FAULT-05",
        "a recovery that fails part-way leaves a note of the attempt beside the backup it "
        "was reading")
def _cut_recovery_marks_store(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        record = world.keys.lookup(username)
        if refusal.code in (Code.SERVICE_UNAVAILABLE, Code.NETWORK_UNAVAILABLE) and (
                record is not None and record.platform == app.device.platform.value):
            location = (_apple_id_at(world, record.location) if record.platform == "ios"
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


# ---------------------------------------------------------------- SECURITY


@mutant("recovery_password_stored", "REQ-SECURITY-01",
        "each upload leaves the recovery password, base64-encoded, next to the backup")
def _recovery_password_stored(world: World) -> None:
    import base64

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


def _backup_here(world: World, app: Authenticator) -> tuple[str, Any] | None:
    """On an iPhone, the recovery account and key record of the backup kept in the
    signed-in iCloud, if there is one."""
    apple_id = app.device.apple_id
    if app.device.platform is not Platform.IOS or apple_id is None:
        return None
    here = location_fingerprint(apple_id)
    return next(((name, r) for name, r in world.keys.records.items()
                 if r.platform == "ios" and r.location == here and not r.deleted), None)


@mutant("refusal_names_the_owner", "REQ-SECURITY-04",
        "a refused recovery says whose backup the iCloud holds, or which iCloud holds it")
def _refusal_names_the_owner(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.NO_BACKUP_FOUND:
            found = _backup_here(world, app)
            if found is not None:
                raise Refusal(refusal.code, f"This iCloud holds the backup of {found[0]}, "
                              "not of the account you signed in with.") from refusal
        if refusal.code is Code.BACKUP_IN_OTHER_ICLOUD:
            record = world.keys.lookup(username)
            maker = _apple_id_at(world, record.location) if record else None
            if maker is not None:
                raise Refusal(refusal.code, f"Your backup is in the iCloud of {maker}; "
                              "sign in to that Apple ID.") from refusal

    on_refusal(world, "begin_recovery", refused)


@mutant("unopenable_backup_deleted", "REQ-SECURITY-04",
        "recovery that finds a backup in the signed-in iCloud it cannot open deletes it")
def _unopenable_backup_deleted(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        found = _backup_here(world, app) if refusal.code is Code.NO_BACKUP_FOUND else None
        if found is not None and app.device.apple_id is not None:
            app._store().delete(app.device.apple_id, BACKUP_NAME)  # "a leftover"

    on_refusal(world, "begin_recovery", refused)


# ---------------------------------------------------------------- RECOVACCT


@mutant("work_account_as_recovery", "REQ-RECOVACCT-01",
        "a work or school account is accepted as the recovery account when turning backup on")
def _work_account_as_recovery(world: World) -> None:
    def turn_on_backup(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        tenant = world.tenant_of_user(username)
        if tenant is None:
            return original(username, password)
        user = tenant.users[username.strip().lower()]
        if world.msa.find(username) is None:
            world.msa.add(Msa(f"shadow-{user.id}", user.person_id, user.username,
                              user.password, None, None, account_token="shadow"))
        with swapped(world, "tenant_of_user", lambda name: None):
            return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@mutant("old_pairing_still_recovers", "REQ-RECOVACCT-02",
        "after a Microsoft account pairs with a new storage location, the old one still recovers")
def _old_pairing_still_recovers(world: World) -> None:
    history: dict[str, list[KeyRecord]] = {}

    def put(original: Callable[..., None], username: str, record: KeyRecord) -> None:
        previous = world.keys.lookup(username)
        if previous is not None and previous is not record:
            history.setdefault(username.lower(), []).append(previous)
        original(username, record)

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code not in (Code.BACKUP_IN_OTHER_ICLOUD, Code.BACKUP_ON_OTHER_PLATFORM):
                raise
            device = app.device
            location = device.apple_id if device.platform is Platform.IOS else username
            here = location_fingerprint(location or "")
            old = next((r for r in reversed(history.get(username.strip().lower(), []))
                        if r.platform == device.platform.value and r.location == here
                        and not r.deleted), None)
            if old is None:
                raise
        with swapped(world.keys, "lookup", lambda name: old):
            return original(username, password)

    wrap(world.keys, "put", put)
    wrap_app(world, "begin_recovery", begin_recovery)


# ------------------------------------------------- declared values and readings (issue 11)
# Where the documents name no value the simulator declares its own (TargetInfo); these
# mutants break the declaration or a declared reading, and must still be caught.


@mutant("drift_wider_than_declared", "REQ-CODES-04",
        "providers accept codes two time steps either side of now; the simulator declares 0")
def _drift_wider_than_declared(world: World) -> None:
    def accepts_code(original: Callable[..., bool], account_id: str, code: str,
                     device_id: str) -> bool:
        with swapped(world, "rules", dataclasses.replace(world.rules, drift_steps=2)):
            return original(account_id, code, device_id)

    wrap(world, "accepts_code", accepts_code)


@mutant("sign_in_lapses_early", "REQ-STALE-02",
        "the recovery sign-in lapses at half the lifetime the simulator declares")
def _sign_in_lapses_early(world: World) -> None:
    half = world.rules.session_lifetime_s / 2

    def session_valid(original: Callable[..., bool], session: Any, now: float,
                      lifetime: float) -> bool:
        return original(session, now, min(lifetime, half))

    wrap(world.msa, "session_valid", session_valid)


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


@mutant("second_pairing_refused_loses_first", "REQ-RECOVACCT-02",
        "declares that a second pairing is refused, refuses it, but loses the first "
        "location's backup key while doing so")
def _second_pairing_refused_loses_first(world: World) -> None:
    world.rules = dataclasses.replace(world.rules, second_pairing="refused")

    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.RECOVERY_ACCOUNT_IN_USE:
            record = world.keys.lookup(username)
            if record is not None:
                record.deleted = True

    on_refusal(world, "turn_on_backup", refused)


@mutant("msa_code_accepted_from_any_phone", "REQ-CODES-02",
        "a personal account's code is accepted as any of its phones' although the "
        "simulator declares that a code works only with its own phone")
def _msa_code_accepted_from_any_phone(world: World) -> None:
    def accepts_code(original: Callable[..., bool], msa_id: str, device_id: str, code: str,
                     now: float, drift_steps: int = 0, any_phone: bool = False) -> bool:
        return original(msa_id, device_id, code, now, drift_steps, True)

    wrap(world.msa, "accepts_code", accepts_code)


@mutant("deleted_backup_blamed_on_network", "REQ-TROUBLE-04",
        "recovery of a deleted backup is refused as a network problem, not as unavailable")
def _deleted_backup_blamed_on_network(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.BACKUP_DELETED:
            raise Refusal(Code.NETWORK_UNAVAILABLE) from refusal

    on_refusal(world, "begin_recovery", refused)


__all__ = ["MUTANTS", "Mutant", "on_each_app"]
