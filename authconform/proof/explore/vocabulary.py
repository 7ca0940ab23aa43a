"""The explorer's vocabulary: the names the features use (Alex, the "Microsoft" account,
"Contoso", the "iPhone 2"), the choices the rules draw from, and which phones a rule can
act on. Shared by the rules (``machine``) and the checks (``checks``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from authconform import port
from authconform.proof.explore import model as m

MAX_PHONES = 4
LATEST_VERSION = "6.8.0"  # what a phone has unless told otherwise (steps/cast.py)
VERSIONS = {  # phone setup -> app version per platform (REQ-VERSION-01..03)
    "too old": {m.IOS: "5.6.9", m.ANDROID: "6.5.9"},
    "first with backup": {m.IOS: "5.7.0", m.ANDROID: "6.6.0"},
    "two-digit minor": {m.IOS: "5.10.0", m.ANDROID: "6.10.0"},
}
SITES = ("GitHub", "Google")
ORGS = ("Contoso", "Fabrikam")
LABELS = ("Microsoft", "Contoso", "Fabrikam", "GitHub", "Google")
KIND = {"Microsoft": m.PERSONAL, "Contoso": m.WORK, "Fabrikam": m.WORK,
        "GitHub": m.THIRD_PARTY, "Google": m.THIRD_PARTY}
NEW_NAMES = ("Personal", "Work phone")
SETTING = {m.IOS: "iCloud backup", m.ANDROID: "Cloud backup"}
STORE_WORDS = {m.ICLOUD: "iCloud", m.MICROSOFT: "Microsoft's cloud storage"}
STORE_SERVICES = {m.ICLOUD: "icloud", m.MICROSOFT: "microsoft-storage"}
CHANNELS = {"email address": "email", "phone number": "phone"}  # as steps/verification.py
SPANS = {"11 minutes": 11 * 60.0, "2 days": 2 * m.DAY, "45 days": 45 * m.DAY,
         "91 days": 91 * m.DAY}  # past a code's life, a QR code's, half and all a sign-in's
QR_HOLDERS = (("Alex", "Contoso"), ("Alex", "Fabrikam"), ("Sam", "Contoso"))
# how Alex goes about verifying a restored Microsoft account:
# (channel, right password, which code: "sent", "wrong" or "late")
VERIFY_PERSONAL = {
    "confirming by email": ("email address", True, "sent"),
    "confirming by text message": ("phone number", True, "sent"),
    "with a wrong password": ("email address", False, "sent"),
    "entering a wrong code": ("email address", True, "wrong"),
    "entering the code too late": ("phone number", True, "late"),
}
RECOVERY_QR_CODES = ("a fresh one", "a fresh one", "an expired one", "a colleague's",
                     "another organisation's", "the one that set the account up")
# attempts that must be refused before the right one (REQ-VERIFY-04/06; a used or
# expired code REQ-SECURITY-05/06)
PERSONAL_MISTAKES = ("with a wrong password", "entering a wrong code",
                     "entering the code too late")
WORK_MISTAKES = ("the one that set the account up", "a colleague's", "another organisation's",
                 "an expired one")
# whether the first phone starts with an account, and how (each shrinks to "none")
FIRST_ACCOUNT = ("none", "without notifications", "with notifications")
PICK = st.integers(min_value=0, max_value=MAX_PHONES - 1)  # which of the eligible


def _backup_on(phone: m.Phone) -> bool:
    return phone.backup is not None


def _backup_off(phone: m.Phone) -> bool:
    return phone.backup is None


def _no_accounts(phone: m.Phone) -> bool:
    return not phone.tiles


def _any_phone(phone: m.Phone) -> bool:
    return True


def _is_iphone(phone: m.Phone) -> bool:
    return phone.platform == m.IOS


def _asking_for_camera(phone: m.Phone) -> bool:
    return phone.prompt_showing


def _lacks(*labels: str) -> Callable[[m.Phone], bool]:
    """Phones missing at least one of these accounts."""
    return lambda phone: any(phone.tile(label) is None for label in labels)


def _can_scan_a_work_account(phone: m.Phone) -> bool:
    """Camera allowed (asking for it is left to the cheaper third-party QR codes)."""
    return phone.camera == "allowed" and any(phone.tile(org) is None for org in ORGS)


def _has_work(phone: m.Phone) -> bool:
    return any(t.kind == m.WORK for t in phone.tiles)


def _has_accounts(phone: m.Phone) -> bool:
    return bool(phone.tiles)


def _has_push(phone: m.Phone) -> bool:
    return any(t.push for t in phone.tiles)


def _pending_personal(phone: m.Phone) -> bool:
    return any(t.pending and t.kind == m.PERSONAL for t in phone.tiles)


def _pending_work(phone: m.Phone) -> bool:
    return any(t.pending and t.kind == m.WORK for t in phone.tiles)


@dataclass
class Cast:
    """The identities made in the target at the start, by the names the features use."""

    alex: port.Person
    sam: port.Person
    msa: port.MicrosoftAccount
    msa2: port.MicrosoftAccount
    apple: port.AppleId
    apple2: port.AppleId
    tenants: dict[str, port.Tenant]
    work: dict[tuple[str, str], port.WorkAccount]
    sites: dict[str, port.SiteAccount]
    devices: dict[str, str] = field(default_factory=dict)  # phone label -> device id

    def account_id(self, label: str) -> str:
        if label == "Microsoft":
            return self.msa.id
        if label in ORGS:
            return self.work[("Alex", label)].id
        return self.sites[label].id

    def username(self, label: str) -> str:
        if label == "Microsoft":
            return self.msa.username
        if label in ORGS:
            return self.work[("Alex", label)].username
        return self.sites[label].username

    def label_of(self, entry: port.AccountEntry) -> str:
        for label in LABELS:
            if (KIND[label] == entry.kind.value
                    and self.username(label).lower() == entry.username.lower()
                    and (KIND[label] != m.THIRD_PARTY  # one user name may serve two sites
                         or self.sites[label].issuer.lower() == entry.issuer.lower())):
                return label
        return f"{entry.issuer}: {entry.username}"

    def location_name(self, location: str) -> str:
        names = {self.apple.username.lower(): "Alex's Apple ID",
                 self.apple2.username.lower(): "Alex's second Apple ID",
                 self.msa.username.lower(): "Alex's Microsoft account",
                 self.msa2.username.lower(): "Alex's second Microsoft account"}
        return names.get(location.lower(), location)


@dataclass
class Qr:
    model: m.Qr
    port: port.ActivationQr


# what a code shown on a phone answers to, by kind of account
CODE_RULES = {m.PERSONAL: "personal-codes", m.THIRD_PARTY: "third-party-codes",
              m.WORK: "work-codes"}
