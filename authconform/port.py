"""The port: the one interface the conformance steps talk to.

A *target* is an implementation under test plus the world around it. The port splits
it in two, because a team testing a real phone app can usually drive the app but not
the world (a real iCloud cannot be emptied on demand, a real clock cannot be moved):

* ``AppPort`` -- what a user does in and sees on the Authenticator app of one device.
  Arguments are what a person would type or scan (user names, passwords, codes, QR
  images), never internal handles of the world.
* ``WorldPort`` -- everything around the app: people and their identities, devices,
  the clock, the network, cloud stores, mail and SMS, tenant administrators.

Every result is a small frozen dataclass made of JSON-friendly values, so the same
port can be served over HTTP unchanged. Refusals are *not* exceptions: they are
``Outcome`` values with a stable ``code`` (see ``OutcomeCode``) and the message the
user would read. Exceptions mean the target itself failed (``TargetError``) or lacks
a capability (``CapabilityMissing``); the harness turns the first into an *error*
and the second into *not-applicable* -- never into a pass.

Documented for adapter authors in docs/adapters.md. The port and its HTTP form (the
protocol, docs/http-service.md) share one semantic version, ``PORT_VERSION``; every
change is listed with its version in docs/port-changelog.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

# The version of this port and of the HTTP protocol that carries it (semver): a new
# major version breaks targets written for the one before, a new minor version only
# adds. A target says which version it was written for in TargetInfo.port_version;
# authconform/adapters/versions.py checks it at start. Bump it with every change to this file's
# contract and list the change in docs/port-changelog.md.
PORT_VERSION = "2.3.1"


class Platform(StrEnum):
    IOS = "ios"
    ANDROID = "android"


class AccountKind(StrEnum):
    PERSONAL = "personal"  # personal Microsoft account (MSA)
    WORK = "work"  # work or school account, belongs to a tenant
    THIRD_PARTY = "third_party"  # TOTP account at a non-Microsoft site


class CameraPermission(StrEnum):
    NOT_ASKED = "not_asked"
    ALLOWED = "allowed"
    DENIED = "denied"


class Store(StrEnum):
    ICLOUD = "icloud"  # iOS storage location, one per Apple ID
    MICROSOFT = "microsoft"  # Android storage location, one per MSA


class Capability(StrEnum):
    """Optional abilities of a target. The core (app operations, creating people,
    identities and devices, ``provider_accepts_code``, push requests) is mandatory."""

    CLOCK = "clock"  # advance_clock
    NETWORK = "network"  # set_device_online, set_service_online
    SESSIONS = "sessions"  # lapse_recovery_sign_in
    STORAGE_MANAGEMENT = "storage_management"  # delete_backup
    STORE_INSPECTION = "store_inspection"  # stored_objects
    MESSAGES = "messages"  # messages (read the simulated inbox / SMS log)
    ADMIN = "admin"  # unregister_device, admin_view
    TRAFFIC = "traffic"  # traffic
    DEVICE_INSPECTION = "device_inspection"  # device_secrets
    FAULTS = "faults"  # inject_fault, clear_faults
    RESTART = "restart"  # restart_service (persistence across a restart)
    TAMPER = "tamper"  # tamper_backup (an attacker with write access to the store)
    BACKUP_CONTENTS = "backup_contents"  # backup_contents, put_account_data
    BACKUP_KEY = "backup_key"  # backup_key (searched for in the store)
    ACCOUNT_PROBLEMS = "account_problems"  # set_account_problem
    OS_SETTINGS = "os_settings"  # set_camera_access (the phone's own settings app)
    PHONE_BACKUP_DELETION = "phone_backup_deletion"  # AppPort.delete_backup_from_phone
    APP_RESTART = "app_restart"  # AppPort.restart_app (closed and opened again)


class OutcomeCode(StrEnum):
    """Stable codes of what the app answered. New codes may be added; codes never change
    meaning. The user-facing message travels next to the code in ``Outcome``."""

    OK = "OK"
    # sign-in and identity
    SIGN_IN_FAILED = "SIGN_IN_FAILED"  # wrong user name or password
    NOT_A_PERSONAL_ACCOUNT = "NOT_A_PERSONAL_ACCOUNT"  # recovery account must be an MSA
    ICLOUD_SIGN_IN_REQUIRED = "ICLOUD_SIGN_IN_REQUIRED"
    NETWORK_UNAVAILABLE = "NETWORK_UNAVAILABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"  # a cloud store or provider failed
    # backup
    BACKUP_NOT_SUPPORTED = "BACKUP_NOT_SUPPORTED"  # app build or profile has no backup
    BACKUP_ALREADY_ON = "BACKUP_ALREADY_ON"
    # recovery
    EXISTING_ACCOUNTS = "EXISTING_ACCOUNTS"  # recovery refused while accounts exist
    NO_BACKUP_FOUND = "NO_BACKUP_FOUND"  # this recovery account never backed up
    BACKUP_ON_OTHER_PLATFORM = "BACKUP_ON_OTHER_PLATFORM"  # iOS <-> Android switch
    BACKUP_IN_OTHER_ICLOUD = "BACKUP_IN_OTHER_ICLOUD"  # different Apple ID signed in
    BACKUP_DELETED = "BACKUP_DELETED"  # removed from storage or the old device
    BACKUP_DAMAGED = "BACKUP_DAMAGED"  # tampered or truncated, nothing restored
    # additional verification
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"
    CODE_SENT = "CODE_SENT"
    WRONG_CODE = "WRONG_CODE"
    NO_SUCH_CHANNEL = "NO_SUCH_CHANNEL"  # no alternate email / phone on file
    QR_REJECTED = "QR_REJECTED"  # other tenant or user, expired or used QR
    QR_UNREADABLE = "QR_UNREADABLE"
    # camera and accounts
    CAMERA_PERMISSION_NEEDED = "CAMERA_PERMISSION_NEEDED"  # the OS prompt is showing
    CAMERA_DENIED = "CAMERA_DENIED"  # enter the code by hand instead
    ACCOUNT_EXISTS = "ACCOUNT_EXISTS"
    INVALID_ENTRY = "INVALID_ENTRY"  # a typed secret or account name that cannot be used
    NO_SUCH_ACCOUNT = "NO_SUCH_ACCOUNT"
    DEVICE_UNREGISTERED = "DEVICE_UNREGISTERED"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"  # selecting the red dot asks for sign-in
    # backup refused: the recovery account already guards another storage location
    # (only where the target declares Reading.SECOND_PAIRING = "refused")
    RECOVERY_ACCOUNT_IN_USE = "RECOVERY_ACCOUNT_IN_USE"


class AlertCode(StrEnum):
    """What an on-screen alert or banner is about. Scenarios check these codes, never
    the wording, which the documents do not give and each app chooses for itself."""

    VERIFICATION_NEEDED = "VERIFICATION_NEEDED"  # restored accounts need more verification
    BACKUP_OUT_OF_DATE = "BACKUP_OUT_OF_DATE"  # sign in again to bring the backup up to date
    BACKUP_PENDING = "BACKUP_PENDING"  # changes not yet in the cloud (will be sent later)
    NO_NETWORK = "NO_NETWORK"  # the phone is offline
    BACKUP_FAILED = "BACKUP_FAILED"  # the last upload did not reach the cloud
    OTHER = "OTHER"  # anything else the app shows; never checked


class Parameter(StrEnum):
    """Values the documents leave open. A target declares the ones it knows in
    ``TargetInfo.parameters``; a scenario that needs an exact number it lacks is
    not-applicable, while the documented relation is still checked where it can be."""

    MSA_CODE_DIGITS = "msa_code_digits"  # digits of a personal account's code
    MSA_CODE_PERIOD_S = "msa_code_period_s"  # seconds one personal-account code lives
    CODE_DRIFT_STEPS = "code_drift_steps"  # earlier/later time steps a provider accepts
    RECOVERY_SIGN_IN_LIFETIME_S = "recovery_sign_in_lifetime_s"  # until the backup is stale
    KEY_FRESHNESS_S = "key_freshness_s"  # how fresh a sign-in must be to release the key
    EMAIL_CODE_LIFETIME_S = "email_code_lifetime_s"  # a verification code by email/SMS
    QR_LIFETIME_S = "qr_lifetime_s"  # a work/school activation QR


class Reading(StrEnum):
    """Documented ambiguities: each lists every reading a faithful app could follow
    (READINGS). A target may declare the one it follows in ``TargetInfo.readings``; then
    it is judged under that reading only. An undeclared reading is not a default: the
    gate runs the scenarios of every value and names the one the target was found to
    follow (authconform.gate.inference)."""

    # "accounts already set up" blocks recovery: any account at all, or only an
    # account that is also in the backup
    EXISTING_ACCOUNTS = "existing_accounts"
    # a recovery account used for a second storage location: the newest pairing wins,
    # the second pairing is refused, or each storage location keeps its own pairing
    # (each still restores with its own Apple ID)
    SECOND_PAIRING = "second_pairing"
    # after recovery each phone has its own personal-account credential, and each code
    # "works with its own phone": a code offered as the *other* phone's is refused, or
    # the provider accepts a code of any of the account's phones
    OTHER_PHONE_CODE = "other_phone_code"
    # which phone the red dot (or exclamation icon) of 000's "Backup is out-of-date" row
    # marks: the phone whose backup is out of date because its recovery sign-in lapsed,
    # or a phone that needs a sign-in to finish restoring from backup (the row's own
    # sentence read literally)
    RED_DOT = "red_dot"


READINGS: dict[Reading, tuple[str, ...]] = {
    Reading.EXISTING_ACCOUNTS: ("any", "same"),
    Reading.SECOND_PAIRING: ("newest_wins", "refused", "each_keeps_own"),
    Reading.OTHER_PHONE_CODE: ("refused", "accepted"),
    Reading.RED_DOT: ("out_of_date", "restore_sign_in"),
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: OutcomeCode
    message: str = ""

    @classmethod
    def success(cls, message: str = "") -> Outcome:
        return cls(True, OutcomeCode.OK, message)


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class MicrosoftAccount:
    id: str
    username: str
    password: str
    alternate_email: str | None
    alternate_phone: str | None


@dataclass(frozen=True)
class AppleId:
    id: str
    username: str
    password: str


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    domain: str


@dataclass(frozen=True)
class WorkAccount:
    id: str
    tenant_id: str
    username: str
    password: str


@dataclass(frozen=True)
class SiteAccount:
    """A third-party TOTP enrolment: what the site shows as a QR code or for typing."""

    id: str
    issuer: str
    username: str
    secret: str  # base32
    digits: int
    period: int
    algorithm: str  # SHA1, SHA256 or SHA512
    uri: str  # otpauth:// provisioning URI
    qr_png: bytes


@dataclass(frozen=True)
class ActivationQr:
    """A work/school activation QR: an activation code plus an activation URL."""

    tenant_id: str
    username: str
    code: str
    url: str
    expires_at: float
    png: bytes


@dataclass(frozen=True)
class AccountEntry:
    """One tile on the Accounts screen."""

    id: str  # stable on this device while the entry exists
    kind: AccountKind
    # "Microsoft", the tenant's name, or the site's issuer: the one the account was
    # added with, which a rename does not change (display_name holds the new name)
    issuer: str
    username: str
    display_name: str
    push: bool  # this entry uses push notifications
    needs_verification: bool  # restored, unusable until additional verification
    # The options the app offers when this account is opened (its drop-down arrow or
    # full-screen view), by their labels, e.g. ("Sign in to recover",) while it waits.
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alert:
    """One alert, banner or prompt on the screen: a code scenarios check, and the words
    the user reads (shown in reports, never matched)."""

    code: AlertCode
    message: str = ""


@dataclass(frozen=True)
class Screen:
    """What the app shows right now, in the words a tester would check."""

    backup_setting: str | None  # "iCloud backup" / "Cloud backup", None if absent
    backup_on: bool
    recovery_offered: bool  # the Begin/Start recovery button is shown
    # the red dot or exclamation on menu/action bar: on the phone whose backup is out of
    # date, or on one that needs a sign-in to finish restoring (Reading.RED_DOT)
    red_dot: bool
    alerts: tuple[Alert, ...] = ()  # e.g. additional verification needed
    camera_prompt: str | None = None  # the OS permission prompt, if showing
    camera_permission: CameraPermission = CameraPermission.NOT_ASKED
    recovery_label: str | None = None  # "Start recovery" (000) / "Begin recovery" (002)
    # Where the out-of-date mark shows: "menu", "action bar" or "exclamation icon"
    # (000 troubleshooting); None while there is no mark.
    backup_warning_at: str | None = None


@dataclass(frozen=True)
class Message:
    channel: str  # "email" or "sms"
    to: str
    subject: str
    body: str
    code: str | None  # the one-time code it carries, if any
    sent_at: float


@dataclass(frozen=True)
class StoredObject:
    store: Store
    location: str  # the Apple ID or MSA user name owning the storage location
    name: str
    data: bytes
    updated_at: float


@dataclass(frozen=True)
class BackedUpEntry:
    """One account as the decrypted backup holds it: every field the target keeps for
    it, by the target's own field names, values as text."""

    kind: AccountKind
    fields: dict[str, str]


