"""The explorer: a Hypothesis state machine that drives a target through the port and
holds every observation to the reference model (``model.Model``).

Each rule is one thing Alex (or the world around Alex) does, written down as the step
texts of steps/ as it runs (``gherkin.Script``), so the shrunk failing program is also a
scenario a QA engineer can read and rerun. Rules the model cannot judge from here (an
account not on the phone, a code never received) do nothing and write nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from authconform import port
from authconform.explore import model as m
from authconform.explore.gherkin import (
    ACTOR,
    Script,
    needs_of,
    plain_forms,
    secret_forms,
)

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


class Disagreement(AssertionError):
    """The target answered something the model does not allow."""

    def __init__(self, requirements: tuple[str, ...], detail: str):
        super().__init__(f"{', '.join(requirements)}: {detail}")
        self.requirements = requirements
        self.detail = detail


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
                    and self.username(label).lower() == entry.username.lower()):
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


class Explorer(RuleBasedStateMachine):
    """Subclassed per run by ``make_machine`` with a target factory."""

    new_target: ClassVar[Callable[[], Any]]
    profile: ClassVar[str] = "current"
    on_new: ClassVar[Callable[[Explorer], None] | None] = None

    phones = Bundle("phones")

    def __init__(self) -> None:
        super().__init__()
        self.target = type(self).new_target()
        self.app, self.world = self.target.app, self.target.world
        self.model = m.Model(profile=type(self).profile)
        self.script = Script()
        self.cast: Cast | None = None
        self.qr: Qr | None = None  # the "qr" a Given handed on last
        # the QR code that set up each organisation's account, and on which phone
        self.setup_qrs: dict[str, tuple[Qr, str]] = {}
        self._traffic_seen = 0  # network records already checked for device keys
        hook = type(self).on_new
        if hook is not None:
            hook(self)

    def teardown(self) -> None:
        self.target.close()

    # ------------------------------------------------------------ helpers
    def _cast(self) -> Cast:
        assert self.cast is not None
        return self.cast

    def _phone(self, label: str) -> m.Phone:
        return self.model.phones[label]

    def _device(self, label: str) -> str:
        return self._cast().devices[label]

    def _entry(self, phone: str, label: str) -> port.AccountEntry | None:
        cast = self._cast()
        return next((e for e in self.app.list_accounts(self._device(phone))
                     if cast.label_of(e) == label), None)

    def _answer(self, outcome: port.Outcome, expected: str, *requirements: str) -> None:
        """Then the app answers what the model predicts."""
        self.script.then(f'the app answers "{expected}"')
        if outcome.code.value != expected or not outcome.message.strip():
            raise Disagreement(requirements, f"expected {expected}, the app answered "
                               f"{outcome.code.value}: {outcome.message!r}")

    def _succeeded(self, outcome: port.Outcome, expected: str, *requirements: str) -> None:
        """A Given that asserts success has just run: it must have succeeded."""
        if outcome.code.value != expected or expected != m.OK:
            raise Disagreement(requirements, f"expected {expected}, the app answered "
                               f"{outcome.code.value}: {outcome.message!r}")

    def _fail(self, requirements: tuple[str, ...], detail: str, *then: str) -> None:
        for text in then:
            self.script.then(text)
        raise Disagreement(requirements, detail)

    def _make_qr(self, owner: str, org: str) -> Qr:
        cast = self._cast()
        issued = self.world.issue_activation_qr(cast.tenants[org].id,
                                                cast.work[(owner, org)].id)
        return Qr(self.model.issue_qr(org, owner), issued)

    # ------------------------------------------------------------ setting the scene
    @initialize(target=phones, platform=st.sampled_from([m.IOS, m.ANDROID]),
                github=st.booleans(), microsoft=st.sampled_from(FIRST_ACCOUNT),
                google=st.booleans(), contoso=st.sampled_from(FIRST_ACCOUNT),
                backup=st.booleans())
    def alex_with_a_phone(self, platform: str, github: bool, microsoft: str, google: bool,
                          contoso: str, backup: bool) -> str:
        """Alex, the identities of the story, and a first phone: perhaps with some
        accounts typed in and backup on, where most stories start."""
        world = self.world
        alex, sam = world.create_person(), world.create_person()
        tenants = {org: world.create_tenant() for org in ORGS}
        self.cast = Cast(
            alex=alex, sam=sam,
            msa=world.create_microsoft_account(alex.id),
            msa2=world.create_microsoft_account(alex.id),
            apple=world.create_apple_id(alex.id), apple2=world.create_apple_id(alex.id),
            tenants=tenants,
            work={("Alex", "Contoso"): world.create_work_account(tenants["Contoso"].id, alex.id),
                  ("Alex", "Fabrikam"): world.create_work_account(tenants["Fabrikam"].id,
                                                                  alex.id),
                  ("Sam", "Contoso"): world.create_work_account(tenants["Contoso"].id, sam.id)},
            sites={issuer: world.create_site_account(alex.id, issuer) for issuer in SITES},
        )
        self.model.microsoft_accounts = {"Alex", "Alex-2"}
        self.model.work_users = set(QR_HOLDERS)
        phone = self._new_phone(platform, "latest")
        if github:
            self._add_third_party(phone, "GitHub", False)
        if microsoft != "none":
            self._add_microsoft(phone, microsoft == "with notifications")
        if google:
            self._add_third_party(phone, "Google", False)
        if contoso != "none":
            self._add_work_typed(phone, "Contoso", contoso == "with notifications")
        if backup:
            self._turn_on_backup(phone, "right")
        return phone

    @precondition(lambda self: len(self.model.phones) < MAX_PHONES)
    @rule(target=phones, platform=st.sampled_from([m.IOS, m.ANDROID]),
          setup=st.sampled_from(["latest", "latest", "without iCloud", *VERSIONS]))
    def alex_gets_another_phone(self, platform: str, setup: str) -> str:
        return self._new_phone(platform, setup)

    def _new_phone(self, platform: str, setup: str) -> str:
        cast = self._cast()
        number = len(self.model.phones) + 1
        label = f"iPhone {number}" if platform == m.IOS else f"Android phone {number}"
        if setup == "without iCloud" and platform != m.IOS:
            setup = "latest"
        version = VERSIONS[setup][platform] if setup in VERSIONS else LATEST_VERSION
        device = self.world.create_device(cast.alex.id, port.Platform(platform), version,
                                          f"Alex's {label}")
        cast.devices[label] = device
        with_icloud = platform == m.IOS and setup != "without iCloud"
        if with_icloud:
            outcome = self.world.sign_in_to_icloud(device, cast.apple.username,
                                                   cast.apple.password)
            assert outcome.ok, outcome
        self.model.add_phone(label, platform, version, "Alex" if with_icloud else None)
        needs = ("apple",) if with_icloud else ()
        if setup in VERSIONS:
            self.script.given(f'{ACTOR} has app version {version} on the "{label}"', *needs)
        elif setup == "without iCloud":
            self.script.given(f'{ACTOR} has the app on the "{label}" without signing in to '
                              "iCloud")
        else:
            self.script.given(f'{ACTOR} has the app on the "{label}"', *needs)
        return label

    def _pick(self, pick: int, eligible: Callable[[m.Phone], bool]) -> str:
        """The ``pick``-th phone (cyclically) among those ``eligible``."""
        labels = [label for label, p in self.model.phones.items() if eligible(p)]
        return labels[pick % len(labels)]

    def _any(self, eligible: Callable[[m.Phone], bool]) -> bool:
        return any(eligible(p) for p in self.model.phones.values())

    @precondition(lambda self: len(self.model.phones) < MAX_PHONES
                  and self._any(_backup_on))
    @rule(target=phones, pick=PICK, then=st.sampled_from(["stops there",
                                                          "verifies what waits"]))
    def alex_recovers_onto_a_new_phone(self, pick: int, then: str) -> str:
        """The documents' main story: a new phone of the same kind, recovery, and then
        perhaps the additional verification of every account that waits for it."""
        old = self._phone(self._pick(pick, _backup_on))
        label = self._new_phone(old.platform, "latest")
        self._recover(label, "right")
        if then == "verifies what waits":
            for tile in list(self._phone(label).tiles):
                if not tile.pending:
                    continue
                if tile.kind == m.PERSONAL:
                    if self._sign_in_to_recover(label, "email address", True):
                        self._enter_code(label, "email address")
                else:
                    self._recover_work(label, tile.label, "a fresh one", "types")
        return label

    @precondition(lambda self: self._any(_is_iphone))
    @rule(pick=PICK, apple_id=st.sampled_from(["first", "second", "none"]))
    def alex_changes_icloud_account(self, pick: int, apple_id: str) -> None:
        phone = self._pick(pick, _is_iphone)
        model_phone = self._phone(phone)
        cast, device = self._cast(), self._device(phone)
        if apple_id == "none":
            self.script.when(f'{ACTOR} signs out of iCloud on the "{phone}"')
            self.world.sign_out_of_icloud(device)
            self.model.sign_in_to_icloud(model_phone, None)
            return
        chosen = cast.apple if apple_id == "first" else cast.apple2
        if apple_id == "first":
            self.script.when(f'{ACTOR} signs in to iCloud on the "{phone}"', "apple")
        else:
            self.script.when(f'{ACTOR} signs in to iCloud on the "{phone}" with the second '
                             "Apple ID", "apple2")
        outcome = self.world.sign_in_to_icloud(device, chosen.username, chosen.password)
        assert outcome.ok, outcome
        self.model.sign_in_to_icloud(model_phone, "Alex" if apple_id == "first" else "Alex-2")

    @rule(phone=phones, online=st.booleans())
    def network_changes(self, phone: str, online: bool) -> None:
        self.script.when(f'the "{phone}" is back online' if online
                         else f'the "{phone}" loses its network connection')
        self.world.set_device_online(self._device(phone), online)
        self.model.set_online(self._phone(phone), online)

    @rule(span=st.sampled_from(list(SPANS)))
    def time_passes(self, span: str) -> None:
        self.script.when(f"{span} pass")
        self.world.advance_clock(SPANS[span])
        self.model.advance(SPANS[span])

    @precondition(lambda self: self._any(_backup_on))
    @rule()
    def recovery_sign_in_lapses(self) -> None:
        self.script.when(f"{ACTOR}'s recovery account sign-in lapses", "msa")
        self.world.lapse_recovery_sign_in(self._cast().msa.id)
        self.model.lapse("Alex")

    @precondition(lambda self: self._any(_asking_for_camera))
    @rule(pick=PICK, allow=st.booleans())
    def alex_answers_the_camera_prompt(self, pick: int, allow: bool) -> None:
        phone = self._pick(pick, _asking_for_camera)
        verb = "allows" if allow else "denies"
        self.script.when(f'{ACTOR} {verb} camera access on the "{phone}"')
        self.app.answer_camera_prompt(self._device(phone), allow)
        self.model.answer_camera(self._phone(phone), allow)

    # ------------------------------------------------------------ accounts
    @rule(phone=phones, site=st.sampled_from(SITES), scanned=st.booleans())
    def alex_adds_a_third_party_account(self, phone: str, site: str, scanned: bool) -> None:
        self._add_third_party(phone, site, scanned)

    def _add_third_party(self, phone: str, site: str, scanned: bool) -> None:
        account, device = self._cast().sites[site], self._device(phone)
        if scanned:
            self.script.when(f'{ACTOR} scans the QR code of the "{site}" account with the '
                             f'"{phone}"', needs_of(site))
            outcome = self.app.scan_qr(device, account.qr_png)
        else:
            self.script.when(f'{ACTOR} adds the "{site}" account to the "{phone}"',
                             needs_of(site))
            outcome = self.app.enter_code_manually(device, account.issuer, account.username,
                                                   account.secret, account.digits,
                                                   account.period, account.algorithm)
        expected = self.model.add_third_party(self._phone(phone), site, scanned)
        self._answer(outcome, expected, "REQ-CAMERA-01", "REQ-CAMERA-02", "REQ-CAMERA-03")

    @precondition(lambda self: self._any(_lacks("Microsoft")))
    @rule(pick=PICK, notifications=st.booleans())
    def alex_adds_the_microsoft_account(self, pick: int, notifications: bool) -> None:
        self._add_microsoft(self._pick(pick, _lacks("Microsoft")), notifications)

    def _add_microsoft(self, phone: str, notifications: bool) -> None:
        model_phone, msa = self._phone(phone), self._cast().msa
        if notifications:
            # only a Given exists for this, and it asserts success: only where it is due
            if not model_phone.online or model_phone.tile("Microsoft"):
                return
            self.script.given(f'{ACTOR} has added the "Microsoft" account with sign-in '
                              f'notifications to the "{phone}"', "msa")
        else:
            self.script.when(f'{ACTOR} adds the "Microsoft" account to the "{phone}"', "msa")
        outcome = self.app.add_personal_account(self._device(phone), msa.username,
                                                msa.password, notifications)
        expected = self.model.add_personal(model_phone, notifications)
        if notifications:
            self._succeeded(outcome, expected, "REQ-VERIFY-02")
        else:
            self._answer(outcome, expected, "REQ-TROUBLE-02")

    @precondition(lambda self: self._any(_can_scan_a_work_account))
    @rule(pick=PICK, org=st.sampled_from(ORGS))
    def alex_adds_a_work_account_by_scanning(self, pick: int, org: str) -> None:
        """With a QR code the organisation hands out, and with notifications."""
        phone = self._pick(pick, _can_scan_a_work_account)
        if self._phone(phone).tile(org):
            org = next(o for o in ORGS if not self._phone(phone).tile(o))
        self.script.given(f'"{org}" has given {ACTOR} a new QR code', needs_of(org))
        qr = self.qr = self._make_qr("Alex", org)
        self.script.when(f'{ACTOR} adds the "{org}" account to the "{phone}" by scanning '
                         "the QR code")
        outcome = self.app.scan_qr(self._device(phone), qr.port.png, True)
        expected = self.model.add_work(self._phone(phone), qr.model, True, scanned=True)
        self._answer(outcome, expected, "REQ-CAMERA-02", "REQ-VERIFY-06")

    @precondition(lambda self: self._any(_lacks(*ORGS)))
    @rule(pick=PICK, org=st.sampled_from(ORGS), notifications=st.booleans())
    def alex_adds_a_work_account(self, pick: int, org: str, notifications: bool) -> None:
        phone = self._pick(pick, _lacks(*ORGS))
        if self._phone(phone).tile(org):
            org = next(o for o in ORGS if not self._phone(phone).tile(o))
        self._add_work_typed(phone, org, notifications)

    def _add_work_typed(self, phone: str, org: str, push: bool) -> None:
        """The code and URL of a fresh QR code, typed (steps/accounts.py ``_add``); that
        QR code is remembered as the one that set the account up."""
        model_phone, device = self._phone(phone), self._device(phone)
        if push:
            if not model_phone.online or model_phone.tile(org):
                return  # a Given that asserts success: only where it is due
            self.script.given(f'{ACTOR} has added the "{org}" account with sign-in '
                              f'notifications to the "{phone}"', needs_of(org))
        else:
            self.script.when(f'{ACTOR} adds the "{org}" account to the "{phone}"',
                             needs_of(org))
        qr = self._make_qr("Alex", org)
        self.setup_qrs[org] = (qr, phone)
        outcome = self.app.enter_activation_manually(device, qr.port.code, qr.port.url, push)
        expected = self.model.add_work(model_phone, qr.model, push, scanned=False)
        if push:
            self._succeeded(outcome, expected, "REQ-VERIFY-02")
        else:
            self._answer(outcome, expected, "REQ-CAMERA-03")

    @precondition(lambda self: self._any(_has_accounts))
    @rule(pick=PICK, index=PICK, change=st.sampled_from(
        ["removes", "moves to the top", *(f"renames to {n}" for n in NEW_NAMES)]))
    def alex_changes_an_account(self, pick: int, index: int, change: str) -> None:
        phone = self._pick(pick, _has_accounts)
        model_phone, device = self._phone(phone), self._device(phone)
        label = model_phone.tiles[index % len(model_phone.tiles)].label
        entry = self._entry(phone, label)
        if entry is None:
            return  # the invariant has already said why
        if change == "removes":
            self.script.when(f'{ACTOR} removes the "{label}" account from the "{phone}"',
                             needs_of(label))
            outcome = self.app.remove_account(device, entry.id)
            expected = self.model.remove(model_phone, label)
        elif change == "moves to the top":
            self.script.when(f'{ACTOR} moves the "{label}" account to the top on the '
                             f'"{phone}"', needs_of(label))
            ids = [e.id for e in self.app.list_accounts(device)]
            outcome = self.app.reorder_accounts(device, [entry.id] + [i for i in ids
                                                                      if i != entry.id])
            expected = self.model.move_to_top(model_phone, label)
        else:
            name = change.removeprefix("renames to ")
            self.script.when(f'{ACTOR} renames the "{label}" account to "{name}" on the '
                             f'"{phone}"', needs_of(label))
            outcome = self.app.rename_account(device, entry.id, name)
            expected = self.model.rename(model_phone, label, name)
        self._answer(outcome, expected, "REQ-BACKUP-06")

    @precondition(lambda self: self._any(_has_push))
    @rule(pick=PICK, index=PICK)
    def alex_approves_a_sign_in(self, pick: int, index: int) -> None:
        phone = self._pick(pick, _has_push)
        pushing = [t.label for t in self._phone(phone).tiles if t.push]
        label = pushing[index % len(pushing)]
        self.script.when(f'{ACTOR} signs in to the "{label}" account elsewhere',
                         needs_of(label))
        request = self.world.request_push(self._cast().account_id(label))
        self.script.when(f'{ACTOR} approves the sign-in on the "{phone}"')
        outcome = self.app.approve_push(self._device(phone), request)
        expected = self.model.approve_push(self._phone(phone), label)
        self._answer(outcome, expected, "REQ-VERIFY-02")
        approved = self.world.push_result(request).status == "approved"
        if approved != (expected == m.OK):
            self._fail(("REQ-VERIFY-02",), f"push approved={approved}",
                       "the sign-in is approved" if expected == m.OK
                       else "the sign-in is not approved")

    @precondition(lambda self: self._any(_has_accounts))
    @rule(pick=PICK)
    def alex_removes_every_account(self, pick: int) -> None:
        phone = self._pick(pick, _has_accounts)
        model_phone, device = self._phone(phone), self._device(phone)
        self.script.when(f'{ACTOR} removes every account from the "{phone}"')
        for entry in self.app.list_accounts(device):
            outcome = self.app.remove_account(device, entry.id)
            if not outcome.ok:
                raise Disagreement(("REQ-EXISTING-03",), f"removing {entry.username}: "
                                   f"{outcome}")
        for tile in list(model_phone.tiles):
            self.model.remove(model_phone, tile.label)

    @precondition(lambda self: self._any(_has_work))
    @rule(pick=PICK, index=PICK)
    def organisation_unregisters_a_phone(self, pick: int, index: int) -> None:
        """000 'FAQs': Alex tells the organisation, which unregisters the phone."""
        phone = self._pick(pick, _has_work)
        orgs = [t.label for t in self._phone(phone).tiles if t.kind == m.WORK]
        org = orgs[index % len(orgs)]
        self.script.when(f'"{org}" unregisters the "{phone}"', needs_of(org))
        self.world.unregister_device(self._cast().tenants[org].id, self._device(phone))
        self.model.unregister(org, self._phone(phone))

    @precondition(lambda self: bool(self._deletable()))
    @rule(index=PICK)
    def alex_deletes_the_backup_in_storage_management(self, index: int) -> None:
        """000/002 troubleshooting, accidental deletion (REQ-TROUBLE-04)."""
        deletable = self._deletable()
        store, where = deletable[index % len(deletable)]
        self.script.when(f"{ACTOR} deletes the backup while managing {STORE_WORDS[store]}",
                         "msa", *(("apple",) if store == m.ICLOUD else ()))
        cast = self._cast()
        location = cast.apple.username if store == m.ICLOUD else cast.msa.username
        deleted = self.world.delete_backup(port.Store(store), location)
        self.model.delete_backup(store, where)
        if not deleted:
            raise Disagreement(("REQ-TROUBLE-04",), f"nothing to delete in {store}")

    def _deletable(self) -> list[tuple[str, str]]:
        """Backups the storage-management step can name: Alex's first Apple ID's iCloud
        and Alex's Microsoft account's cloud storage."""
        return [(store, where) for store, where in sorted(self.model.blobs)
                if where == "Alex"]

    # ------------------------------------------------------------ backup
    @precondition(lambda self: self._any(_backup_off))
    @rule(pick=PICK, how=st.sampled_from(["right", "right", "wrong password",
                                          "work account"]))
    def alex_turns_on_backup(self, pick: int, how: str) -> None:
        self._turn_on_backup(self._pick(pick, _backup_off), how)

    def _turn_on_backup(self, phone: str, how: str) -> None:
        cast = self._cast()
        msa = cast.msa
        if how == "work account":
            work = cast.work[("Alex", "Contoso")]
            username, password, who = work.username, work.password, "Alex/Contoso"
            self.script.when(f'{ACTOR} turns on backup on the "{phone}" signing in with the '
                             '"Contoso" work account', "work:Contoso")
        else:
            username, password, who = msa.username, msa.password, "Alex"
            if how == "wrong password":
                password += "-wrong"
            suffix = " with a wrong password" if how == "wrong password" else ""
            self.script.when(f'{ACTOR} turns on backup on the "{phone}"{suffix}', "msa")
        outcome = self.app.turn_on_backup(self._device(phone), username, password)
        expected = self.model.turn_on_backup(self._phone(phone), who, how != "wrong password")
        self._answer(outcome, expected, *{
            "NOT_A_PERSONAL_ACCOUNT": ("REQ-RECOVACCT-01",),
            "ICLOUD_SIGN_IN_REQUIRED": ("REQ-BACKUP-02",),
            "BACKUP_NOT_SUPPORTED": ("REQ-VERSION-03",),
            "NETWORK_UNAVAILABLE": ("REQ-TROUBLE-02",),
        }.get(expected, ("REQ-BACKUP-01",)))

    @precondition(lambda self: self._any(_backup_on))
    @rule(pick=PICK)
    def alex_turns_off_backup(self, pick: int) -> None:
        phone = self._pick(pick, _backup_on)
        self.script.when(f'{ACTOR} turns off backup on the "{phone}"')
        outcome = self.app.turn_off_backup(self._device(phone))
        self._answer(outcome, self.model.turn_off_backup(self._phone(phone)), "REQ-BACKUP-07",
                     "REQ-TROUBLE-04")

    @precondition(lambda self: self._any(_backup_on))
    @rule(pick=PICK)
    def alex_selects_the_red_dot(self, pick: int) -> None:
        phone = self._pick(pick, _backup_on)
        self.script.when(f'{ACTOR} selects the red dot on the "{phone}"')
        outcome = self.app.select_backup_warning(self._device(phone))
        self._answer(outcome, self.model.select_red_dot(self._phone(phone)), "REQ-STALE-03")

    @precondition(lambda self: self._any(_backup_on))
    @rule(pick=PICK, right=st.booleans())
    def alex_signs_in_again_to_update_the_backup(self, pick: int, right: bool) -> None:
        phone = self._pick(pick, _backup_on)
        suffix = "" if right else " with a wrong password"
        self.script.when(f'{ACTOR} signs in again to update the backup on the "{phone}"'
                         f"{suffix}", "msa")
        msa = self._cast().msa
        outcome = self.app.sign_in_to_update_backup(
            self._device(phone), msa.password if right else msa.password + "-wrong")
        self._answer(outcome, self.model.sign_in_to_update(self._phone(phone), right),
                     "REQ-STALE-03")

    # ------------------------------------------------------------ recovery
    @rule(pick=PICK, onto=st.sampled_from(["a new phone", "an empty phone", "any phone"]),
          how=st.sampled_from(["right", "right", "wrong password", "second Microsoft account",
                               "work account"]))
    def alex_begins_recovery(self, pick: int, onto: str, how: str) -> None:
        """Onto a new phone like one Alex has, or a phone Alex has (empty or not)."""
        if onto == "a new phone" and len(self.model.phones) < MAX_PHONES:
            like = self._phone(self._pick(pick, _any_phone))
            phone = self._new_phone(like.platform, "latest")
        elif onto == "an empty phone" and self._any(_no_accounts):
            phone = self._pick(pick, _no_accounts)
        else:
            phone = self._pick(pick, _any_phone)
        self._recover(phone, how)

    def _recover(self, phone: str, how: str) -> None:
        cast = self._cast()
        if how == "work account":
            work = cast.work[("Alex", "Contoso")]
            username, password, who = work.username, work.password, "Alex/Contoso"
            self.script.when(f'{ACTOR} begins recovery on the "{phone}" signing in with the '
                             '"Contoso" work account', "work:Contoso")
        elif how == "second Microsoft account":
            username, password, who = cast.msa2.username, cast.msa2.password, "Alex-2"
            self.script.when(f'{ACTOR} begins recovery on the "{phone}" with the second '
                             "Microsoft account", "msa2")
        else:
            username, password, who = cast.msa.username, cast.msa.password, "Alex"
            if how == "wrong password":
                password += "-wrong"
            suffix = " with a wrong password" if how == "wrong password" else ""
            self.script.when(f'{ACTOR} begins recovery on the "{phone}"{suffix}', "msa")
        outcome = self.app.begin_recovery(self._device(phone), username, password)
        expected = self.model.begin_recovery(self._phone(phone), who, how != "wrong password")
        self._answer(outcome, expected, *RECOVERY_REQUIREMENTS.get(
            (how, expected), RECOVERY_REQUIREMENTS.get(expected, ("REQ-RECOVERY-02",))))

    # ------------------------------------------------------------ additional verification
    @precondition(lambda self: self._any(_pending_personal))
    @rule(pick=PICK, how=st.sampled_from(list(VERIFY_PERSONAL)))
    def alex_verifies_the_microsoft_account(self, pick: int, how: str) -> None:
        """000/002 'To provide additional verification for personal accounts': sign in
        to recover (password, then a code to an alternate email or phone) and enter the
        code; or one of the ways that must fail (REQ-VERIFY-03/04)."""
        phone = self._pick(pick, _pending_personal)
        channel, password_right, code_kind = VERIFY_PERSONAL[how]
        if not self._sign_in_to_recover(phone, channel, password_right):
            return
        if code_kind == "late":
            self.script.when("11 minutes pass")
            self.world.advance_clock(11 * 60.0)
            self.model.advance(11 * 60.0)
        self._enter_code(phone, "a wrong code" if code_kind == "wrong" else channel)

    def _sign_in_to_recover(self, phone: str, channel: str, right: bool) -> bool:
        """True if a code was due to be sent."""
        entry = self._entry(phone, "Microsoft")
        if entry is None:
            return False
        msa = self._cast().msa
        if right:
            self.script.when(f'{ACTOR} signs in to recover the "Microsoft" account on the '
                             f'"{phone}" with a code to the alternate {channel}', "msa")
        else:
            self.script.when(f'{ACTOR} signs in to recover the "Microsoft" account on the '
                             f'"{phone}" with a wrong password', "msa")
        address = msa.alternate_email if CHANNELS[channel] == "email" else msa.alternate_phone
        assert address is not None
        before = len(self.world.messages(address))
        outcome = self.app.sign_in_to_recover(self._device(phone), entry.id,
                                              msa.password if right else msa.password + "-x",
                                              CHANNELS[channel])
        received = self.world.messages(address)
        code = received[-1].code if len(received) > before else None
        expected = self.model.sign_in_to_recover(self._phone(phone), "Alex", right, channel,
                                                 code)
        self._answer(outcome, expected, "REQ-VERIFY-03", "REQ-VERIFY-04")
        if expected == m.CODE_SENT and code is None:
            self._fail(("REQ-VERIFY-03",), f"no code reached {address}",
                       f"a code is sent to {ACTOR}'s alternate {channel}")
        if expected != m.CODE_SENT and len(received) != before:
            self._fail(("REQ-VERIFY-04",), f"a code reached {address} after {expected}",
                       *([f"nothing is sent to {ACTOR}'s alternate {channel}"]
                         if not before else []))
        return expected == m.CODE_SENT

    def _enter_code(self, phone: str, source: str) -> None:
        entry = self._entry(phone, "Microsoft")
        if entry is None:
            return
        msa = self._cast().msa
        if source == "a wrong code":
            received = self.world.messages(msa.alternate_email or "")
            real = received[-1].code if received else None
            code = "000000" if real != "000000" else "111111"
            self.script.when(f'{ACTOR} enters a wrong code for the "Microsoft" account on the '
                             f'"{phone}"', "msa")
        else:
            address = msa.alternate_email if CHANNELS[source] == "email" else (
                msa.alternate_phone)
            self.script.when(f'{ACTOR} enters the code sent to the alternate {source} for the '
                             f'"Microsoft" account on the "{phone}"', "msa")
            received = self.world.messages(address or "")
            if not received or not received[-1].code:
                raise Disagreement(("REQ-VERIFY-03",), f"nothing arrived by {source}")
            code = received[-1].code
        outcome = self.app.confirm_verification_code(self._device(phone), entry.id, code)
        expected = self.model.confirm_code(self._phone(phone), "Alex", code)
        self._answer(outcome, expected, "REQ-VERIFY-04", "REQ-VERIFY-02")

    @precondition(lambda self: self._any(_pending_work))
    @rule(pick=PICK, index=PICK, qr_code=st.sampled_from(list(RECOVERY_QR_CODES)),
          how=st.sampled_from(["types", "scans"]))
    def alex_recovers_a_work_account(self, pick: int, index: int, qr_code: str,
                                     how: str) -> None:
        """000/002 'To provide additional verification for work or school accounts', with
        a fresh QR code from the organisation or one that must be refused
        (REQ-VERIFY-05/06)."""
        phone = self._pick(pick, _pending_work)
        waiting = [t.label for t in self._phone(phone).tiles if t.pending and t.kind == m.WORK]
        self._recover_work(phone, waiting[index % len(waiting)], qr_code, how)

    def _recover_work(self, phone: str, org: str, qr_code: str, how: str) -> None:
        entry = self._entry(phone, org)
        if entry is None:
            return
        device = self._device(phone)
        if qr_code == "the one that set the account up":
            if org not in self.setup_qrs:
                return
            qr, set_up_on = self.setup_qrs[org]
            self.script.when(f'{ACTOR} scans the QR code that set up the "{set_up_on}" to '
                             f'recover the "{org}" account on the "{phone}"', needs_of(org))
            how = "scans"
        else:
            owner, from_org = {"a fresh one": ("Alex", org), "an expired one": ("Alex", org),
                               "a colleague's": ("Sam", "Contoso"),
                               "another organisation's": ("Alex", ORGS[org == ORGS[0]])
                               }[qr_code]
            self.script.given(f'"{from_org}" has given {owner} a new QR code',
                              needs_of(from_org) if owner == "Alex" else f"sam:{from_org}")
            qr = self.qr = self._make_qr(owner, from_org)
            if qr_code == "an expired one":
                self.script.when("2 days pass")
                self.world.advance_clock(2 * m.DAY)
                self.model.advance(2 * m.DAY)
            if how == "scans":
                self.script.when(f'{ACTOR} scans the QR code to recover the "{org}" account on '
                                 f'the "{phone}"', needs_of(org))
            else:
                self.script.when(f'{ACTOR} types the code and URL from the QR code to recover '
                                 f'the "{org}" account on the "{phone}"', needs_of(org))
        if how == "types":
            outcome = self.app.enter_activation_to_recover(device, entry.id, qr.port.code,
                                                           qr.port.url)
        else:
            outcome = self.app.scan_qr_to_recover(device, entry.id, qr.port.png)
        expected = self.model.recover_work(self._phone(phone), org, qr.model, "Alex",
                                           scanned=how == "scans")
        self._answer(outcome, expected, "REQ-VERIFY-05", "REQ-VERIFY-06")

    # ------------------------------------------------------------ what Alex sees
    @invariant()
    def everything_observable_agrees_with_the_model(self) -> None:
        """After every step: each phone's accounts, screen and codes, and the cloud."""
        if self.cast is None:
            return
        shown: dict[str, list[port.AccountEntry]] = {}
        for phone, model_phone in self.model.phones.items():
            shown[phone] = self.app.list_accounts(self._device(phone))
            self._check_accounts(phone, model_phone, shown[phone])
            self._check_screen(phone, model_phone)
        self._check_codes(shown)
        self._check_cloud()
        self._check_secrets()
        self._check_administrators()

    def _check_accounts(self, phone: str, model_phone: m.Phone,
                        entries: list[port.AccountEntry]) -> None:
        labels = [self._cast().label_of(e) for e in entries]
        wanted = [t.label for t in model_phone.tiles]
        if labels != wanted:
            self._fail(("REQ-RECOVERY-03", "REQ-STORED-04", "REQ-EXISTING-02"),
                       f"{phone} shows {labels}, the model expects {wanted}",
                       f'the "{phone}" shows the accounts "{", ".join(wanted)}" in that order'
                       if wanted else f'the "{phone}" shows no accounts')
        for entry, tile in zip(entries, model_phone.tiles, strict=True):
            if entry.needs_verification != tile.pending:
                state = "needs additional verification" if tile.pending else "is ready to use"
                self._fail(("REQ-STORED-02", "REQ-RECOVERY-06", "REQ-VERIFY-02"),
                           f"{tile.label} on {phone}: needs_verification="
                           f"{entry.needs_verification}",
                           f'the "{tile.label}" account on the "{phone}" {state}')
            if tile.name is not None and entry.display_name != tile.name:
                self._fail(("REQ-STORED-04",), f"{tile.label} on {phone} is named "
                           f"{entry.display_name!r}, not {tile.name!r}",
                           f'the "{phone}" shows the "{tile.label}" account named '
                           f'"{tile.name}"')

    def _check_screen(self, phone: str, model_phone: m.Phone) -> None:
        screen = self.app.screen(self._device(phone))
        supported = self.model.supported(model_phone)
        setting = SETTING[model_phone.platform] if supported else None
        if screen.backup_setting != setting:
            self._fail(("REQ-VERSION-01", "REQ-VERSION-02", "REQ-VERSION-03"),
                       f"{phone} ({model_phone.version}) offers {screen.backup_setting!r}",
                       f'the "{phone}" settings offer "{setting}"' if setting
                       else f'the "{phone}" settings have no backup option')
        if not supported and screen.recovery_offered:
            self._fail(("REQ-VERSION-03",), f"{phone} offers recovery",
                       f'the "{phone}" does not offer recovery')
        if supported and not model_phone.tiles and not screen.recovery_offered:
            self._fail(("REQ-RECOVERY-01",), f"{phone} offers no recovery",
                       f'the "{phone}" offers to begin recovery')
        on = model_phone.backup is not None
        if screen.backup_on != on:
            self._fail(("REQ-BACKUP-01", "REQ-BACKUP-07"), f"{phone} backup_on="
                       f"{screen.backup_on}",
                       f'the "{phone}" shows backup as {"on" if on else "off"}')
        red = self.model.red_dot(model_phone)
        if screen.red_dot != red:
            self._fail(("REQ-STALE-02", "REQ-STALE-03"), f"{phone} red_dot={screen.red_dot}",
                       f'the "{phone}" shows a red dot' if red
                       else f'the "{phone}" shows no red dot')
        alert = self.model.pending_alert(model_phone)
        if any("verif" in a.lower() for a in screen.alerts) != alert:
            self._fail(("REQ-VERIFY-01",), f"{phone} alerts {screen.alerts}",
                       f'the "{phone}" alerts that additional verification is needed'
                       if alert else f'the "{phone}" shows no alert about additional '
                       "verification")

    def _check_codes(self, shown: dict[str, list[port.AccountEntry]]) -> None:
        cast = self._cast()
        usable: dict[str, list[tuple[str, str]]] = {}  # label -> [(phone, code)]
        for phone, entries in shown.items():
            device = self._device(phone)
            for entry, tile in zip(entries, self.model.phones[phone].tiles, strict=True):
                label = tile.label
                code = self.app.current_code(device, entry.id)
                if tile.pending:
                    if code is not None:
                        self._fail(("REQ-VERIFY-02",), f"pending {label} on {phone} shows "
                                   f"{code}", f'the "{label}" account on the "{phone}" shows '
                                   "no code")
                    continue
                accepted = code is not None and self.world.provider_accepts_code(
                    cast.account_id(label), code, device)
                if self.model.work_unregistered(self.model.phones[phone], tile):
                    if accepted:
                        self._fail(("REQ-LOST-01",), f"{label} on the unregistered {phone} "
                                   f"shows {code!r}, which its provider accepts",
                                   f'the "{label}" account on the "{phone}" shows a code its '
                                   "provider refuses")
                    continue
                if code is None or not accepted:
                    self._fail(CODE_REQUIREMENTS[tile.kind],
                               f"{label} on {phone} shows {code!r}, which its provider "
                               "refuses", f'the "{label}" account on the "{phone}" shows a '
                               "code its provider accepts")
                digits = 8 if tile.kind == m.PERSONAL else 6
                if tile.kind != m.WORK and len(code) != digits:
                    self.script.when(f'{ACTOR} reads the "{label}" codes on the "{phone}" '
                                     f'and the "{phone}"')
                    self._fail(("REQ-CODES-04",), f"{label} on {phone} shows {code!r}",
                               f"each code has {digits} digits")
                usable.setdefault(label, []).append((phone, code))
        for label, codes in usable.items():
            kind = KIND[label]
            if kind == m.WORK or len(codes) < 2:
                continue
            (first, a), (second, b) = codes[0], codes[1]
            read = f'{ACTOR} reads the "{label}" codes on the "{first}" and the "{second}"'
            if kind == m.PERSONAL:
                crossed = self.world.provider_accepts_code(cast.account_id(label), a,
                                                           self._device(second))
                if a == b or crossed:
                    self.script.when(read)
                    self._fail(("REQ-CODES-01", "REQ-CODES-02"),
                               f"{label}: {first} shows {a}, {second} shows {b}",
                               "the two codes differ", f'the "{label}" provider accepts each '
                               "code only from the phone that shows it")
            elif a != b:
                self.script.when(read)
                self._fail(("REQ-CODES-03",), f"{label}: {first} shows {a}, {second} "
                           f"shows {b}", "the two codes are the same")

    def _check_cloud(self) -> None:
        cast = self._cast()
        held = sorted((o.store.value, cast.location_name(o.location))
                      for o in self.world.stored_objects())
        apple_ids = {"Alex": cast.apple.username, "Alex-2": cast.apple2.username}
        accounts = {"Alex": cast.msa.username, "Alex-2": cast.msa2.username}
        wanted = sorted(
            (store, cast.location_name((apple_ids if store == m.ICLOUD else accounts)[where]))
            for store, where in self.model.blobs)
        if held == wanted:
            return
        lines = [f"the cloud holds {len(wanted)} backups"]
        for store in (m.ICLOUD, m.MICROSOFT):
            if not any(s == store for s, _ in wanted):
                lines.append(f"nothing is kept in {STORE_WORDS[store]}")
        if (m.ICLOUD, "Alex's Apple ID") in wanted:
            lines.append(f"{ACTOR}'s backup is kept in iCloud under the Apple ID")
        if (m.MICROSOFT, "Alex's Microsoft account") in wanted:
            lines.append(f"{ACTOR}'s backup is kept in Microsoft's cloud storage under the "
                         "Microsoft account")
        self._fail(("REQ-BACKUP-04", "REQ-BACKUP-05", "REQ-BACKUP-07", "REQ-TROUBLE-04"),
                   f"the cloud holds {held}, the model expects {wanted}", *lines)


    def expected_state(self) -> Script:
        """The whole program plus, at the end, a Then for everything the model expects
        a tester can see now: each phone's accounts, readiness, names, screen and codes,
        and what the cloud holds. Built from the model alone."""
        script = Script(list(self.script.steps))
        model = self.model
        for phone, p in model.phones.items():
            labels = [t.label for t in p.tiles]
            script.then(f'the "{phone}" shows the accounts "{", ".join(labels)}" in that order'
                        if labels else f'the "{phone}" shows no accounts')
            for tile in p.tiles:
                state = "needs additional verification" if tile.pending else "is ready to use"
                script.then(f'the "{tile.label}" account on the "{phone}" {state}')
                if tile.name is not None:
                    script.then(f'the "{phone}" shows the "{tile.label}" account named '
                                f'"{tile.name}"')
                if tile.pending:
                    script.then(f'the "{tile.label}" account on the "{phone}" shows no code')
                else:
                    verdict = "refuses" if model.work_unregistered(p, tile) else "accepts"
                    script.then(f'the "{tile.label}" account on the "{phone}" shows a code '
                                f"its provider {verdict}")
            supported = model.supported(p)
            script.then(f'the "{phone}" settings offer "{SETTING[p.platform]}"' if supported
                        else f'the "{phone}" settings have no backup option')
            script.then(f'the "{phone}" shows backup as {"on" if p.backup else "off"}')
            script.then(f'the "{phone}" shows a red dot' if model.red_dot(p)
                        else f'the "{phone}" shows no red dot')
            script.then(f'the "{phone}" alerts that additional verification is needed'
                        if model.pending_alert(p)
                        else f'the "{phone}" shows no alert about additional verification')
        for label in ("Microsoft", *SITES):
            holders = [phone for phone, p in model.phones.items()
                       if (t := p.tile(label)) is not None and not t.pending]
            if len(holders) >= 2:
                script.when(f'{ACTOR} reads the "{label}" codes on the "{holders[0]}" and the '
                            f'"{holders[1]}"')
                if label == "Microsoft":
                    script.then("the two codes differ")
                    script.then('the "Microsoft" provider accepts each code only from the phone '
                                "that shows it")
                    script.then("each code has 8 digits")
                else:
                    script.then("the two codes are the same")
                    script.then(f'the "{label}" provider accepts each code from either phone')
        stored = bool(model.blobs)
        if stored:
            script.then("no stored backup contains the user name, issuer or secret of any of "
                        f"{ACTOR}'s accounts")
        keyed = [phone for phone, p in model.phones.items()
                 if any(t.push and not t.pending for t in p.tiles)]
        if keyed:
            pair = f'"{keyed[0]}" or the "{keyed[-1]}"'
            script.then(f"no network traffic contains a device key of the {pair}")
            if stored:
                script.then(f"no stored backup contains a device key of the {pair}")
        used = self._used_labels()
        for org in ORGS:
            if used and needs_of(org) in self.script.needs():
                script.then(f'the "{org}" administrator sees nothing of {ACTOR}\'s '
                            f'"{used[0]}" and "{used[-1]}" accounts')
        script.then(f"the cloud holds {len(model.blobs)} backups")
        for store in (m.ICLOUD, m.MICROSOFT):
            if not any(s == store for s, _ in model.blobs):
                script.then(f"nothing is kept in {STORE_WORDS[store]}")
        if (m.ICLOUD, "Alex") in model.blobs:
            script.then(f"{ACTOR}'s backup is kept in iCloud under the Apple ID")
        if (m.MICROSOFT, "Alex") in model.blobs:
            script.then(f"{ACTOR}'s backup is kept in Microsoft's cloud storage under the "
                        "Microsoft account")
        return script

    def _used_labels(self) -> list[str]:
        """The personal and third-party accounts the scenario has brought in so far."""
        needs = self.script.needs()
        return [label for label in ("Microsoft", *SITES) if needs_of(label) in needs]

    def _check_secrets(self) -> None:
        """What the storage locations and the network carry (REQ-PRIVACY-03/05,
        REQ-SECURITY-01)."""
        cast, needs = self._cast(), self.script.needs()
        stored = [o.data for o in self.world.stored_objects()]
        if stored and needs:
            words: list[tuple[str, list[bytes]]] = []
            if "msa" in needs:
                words += [("the Microsoft user name", plain_forms(cast.msa.username)),
                          ("the Microsoft password", plain_forms(cast.msa.password))]
            for site in SITES:
                if needs_of(site) in needs:
                    account = cast.sites[site]
                    words += [(f"the {site} user name", plain_forms(account.username)),
                              (f"the {site} issuer", plain_forms(account.issuer)),
                              (f"the {site} secret", secret_forms(account.secret))]
            for org in ORGS:
                if needs_of(org) in needs:
                    work = cast.work[("Alex", org)]
                    words += [(f"the {org} user name", plain_forms(work.username)),
                              (f"the {org} password", plain_forms(work.password)),
                              (f"the {org} organisation", plain_forms(cast.tenants[org].name))]
            for what, forms in words:
                if any(form in blob for form in forms for blob in stored):
                    self._fail(("REQ-PRIVACY-03", "REQ-SECURITY-01"),
                               f"{what} is readable in the cloud",
                               "no stored backup contains the user name, issuer or secret of "
                               f"any of {ACTOR}'s accounts")
        traffic = self.world.traffic()
        new_traffic = [t.payload for t in traffic[self._traffic_seen:]]
        self._traffic_seen = len(traffic)
        holders = [(p, self.world.device_secrets(self._device(p))) for p in self.model.phones]
        holders = [(p, keys) for p, keys in holders if keys]
        for phone, keys in holders:
            other = next((p for p, _ in holders if p != phone), phone)
            if stored and any(k in blob for k in keys for blob in stored):
                self._fail(("REQ-PRIVACY-05",), f"a device key of the {phone} is in the cloud",
                           f'no stored backup contains a device key of the "{phone}" or the '
                           f'"{other}"')
            if any(k in payload for k in keys for payload in new_traffic):
                self._fail(("REQ-PRIVACY-05",), f"a device key of the {phone} crossed the "
                           "network", f'no network traffic contains a device key of the '
                           f'"{phone}" or the "{other}"')

    def _check_administrators(self) -> None:
        """An IT administrator learns nothing of personal or third-party accounts
        (REQ-PRIVACY-02)."""
        cast, needs = self._cast(), self.script.needs()
        used = self._used_labels()
        for org in ORGS:
            if needs_of(org) not in needs or not used:
                continue
            view = self.world.admin_view(cast.tenants[org].id)
            seen = " ".join([*view.accounts_seen, *view.events,
                             *(d.username for d in view.devices)]).lower()
            for label in used:
                if cast.username(label).lower() in seen:
                    other = next((u for u in used if u != label), label)
                    self._fail(("REQ-PRIVACY-02",), f"the {org} administrator sees {label}",
                               f'the "{org}" administrator sees nothing of {ACTOR}\'s '
                               f'"{label}" and "{other}" accounts')


