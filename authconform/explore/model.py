"""A small reference model of the documented rules: the explorer's oracle.

Plain Python over the names the features use ("Alex", the "Microsoft" account, the
"iPhone 2"); it knows nothing of ``sim``. Every operation returns the outcome code the
app should answer and updates what the app, the cloud and the providers should hold.
Sources: 000 = 000_95d2045858eeac78.txt (current profile), 002 = 002_7c4b4cc3792598fb.txt
(2019 profile); requirement ids from features/requirements.yml.

Harness parameters the documents leave open (and the reference simulator uses): a
recovery sign-in lasts 90 days, a verification code 10 minutes, an activation QR code
24 hours.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

PERSONAL, WORK, THIRD_PARTY = "personal", "work", "third_party"
IOS, ANDROID = "ios", "android"
ICLOUD, MICROSOFT = "icloud", "microsoft"

OK = "OK"
CODE_SENT = "CODE_SENT"

DAY = 24 * 3600.0


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@dataclass
class Tile:
    """One account on the Accounts screen, by the label the features give it."""

    label: str  # "Microsoft", an organisation ("Contoso") or an issuer ("GitHub")
    kind: str
    push: bool = False
    name: str | None = None  # a name the user gave it; None shows the default name
    pending: bool = False  # restored, waiting for additional verification (REQ-VERIFY-02)

    def __repr__(self) -> str:
        flags = "+push" if self.push else ""
        flags += " (pending)" if self.pending else ""
        flags += f" named {self.name!r}" if self.name else ""
        return f"{self.label}{flags}"


@dataclass
class Session:
    signed_in_at: float
    revoked: bool = False


@dataclass
class PhoneBackup:
    recovery: str  # the recovery Microsoft account (by owner name)
    location: str  # Apple ID (iOS) or Microsoft account (Android) holding the copy
    key: int  # which backup key this phone seals with
    session: Session
    dirty: bool  # changes not yet in the cloud


@dataclass
class Phone:
    label: str
    platform: str
    version: str
    apple_id: str | None = None
    online: bool = True
    camera: str = "not_asked"  # "allowed", "denied"
    prompt_showing: bool = False
    tiles: list[Tile] = field(default_factory=list)
    backup: PhoneBackup | None = None

    @property
    def store(self) -> str:
        # 000 troubleshooting, changing operating systems: iCloud for iOS, Microsoft's
        # cloud storage for Android (REQ-BACKUP-04/05).
        return ICLOUD if self.platform == IOS else MICROSOFT

    def tile(self, label: str) -> Tile | None:
        return next((t for t in self.tiles if t.label == label), None)


@dataclass
class KeyRecord:
    """What the recovery account's key holder knows about its one backup."""

    platform: str
    location: str
    key: int
    deleted: bool = False
    uploaded: bool = False  # an upload for this account has finished since it was made


@dataclass
class Blob:
    key: int
    tiles: tuple[Tile, ...]
    at: float


@dataclass
class Qr:
    org: str
    user: str  # whose work account it activates
    issued_at: float
    used: bool = False


@dataclass
class PendingCode:
    code: str
    expires_at: float
    used: bool = False