@dataclass(frozen=True)
class BackupContents:
    """A decrypted backup, read with the key holder's key (capability backup_contents)."""

    entries: tuple[BackedUpEntry, ...]
    settings: dict[str, str] = field(default_factory=dict)  # app settings, values as text


@dataclass(frozen=True)
class TrafficRecord:
    device_id: str | None
    service: str  # "icloud", "microsoft-storage", "msa", "key-service", "tenant:<id>", ...
    operation: str
    payload: bytes
    at: float


@dataclass(frozen=True)
class AdminDevice:
    device_name: str
    username: str
    registered: bool
    # The phone as the world knows it (what create_device returned), so that the steps
    # find a phone whatever name the organisation sees it under (2.3.0). None: the steps
    # find it by the name it was created with.
    device_id: str | None = None


@dataclass(frozen=True)
class AdminView:
    """Everything a tenant's IT administrator can see."""

    tenant_id: str
    devices: tuple[AdminDevice, ...]
    events: tuple[str, ...]
    accounts_seen: tuple[str, ...] = field(default=())  # user names visible to the admin


@dataclass(frozen=True)
class PushResult:
    request_id: str
    status: str  # "pending", "approved", "rejected"


@dataclass(frozen=True)
class TargetInfo:
    name: str
    version: str
    capabilities: frozenset[Capability]
    profile: str
    # Values the documents leave open, as this target implements them (see Parameter);
    # an absent or None value is undeclared.
    parameters: Mapping[str, float | None] = field(default_factory=dict)
    # Which reading of each documented ambiguity this target follows (see Reading).
    readings: Mapping[str, str] = field(default_factory=dict)
    # The PORT_VERSION this target was written for; "" (undeclared) is taken as 2.0.0,
    # the last version before targets declared one (authconform/adapters/versions.py).
    port_version: str = ""

    def parameter(self, name: Parameter) -> float | None:
        return self.parameters.get(name.value)

    def declared(self, name: Reading) -> str | None:
        """The declared reading, or None: undeclared, the gate infers it from the run."""
        return self.readings.get(name.value)

    def reading(self, name: Reading) -> str:
        """The declared reading, or the first value where none is declared -- for tools
        that must assume one (the explorer); the gate never does (see Reading)."""
        return self.readings.get(name.value, READINGS[name][0])


