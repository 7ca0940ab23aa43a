"""The Authenticator app on one phone: accounts, codes, backup and recovery.

The reference behaviour of both source documents. Each rule cites its section:
000 = 000_95d2045858eeac78.txt (current), 002 = 002_7c4b4cc3792598fb.txt (2019).
Operations return ``Done`` or raise ``Refusal``; they never leave the app half-changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sim import crypto, qr
from sim.backup import BackedUpAccount, BackupPayload, MalformedBackup
from sim.codes import TotpParams, params_from_uri
from sim.device import CameraPermission, Device, Platform
from sim.keyservice import KeyRecord
from sim.msa import Session
from sim.refusals import Code, Done, Refusal
from sim.rules import RecoveryBlock
from sim.services import WorldServices
from sim.stores import BACKUP_NAME, STAGED_NAME, CloudStore
from sim.tenants import parse_activation

PERSONAL, WORK, THIRD_PARTY = "personal", "work", "third_party"

# 000 "Turn on cloud backup for iOS devices" / "... for Android devices".
BACKUP_SETTING = {Platform.IOS: "iCloud backup", Platform.ANDROID: "Cloud backup"}
# 002 "To provide additional verification for ...": the options a waiting account
# offers once opened (000 names the first the same way and describes the second).
SIGN_IN_TO_RECOVER, SCAN_QR_TO_RECOVER = "Sign in to recover", "Scan QR code to recover"
# 000 "Backup is out-of-date": a red dot on the menu or the action bar, or an
# exclamation icon. The simulator puts it on the menu on iOS, the action bar on Android.
WARNING_AT = {Platform.IOS: "menu", Platform.ANDROID: "action bar"}


@dataclass
class Entry:
    """One account tile."""

    id: str
    kind: str
    issuer: str
    username: str
    display_name: str
    push: bool
    needs_verification: bool = False
    params: TotpParams | None = None  # the credential that makes this phone's codes
    account_token: str | None = None  # personal accounts
    tenant_id: str | None = None  # work or school accounts

    def same_account(self, kind: str, issuer: str, username: str) -> bool:
        return (self.kind, self.issuer.lower(), self.username.lower()) == (
            kind, issuer.lower(), username.lower())


@dataclass
class BackupState:
    on: bool = False
    recovery_username: str | None = None
    session: Session | None = None
    key: bytes | None = None
    location: str | None = None
    dirty: bool = False  # changes not yet safely in the cloud


@dataclass
class AppState:
    entries: list[Entry] = field(default_factory=list)
    backup: BackupState = field(default_factory=BackupState)
    settings: dict[str, object] = field(default_factory=lambda: {"app_lock": True})
    next_entry: int = 1
    # the recovery account whose restore waits for a fresh sign-in (Rules.red_dot
    # "restore_sign_in": the key holder refused a sign-in that had gone stale)
    restore_pending: str | None = None


def location_fingerprint(location: str) -> str:
    # The key service keeps only a fingerprint of the storage location, not the Apple ID.
    return hashlib.sha256(location.lower().encode()).hexdigest()[:16]


class Authenticator:
    """Behaviour over (world, device, app state); holds no state of its own."""

    def __init__(self, world: WorldServices, device: Device, state: AppState):
        self.world, self.device, self.state = world, device, state

    # ------------------------------------------------------------ helpers
    @property
    def now(self) -> float:
        return self.world.clock.now()

    def _call(self, service: str, operation: str, payload: bytes = b"") -> None:
        self.world.network.call(self.device.online, self.device.id, service, operation,
                                payload, self.now)

    def _entry(self, entry_id: str) -> Entry:
        for entry in self.state.entries:
            if entry.id == entry_id:
                return entry
        raise Refusal(Code.NO_SUCH_ACCOUNT)

    def _new_entry_id(self) -> str:
        entry_id = f"acct-{self.state.next_entry}"
        self.state.next_entry += 1
        return entry_id

    def _ensure_new(self, kind: str, issuer: str, username: str) -> None:
        if any(e.same_account(kind, issuer, username) for e in self.state.entries):
            raise Refusal(Code.ACCOUNT_EXISTS)

    def _push_key(self, entry_id: str) -> bytes:
        """Make a push key on this phone; only the public half is ever sent."""
        private, public = crypto.new_device_key(self.world.rng)
        self.device.push_keys[entry_id] = private
        return public

    @property
    def backup_supported(self) -> bool:
        return self.world.rules.backup_supported(self.device.platform, self.device.app_version)

    @property
    def recovery_offered(self) -> bool:
        """The recovery button shows wherever backup is supported; recovery on a phone
        with accounts is refused when tried (EXISTING_ACCOUNTS)."""
        return self.backup_supported

    def _store(self) -> CloudStore:
        return self.world.store_for(self.device.platform)

    def _session_valid(self) -> bool:
        return self.world.msa.session_valid(
            self.state.backup.session, self.now, self.world.rules.session_lifetime_s)

    # ------------------------------------------------------------ accounts
    def add_personal_account(self, username: str, password: str, push: bool) -> Done:
        if self.world.tenant_of_user(username) is not None:
            raise Refusal(Code.NOT_A_PERSONAL_ACCOUNT,
                          "That is a work or school account: add it with its QR code.")
        self._call("msa", "sign-in", username.encode())
        self.world.msa.sign_in(username, password, self.now)
        account = self.world.msa.find(username)
        assert account is not None
        self._ensure_new(PERSONAL, "Microsoft", account.username)
        entry_id = self._new_entry_id()
        params = self.world.msa.enroll_device(account.username, account.account_token,
                                              self.device.id, self.world.rng,
                                              self.world.rules.msa_digits)
        if push:
            public = self._push_key(entry_id)
            self._call("msa", "register-push-key", public)
            account.push_keys[self.device.id] = public
        self.state.entries.append(Entry(entry_id, PERSONAL, "Microsoft", account.username,
                                        account.username, push, params=params,
                                        account_token=account.account_token))
        return self._changed("Account added.")

    def scan_qr(self, image: bytes, push: bool) -> Done:
        text = self._camera_read(image)
        activation = parse_activation(text)
        if activation is not None:
            return self._activate_new(*activation, push=push)
        try:
            issuer, username, params = params_from_uri(text)
        except ValueError as exc:
            raise Refusal(Code.QR_UNREADABLE, "That QR code is not an account code.") from exc
        return self._add_third_party(issuer, username, params)

    def enter_code_manually(self, issuer: str, username: str, secret: str, digits: int,
                            period: int, algorithm: str) -> Done:
        """000 "Notes:": with the camera off, the code can still be typed in by hand."""
        try:
            params = TotpParams(secret.replace(" ", "").upper(), digits, period, algorithm)
        except (ValueError, TypeError) as exc:
            raise Refusal(Code.INVALID_ENTRY) from exc
        return self._add_third_party(issuer, username, params)

    def enter_activation_manually(self, code: str, url: str, push: bool) -> Done:
        return self._activate_new(code, url, push=push)

    def answer_camera_prompt(self, allow: bool) -> None:
        self.device.camera = CameraPermission.ALLOWED if allow else CameraPermission.DENIED
        self.device.camera_prompt_showing = False

    def _camera_read(self, image: bytes) -> str:
        """000 "Notes:": the first scan asks for camera permission in the OS's words."""
        if self.device.camera is CameraPermission.NOT_ASKED:
            self.device.camera_prompt_showing = True
            raise Refusal(Code.CAMERA_PERMISSION_NEEDED)
        if self.device.camera is CameraPermission.DENIED:
            raise Refusal(Code.CAMERA_DENIED)
        text = qr.decode(image)
        if text is None:
            raise Refusal(Code.QR_UNREADABLE)
        return text

    def _add_third_party(self, issuer: str, username: str, params: TotpParams) -> Done:
        self._ensure_new(THIRD_PARTY, issuer, username)
        self.state.entries.append(Entry(self._new_entry_id(), THIRD_PARTY, issuer, username,
                                        f"{issuer}: {username}", False, params=params))
        return self._changed("Account added.")

    def _activate(self, code: str, url: str, entry_id: str, push: bool,
                  expected_username: str | None = None,
                  expected_tenant: str | None = None) -> tuple[str, str, TotpParams]:
        tenant = self.world.tenant_by_url(url)
        if tenant is None or (expected_tenant is not None and tenant.id != expected_tenant):
            raise Refusal(Code.QR_REJECTED)
        public = self._push_key(entry_id) if push else None
        try:
            self._call("tenants", "activate", code.encode() + (public or b""))
            username, params = tenant.activate(code, url, self.device.id, self.device.name,
                                               public, self.now, self.world.rng,
                                               expected_username)
        except Refusal:
            self.device.push_keys.pop(entry_id, None)
            raise
        return tenant.id, username, params

    def _activate_new(self, code: str, url: str, push: bool) -> Done:
        tenant = self.world.tenant_by_url(url)
        if tenant is None:
            raise Refusal(Code.QR_REJECTED)
        activation = tenant.activations.get(code.strip())
        if activation is not None:  # before the activation is spent and re-registers
            self._ensure_new(WORK, tenant.name, activation.username)
        entry_id = self._new_entry_id()
        tenant_id, username, params = self._activate(code, url, entry_id, push)
        self.state.entries.append(Entry(entry_id, WORK, tenant.name, username, username, push,
                                        params=params, tenant_id=tenant_id))
        return self._changed("Account added.")

    def remove_account(self, entry_id: str) -> Done:
        entry = self._entry(entry_id)
        self.state.entries.remove(entry)
        self.device.push_keys.pop(entry.id, None)
        return self._changed("Account removed.")

    def rename_account(self, entry_id: str, name: str) -> Done:
        if not name.strip():
            raise Refusal(Code.INVALID_ENTRY, "An account name cannot be empty.")
        self._entry(entry_id).display_name = name.strip()
        return self._changed("Account renamed.")

    def reorder_accounts(self, entry_ids: list[str]) -> Done:
        """The order is the user's, and the backup keeps it (000/002 opening paragraph)."""
        current = {e.id: e for e in self.state.entries}
        if sorted(entry_ids) != sorted(current):
            raise Refusal(Code.NO_SUCH_ACCOUNT, "The new order must name every account once.")
        self.state.entries = [current[i] for i in entry_ids]
        return self._changed("Accounts reordered.")

    def current_code(self, entry_id: str) -> str | None:
        entry = self._entry(entry_id)
        if entry.needs_verification or entry.params is None:
            return None
        return entry.params.code_at(self.now)

    def approve_push(self, request_id: str) -> Done:
        request = self.world.push_requests.get(request_id)
        if request is None:
            raise Refusal(Code.NO_SUCH_ACCOUNT, "There is no such sign-in request.")
        entry = next((e for e in self.state.entries
                      if e.kind == request.kind and e.username.lower() == request.username
                      and e.push), None)
        if entry is None:
            raise Refusal(Code.NO_SUCH_ACCOUNT)
        if entry.needs_verification or entry.id not in self.device.push_keys:
            raise Refusal(Code.VERIFICATION_REQUIRED)
        signature = crypto.sign(self.device.push_keys[entry.id], request.nonce)
        self._call(request.service, "approve-push", signature)
        if not self.world.check_push(request, self.device.id, signature):
            raise Refusal(Code.DEVICE_UNREGISTERED if request.kind == WORK
                          else Code.SIGN_IN_FAILED)
        return Done("Sign-in approved.")

    # ------------------------------------------------------------ backup
    def turn_on_backup(self, username: str, password: str) -> Done:
        """000 "Back up your account credentials": a personal Microsoft account as the
        recovery account and, on iOS only, iCloud as the storage location."""
        if not self.backup_supported:
            raise Refusal(Code.BACKUP_NOT_SUPPORTED)
        if self.state.backup.on:
            raise Refusal(Code.BACKUP_ALREADY_ON)
        if self.world.tenant_of_user(username) is not None:
            raise Refusal(Code.NOT_A_PERSONAL_ACCOUNT)
        if self.device.platform is Platform.IOS and self.device.apple_id is None:
            raise Refusal(Code.ICLOUD_SIGN_IN_REQUIRED)
        self._call("msa", "sign-in", username.encode())
        session = self.world.msa.sign_in(username, password, self.now)
        recovery = session.username
        location = self.device.apple_id if self.device.platform is Platform.IOS else recovery
        assert location is not None
        if self.world.faults.fire("network_drop_before_key_fetch"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        here = (self.device.platform, location_fingerprint(location))
        record = self.world.keys.lookup(recovery)
        if record is not None and record.deleted:
            record = None
        if record is not None and (record.platform, record.location) != here:
            if self.world.rules.second_pairing == "refused":
                raise Refusal(Code.RECOVERY_ACCOUNT_IN_USE)
            if self.world.rules.second_pairing == "each_keeps_own":
                self.world.keys.keep(recovery, record)  # the older location still recovers
                record = self.world.keys.at(recovery, *here)
                if record is not None and record.deleted:  # switched off here before
                    record = None
            else:
                record = None  # the newest pairing wins
        if record is None:
            record = KeyRecord(crypto.new_key(self.world.rng), self.device.platform.value,
                               location_fingerprint(location))
        if self.world.faults.fire("key_service_unavailable"):
            raise Refusal(Code.SERVICE_UNAVAILABLE)
        self._call("key-service", "store-key", b"")
        self.world.keys.put(recovery, record)
        self.state.backup = BackupState(True, recovery, session, record.key, location, True)
        if self._sync():
            return Done("Backup is on.")
        return Done("Backup is on; the first upload will finish when the connection is back.")

    def delete_backup_from_phone(self) -> Done:
        """000/002 troubleshooting, accidental deletion: the backup deleted from the
        previous phone is gone for every later recovery."""
        if not self.state.backup.on:
            raise Refusal(Code.NO_BACKUP_FOUND, "Backup is not on; there is nothing to delete.")
        self.turn_off_backup()
        return Done("Your backup is deleted from the cloud.")

    def turn_off_backup(self) -> Done:
        """Turning backup off stops the uploads; the simulator deletes the cloud copy too
        (the documents say neither way, and no scenario depends on it)."""
        backup = self.state.backup
        if not backup.on:
            return Done("Backup is off.")
        assert backup.location is not None and backup.recovery_username is not None
        self._call(self._store().kind.service, "delete")
        self._store().delete(backup.location, BACKUP_NAME)
        record = self._key_record(backup.recovery_username, backup.location)
        if record is not None:
            record.deleted = True
        self.state.backup = BackupState()
        return Done("Backup is off and the cloud copy is deleted.")

    def _changed(self, message: str) -> Done:
        """000/002: once on, every change is backed up without the user doing anything."""
        if self.state.backup.on:
            self.state.backup.dirty = True
            self._sync()
        return Done(message)

    def _sync(self) -> bool:
        """Upload pending changes if possible; True if the cloud copy is now current."""
        backup = self.state.backup
        if not backup.on or not backup.dirty:
            return True
        if not self._session_valid():
            return False  # out of date: the red dot shows (000 "Backup is out-of-date")
        try:
            self._upload()
        except Refusal:
            return False
        backup.dirty = False
        return True

    def _payload(self) -> BackupPayload:
        accounts = []
        for e in self.state.entries:
            keeps_secret = e.kind == THIRD_PARTY and e.params is not None
            accounts.append(BackedUpAccount(
                kind=e.kind, issuer=e.issuer, username=e.username,
                display_name=e.display_name, push=e.push,
                secret=e.params.secret if keeps_secret and e.params else None,
                digits=e.params.digits if keeps_secret and e.params else 6,
                period=e.params.period if keeps_secret and e.params else 30,
                algorithm=e.params.algorithm if keeps_secret and e.params else "SHA1",
                account_token=e.account_token if e.kind == PERSONAL and not e.push else None,
                tenant_id=e.tenant_id,
            ))
        return BackupPayload(tuple(accounts), dict(self.state.settings),
                             self.device.platform.value, self.now)

    def _key_record(self, recovery: str, location: str) -> KeyRecord | None:
        """The key record of this phone's storage location: its own pairing where each
        location keeps one, else the recovery account's one pairing."""
        keys = self.world.keys
        return (keys.at(recovery, self.device.platform.value, location_fingerprint(location))
                or keys.lookup(recovery))

    def _aad(self, location: str) -> bytes:
        return f"{self.device.platform.value}|{location_fingerprint(location)}".encode()

    def _upload(self) -> None:
        backup = self.state.backup
        assert backup.key is not None and backup.location is not None
        blob = crypto.seal(backup.key, self._payload().to_bytes(), self._aad(backup.location),
                           self.world.rng)
        store, faults = self._store(), self.world.faults
        if faults.fire("network_drop_during_upload"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        # Two phases: write beside the current copy, read it back, then swap. A write
        # that fails, is lost or is damaged leaves the previous backup intact.
        self._call(store.kind.service, "put", blob)
        store.put(backup.location, STAGED_NAME, blob, self.now, faults)
        self._call(store.kind.service, "get")
        if store.get(backup.location, STAGED_NAME) != blob:
            store.delete(backup.location, STAGED_NAME)
            raise Refusal(Code.SERVICE_UNAVAILABLE)
        self._call(store.kind.service, "promote")
        store.promote(backup.location, STAGED_NAME, BACKUP_NAME)
        assert backup.recovery_username is not None
        record = self._key_record(backup.recovery_username, backup.location)
        if record is not None:
            record.uploaded = True
        if faults.fire("network_drop_after_upload"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)  # stored, but the app never heard

    def retry_backup(self) -> None:
        """Called when the phone comes back online."""
        self._sync()

    def restart(self) -> None:
        """The app closed and opened again. It holds nothing of its own (the state is
        the phone's), so only what opening does happens: what waits to be backed up is
        sent, as when the phone comes back online."""
        if self.device.online:
            self._sync()

    @property
    def out_of_date(self) -> bool:
        """The recovery sign-in lapsed, so uploads stopped (000 "Backup is out-of-date")."""
        return self.state.backup.on and not self._session_valid()

    @property
    def red_dot(self) -> bool:
        """000 "Backup is out-of-date" reads two ways (Rules.red_dot): the dot marks the
        out-of-date backup, or a restore that needs a sign-in to finish."""
        if self.world.rules.red_dot == "restore_sign_in":
            return self.state.restore_pending is not None
        return self.out_of_date

    @property
    def backup_setting(self) -> str | None:
        """The backup option in the app's settings, where the app offers backup at all."""
        return BACKUP_SETTING[self.device.platform] if self.backup_supported else None

    @property
    def recovery_label(self) -> str | None:
        """The recovery button's label, where the app offers recovery at all."""
        return self.world.rules.recovery_label if self.backup_supported else None

    @property
    def warning_at(self) -> str | None:
        """Where the out-of-date mark shows, if it shows."""
        return WARNING_AT[self.device.platform] if self.red_dot else None

    def actions_of(self, entry: Entry) -> tuple[str, ...]:
        """The options an opened account offers: a waiting account offers its way back."""
        if not entry.needs_verification:
            return ()
        return (SIGN_IN_TO_RECOVER,) if entry.kind == PERSONAL else (SCAN_QR_TO_RECOVER,)

    def select_backup_warning(self) -> Done:
        """000 "Backup is out-of-date": selecting the red dot asks for sign-in again."""
        if self.red_dot:
            raise Refusal(Code.SIGN_IN_REQUIRED)
        if self.state.backup.dirty:
            return Done("Your latest changes are waiting to be backed up; nothing to sign in to.")
        return Done("Your backup is up to date.")

    def sign_in_to_update_backup(self, password: str, username: str | None = None) -> Done:
        """000 "Backup is out-of-date": sign in with the account that first made the
        backup; any other account is refused and changes nothing."""
        pending = self.state.restore_pending
        if pending is not None:  # the red dot of a restore that needs a sign-in to finish
            if username is not None and username.strip().lower() != pending.lower():
                raise Refusal(Code.SIGN_IN_FAILED, "Sign in with the Microsoft account that "
                              "made the backup (your recovery account).")
            done = self.begin_recovery(pending, password)
            return Done(f"Signed in. {done.message}")
        backup = self.state.backup
        if not backup.on or backup.recovery_username is None:
            raise Refusal(Code.NO_BACKUP_FOUND, "Backup is not on.")
        if username is not None and username.strip().lower() != backup.recovery_username.lower():
            raise Refusal(Code.SIGN_IN_FAILED, "Sign in with the Microsoft account that "
                          "made this backup (your recovery account).")
        self._call("msa", "sign-in", backup.recovery_username.encode())
        backup.session = self.world.msa.sign_in(backup.recovery_username, password, self.now)
        backup.dirty = True  # re-upload so the cloud copy is certainly current
        if self._sync():
            return Done("Signed in. Your backup is up to date.")
        return Done("Signed in. The backup will update when the connection is back.")

    # ------------------------------------------------------------ recovery
    def begin_recovery(self, username: str, password: str) -> Done:
        """000 "To recover your information" / 002 "To recover your information"."""
        rules, world = self.world.rules, self.world
        if not self.backup_supported:
            raise Refusal(Code.BACKUP_NOT_SUPPORTED)
        # 000/002 troubleshooting, existing accounts: refuse before touching anything.
        if rules.recovery_block is RecoveryBlock.ANY_ACCOUNT and self.state.entries:
            raise Refusal(Code.EXISTING_ACCOUNTS)
        if world.tenant_of_user(username) is not None:
            raise Refusal(Code.NOT_A_PERSONAL_ACCOUNT)
        self._call("msa", "sign-in", username.encode())
        session = world.msa.sign_in(username, password, self.now)
        recovery = session.username
        if self.device.platform is Platform.IOS and self.device.apple_id is None:
            raise Refusal(Code.ICLOUD_SIGN_IN_REQUIRED)
        if world.faults.fire("network_drop_before_key_fetch"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        self._call("key-service", "lookup", recovery.encode())
        location = self.device.apple_id if self.device.platform is Platform.IOS else recovery
        assert location is not None
        record = self._key_record(recovery, location)
        if record is None:
            raise Refusal(Code.NO_BACKUP_FOUND)
        if record.platform != self.device.platform.value:
            raise Refusal(Code.BACKUP_ON_OTHER_PLATFORM)  # 000/002 changing operating systems
        if record.deleted:
            raise Refusal(Code.BACKUP_DELETED)
        if record.location != location_fingerprint(location):
            raise Refusal(Code.BACKUP_IN_OTHER_ICLOUD)  # 000/002: same Apple ID needed
        if world.faults.fire("network_drop_during_download"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        store = self._store()
        self._call(store.kind.service, "get")
        blob = store.get(location, BACKUP_NAME)
        if blob is None and not record.uploaded:
            raise Refusal(Code.NO_BACKUP_FOUND, "Your backup never finished uploading from "
                          "the previous phone, so there is nothing to recover yet.")
        if blob is None:
            raise Refusal(Code.BACKUP_DELETED)  # removed through storage management
        if world.faults.fire("network_drop_after_download"):
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        if world.faults.fire("key_service_unavailable"):
            raise Refusal(Code.SERVICE_UNAVAILABLE)
        if world.faults.fire("recovery_sign_in_stale_before_key_release"):
            world.clock.advance(rules.key_release_freshness_s + 1)  # the user walked away
        self._call("key-service", "release-key")
        try:
            key = world.keys.release(recovery, session, self.now,
                                     rules.key_release_freshness_s)
        except Refusal as refusal:
            if refusal.code is not Code.SIGN_IN_FAILED or rules.red_dot != "restore_sign_in":
                raise
            self.state.restore_pending = recovery  # the red dot asks for that sign-in
            raise Refusal(Code.SIGN_IN_REQUIRED, "Sign in again to your recovery account to "
                          "finish restoring.") from refusal
        if record is not world.keys.lookup(recovery):
            key = record.key  # an older location's own pairing (each_keeps_own)
        try:
            payload = BackupPayload.from_bytes(crypto.unseal(key, blob, self._aad(location)))
        except (crypto.DamagedBlob, MalformedBackup) as exc:
            raise Refusal(Code.BACKUP_DAMAGED) from exc
        if rules.recovery_block is RecoveryBlock.SAME_ACCOUNT and any(
                e.same_account(a.kind, a.issuer, a.username)
                for a in payload.accounts for e in self.state.entries):
            raise Refusal(Code.EXISTING_ACCOUNTS)
        kept = bool(self.state.entries)  # only under the 'same' rule
        restored = [self._restore(a) for a in payload.accounts]  # may refuse: nothing applied
        self.state.entries.extend(restored)
        self.state.restore_pending = None
        self.state.settings = dict(payload.settings)
        self.state.backup = BackupState(True, recovery, session, key, location, kept)
        if kept:
            self._sync()  # the accounts kept from before are not in the cloud copy yet
        pending = sum(e.needs_verification for e in restored)
        message = f"Recovered {len(restored)} account(s)."
        if pending:
            message += f" {pending} need additional verification."
        return Done(message)

    def _restore(self, account: BackedUpAccount) -> Entry:
        entry = Entry(self._new_entry_id(), account.kind, account.issuer, account.username,
                      account.display_name, account.push, tenant_id=account.tenant_id)
        if account.kind == THIRD_PARTY and account.secret:
            entry.params = TotpParams(account.secret, account.digits, account.period,
                                      account.algorithm)
        elif account.kind == PERSONAL and not account.push and account.account_token:
            # 000/002: this phone gets its own credential, so its codes differ.
            self._call("msa", "enroll-device", account.username.encode())
            entry.account_token = account.account_token
            entry.params = self.world.msa.enroll_device(
                account.username, account.account_token, self.device.id, self.world.rng,
                self.world.rules.msa_digits)
        else:
            # Push and work/school accounts: the credential is tied to a phone and never
            # sent over the network, so the person proves who they are first.
            entry.needs_verification = True
        return entry

    # ------------------------------------------------------------ additional verification
    def _pending(self, entry_id: str, kind: str) -> Entry:
        entry = self._entry(entry_id)
        if entry.kind != kind or not entry.needs_verification:
            raise Refusal(Code.NO_SUCH_ACCOUNT, "This account does not need verification.")
        return entry

    def sign_in_to_recover(self, entry_id: str, password: str, channel: str) -> Done:
        """000/002 "To provide additional verification for personal accounts"."""
        entry = self._pending(entry_id, PERSONAL)
        self._call("msa", "send-code", entry.username.encode())
        address, code = self.world.msa.send_code(
            entry.username, password, channel, self.now,
            self.world.rules.verification_code_ttl_s, self.world.rng)
        self.world.deliver("email" if channel == "email" else "sms", address, code)
        return Done(f"We sent a code to {address}.", Code.CODE_SENT)

    def confirm_verification_code(self, entry_id: str, code: str) -> Done:
        entry = self._pending(entry_id, PERSONAL)
        self._call("msa", "confirm-code", code.encode())
        msa = self.world.msa
        msa.confirm_code(entry.username, code, self.now)
        account = msa.find(entry.username)
        assert account is not None
        public = self._push_key(entry.id)
        self._call("msa", "register-push-key", public)
        account.push_keys[self.device.id] = public
        entry.account_token = account.account_token
        entry.params = msa.enroll_device(account.username, account.account_token,
                                         self.device.id, self.world.rng,
                                         self.world.rules.msa_digits)
        entry.needs_verification = False
        return self._changed("Account recovered.")

    def scan_qr_to_recover(self, entry_id: str, image: bytes) -> Done:
        """000/002 "To provide additional verification for work or school accounts"."""
        self._pending(entry_id, WORK)
        activation = parse_activation(self._camera_read(image))
        if activation is None:
            raise Refusal(Code.QR_UNREADABLE, "That QR code is not an activation code.")
        return self.enter_activation_to_recover(entry_id, *activation)

    def enter_activation_to_recover(self, entry_id: str, code: str, url: str) -> Done:
        entry = self._pending(entry_id, WORK)
        _, _, params = self._activate(code, url, entry.id, entry.push, entry.username,
                                      entry.tenant_id)
        entry.params = params
        entry.needs_verification = False
        return self._changed("Account recovered.")

    # ------------------------------------------------------------ what the screen shows
    def alerts(self) -> tuple[tuple[str, str], ...]:
        """(code, message) pairs; the codes are ``authconform.port.AlertCode`` values."""
        alerts = []
        pending = sum(e.needs_verification for e in self.state.entries)
        if pending:
            alerts.append(("VERIFICATION_NEEDED",
                           f"Additional verification needed to recover {pending} account(s)."))
        if self.out_of_date:  # 000: the app may prompt for sign-in without the icon chosen
            alerts.append(("BACKUP_OUT_OF_DATE",
                           "Your backup is out of date: sign in to your recovery account."))
        if self.state.backup.on and self.state.backup.dirty and self._session_valid():
            alerts.append(("BACKUP_PENDING",
                           "Backup pending: it will finish when the connection is back."))
        if not self.device.online:
            alerts.append(("NO_NETWORK", "You are offline."))
        return tuple(alerts)