@dataclass
class Model:
    profile: str = "current"
    session_lifetime: float = 90 * DAY
    code_ttl: float = 600.0
    qr_ttl: float = DAY
    now: float = 0.0
    phones: dict[str, Phone] = field(default_factory=dict)
    # identities: recovery-capable Microsoft accounts and work users, by owner name
    microsoft_accounts: set[str] = field(default_factory=set)
    work_users: set[tuple[str, str]] = field(default_factory=set)  # (owner, org)
    sessions: dict[str, list[Session]] = field(default_factory=dict)
    records: dict[str, KeyRecord] = field(default_factory=dict)  # by recovery account
    blobs: dict[tuple[str, str], Blob] = field(default_factory=dict)  # (store, location)
    qrs: list[Qr] = field(default_factory=list)
    pending_codes: dict[str, PendingCode] = field(default_factory=dict)
    messages: dict[str, list[str]] = field(default_factory=dict)  # codes sent, by channel
    unregistered: set[tuple[str, str]] = field(default_factory=set)  # (org, phone label)
    next_key: int = 1

    # ------------------------------------------------------------ helpers
    def supported(self, phone: Phone) -> bool:
        """000 'Authenticator app': iOS 5.7.0+ and Android 6.6.0+ (REQ-VERSION-01..03);
        002 'Applies to': iOS only, any version (REQ-VERSION-04/05)."""
        if self.profile == "2019":
            return phone.platform == IOS
        minimum = (5, 7, 0) if phone.platform == IOS else (6, 6, 0)
        version = version_tuple(phone.version)
        return version + (0,) * (3 - len(version)) >= minimum

    def session_valid(self, session: Session | None) -> bool:
        return (session is not None and not session.revoked
                and self.now - session.signed_in_at < self.session_lifetime)

    def red_dot(self, phone: Phone) -> bool:
        """000 'Backup is out-of-date': the recovery sign-in lapsed (REQ-STALE-02)."""
        return phone.backup is not None and not self.session_valid(phone.backup.session)

    def _sign_in(self, owner: str) -> Session:
        session = Session(self.now)
        self.sessions.setdefault(owner, []).append(session)
        return session

    def _sync(self, phone: Phone) -> None:
        """Upload pending changes when the phone can (REQ-BACKUP-06, REQ-TROUBLE-02,
        REQ-STALE-01)."""
        backup = phone.backup
        if backup is None or not backup.dirty or not self.session_valid(backup.session):
            return
        if not phone.online:
            return
        self.blobs[(phone.store, backup.location)] = Blob(
            backup.key, tuple(copy.copy(t) for t in phone.tiles), self.now)
        backup.dirty = False
        record = self.records.get(backup.recovery)
        if record is not None:
            record.uploaded = True

    def _changed(self, phone: Phone) -> str:
        if phone.backup is not None:
            phone.backup.dirty = True
            self._sync(phone)
        return OK

    def pending_alert(self, phone: Phone) -> bool:
        return any(t.pending for t in phone.tiles)  # REQ-VERIFY-01

    # ------------------------------------------------------------ the world
    def add_phone(self, label: str, platform: str, version: str,
                  apple_id: str | None) -> Phone:
        phone = Phone(label, platform, version, apple_id if platform == IOS else None)
        self.phones[label] = phone
        return phone

    def sign_in_to_icloud(self, phone: Phone, apple_id: str | None) -> None:
        phone.apple_id = apple_id

    def set_online(self, phone: Phone, online: bool) -> None:
        phone.online = online
        if online:
            self._sync(phone)

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def lapse(self, owner: str) -> None:
        for session in self.sessions.get(owner, []):
            session.revoked = True

    def issue_qr(self, org: str, user: str) -> Qr:
        qr = Qr(org, user, self.now)
        self.qrs.append(qr)
        return qr

    # ------------------------------------------------------------ camera (REQ-CAMERA-*)
    def _camera(self, phone: Phone) -> str | None:
        if phone.camera == "not_asked":
            phone.prompt_showing = True
            return "CAMERA_PERMISSION_NEEDED"
        if phone.camera == "denied":
            return "CAMERA_DENIED"
        return None

    def answer_camera(self, phone: Phone, allow: bool) -> None:
        phone.camera = "allowed" if allow else "denied"
        phone.prompt_showing = False

    # ------------------------------------------------------------ accounts
    def add_third_party(self, phone: Phone, label: str, scanned: bool) -> str:
        if scanned:
            refusal = self._camera(phone)
            if refusal:
                return refusal
        if phone.tile(label):
            return "ACCOUNT_EXISTS"
        phone.tiles.append(Tile(label, THIRD_PARTY))
        return self._changed(phone)

    def add_personal(self, phone: Phone, push: bool) -> str:
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if phone.tile("Microsoft"):
            return "ACCOUNT_EXISTS"
        phone.tiles.append(Tile("Microsoft", PERSONAL, push))
        return self._changed(phone)

    def _activation(self, phone: Phone, qr: Qr, org: str | None = None,
                    user: str | None = None) -> str | None:
        """A refusal code, or None once the activation is spent (REQ-VERIFY-06)."""
        if org is not None and qr.org != org:
            return "QR_REJECTED"
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if (qr.used or self.now >= qr.issued_at + self.qr_ttl
                or (user is not None and qr.user != user)):
            return "QR_REJECTED"
        qr.used = True
        return None

    def add_work(self, phone: Phone, qr: Qr, push: bool, scanned: bool) -> str:
        if scanned:
            refusal = self._camera(phone)
            if refusal:
                return refusal
        if phone.tile(qr.org):
            return "ACCOUNT_EXISTS"  # checked before the activation is spent
        refusal = self._activation(phone, qr)
        if refusal:
            return refusal
        self.unregistered.discard((qr.org, phone.label))
        phone.tiles.append(Tile(qr.org, WORK, push))
        return self._changed(phone)

    def remove(self, phone: Phone, label: str) -> str:
        tile = phone.tile(label)
        assert tile is not None
        phone.tiles.remove(tile)
        return self._changed(phone)

    def rename(self, phone: Phone, label: str, name: str) -> str:
        tile = phone.tile(label)
        assert tile is not None
        tile.name = name
        return self._changed(phone)

    def move_to_top(self, phone: Phone, label: str) -> str:
        tile = phone.tile(label)
        assert tile is not None
        phone.tiles.remove(tile)
        phone.tiles.insert(0, tile)
        return self._changed(phone)

    def approve_push(self, phone: Phone, label: str) -> str:
        tile = phone.tile(label)
        if tile is None or not tile.push:
            return "NO_SUCH_ACCOUNT"
        if tile.pending:
            return "VERIFICATION_REQUIRED"  # REQ-VERIFY-02
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if self.work_unregistered(phone, tile):
            return "DEVICE_UNREGISTERED"  # REQ-LOST-01
        return OK

    def work_unregistered(self, phone: Phone, tile: Tile) -> bool:
        return tile.kind == WORK and (tile.label, phone.label) in self.unregistered

    def unregister(self, org: str, phone: Phone) -> None:
        """000 'FAQs': the organisation deletes and unregisters a lost phone."""
        self.unregistered.add((org, phone.label))

    # ------------------------------------------------------------ backup (BACKUP, STALE)
    def turn_on_backup(self, phone: Phone, account: str, right_password: bool) -> str:
        if not self.supported(phone):
            return "BACKUP_NOT_SUPPORTED"
        if phone.backup is not None:
            return "BACKUP_ALREADY_ON"
        if account not in self.microsoft_accounts:
            return "NOT_A_PERSONAL_ACCOUNT"  # REQ-RECOVACCT-01
        if phone.platform == IOS and phone.apple_id is None:
            return "ICLOUD_SIGN_IN_REQUIRED"  # REQ-BACKUP-02
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if not right_password:
            return "SIGN_IN_FAILED"  # REQ-BACKUP-01
        session = self._sign_in(account)
        location = phone.apple_id if phone.platform == IOS else account
        assert location is not None
        record = self.records.get(account)
        if (record is None or record.deleted or record.platform != phone.platform
                or record.location != location):
            # REQ-RECOVACCT-02: the newest pairing of account and location wins.
            record = KeyRecord(phone.platform, location, self.next_key)
            self.next_key += 1
        self.records[account] = record
        phone.backup = PhoneBackup(account, location, record.key, session, True)
        self._sync(phone)
        return OK

    def turn_off_backup(self, phone: Phone) -> str:
        """Also deletes the cloud copy (REQ-BACKUP-07, REQ-TROUBLE-04)."""
        backup = phone.backup
        if backup is None:
            return OK
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        self.blobs.pop((phone.store, backup.location), None)
        record = self.records.get(backup.recovery)
        if record is not None:
            record.deleted = True
        phone.backup = None
        return OK

    def delete_backup(self, store: str, location: str) -> bool:
        """Through the cloud store's own storage management (REQ-TROUBLE-04)."""
        return self.blobs.pop((store, location), None) is not None

    def select_red_dot(self, phone: Phone) -> str:
        return "SIGN_IN_REQUIRED" if self.red_dot(phone) else OK  # REQ-STALE-03

    def sign_in_to_update(self, phone: Phone, right_password: bool) -> str:
        backup = phone.backup
        if backup is None:
            return "NO_BACKUP_FOUND"
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if not right_password:
            return "SIGN_IN_FAILED"
        backup.session = self._sign_in(backup.recovery)
        backup.dirty = True
        self._sync(phone)
        return OK

    # ------------------------------------------------------------ recovery
    def begin_recovery(self, phone: Phone, account: str, right_password: bool) -> str:
        if not self.supported(phone):
            return "BACKUP_NOT_SUPPORTED"
        if phone.tiles:
            return "EXISTING_ACCOUNTS"  # REQ-EXISTING-01 (strict reading)
        if account not in self.microsoft_accounts:
            return "NOT_A_PERSONAL_ACCOUNT"  # REQ-RECOVACCT-01
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if not right_password:
            return "SIGN_IN_FAILED"  # REQ-RECOVERY-04
        session = self._sign_in(account)
        if phone.platform == IOS and phone.apple_id is None:
            return "ICLOUD_SIGN_IN_REQUIRED"  # REQ-TROUBLE-03
        record = self.records.get(account)
        if record is None:
            return "NO_BACKUP_FOUND"  # REQ-TROUBLE-05
        if record.platform != phone.platform:
            return "BACKUP_ON_OTHER_PLATFORM"  # REQ-TROUBLE-01
        if record.deleted:
            return "BACKUP_DELETED"  # REQ-TROUBLE-04
        location = phone.apple_id if phone.platform == IOS else account
        if record.location != location:
            return "BACKUP_IN_OTHER_ICLOUD"  # REQ-TROUBLE-03
        blob = self.blobs.get((phone.store, location))
        if blob is None and not record.uploaded:
            return "NO_BACKUP_FOUND"  # the first upload never finished
        if blob is None:
            return "BACKUP_DELETED"  # REQ-TROUBLE-04
        if blob.key != record.key:
            return "BACKUP_DAMAGED"  # sealed under an older pairing's key (REQ-TROUBLE-06)
        # REQ-RECOVERY-03, REQ-STORED-02/04: every account, in order, with its name;
        # push and work or school accounts wait for verification (REQ-RECOVERY-06).
        phone.tiles = [Tile(t.label, t.kind, t.push, t.name,
                            pending=t.pending or t.push or t.kind == WORK)
                       for t in blob.tiles]
        phone.backup = PhoneBackup(account, location, record.key, session, False)
        return OK

    # ------------------------------------------------------------ verification (VERIFY)
    def sign_in_to_recover(self, phone: Phone, owner: str, right_password: bool,
                           channel: str, code: str | None) -> str:
        """A code goes to the alternate ``channel`` (REQ-VERIFY-03). ``code`` is what the
        provider sent, if anything: the model cannot guess its value, only learn it."""
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        if not right_password:
            return "SIGN_IN_FAILED"  # REQ-VERIFY-04
        self.pending_codes[owner] = PendingCode(code or "", self.now + self.code_ttl)
        self.messages.setdefault(channel, []).append(code or "")
        return CODE_SENT

    def confirm_code(self, phone: Phone, owner: str, code: str) -> str:
        tile = phone.tile("Microsoft")
        assert tile is not None and tile.pending
        if not phone.online:
            return "NETWORK_UNAVAILABLE"
        pending = self.pending_codes.get(owner)
        if (pending is None or pending.used or self.now >= pending.expires_at
                or pending.code != code):
            return "WRONG_CODE"  # REQ-VERIFY-04
        pending.used = True
        tile.pending = False
        return self._changed(phone)

    def recover_work(self, phone: Phone, org: str, qr: Qr, owner: str, scanned: bool) -> str:
        tile = phone.tile(org)
        assert tile is not None and tile.pending
        if scanned:
            refusal = self._camera(phone)
            if refusal:
                return refusal
        refusal = self._activation(phone, qr, org=org, user=owner)
        if refusal:
            return refusal
        self.unregistered.discard((org, phone.label))
        tile.pending = False
        return self._changed(phone)