def declaration_problem(info: TargetInfo) -> str | None:
    """What is wrong with a target's declared parameters and readings, if anything: an
    unknown name or a value of the wrong kind is refused rather than ignored, so a typo
    cannot quietly turn a check into not-applicable. The same holds for a capability
    name this port does not know."""
    capabilities = {c.value for c in Capability}
    for capability in info.capabilities:
        if str(capability) not in capabilities:
            return (f"unknown capability {capability!r} in TargetInfo.capabilities; "
                    f"known: {sorted(capabilities)}")
    known = {p.value for p in Parameter}
    for name, value in dict(info.parameters).items():
        if name not in known:
            return f"unknown parameter {name!r} in TargetInfo.parameters; known: {sorted(known)}"
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or value < 0):
            return f"parameter {name!r} must be a non-negative number or None, not {value!r}"
    for key, chosen in dict(info.readings).items():
        try:
            allowed = READINGS[Reading(key)]
        except ValueError:
            return (f"unknown reading {key!r} in TargetInfo.readings; "
                    f"known: {sorted(r.value for r in Reading)}")
        if chosen not in allowed:
            return f"reading {key!r} must be one of {list(allowed)}, not {chosen!r}"
    return None


# ---------------------------------------------------------------- errors


class TargetError(Exception):
    """The target failed: it raised, hung, or answered something malformed.

    Never a verdict about conformance; the gate reports it as an error (exit 3)."""

    def __init__(self, adapter: str, operation: str, detail: str):
        super().__init__(f"adapter {adapter!r} failed in {operation}: {detail}")
        self.adapter = adapter
        self.operation = operation
        self.detail = detail