CODE_REQUIREMENTS = {m.PERSONAL: ("REQ-CODES-02",), m.THIRD_PARTY: ("REQ-CODES-03",),
                     m.WORK: ("REQ-LOST-02", "REQ-VERIFY-05")}
RECOVERY_REQUIREMENTS: dict[Any, tuple[str, ...]] = {
    "EXISTING_ACCOUNTS": ("REQ-EXISTING-01",),
    "NOT_A_PERSONAL_ACCOUNT": ("REQ-RECOVACCT-01",),
    "NETWORK_UNAVAILABLE": ("REQ-TROUBLE-02", "REQ-RECOVERY-05"),
    "SIGN_IN_FAILED": ("REQ-RECOVERY-04",),
    "ICLOUD_SIGN_IN_REQUIRED": ("REQ-TROUBLE-03",),
    "NO_BACKUP_FOUND": ("REQ-TROUBLE-05",),
    "BACKUP_ON_OTHER_PLATFORM": ("REQ-TROUBLE-01",),
    "BACKUP_DELETED": ("REQ-TROUBLE-04",),
    "BACKUP_IN_OTHER_ICLOUD": ("REQ-TROUBLE-03",),
    "BACKUP_DAMAGED": ("REQ-TROUBLE-06",),
    "BACKUP_NOT_SUPPORTED": ("REQ-VERSION-03",),
    ("second Microsoft account", "NO_BACKUP_FOUND"): ("REQ-RECOVERY-04", "REQ-PRIVACY-04"),
}


def make_machine(new_target: Callable[[], Any], profile: str = "current",
                 on_new: Callable[[Explorer], None] | None = None) -> type[Explorer]:
    """A machine class bound to one way of making targets."""
    return type("AuthenticatorExplorer", (Explorer,), {
        "new_target": staticmethod(new_target), "profile": profile,
        "on_new": staticmethod(on_new) if on_new else None})
