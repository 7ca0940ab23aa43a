"""A small reference model of the documented rules: the explorer's oracle.

Plain Python over the names the features use ("Alex", the "Microsoft" account, the
"iPhone 2"); it knows nothing of ``sim``. Every operation returns an ``Expect``: the
answers the documents allow (more than one where several refusals apply at once, where
a family of codes is one consequence, or where the target's reading is not known yet),
the rules that decide them (``rules.RULES``: requirement and paragraph), and how the
model follows the answer the target gave. Where the documents say nothing the
expectation is *open*: any answer is accepted and followed.

What the documents leave open comes from the target's declarations, as the scenarios
read them: the recovery sign-in's lifetime, a verification code's and an activation QR
code's (``None``: undeclared, so the model checks only what holds either way and learns
the rest from what the target shows), and the readings of each ambiguity (``Readings``:
a declared reading, or every reading still consistent with what the target has done).

Sources: 000 = 000_95d2045858eeac78.txt (current profile), 002 = 002_7c4b4cc3792598fb.txt
(2019 profile); requirement ids from features/requirements.yml.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from authconform.port import READINGS, OutcomeCode
from authconform.proof.explore.rules import Disagreement
from authconform.spec.families import FAMILIES, family_of

PERSONAL, WORK, THIRD_PARTY = "personal", "work", "third_party"
IOS, ANDROID = "ios", "android"
ICLOUD, MICROSOFT = "icloud", "microsoft"

OK = "OK"
CODE_SENT = "CODE_SENT"
# Every answer an app may give, and every refusal (CODE_SENT is a success: a code went)
EVERY_ANSWER = frozenset(c.value for c in OutcomeCode)
EVERY_REFUSAL = EVERY_ANSWER - {OK, CODE_SENT}

DAY = 24 * 3600.0
PROMPT = "CAMERA_PERMISSION_NEEDED"  # the operating system's camera prompt is showing

# The readings the model can follow, by name and value (port.READINGS lists them all).
# A value not here is one the model cannot predict: where it is still possible, the
# operations it touches accept any answer and follow the target.
EXISTING = "existing_accounts"
PAIRING = "second_pairing"
OTHER_PHONE = "other_phone_code"
EACH_KEEPS_OWN = "each_keeps_own"  # each storage location keeps its own pairing
# Where the red dot shows: the model follows only the first value (on the phone whose
# backup is out of date); the name is whichever reading port.READINGS gives for it.
RED_DOT = next((r.value for r in READINGS if "red_dot" in r.value), None)
MODELLED: dict[str, frozenset[str]] = {
    EXISTING: frozenset({"any", "same"}),
    PAIRING: frozenset({"newest_wins", "refused", EACH_KEEPS_OWN}),
    OTHER_PHONE: frozenset({"refused", "accepted"}),
    **({RED_DOT: frozenset({READINGS[next(r for r in READINGS if r.value == RED_DOT)][0]})}
       if RED_DOT else {}),
}


def _major(phone: Phone) -> int:
    return version_tuple(phone.version)[0]


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def widen(code: str) -> frozenset[str]:
    """A code and every code of its cause family (authconform/spec/families.py); a work
    account offered as recovery account may fail as a sign-in ("not a personal
    account")."""
    if code == "NOT_A_PERSONAL_ACCOUNT" and "not a personal account" in FAMILIES:
        return frozenset(c.value for c in FAMILIES["not a personal account"]) | {code}
    group = family_of(code)
    return frozenset({code, *(c.value for c in FAMILIES[group])}) if group else frozenset({code})


@dataclass(frozen=True)
class Expect:
    """What the target may answer: any of ``codes`` (``open``: anything), by ``rules``;
    ``follow`` updates the model with the answer actually given."""

    rules: tuple[str, ...]
    codes: frozenset[str]
    preferred: str  # what the model writes down as the expected answer
    open: bool = False
    follow: Callable[[str], None] | None = None

    def allows(self, code: str) -> bool:
        return self.open or code in self.codes

    @property
    def code(self) -> str:
        return self.preferred


def expect(rule: str, code: str, follow: Callable[[str], None] | None = None) -> Expect:
    return Expect((rule,), widen(code), code, follow=follow)


def any_of(choices: Iterable[tuple[str, str]], follow: Callable[[str], None] | None = None,
           extra: Iterable[str] = ()) -> Expect:
    """Several answers apply at once and the documents give no order: any of them."""
    pairs = list(dict.fromkeys(choices))
    codes = frozenset().union(*(widen(c) for _, c in pairs), extra)
    return Expect(tuple(dict.fromkeys(r for r, _ in pairs)), codes, pairs[0][1], follow=follow)


def open_answer(rule: str, preferred: str, follow: Callable[[str], None] | None = None
                ) -> Expect:
    return Expect((rule,), widen(preferred), preferred, open=True, follow=follow)


def any_refusal(rules: Iterable[str], preferred: str) -> Expect:
    """Refused, with whichever code the app chooses: where the documents say only that
    something does not work, and name no answer."""
    return Expect(tuple(dict.fromkeys(rules)), EVERY_REFUSAL, preferred)


def any_answer(rules: Iterable[str], preferred: str) -> Expect:
    """Whatever the app says: where the documents judge only the effect (a sign-in that
    is not approved), not what the app shows about it."""
    return Expect(tuple(dict.fromkeys(rules)), EVERY_ANSWER, preferred)


class Readings:
    """For each documented ambiguity, the readings the target may still follow: the
    declared one, or (undeclared) every reading not yet contradicted by what it did."""

    def __init__(self, declared: Mapping[str, str] | None = None):
        declared = dict(declared or {})
        self.candidates: dict[str, set[str]] = {
            r.value: ({declared[r.value]} if r.value in declared else set(values))
            for r, values in READINGS.items()}

    def of(self, name: str) -> list[str]:
        """The readings still open, in port.READINGS order (the first is preferred)."""
        order = next((v for r, v in READINGS.items() if r.value == name), ())
        left = self.candidates.get(name, set())
        return [v for v in order if v in left] + sorted(left - set(order))

    def unmodelled(self, name: str) -> bool:
        """A reading the model cannot predict is still possible."""
        return bool(set(self.of(name)) - MODELLED.get(name, frozenset()))

    def keep(self, name: str, values: Iterable[str], rule: str, detail: str) -> None:
        """Only ``values`` are consistent with what the target just did (readings the
        model cannot predict always are). None left: the target contradicts them all."""
        if name not in self.candidates:
            return
        allowed = set(values)
        left = {v for v in self.candidates[name]
                if v in allowed or v not in MODELLED.get(name, frozenset())}
        if not left:
            raise Disagreement(rule, f"{detail}; this contradicts every reading of {name} "
                               f"still open ({', '.join(sorted(self.candidates[name]))})")
        self.candidates[name] = left


@dataclass
class Tile:
    """One account on the Accounts screen, by the label the features give it."""

    label: str  # "Microsoft", an organisation ("Contoso") or an issuer ("GitHub")
    kind: str
    push: bool = False
    name: str | None = None  # a name the user gave it; None shows the default name
    pending: bool = False  # restored, waiting for additional verification (REQ-VERIFY-02)
    name_restored: bool = False  # that name came back with a recovery (REQ-STORED-05)
    # waiting because its organisation unregistered the phone, not since a recovery: the
    # documents say nothing of what the old phone's app shows then (000 'FAQs')
    relapsed: bool = False

    def __repr__(self) -> str:
        flags = "+push" if self.push else ""
        flags += " (pending)" if self.pending else ""
        flags += " (unregistered)" if self.relapsed else ""
        flags += f" named {self.name!r}" if self.name else ""
        return f"{self.label}{flags}"


@dataclass
class Session:
    signed_in_at: float
    lapsed: bool = False  # lapsed through the world, or seen out of date on the phone
    seen_valid_at: float = -1.0  # the last time it was known to be valid
    # the last upload made while it may have been valid: an app may renew the sign-in
    # with each use (a sliding lifetime)
    renewed_at: float = -1.0

    def __post_init__(self) -> None:
        self.seen_valid_at = max(self.seen_valid_at, self.signed_in_at)
        self.renewed_at = max(self.renewed_at, self.signed_in_at)


@dataclass
class PhoneBackup:
    recovery: str  # the recovery Microsoft account (by owner name)
    location: str  # Apple ID (iOS) or Microsoft account (Android) holding the copy
    key: int  # which backup key this phone seals with
    session: Session
    dirty: bool  # changes not yet in the cloud


@dataclass
class Waiting:
    """A scan that asked for the camera: allowing may finish it (REQ-CAMERA-01 says
    either is right), so the model applies it only if the target shows it done.
    ``apply`` decides what the scan answers without changing the model; following that
    answer applies it."""

    label: str
    recovering: bool  # finishing shows the account ready, not newly added
    apply: Callable[[], Expect]


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
    waiting: Waiting | None = None
    # the model does not know these accounts (restored from a backup it could not
    # follow): the next look at the phone takes them as the target shows them
    adopt: bool = False
    adopt_order: bool = False  # kept and restored accounts: any order of them
    # just recovered: the backup as recovery left it, until the screen says whether
    # backup is on (the documents do not say)
    backup_adopted: PhoneBackup | None = None
    restore_uploaded: bool = False  # that recovery sent the accounts kept beside it
    # accounts new since the last look, placed where the app puts new accounts (the
    # documents do not say where)
    placed: list[str] = field(default_factory=list)
    # the person has begun verifying a waiting account since the last recovery: the
    # documents put up the alert at recovery and do not say how long it stays
    verifying: bool = False
    # time has passed since the last recovery: the alert came up then and may have gone
    # (a banner that fades; the tiles still show what waits)
    alert_aged: bool = False
    # whether this app has backup and recovery (REQ-VERSION-*): the documented gate, or
    # under 2019 for any but the shipped app on an iPhone what the target shows
    gate: bool = True

    @property
    def store(self) -> str:
        # 000 troubleshooting, changing operating systems: iCloud for iOS, Microsoft's
        # cloud storage for Android (REQ-BACKUP-04/05).
        return ICLOUD if self.platform == IOS else MICROSOFT

    @property
    def location(self) -> str | None:
        return self.apple_id if self.platform == IOS else None

    def tile(self, label: str) -> Tile | None:
        return next((t for t in self.tiles if t.label == label), None)


@dataclass
class Pairing:
    """One pairing of a recovery account with a storage location, as the key holder
    knows it."""

    platform: str
    location: str
    key: int
    deleted: bool = False
    unsure: bool = False  # backup switched off: the target may or may not have let go
    uploaded: bool = False  # an upload under this pairing has finished


@dataclass
class Blob:
    key: int
    tiles: tuple[Tile, ...] | None  # None: the model could not follow what was uploaded
    at: float
    major: int | None = None  # the major version of the app that wrote it, when known


@dataclass
class Qr:
    org: str
    user: str  # whose work account it activates
    issued_at: float
    used: bool = False


@dataclass
class PendingCode:
    code: str
    sent_at: float
    used: bool = False


@dataclass
class Model:
    profile: str = "current"
    # the target's declared values (None: undeclared); the defaults are the simulator's
    session_lifetime: float | None = 90 * DAY
    code_ttl: float | None = 600.0
    qr_ttl: float | None = DAY
    readings: Readings = field(default_factory=lambda: Readings(
        {r.value: values[0] for r, values in READINGS.items()}))  # the simulator's
    now: float = 0.0
    phones: dict[str, Phone] = field(default_factory=dict)
    # identities: recovery-capable Microsoft accounts and work users, by owner name
    microsoft_accounts: set[str] = field(default_factory=set)
    work_users: set[tuple[str, str]] = field(default_factory=set)  # (owner, org)
    sessions: dict[str, list[Session]] = field(default_factory=dict)
    pairings: dict[str, list[Pairing]] = field(default_factory=dict)  # by recovery account
    blobs: dict[tuple[str, str], Blob] = field(default_factory=dict)  # (store, location)
    unsure: set[tuple[str, str]] = field(default_factory=set)  # may hold a backup or not
    qrs: list[Qr] = field(default_factory=list)
    pending_codes: dict[str, PendingCode] = field(default_factory=dict)
    messages: dict[str, list[str]] = field(default_factory=dict)  # codes sent, by channel
    unregistered: set[tuple[str, str]] = field(default_factory=set)  # (org, phone label)
    # every phone a work account was activated on, as its organisation knows it (removing
    # the account from the app does not tell the organisation anything)
    registered: set[tuple[str, str]] = field(default_factory=set)  # (org, phone label)
    # the phone where the personal account's notifications were last set up by
    # verification: whether other phones still approve is not documented
    push_verified_on: str | None = None
    next_key: int = 1

    # ------------------------------------------------------------ helpers
    def supported(self, phone: Phone) -> bool:
        """Whether ``phone``'s app has backup and recovery (``Phone.gate``)."""
        return phone.gate

    def documented_gate(self, platform: str, version: str) -> bool:
        """000 'Authenticator app': iOS 5.7.0+ and Android 6.6.0+ (REQ-VERSION-01..03).
        Under 2019 the harness's reading (iOS only, any version; REQ-VERSION-05/06 are
        robustness): the model takes it only where the target says nothing."""
        if self.profile == "2019":
            return platform == IOS
        minimum = (5, 7, 0) if platform == IOS else (6, 6, 0)
        numbers = version_tuple(version)
        return numbers + (0,) * (3 - len(numbers)) >= minimum

    def gate_open(self, platform: str, shipped: bool) -> bool:
        """002 'Applies to' names iOS and no version: what it decides is that the app as
        shipped on an iPhone has backup (REQ-VERSION-04). Another version's, or an
        Android phone's, is the target's (REQ-VERSION-05/06 are robustness)."""
        return self.profile == "2019" and not (platform == IOS and shipped)

    def gate_rule(self) -> str:
        return "version-gate-2019" if self.profile == "2019" else "version-gate"

    def session_valid(self, session: Session | None) -> bool | None:
        """None: undeclared lifetime and time has passed since it was last seen valid."""
        if session is None or session.lapsed:
            return False
        if self.session_lifetime is not None:
            if self.now - session.signed_in_at < self.session_lifetime:
                return True
            # 000 'Backup is out-of-date' says neither how long a sign-in lasts nor from
            # when: under a lifetime that each upload renews it lapses only a lifetime
            # after the last upload; between the two readings the model cannot tell
            return False if self.now - session.renewed_at >= self.session_lifetime else None
        return True if self.now <= session.seen_valid_at else None

    def observe_session(self, session: Session, out_of_date: bool) -> None:
        """Follow the target where the lifetime is undeclared: what it shows now. Once
        out of date, the backup stays so until the next sign-in (000 troubleshooting,
        out-of-date backup: the remedy is signing in again)."""
        if out_of_date:
            session.lapsed = True
        else:
            session.seen_valid_at = self.now

    def red_dot_followed(self) -> bool:
        """The red dot means 'this phone's backup is out of date' under every reading
        still possible (a reading the model cannot predict may put it elsewhere)."""
        return RED_DOT is None or not self.readings.unmodelled(RED_DOT)

    def red_dot(self, phone: Phone) -> bool | None:
        """000 'Backup is out-of-date': the recovery sign-in lapsed (REQ-STALE-02);
        None where the model cannot tell. A lapsed sign-in with no change waiting to go
        up is such a case: 000 calls the backup's data out of date, and an app may mark
        it as soon as uploads are impossible or only once the cloud copy falls behind."""
        if phone.backup is None:
            return False if self.red_dot_followed() else None
        valid = self.session_valid(phone.backup.session)
        if valid is None or not self.red_dot_followed():
            return None
        if valid:
            return False
        return True if phone.backup.dirty else None

    def _sign_in(self, owner: str) -> Session:
        session = Session(self.now)
        self.sessions.setdefault(owner, []).append(session)
        return session

    def _pairing(self, account: str, platform: str, location: str, reading: str
                 ) -> Pairing | None:
        """The pairing a recovery on (platform, location) meets under a reading."""
        pairings = self.pairings.get(account, [])
        if not pairings:
            return None
        if reading == EACH_KEEPS_OWN:
            own = [p for p in pairings if (p.platform, p.location) == (platform, location)]
            return own[-1] if own else pairings[-1]
        return pairings[-1]

    def _sync(self, phone: Phone) -> None:
        """Upload pending changes when the phone can (REQ-BACKUP-06, REQ-TROUBLE-02,
        REQ-STALE-01)."""
        backup = phone.backup
        if backup is None or not backup.dirty or not phone.online:
            return
        valid = self.session_valid(backup.session)
        if valid is False:
            return
        where = (phone.store, backup.location)
        backup.session.renewed_at = self.now  # under a sliding lifetime, renewed now
        # An app with no account has nothing to back up: it may write its first copy only
        # with its first account (the documents say the accounts are stored).
        nothing_yet = not phone.tiles and (where not in self.blobs or where in self.unsure)
        if valid is None or nothing_yet:  # it may or may not have gone up: track lost
            old = self.blobs.get(where)
            self.blobs[where] = Blob(backup.key, None, old.at if old else self.now,
                                     max(old.major or 0, _major(phone)) if old else _major(phone))
            self.unsure.add(where)
            if valid:  # nothing waits to be sent, whether an empty copy went or not
                backup.dirty = False
            return
        self.blobs[where] = Blob(backup.key, tuple(copy.copy(t) for t in phone.tiles),
                                 self.now, _major(phone))
        self.unsure.discard(where)
        backup.dirty = False
        for pairing in self.pairings.get(backup.recovery, []):
            if pairing.key == backup.key:
                pairing.uploaded = True

    def _changed(self, phone: Phone) -> None:
        if phone.backup is not None:
            phone.backup.dirty = True
            self._sync(phone)

    def _changed_ok(self, phone: Phone) -> Expect:
        self._changed(phone)
        return expect("changes-are-uploaded", OK)

    def backup_left_off(self, phone: Phone) -> None:
        """Recovery left backup off on ``phone`` (whether it turns backup on, the
        documents do not say): what the model had it send since never went up."""
        backup, phone.backup = phone.backup, None
        if backup is not None and phone.restore_uploaded:
            self.unsure.add((phone.store, backup.location))

    def placed_by_app(self, phone: Phone) -> None:
        """The app put a new account where it puts new accounts: a copy uploaded since
        holds that order too (the upload went out with the account)."""
        if phone.backup is not None and not phone.backup.dirty:
            phone.backup.dirty = True
            self._sync(phone)

    def pending_alert(self, phone: Phone) -> bool | None:
        """REQ-VERIFY-01: the alert shows after a recovery that left accounts waiting, and
        not once none waits; None (either is right) while some wait but the person has
        already begun verifying them, or time has passed since the recovery: 000/002 say
        only that the alert comes up. A work
        account its organisation unregistered on this phone may wait too (``relapse``),
        seen or not yet seen by the model: the alert may then show or not."""
        if any(t.pending and not t.relapsed for t in phone.tiles):
            return None if phone.verifying or phone.alert_aged else True
        if any(t.relapsed or self.work_unregistered(phone, t) for t in phone.tiles):
            return None
        return False

    # ------------------------------------------------------------ the world
    def add_phone(self, label: str, platform: str, version: str, apple_id: str | None,
                  shipped: bool = True, offered: bool | None = None) -> Phone:
        """``shipped``: the app as the target ships it (no version named); ``offered``:
        whether the new phone's settings offer backup, where the documents leave the
        gate to the target (``gate_open``); unseen, the harness's reading."""
        phone = Phone(label, platform, version, apple_id if platform == IOS else None)
        phone.gate = self.documented_gate(platform, version)
        if offered is not None and self.gate_open(platform, shipped):
            phone.gate = offered
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
        if seconds > 0:
            for phone in self.phones.values():
                phone.alert_aged = True

    def lapse(self, owner: str) -> None:
        for session in self.sessions.get(owner, []):
            session.lapsed = True

    def issue_qr(self, org: str, user: str) -> Qr:
        qr = Qr(org, user, self.now)
        self.qrs.append(qr)
        return qr

    # ------------------------------------------------------------ camera (REQ-CAMERA-*)
    def _camera(self, phone: Phone, waiting: Waiting) -> Expect | None:
        """What a scan may answer for the camera's sake; None: the camera plays no part
        (allowed), the scan's own answer is ``waiting.apply()``'s."""
        def prompt(code: str) -> bool:
            if code != PROMPT:
                return False
            phone.prompt_showing = True
            phone.waiting = waiting
            return True

        judged = self.profile != "2019"  # 002 says nothing of the camera
        if phone.camera == "not_asked" or (phone.camera == "allowed" and not judged):
            # 000 'Notes:' ¶2: a first set-up *may* show the operating system's prompt
            # (REQ-CAMERA-01 is a SHOULD): the scan asks, or scans at once. Under 2019
            # the prompt is not judged at all.
            scan = waiting.apply()  # the scan's own answer, once the camera works

            def follow(code: str) -> None:
                if prompt(code):
                    return
                if code == OK:
                    phone.camera = "allowed"  # it scanned: nothing left to ask
                if scan.follow is not None:
                    scan.follow(code)

            rules = ("camera-prompt", *scan.rules) if judged else scan.rules
            return Expect(tuple(dict.fromkeys(rules)), scan.codes | {PROMPT},
                          PROMPT if judged else scan.preferred, open=scan.open, follow=follow)
        if phone.camera == "denied":
            # Refused, at the prompt or later in the settings: the scan adds nothing (000
            # 'Notes:' ¶3: the code is then typed), and the app says the camera is off or
            # shows the operating system's prompt again (as Android may); the documents
            # never say the prompt does not come back, nor (2019) anything of the camera.
            def refused(code: str) -> None:
                prompt(code)

            codes = frozenset({"CAMERA_DENIED", PROMPT}) if judged else EVERY_REFUSAL
            return Expect(("camera-scans",), codes, "CAMERA_DENIED", follow=refused)
        return None

    def answer_camera(self, phone: Phone, allow: bool) -> Waiting | None:
        """The scan that asked, if allowing may have finished it."""
        phone.camera = "allowed" if allow else "denied"
        phone.prompt_showing = False
        waiting, phone.waiting = phone.waiting, None
        return waiting if allow else None

    # ------------------------------------------------------------ accounts
    def add_third_party(self, phone: Phone, label: str, scanned: bool) -> Expect:
        def added(code: str) -> None:
            if code == OK:
                phone.tiles.append(Tile(label, THIRD_PARTY))
                phone.placed.append(label)
                self._changed(phone)

        def add() -> Expect:  # decides only: the model changes when the answer is followed
            if phone.tile(label):
                return expect("already-there", "ACCOUNT_EXISTS")
            # scanned with the camera allowed, or typed
            return expect("camera-scans", OK, added)

        if scanned:
            refusal = self._camera(phone, Waiting(label, False, add))
            if refusal:
                return refusal
        return add()

    def add_personal(self, phone: Phone, push: bool) -> Expect:
        refusals = []
        if phone.tile("Microsoft"):
            refusals.append(("already-there", "ACCOUNT_EXISTS"))
        if not phone.online:
            refusals.append(("sign-in-needs-network", "NETWORK_UNAVAILABLE"))
        if refusals:
            return any_of(refusals)
        phone.tiles.append(Tile("Microsoft", PERSONAL, push))
        phone.placed.append("Microsoft")
        return self._changed_ok(phone)

    def _activation(self, phone: Phone, qr: Qr, org: str | None = None,
                    user: str | None = None) -> list[tuple[str, str]] | None:
        """The refusals that apply (None: the activation may go through, [] only if it
        must); ``qr.used`` is set by whoever applies the activation."""
        refusals = []
        if org is not None and qr.org != org:
            refusals.append(("qr-bound", "QR_REJECTED"))
        if not phone.online:
            refusals.append(("sign-in-needs-network", "NETWORK_UNAVAILABLE"))
        if qr.used or (user is not None and qr.user != user):
            refusals.append(("qr-bound", "QR_REJECTED"))
        expired = self._expired(qr.issued_at, self.qr_ttl)
        if expired:
            refusals.append(("qr-bound", "QR_REJECTED"))
        if expired is None and not refusals:
            return None
        return refusals

    def _expired(self, since: float, ttl: float | None) -> bool | None:
        """None: undeclared lifetime and some time has passed."""
        if ttl is None:
            return None if self.now > since else False
        return self.now >= since + ttl

    def _maybe(self, rule: str, refusal: str, apply: Callable[[], object]) -> Expect:
        """An undeclared lifetime: accepted or refused, and followed."""
        def follow(code: str) -> None:
            if code == OK:
                apply()

        return Expect((rule,), widen(refusal) | {OK}, refusal, follow=follow)

    def add_work(self, phone: Phone, qr: Qr, push: bool, scanned: bool) -> Expect:
        def activate() -> None:
            qr.used = True
            self.unregistered.discard((qr.org, phone.label))
            self.registered.add((qr.org, phone.label))
            phone.tiles.append(Tile(qr.org, WORK, push))
            phone.placed.append(qr.org)
            self._changed(phone)

        def add() -> Expect:
            refusals = self._activation(phone, qr)
            if phone.tile(qr.org):
                return any_of([("already-there", "ACCOUNT_EXISTS"), *(refusals or [])])
            if refusals is None:
                return self._maybe("qr-bound", "QR_REJECTED", activate)
            if refusals:
                return any_of(refusals)
            return expect("camera-scans", OK, lambda code: activate() if code == OK else None)

        if scanned:
            refusal = self._camera(phone, Waiting(qr.org, False, add))
            if refusal:
                return refusal
        return add()

    def remove(self, phone: Phone, label: str) -> Expect:
        tile = phone.tile(label)
        assert tile is not None
        phone.tiles.remove(tile)
        return self._changed_ok(phone)

    def rename(self, phone: Phone, label: str, name: str) -> Expect:
        tile = phone.tile(label)
        assert tile is not None

        def follow(code: str) -> None:
            if code == OK:
                tile.name, tile.name_restored = name, False
                self._changed(phone)

        # the documents never mention renaming: any answer, followed
        return open_answer("names-restored", OK, follow=follow)

    def move_to_top(self, phone: Phone, label: str) -> Expect:
        tile = phone.tile(label)
        assert tile is not None
        phone.tiles.remove(tile)
        phone.tiles.insert(0, tile)
        return self._changed_ok(phone)

    def approve_push(self, phone: Phone, label: str) -> Expect:
        tile = phone.tile(label)
        if tile is None or not tile.push:
            return expect("unknown-push", "NO_SUCH_ACCOUNT")
        refusals = []
        if tile.pending:
            refusals.append(("pending-is-unusable", "VERIFICATION_REQUIRED"))  # REQ-VERIFY-02
        if not phone.online:
            refusals.append(("sign-in-needs-network", "NETWORK_UNAVAILABLE"))
        if self.work_unregistered(phone, tile):
            refusals.append(("unregistered-phone", "DEVICE_UNREGISTERED"))  # REQ-LOST-01
        if not refusals:
            if self.approvals_may_have_moved(phone, tile):
                return open_answer("pending-is-unusable", OK)
            return expect("pending-is-unusable", OK)
        if self.cannot_approve(phone, tile):
            # the documents say only that such an account cannot approve: whatever the
            # app says, the sign-in must not be approved (checked by the machine)
            return any_answer((rule for rule, _ in refusals), refusals[0][1])
        return any_of(refusals)

    def approvals_may_have_moved(self, phone: Phone, tile: Tile) -> bool:
        """Another phone may get the account's sign-in requests, so the documents leave
        open whether this one still does: a personal account verified on another phone
        since, or a work account its organisation has registered on another phone too
        (000 'FAQs' says only that the organisation's unregistering stops the old one)."""
        if tile.kind == PERSONAL:
            return self.push_verified_on not in (None, phone.label)
        return tile.kind == WORK and any(
            org == tile.label and other != phone.label and (org, other) not in self.unregistered
            for org, other in self.registered)

    def cannot_approve(self, phone: Phone, tile: Tile) -> bool:
        """REQ-VERIFY-02 / REQ-LOST-01: a waiting account, or a work account on a phone
        its organisation unregistered, approves no sign-in."""
        return tile.pending or self.work_unregistered(phone, tile)

    def work_unregistered(self, phone: Phone, tile: Tile) -> bool:
        return tile.kind == WORK and (tile.label, phone.label) in self.unregistered

    def unregister(self, org: str, phone: Phone) -> None:
        """000 'FAQs': the organisation deletes and unregisters a lost phone."""
        self.unregistered.add((org, phone.label))

    # 000 'FAQs' says only that the organisation deletes and unregisters the old phone,
    # nothing of what that phone's app shows once it learns (and the model cannot know
    # when it learns): its tile for that organisation may stay (its codes refused), go,
    # or wait for a new QR code like a recovered one. The model follows the screen.
    def may_leave(self, phone: Phone, tile: Tile) -> bool:
        """The app may have taken ``tile`` off ``phone`` on its own."""
        return self.work_unregistered(phone, tile)

    def left_by_app(self, phone: Phone, label: str) -> None:
        """The app took the unregistered work account off the phone. Whether that went up
        with the backup, the documents do not say: the next recovery from it is taken as
        the target shows it."""
        tile = phone.tile(label)
        assert tile is not None and self.may_leave(phone, tile)
        phone.tiles.remove(tile)
        if phone.backup is None:
            return
        self._changed(phone)
        blob = self.blobs.get((phone.store, phone.backup.location))
        if blob is not None:
            blob.tiles = None

    def relapse(self, phone: Phone, tile: Tile) -> None:
        """The app shows the unregistered work account waiting for a new QR code."""
        assert self.may_leave(phone, tile)
        tile.pending = tile.relapsed = True

    # ------------------------------------------------------------ backup (BACKUP, STALE)
    def turn_on_backup(self, phone: Phone, account: str, right_password: bool) -> Expect:
        refusals = []
        if not self.supported(phone):
            refusals.append((self.gate_rule(), "BACKUP_NOT_SUPPORTED"))
        if phone.backup is not None:
            refusals.append(("already-there", "BACKUP_ALREADY_ON"))
        if account not in self.microsoft_accounts:
            refusals.append(("recovery-account-is-personal", "NOT_A_PERSONAL_ACCOUNT"))
        if phone.platform == IOS and phone.apple_id is None:
            refusals.append(("backup-needs-icloud", "ICLOUD_SIGN_IN_REQUIRED"))
        if not phone.online:
            refusals.append(("no-connection", "NETWORK_UNAVAILABLE"))
        if not right_password and account in self.microsoft_accounts:
            refusals.append(("backup-needs-recovery-sign-in", "SIGN_IN_FAILED"))
        location = phone.apple_id if phone.platform == IOS else account
        # a second phone joining a location another phone backs up to: the documents
        # describe one phone per location, so the app may refuse it, with its own code
        joining = location is not None and any(
            other is not phone and other.backup is not None and other.store == phone.store
            and other.backup.location == location for other in self.phones.values())
        if refusals:
            refused = any_of(refusals)
            if joining:
                return any_refusal(refused.rules, refused.preferred)
            return refused
        assert location is not None
        here = (phone.platform, location)
        pairings = self.pairings.setdefault(account, [])
        latest = pairings[-1] if pairings and not pairings[-1].deleted else None
        elsewhere = latest is not None and (latest.platform, latest.location) != here

        def on(code: str) -> None:
            if code != OK:
                return
            if latest is not None and not elsewhere and not latest.unsure:
                pairing = latest
            else:
                pairing = Pairing(phone.platform, location, self.next_key)
                self.next_key += 1
                pairings.append(pairing)
            session = self._sign_in(account)
            phone.backup = PhoneBackup(account, location, pairing.key, session, True)
            self._sync(phone)

        if not elsewhere:
            if joining:
                return Expect(("backup-needs-recovery-sign-in",), EVERY_REFUSAL | {OK}, OK,
                              follow=on)
            on(OK)
            return expect("backup-needs-recovery-sign-in", OK)
        # REQ-RECOVACCT-02: the account already guards another storage location.
        assert latest is not None
        readings = self.readings.of(PAIRING)
        answers = {"newest_wins": OK, EACH_KEEPS_OWN: OK, "refused": "RECOVERY_ACCOUNT_IN_USE"}
        codes = list(dict.fromkeys(answers[r] for r in readings if r in answers))
        if latest.unsure:  # perhaps already let go of: then nothing stands in the way
            codes.append(OK)
        if "refused" in readings or joining:
            # 000 'Authenticator app' ¶3 names no answer for the refusal: the scenarios
            # accept any ("turning on backup is refused"). Where another phone backs up
            # here, a refusal may also be the app's own.
            codes += sorted(EVERY_REFUSAL - set(codes))

        def follow(code: str) -> None:
            if joining and code not in (OK, answers["refused"]):
                return  # refused for the other phone: no reading learnt, backup stays off
            self.readings.keep(PAIRING, [r for r, a in answers.items()
                                         if (a == OK) == (code == OK)]
                               if not (latest.unsure and code == OK) else answers,
                               "second-pairing", f"turning backup on in a second storage "
                               f"location answered {code}")
            on(code)

        return Expect(("second-pairing",), frozenset(codes), codes[0] if codes else OK,
                      open=self.readings.unmodelled(PAIRING), follow=follow)

    def turn_off_backup(self, phone: Phone) -> Expect:
        """The documents do not say whether the cloud copy goes too (REQ-BACKUP-07's
        interpretation), nor what happens offline: the model follows the target."""
        backup = phone.backup
        if backup is None:
            return expect("backup-off", OK)

        def off(code: str) -> None:
            if code != OK:
                return
            self.unsure.add((phone.store, backup.location))
            # what switching off lets go of is the app's: this copy, and perhaps what the
            # key holder keeps for the recovery account (one key for all its phones)
            for pairing in self.pairings.get(backup.recovery, []):
                pairing.unsure = True
            phone.backup = None

        if not phone.online:
            return open_answer("backup-off-offline", "NETWORK_UNAVAILABLE", off)
        return expect("backup-off", OK, off)

    def delete_backup(self, store: str, location: str) -> bool:
        """Through the cloud store's own storage management (REQ-TROUBLE-04)."""
        self.unsure.discard((store, location))
        return self.blobs.pop((store, location), None) is not None

    def select_red_dot(self, phone: Phone) -> Expect:
        red = self.red_dot(phone)
        if not self.red_dot_followed():
            return open_answer("red-dot-asks-sign-in", OK)
        if red is None:
            backup = phone.backup
            assert backup is not None

            def follow(code: str) -> None:
                self.observe_session(backup.session, code != OK)

            return Expect(("red-dot-asks-sign-in",), frozenset({OK, "SIGN_IN_REQUIRED"}),
                          "SIGN_IN_REQUIRED", follow=follow)
        return expect("red-dot-asks-sign-in", "SIGN_IN_REQUIRED" if red else OK)

    def sign_in_to_update(self, phone: Phone, right_password: bool) -> Expect:
        backup = phone.backup
        if backup is None:
            return expect("red-dot-asks-sign-in", "NO_BACKUP_FOUND")
        refusals = []
        if not phone.online:
            refusals.append(("no-connection", "NETWORK_UNAVAILABLE"))
        if not right_password:
            refusals.append(("red-dot-asks-sign-in", "SIGN_IN_FAILED"))
        if refusals:
            return any_of(refusals)
        backup.session = self._sign_in(backup.recovery)
        backup.dirty = True
        self._sync(phone)
        return expect("red-dot-asks-sign-in", OK)

    # ------------------------------------------------------------ recovery
    def begin_recovery(self, phone: Phone, account: str, right_password: bool) -> Expect:
        """Every refusal that applies is accepted (the documents give no order); under a
        reading not yet known, what each reading predicts."""
        blockers = []
        if not self.supported(phone):
            blockers.append((self.gate_rule(), "BACKUP_NOT_SUPPORTED"))
        if account not in self.microsoft_accounts:
            blockers.append(("recovery-account-is-personal", "NOT_A_PERSONAL_ACCOUNT"))
        if not phone.online:
            blockers.append(("no-connection", "NETWORK_UNAVAILABLE"))
        if not right_password and account in self.microsoft_accounts:
            blockers.append(("recovery-account-only", "SIGN_IN_FAILED"))
        no_icloud = phone.platform == IOS and phone.apple_id is None
        if no_icloud:  # 000 account problems: the same Apple ID is needed ("iCloud needed")
            blockers.append(("same-apple-id", "ICLOUD_SIGN_IN_REQUIRED"))
        existing = self.readings.of(EXISTING)
        # (existing reading, pairing reading) -> [(rule, code)] that reading allows
        worlds: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for ea in existing:
            for sp in self.readings.of(PAIRING) or {"newest_wins"}:
                answers: list[tuple[str, str]] = []
                if phone.tiles and ea == "any":
                    answers.append(("existing-accounts", "EXISTING_ACCOUNTS"))
                if blockers:
                    answers += blockers + self._newer_backup(phone, account)
                else:
                    answers += self._lookup(phone, account, ea, sp)
                worlds[(ea, sp)] = answers
        extra = {c.value for c in FAMILIES["iCloud needed"]} if no_icloud else set()
        if account not in self.microsoft_accounts:  # a work account may find no backup
            extra |= {c.value for c in FAMILIES["backup unavailable"]}
        every = [a for answers in worlds.values() for a in answers]
        open_ = self.readings.unmodelled(EXISTING) or self.readings.unmodelled(PAIRING)

        def follow(code: str) -> None:
            fits = [w for w, answers in worlds.items()
                    if any(code in widen(c) or (c == "ICLOUD_SIGN_IN_REQUIRED" and code in extra)
                           for _, c in answers)]
            if fits:
                self.readings.keep(EXISTING, {ea for ea, _ in fits}, "existing-accounts",
                                   f"recovery on a phone with accounts answered {code}")
                self.readings.keep(PAIRING, {sp for _, sp in fits}, "second-pairing",
                                   f"recovery answered {code}")
            if code == OK:
                phone.verifying = phone.alert_aged = False
                self._restore(phone, account)

        rules = tuple(dict.fromkeys(r for r, _ in every))
        codes = frozenset().union(*(widen(c) for _, c in every), extra)
        preferred = every[0][1] if every else OK
        return Expect(rules, codes, preferred, open=open_, follow=follow)

    def _newer_backup(self, phone: Phone, account: str) -> list[tuple[str, str]]:
        """An older app may turn away a backup a later major version wrote (the documents
        do not say whether it reads it) before any other check: they give no order."""
        location = phone.apple_id if phone.platform == IOS else account
        blob = self.blobs.get((phone.store, location)) if location is not None else None
        if blob is not None and blob.major is not None and blob.major > _major(phone):
            return [(self.gate_rule(), "BACKUP_NOT_SUPPORTED")]
        return []

    def _lookup(self, phone: Phone, account: str, existing: str, reading: str
                ) -> list[tuple[str, str]]:
        """After a good sign-in: what the backup this phone can reach allows."""
        location = phone.apple_id if phone.platform == IOS else account
        assert location is not None
        pairing = self._pairing(account, phone.platform, location, reading)
        if pairing is None:
            if (phone.store, location) in self.blobs:
                # another account's backup is in this iCloud: the app may also ask for
                # the account that made it (the documents do not say which refusal)
                return [("no-backup", "NO_BACKUP_FOUND"), ("no-backup", "SIGN_IN_FAILED")]
            return [("no-backup", "NO_BACKUP_FOUND")]  # REQ-TROUBLE-05
        if pairing.platform != phone.platform:
            return [("other-platform", "BACKUP_ON_OTHER_PLATFORM")]  # REQ-TROUBLE-01
        answers: list[tuple[str, str]] = []
        if pairing.deleted or pairing.unsure:
            answers.append(("deleted-backup", "BACKUP_DELETED"))  # REQ-TROUBLE-04
            if pairing.deleted:
                return answers
        if pairing.location != location:
            # REQ-TROUBLE-03; or the remedy itself: iCloud with the old Apple ID
            return [("same-apple-id", "BACKUP_IN_OTHER_ICLOUD"),
                    ("same-apple-id", "ICLOUD_SIGN_IN_REQUIRED")]
        where = (phone.store, location)
        blob = self.blobs.get(where)
        if where in self.unsure:
            answers.append(("deleted-backup", "BACKUP_DELETED"))
        if blob is None:
            # the first upload never finished, or the copy is gone (REQ-TROUBLE-04/05)
            answers.append(("no-backup", "NO_BACKUP_FOUND") if not pairing.uploaded
                           else ("deleted-backup", "BACKUP_DELETED"))
            return answers
        if blob.key != pairing.key:
            # sealed under an older pairing's key (REQ-TROUBLE-06, robustness)
            return [*answers, ("damaged-backup", "BACKUP_DAMAGED")]
        if existing == "same" and phone.tiles:
            held = {t.label for t in blob.tiles} if blob.tiles is not None else None
            if held is None or held & {t.label for t in phone.tiles}:
                answers.append(("existing-accounts", "EXISTING_ACCOUNTS"))  # REQ-EXISTING-04
            if held is not None and held & {t.label for t in phone.tiles}:
                return answers
        if blob.major is not None and blob.major > _major(phone):
            # written by a later major version: whether an older app reads it, the
            # documents do not say
            answers.append((self.gate_rule(), "BACKUP_NOT_SUPPORTED"))
        return [*answers, ("recovery-restores", OK)]

    def _restore(self, phone: Phone, account: str) -> None:
        """REQ-RECOVERY-03, REQ-STORED-02/04: every account, in order, with its name;
        push and work or school accounts wait for verification (REQ-RECOVERY-06)."""
        location = phone.apple_id if phone.platform == IOS else account
        assert location is not None
        where = (phone.store, location)
        blob = self.blobs.get(where)
        self.unsure.discard(where)
        session = self._sign_in(account)
        key = blob.key if blob is not None else self.next_key
        for pairing in self.pairings.get(account, []):
            if pairing.key == key:
                pairing.unsure = False
        kept = list(phone.tiles)
        if blob is None or blob.tiles is None:
            phone.adopt = True
        else:
            phone.tiles = kept + [Tile(t.label, t.kind, t.push, t.name,
                                       name_restored=t.name is not None,
                                       pending=t.pending or t.push or t.kind == WORK)
                                  for t in blob.tiles]
            phone.adopt_order = bool(kept)
        phone.backup = phone.backup_adopted = PhoneBackup(account, location, key, session,
                                                          bool(kept))
        phone.restore_uploaded = bool(kept)
        if kept:
            self._sync(phone)

    # ------------------------------------------------------------ verification (VERIFY)
    def sign_in_to_recover(self, phone: Phone, owner: str, right_password: bool,
                           channel: str, code: str | None) -> Expect:
        """A code goes to the alternate ``channel`` (REQ-VERIFY-03). ``code`` is what the
        provider sent, if anything: the model cannot guess its value, only learn it."""
        phone.verifying = True
        refusals = []
        if not phone.online:
            refusals.append(("sign-in-needs-network", "NETWORK_UNAVAILABLE"))
        if not right_password:
            refusals.append(("verification-can-fail", "SIGN_IN_FAILED"))  # REQ-VERIFY-04
        if refusals:
            return any_of(refusals)
        self.pending_codes[owner] = PendingCode(code or "", self.now)
        self.messages.setdefault(channel, []).append(code or "")
        return expect("personal-verification", CODE_SENT)

    def confirm_code(self, phone: Phone, owner: str, code: str) -> Expect:
        tile = phone.tile("Microsoft")
        assert tile is not None and tile.pending
        phone.verifying = True

        def verified() -> None:
            assert pending is not None
            pending.used = True
            tile.pending = False
            if tile.push:
                self.push_verified_on = phone.label
            self._changed(phone)

        pending = self.pending_codes.get(owner)
        refusals = []
        if not phone.online:
            refusals.append(("sign-in-needs-network", "NETWORK_UNAVAILABLE"))
        expired = None if pending is None else self._expired(pending.sent_at, self.code_ttl)
        if pending is None or pending.used or expired or pending.code != code:
            refusals.append(("verification-can-fail", "WRONG_CODE"))  # REQ-VERIFY-04
        if refusals:
            return any_of(refusals)
        if expired is None:
            return self._maybe("verification-can-fail", "WRONG_CODE", verified)
        verified()
        return expect("personal-verification", OK)

    def recover_work(self, phone: Phone, org: str, qr: Qr, owner: str, scanned: bool
                     ) -> Expect:
        tile = phone.tile(org)
        assert tile is not None and tile.pending
        phone.verifying = True

        def verified() -> None:
            qr.used = True
            self.unregistered.discard((org, phone.label))
            self.registered.add((org, phone.label))
            tile.pending = tile.relapsed = False
            self._changed(phone)

        def attempt() -> Expect:
            refusals = self._activation(phone, qr, org=org, user=owner)
            if refusals is None:
                return self._maybe("qr-bound", "QR_REJECTED", verified)
            if refusals:
                return any_of(refusals)
            return expect("work-verification", OK,
                          lambda code: verified() if code == OK else None)

        if scanned:
            refusal = self._camera(phone, Waiting(org, True, attempt))
            if refusal:
                return refusal
        return attempt()