class CapabilityMissing(Exception):
    """The target cannot do this (a real phone cannot move the clock)."""

    def __init__(self, capability: Capability, operation: str = ""):
        super().__init__(f"target lacks capability {capability.value!r} ({operation})")
        self.capability = capability
        self.operation = operation


# ---------------------------------------------------------------- the two halves


@runtime_checkable
class AppPort(Protocol):
    """The Authenticator app on one device, driven as a user would."""

    # accounts
    def add_personal_account(
        self, device_id: str, username: str, password: str, push: bool = False
    ) -> Outcome: ...
    def scan_qr(self, device_id: str, image: bytes, push: bool = False) -> Outcome:
        """Scan a QR with the camera: a site's otpauth code or a work/school activation.
        Asks for camera permission on first use (CAMERA_PERMISSION_NEEDED)."""
    def enter_code_manually(
        self, device_id: str, issuer: str, username: str, secret: str,
        digits: int = 6, period: int = 30, algorithm: str = "SHA1",
    ) -> Outcome:
        """Type a third-party account's secret by hand."""
    def enter_activation_manually(
        self, device_id: str, code: str, url: str, push: bool = False
    ) -> Outcome:
        """Type a work/school activation code and URL by hand (no camera needed)."""
    def answer_camera_prompt(self, device_id: str, allow: bool) -> None:
        """Tap Allow / Don't allow on the OS camera prompt. The suite calls it only while
        ``Screen.camera_prompt`` shows; an app may ignore it at any other time."""
    def remove_account(self, device_id: str, entry_id: str) -> Outcome: ...
    def rename_account(self, device_id: str, entry_id: str, name: str) -> Outcome: ...
    def reorder_accounts(self, device_id: str, entry_ids: list[str]) -> Outcome: ...
    def list_accounts(self, device_id: str) -> list[AccountEntry]: ...
    def current_code(self, device_id: str, entry_id: str) -> str | None:
        """The code on the tile, None if the entry cannot show one (needs verification)."""
    def approve_push(self, device_id: str, request_id: str) -> Outcome: ...
    # backup
    def screen(self, device_id: str) -> Screen: ...
    def turn_on_backup(self, device_id: str, username: str, password: str) -> Outcome:
        """Settings > Backup > iCloud backup (iOS) / Cloud backup (Android), signing in to
        the recovery account."""
    def turn_off_backup(self, device_id: str) -> Outcome: ...
    def select_backup_warning(self, device_id: str) -> Outcome:
        """Select the red dot / exclamation icon: SIGN_IN_REQUIRED while it shows."""
    def sign_in_to_update_backup(
        self, device_id: str, password: str, username: str | None = None
    ) -> Outcome:
        """Sign in again after selecting the red dot: it brings an out-of-date backup up
        to date, or finishes a restore that waited for the sign-in (Reading.RED_DOT).
        ``username``: the account the user signs in with; None means the app's recovery
        account, as before."""
    def delete_backup_from_phone(self, device_id: str) -> Outcome:
        """Delete the cloud backup from this (old) phone's backup settings
        (capability phone_backup_deletion)."""
    def restart_app(self, device_id: str) -> None:
        """Close the app on this phone and open it again, as a person swipes it away and
        taps its icon: what the app keeps on the phone stays, what it held only while
        open does not (capability app_restart)."""
    # recovery
    def begin_recovery(self, device_id: str, username: str, password: str) -> Outcome: ...
    def sign_in_to_recover(
        self, device_id: str, entry_id: str, password: str, channel: str
    ) -> Outcome:
        """Personal push account: password, then a code to the alternate ``channel``
        ("email" or "phone"). CODE_SENT on success."""
    def confirm_verification_code(self, device_id: str, entry_id: str, code: str) -> Outcome: ...
    def scan_qr_to_recover(self, device_id: str, entry_id: str, image: bytes) -> Outcome: ...
    def enter_activation_to_recover(
        self, device_id: str, entry_id: str, code: str, url: str
    ) -> Outcome: ...


@runtime_checkable
class WorldPort(Protocol):
    """People, identity providers, devices, stores and the clock around the app."""

    def create_person(self) -> Person: ...
    def create_microsoft_account(
        self, person_id: str, alternate_email: bool = True, alternate_phone: bool = True
    ) -> MicrosoftAccount: ...
    def create_apple_id(self, person_id: str) -> AppleId: ...
    def create_tenant(self) -> Tenant: ...
    def create_work_account(self, tenant_id: str, person_id: str) -> WorkAccount: ...
    def create_site_account(
        self, person_id: str, issuer: str, digits: int = 6, period: int = 30,
        algorithm: str = "SHA1",
    ) -> SiteAccount: ...
    def issue_activation_qr(self, tenant_id: str, work_account_id: str) -> ActivationQr: ...
    def create_device(
        self, person_id: str, platform: Platform, app_version: str, name: str = ""
    ) -> str: ...
    def sign_in_to_icloud(self, device_id: str, apple_username: str, password: str) -> Outcome: ...
    def sign_out_of_icloud(self, device_id: str) -> None: ...
    def now(self) -> float: ...
    # codes and push, as the identity providers see them
    def provider_accepts_code(self, account_id: str, code: str, device_id: str) -> bool:
        """Does the provider of ``account_id`` (an MSA, work or site account handle)
        accept ``code`` typed from ``device_id`` at the current instant?"""
    def request_push(self, account_id: str) -> str:
        """A sign-in that asks for push approval; returns the request id."""
    def push_result(self, request_id: str) -> PushResult: ...
    # optional (see Capability)
    def advance_clock(self, seconds: float) -> None: ...
    def set_device_online(self, device_id: str, online: bool) -> None: ...
    def set_service_online(self, service: str, online: bool) -> None: ...
    def lapse_recovery_sign_in(self, msa_id: str) -> None: ...
    def delete_backup(self, store: Store, location: str) -> bool: ...
    def stored_objects(self) -> list[StoredObject]: ...
    def messages(self, to: str) -> list[Message]: ...
    def unregister_device(self, tenant_id: str, device_id: str) -> None: ...
    def admin_view(self, tenant_id: str) -> AdminView: ...
    def traffic(self) -> list[TrafficRecord]: ...
    def device_secrets(self, device_id: str) -> list[bytes]: ...
    def tamper_backup(self, store: Store, location: str, how: str) -> bool:
        """Damage the stored backup as an attacker with write access to the store would:
        ``how`` is "flip" (one byte changed) or "truncate" (cut in half). False if there
        is no backup there."""
    def backup_contents(self, store: Store, location: str) -> BackupContents | None:
        """The backup at ``location`` decrypted with the key holder's key, field by field;
        None if there is none. Evidence for the tester, never shown to users."""
    def backup_key(self, store: Store, location: str) -> bytes | None:
        """The key that opens the backup at ``location``, as its key holder keeps it;
        None if there is no backup there or no key opens it. Evidence for the tester,
        who searches the store for it: the storage location alone must not hold it."""
    def put_account_data(self, account_id: str, kind: str, text: str) -> None:
        """Put a mail (``kind`` "mail") or a file ("file") holding ``text`` in a personal
        Microsoft account: data the backup must never hold."""
    def set_account_problem(self, account_id: str, problem: bool) -> None:
        """Give a personal Microsoft account a problem of its own (blocked, locked) or
        clear it: its sign-ins fail while it lasts."""
    def set_camera_access(self, device_id: str, allowed: bool) -> None:
        """Turn the app's camera access on or off in the phone's own settings."""
    def inject_fault(self, point: str) -> None: ...
    def clear_faults(self) -> None: ...
    def restart_service(self) -> None: ...
    def snapshot(self) -> dict[str, object]:
        """A JSON-friendly picture of the world for reports; may be empty."""


class Target(Protocol):
    """What an adapter builds: both halves plus facts about itself."""

    info: TargetInfo
    app: AppPort
    world: WorldPort

    def close(self) -> None: ...


# Operations that need a capability; the guard raises CapabilityMissing for them.
CAPABILITY_OF: dict[str, Capability] = {
    "advance_clock": Capability.CLOCK,
    "set_device_online": Capability.NETWORK,
    "set_service_online": Capability.NETWORK,
    "lapse_recovery_sign_in": Capability.SESSIONS,
    "delete_backup": Capability.STORAGE_MANAGEMENT,
    "stored_objects": Capability.STORE_INSPECTION,
    "messages": Capability.MESSAGES,
    "unregister_device": Capability.ADMIN,
    "admin_view": Capability.ADMIN,
    "traffic": Capability.TRAFFIC,
    "device_secrets": Capability.DEVICE_INSPECTION,
    "inject_fault": Capability.FAULTS,
    "clear_faults": Capability.FAULTS,
    "restart_service": Capability.RESTART,
    "tamper_backup": Capability.TAMPER,
    "backup_contents": Capability.BACKUP_CONTENTS,
    "put_account_data": Capability.BACKUP_CONTENTS,
    "backup_key": Capability.BACKUP_KEY,
    "set_account_problem": Capability.ACCOUNT_PROBLEMS,
    "set_camera_access": Capability.OS_SETTINGS,
    "delete_backup_from_phone": Capability.PHONE_BACKUP_DELETION,
    "restart_app": Capability.APP_RESTART,
}

# Named fault points a target with Capability.FAULTS understands. Each fires once.
FAULT_POINTS: tuple[str, ...] = (
    "network_drop_before_key_fetch",  # backup/recovery: before the key service answers
    "network_drop_during_upload",  # backup: the blob never reaches the store
    "network_drop_after_upload",  # backup: stored, but the app never hears success
    "network_drop_during_download",  # recovery: blob download cut
    "network_drop_after_download",  # recovery: blob fetched, key fetch cut
    "store_write_fails",  # the store answers an error to the next write
    "store_write_lost",  # the store acknowledges the next write but drops it
    "store_corrupts_next_write",  # stores a truncated blob
    "key_service_unavailable",  # the key service answers an error once
    "recovery_sign_in_stale_before_key_release",  # recovery: the sign-in ages past freshness
)
