"""The explorer: a Hypothesis state machine that drives a target through the port and
holds every observation to the reference model (``model.Model``).

Each rule is one thing Alex (or the world around Alex) does, written down as the step
texts of steps/ as it runs (``gherkin.Script``), so the shrunk failing program is also a
scenario a QA engineer can read and rerun. Rules the model cannot judge from here (an
account not on the phone, a code never received) do nothing and write nothing.

The checks made after every step are in ``checks``; the names and choices in
``vocabulary``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
)

from authconform import port
from authconform.proof.explore import model as m
from authconform.proof.explore.checks import Observations
from authconform.proof.explore.gherkin import ACTOR, Script, needs_of
from authconform.proof.explore.rules import RULES, Disagreement
from authconform.proof.explore.vocabulary import (  # the predicates are used by the tests too
    CHANNELS,
    FIRST_ACCOUNT,
    LATEST_VERSION,
    MAX_PHONES,
    NEW_NAMES,
    ORGS,
    PERSONAL_MISTAKES,
    PICK,
    QR_HOLDERS,
    RECOVERY_QR_CODES,
    SITES,
    SPANS,
    STORE_SERVICES,
    STORE_WORDS,
    VERIFY_PERSONAL,
    VERSIONS,
    WORK_MISTAKES,
    Cast,
    Qr,
    _any_phone,
    _asking_for_camera,
    _backup_off,
    _backup_on,
    _can_scan_a_work_account,
    _has_accounts,
    _has_push,
    _has_work,
    _is_iphone,
    _lacks,
    _no_accounts,
    _pending_personal,
    _pending_work,
)
from authconform.spec.families import FAMILIES
from authconform.spec.person import start_backup, start_recovery
from authconform.spec.readable import carried
from authconform.spec.wording import wrong_code

__all__ = ["LATEST_VERSION", "Disagreement", "Explorer", "make_machine"]


def then_text(expected: m.Expect) -> str | None:
    """The Then step that checks an answer (steps/outcomes.py); None for an open one."""
    if expected.open:
        return None
    if len(expected.codes) == 1:
        return f'the app answers "{expected.preferred}"'
    for name, codes in FAMILIES.items():
        if expected.codes == {c.value for c in codes}:
            return f'the answer is refused as "{name}"'
    return "the app answers one of " + ", ".join(f'"{c}"' for c in sorted(expected.codes))


class Explorer(Observations, RuleBasedStateMachine):
    """Subclassed per run by ``make_machine`` with a target factory."""

    new_target: ClassVar[Callable[[], Any]]
    profile: ClassVar[str] = "current"
    on_new: ClassVar[Callable[[Explorer], None] | None] = None
    # robustness rules the target answered otherwise: (rules, detail, program so far)
    notes: ClassVar[list[tuple[tuple[str, ...], str, list[str]]]] = []

    phones = Bundle("phones")

    def __init__(self) -> None:
        super().__init__()
        self.target = type(self).new_target()
        self.app, self.world = self.target.app, self.target.world
        self.model = model_for(self.target.info, type(self).profile)
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

    def _answer(self, outcome: port.Outcome, expected: m.Expect) -> None:
        """Then the app answers what the model allows: one code, any code of a family
        where the documents do not tell causes apart, any of several refusals that apply
        at once, or (an open expectation) anything; the model follows the answer."""
        code = outcome.code.value
        then = then_text(expected)
        if then:
            self.script.then(then)
        # a refusal must tell the user something; a success may pass in silence
        if expected.allows(code) and (outcome.ok or outcome.message.strip()):
            if expected.follow is not None:
                expected.follow(code)
            return
        wanted = ("anything" if expected.open else expected.preferred
                  if len(expected.codes) == 1 else f"one of {sorted(expected.codes)}")
        detail = f"expected {wanted}, the app answered {code}: {outcome.message!r}"
        if (all(RULES[r].robustness for r in expected.rules) and not outcome.ok
                and expected.preferred != m.OK and outcome.message.strip()):
            # another refusal where only the harness expects this one: nothing changed
            # either way, so note it apart and go on
            self.note(expected.rules, detail)
            return
        raise Disagreement(expected.rules, detail)

    def note(self, rules: tuple[str, ...], detail: str) -> None:
        """A robustness rule the target answers otherwise: reported beside the findings."""
        type(self).notes.append((rules, detail, self.script.lines()))

    def _succeeded(self, outcome: port.Outcome, expected: m.Expect) -> None:
        """A Given that asserts success has just run: it must have succeeded."""
        if outcome.code.value != m.OK or not expected.allows(m.OK):
            raise Disagreement(expected.rules, f"expected {expected.preferred}, the app "
                               f"answered {outcome.code.value}: {outcome.message!r}")
        if expected.follow is not None:
            expected.follow(m.OK)

    def _fail(self, rules: str | tuple[str, ...], detail: str, *then: str) -> NoReturn:
        for text in then:
            self.script.then(text)
        raise Disagreement(rules, detail)

    def _advance(self, seconds: float) -> None:
        """Time passes in the target and the model alike; where the sign-in lifetime is
        undeclared the model then learns from the target which backups went out of date."""
        self.world.advance_clock(seconds)
        self.model.advance(seconds)
        self._observe_sessions()

    def _observe_sessions(self) -> None:
        """Rule sign-in-lifetime, undeclared: the red dot says whether the sign-in has
        lapsed (only while the red dot means this phone's backup is out of date)."""
        if not self.model.red_dot_followed():
            return
        for label, phone in self.model.phones.items():
            backup = phone.backup
            if backup is None or self.model.session_valid(backup.session) is not None:
                continue
            shown = self.app.screen(self._device(label)).red_dot
            if shown or backup.dirty:  # with nothing waiting, no mark tells nothing
                self.model.observe_session(backup.session, shown)

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
        shipped = setup not in VERSIONS  # the app as the target ships it
        offered = None  # where the documents leave the gate open, what the settings offer
        if self.model.gate_open(platform, shipped):
            offered = self.app.screen(device).backup_setting is not None
        self.model.add_phone(label, platform, version, "Alex" if with_icloud else None,
                             shipped=shipped, offered=offered)
        needs = ("apple",) if with_icloud else ()
        if setup in VERSIONS:
            self.script.given(f'{ACTOR} has app version {version} on the "{label}"', *needs)
        elif setup == "without iCloud":
            self.script.given(f'{ACTOR} has the app on the "{label}" without signing in to '
                              "iCloud")
        else:
            self.script.given(f'{ACTOR} has the app on the "{label}"', *needs)
        return label

    def _red_dot_shown(self, phone: m.Phone) -> bool:
        """The model knows the red dot is on this phone (None: it cannot tell)."""
        return self.model.red_dot(phone) is True

    def _pick(self, pick: int, eligible: Callable[[m.Phone], bool]) -> str:
        """The ``pick``-th phone (cyclically) among those ``eligible``."""
        labels = [label for label, p in self.model.phones.items() if eligible(p)]
        return labels[pick % len(labels)]

    def _any(self, eligible: Callable[[m.Phone], bool]) -> bool:
        return any(eligible(p) for p in self.model.phones.values())

    @precondition(lambda self: len(self.model.phones) < MAX_PHONES
                  and self._any(_backup_on))
    @rule(target=phones, pick=PICK,
          then=st.sampled_from(["stops there", "verifies what waits"]))
    def alex_recovers_onto_a_new_phone(self, pick: int, then: str) -> str:
        """The documents' main story: a new phone of the same kind, recovery, and then
        perhaps the additional verification of every account that waits for it."""
        return self._recover_onto_a_new_phone(pick, then == "verifies what waits", None,
                                              None)

    @precondition(lambda self: len(self.model.phones) < MAX_PHONES
                  and self._any(_backup_on))
    @rule(target=phones, pick=PICK, personal_mistake=st.sampled_from(PERSONAL_MISTAKES),
          work_mistake=st.sampled_from(WORK_MISTAKES))
    def alex_recovers_onto_a_new_phone_after_a_false_start(
            self, pick: int, personal_mistake: str, work_mistake: str) -> str:
        """As above, each waiting account first meeting an attempt that must be refused
        (REQ-VERIFY-04/06, or REQ-SECURITY-05/06 for a used or expired code), then the
        right one."""
        return self._recover_onto_a_new_phone(pick, True, personal_mistake, work_mistake)

    def _recover_onto_a_new_phone(self, pick: int, verify: bool,
                                  personal_mistake: str | None,
                                  work_mistake: str | None) -> str:
        old = self._phone(self._pick(pick, _backup_on))
        label = self._new_phone(old.platform, "latest")
        self._recover(label, "right")
        for tile in list(self._phone(label).tiles) if verify else []:
            if not tile.pending:
                continue
            if tile.kind == m.PERSONAL:
                if personal_mistake:
                    self._verify_personal(label, personal_mistake)
                self._verify_personal(label, "confirming by email")
            else:
                if work_mistake:
                    self._recover_work(label, tile.label, work_mistake, "types")
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
        life, later = self.model.session_lifetime, self.model.now + SPANS[span]
        if type(self).profile == "2019" and any(
                life is None or later - p.backup.session.signed_in_at >= life
                for p in self.model.phones.values() if p.backup is not None):
            return  # 002 has no out-of-date backup: time does not outrun the sign-in there
        self.script.when(f"{span} pass")
        self._advance(SPANS[span])

    # 000 only: 002 (the 2019 profile) says nothing of a sign-in that lapses, so neither
    # a red dot nor a stale backup can be predicted there (REQ-STALE-* are current-only).
    @precondition(lambda self: type(self).profile == "current" and self._any(
        lambda p: p.backup is not None and self.model.session_valid(p.backup.session)))
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
        self._after_camera_answer(phone, allow)

    def _after_camera_answer(self, phone: str, allow: bool) -> None:
        """Rule camera-prompt: allowing may finish the scan that asked, or not; the
        model follows what the phone now shows."""
        waiting = self.model.answer_camera(self._phone(phone), allow)
        if waiting is None:
            return
        entry = self._entry(phone, waiting.label)
        done = entry is not None and (not entry.needs_verification if waiting.recovering
                                      else self._phone(phone).tile(waiting.label) is None)
        if not done:
            return
        expected = waiting.apply()
        if not expected.allows(m.OK):
            raise Disagreement(expected.rules, f"allowing the camera finished the scan of "
                               f"{waiting.label}; the model expected {expected.preferred}")
        if expected.follow is not None:
            expected.follow(m.OK)

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
        self._answer(outcome, expected)

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
            self._succeeded(outcome, expected)
        else:
            self._answer(outcome, expected)

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
        self._answer(outcome, expected)

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
            self._succeeded(outcome, expected)
        else:
            self._answer(outcome, expected)

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
        self._answer(outcome, expected)

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
        tile = self._phone(phone).tile(label)
        cannot = tile is not None and self.model.cannot_approve(self._phone(phone), tile)
        outcome = self.app.approve_push(self._device(phone), request)
        expected = self.model.approve_push(self._phone(phone), label)
        self._answer(outcome, expected)
        approved = self.world.push_result(request).status == "approved"
        if cannot and approved:
            self._fail(expected.rules, f"push approved after {outcome.code.value}",
                       "the sign-in is not approved")
        if not cannot and approved != outcome.ok:
            self._fail(expected.rules, f"push approved={approved} after {outcome.code.value}",
                       "the sign-in is approved" if outcome.ok
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
                raise Disagreement("removing-all-unblocks", f"removing {entry.username}: "
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
            raise Disagreement("deleted-backup", f"nothing to delete in {store}")

    def _deletable(self) -> list[tuple[str, str]]:
        """Backups the storage-management step can name: Alex's first Apple ID's iCloud
        and Alex's Microsoft account's cloud storage."""
        return [(store, where) for store, where in sorted(self.model.blobs)
                if where == "Alex" and (store, where) not in self.model.unsure]

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
        # a person turns on the setting the app shows
        outcome = start_backup(self.app, self._device(phone), username, password)
        expected = self.model.turn_on_backup(self._phone(phone), who, how != "wrong password")
        self._answer(outcome, expected)

    @precondition(lambda self: self._any(_backup_off))
    @rule(pick=PICK)
    def alex_turns_on_backup_while_we_watch_the_network(self, pick: int) -> None:
        """REQ-PRIVACY-01: turning backup on carries nothing of the accounts to any
        service but the Microsoft account service, the backup key holder and the phone's
        own store."""
        phone = self._pick(pick, _backup_off)
        mark, written = len(self.world.traffic()), len(self.script.steps)
        self._turn_on_backup(phone, "right")
        if self._phone(phone).backup is None:
            return  # refused: whatever was said is checked by its answer
        store = self._phone(phone).store
        allowed = {"msa", "key-service", STORE_SERVICES[store]}
        calls = self.world.traffic()[mark:]
        # calls of the app's own are its choice; carrying the accounts to them is not
        # (steps/inspection.py judges alike)
        cast = self._cast()
        names = {cast.msa.username, cast.msa.password, cast.msa.alternate_email or "",
                 cast.msa.alternate_phone or ""}
        names |= {a.username for a in cast.sites.values()} | set(cast.sites)
        names |= {a.username for a in cast.work.values()} | {a.password for a in cast.work.values()}
        secrets = [a.secret for a in cast.sites.values()]
        sharing = sorted({t.service for t in calls if t.service not in allowed
                          and carried(t.payload, names - {""}, secrets)})
        if not calls or sharing:
            self.script.insert(written, "Given", "we start watching the network traffic")
            self._fail("backup-traffic",
                       f"turning backup on told {sharing} of the accounts" if calls
                       else "turning backup on called nothing",
                       "no call since to any service but the Microsoft account service, the "
                       f"backup key holder or {STORE_WORDS[store]} carries anything of "
                       f"{ACTOR}'s accounts")

    @precondition(lambda self: self._any(_backup_off))
    @rule(pick=PICK, site=st.sampled_from(SITES))
    def alex_adds_an_account_while_backup_is_off(self, pick: int, site: str) -> None:
        """REQ-BACKUP-07: with backup off, a change uploads nothing."""
        phone = self._pick(pick, _backup_off)
        # What the stores hold, not the calls made: reading the cloud copy is no upload
        # (steps/inspection.py judges alike).
        before, written = self._held(), len(self.script.steps)
        self._add_third_party(phone, site, scanned=False)
        if self._held() != before:
            self.script.insert(written, "When", "we note the stored backups")
            self._fail("backup-off", f"a change on the {phone} reached a store with backup "
                       "off", "the stored backups are unchanged")

    def _held(self) -> dict[tuple[port.Store, str, str], bytes]:
        return {(o.store, o.location, o.name): o.data for o in self.world.stored_objects()}

    @precondition(lambda self: self._any(_backup_on))
    @rule(pick=PICK)
    def alex_turns_off_backup(self, pick: int) -> None:
        phone = self._pick(pick, _backup_on)
        self.script.when(f'{ACTOR} turns off backup on the "{phone}"')
        outcome = self.app.turn_off_backup(self._device(phone))
        self._answer(outcome, self.model.turn_off_backup(self._phone(phone)))

    # A person can choose only a mark that is on the screen, and signs in again through
    # it (steps/backup.py): both rules wait for the red dot.
    @precondition(lambda self: self._any(self._red_dot_shown))
    @rule(pick=PICK)
    def alex_selects_the_red_dot(self, pick: int) -> None:
        phone = self._pick(pick, self._red_dot_shown)
        self.script.when(f'{ACTOR} selects the red dot on the "{phone}"')
        outcome = self.app.select_backup_warning(self._device(phone))
        self._answer(outcome, self.model.select_red_dot(self._phone(phone)))

    @precondition(lambda self: self._any(self._red_dot_shown))
    @rule(pick=PICK, right=st.booleans())
    def alex_signs_in_again_to_update_the_backup(self, pick: int, right: bool) -> None:
        phone = self._pick(pick, self._red_dot_shown)
        suffix = "" if right else " with a wrong password"
        self.script.when(f'{ACTOR} signs in again to update the backup on the "{phone}"'
                         f"{suffix}", "msa")
        msa = self._cast().msa
        chosen = self.app.select_backup_warning(self._device(phone))  # what the step does
        chosen_expected = self.model.select_red_dot(self._phone(phone))
        if not chosen_expected.allows(chosen.code.value):
            raise Disagreement(chosen_expected.rules, "choosing the red dot asked for no "
                               f"sign-in: {chosen.code.value} {chosen.message!r}")
        if chosen_expected.follow is not None:
            chosen_expected.follow(chosen.code.value)
        outcome = self.app.sign_in_to_update_backup(
            self._device(phone), msa.password if right else msa.password + "-wrong")
        self._answer(outcome, self.model.sign_in_to_update(self._phone(phone), right))

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
        # a person presses the button the app shows
        outcome = start_recovery(self.app, self._device(phone), username, password)
        expected = self.model.begin_recovery(self._phone(phone), who, how != "wrong password")
        self._answer(outcome, expected)

    # ------------------------------------------------------------ additional verification
    @precondition(lambda self: self._any(_pending_personal))
    @rule(pick=PICK, how=st.sampled_from(list(VERIFY_PERSONAL)))
    def alex_verifies_the_microsoft_account(self, pick: int, how: str) -> None:
        """000/002 'To provide additional verification for personal accounts': sign in
        to recover (password, then a code to an alternate email or phone) and enter the
        code; or one of the ways that must fail (REQ-VERIFY-03/04)."""
        self._verify_personal(self._pick(pick, _pending_personal), how)

    def _verify_personal(self, phone: str, how: str) -> None:
        tile = self._phone(phone).tile("Microsoft")
        if tile is None or not tile.pending:
            return
        channel, password_right, code_kind = VERIFY_PERSONAL[how]
        if not self._sign_in_to_recover(phone, channel, password_right):
            return
        if code_kind == "late":
            self.script.when("11 minutes pass")
            self._advance(11 * 60.0)
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
        # only messages that carry a code are the verification's (a mailbox may hold
        # other mail: a notice that backup was turned on, say)
        before = len(_codes(self.world.messages(address)))
        outcome = self.app.sign_in_to_recover(self._device(phone), entry.id,
                                              msa.password if right else msa.password + "-x",
                                              CHANNELS[channel])
        received = _codes(self.world.messages(address))
        code = received[-1] if len(received) > before else None
        expected = self.model.sign_in_to_recover(self._phone(phone), "Alex", right, channel,
                                                 code)
        self._answer(outcome, expected)
        sent = outcome.code.value == m.CODE_SENT
        if sent and code is None:
            self._fail("personal-verification", f"no code reached {address}",
                       f"a code is sent to {ACTOR}'s alternate {channel}")
        if not sent and len(received) != before:
            self._fail("verification-can-fail", f"a code reached {address} after "
                       f"{outcome.code.value}",
                       *([f"nothing is sent to {ACTOR}'s alternate {channel}"]
                         if not before else []))
        return sent

    def _enter_code(self, phone: str, source: str) -> None:
        tile = self._phone(phone).tile("Microsoft")
        entry = self._entry(phone, "Microsoft")
        if entry is None or tile is None or not tile.pending:
            return
        msa = self._cast().msa
        if source == "a wrong code":
            codes = _codes(self.world.messages(msa.alternate_email or ""))
            real = codes[-1] if codes else None
            # as the step makes it (steps/verification.py): the code's own shape and
            # alphabet (the documents name no length or format)
            code = wrong_code(real or "000000")
            self.script.when(f'{ACTOR} enters a wrong code for the "Microsoft" account on the '
                             f'"{phone}"', "msa")
        else:
            address = msa.alternate_email if CHANNELS[source] == "email" else (
                msa.alternate_phone)
            self.script.when(f'{ACTOR} enters the code sent to the alternate {source} for the '
                             f'"Microsoft" account on the "{phone}"', "msa")
            codes = _codes(self.world.messages(address or ""))
            if not codes:
                raise Disagreement("personal-verification", f"nothing arrived by {source}")
            code = codes[-1]
        outcome = self.app.confirm_verification_code(self._device(phone), entry.id, code)
        expected = self.model.confirm_code(self._phone(phone), "Alex", code)
        self._answer(outcome, expected)

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
        tile = self._phone(phone).tile(org)
        entry = self._entry(phone, org)
        if entry is None or tile is None or not tile.pending:
            return  # already verified (a "mistake" the target's lifetimes let through)
        device = self._device(phone)
        if qr_code == "the one that set the account up":
            if org not in self.setup_qrs:
                return
            qr, set_up_on = self.setup_qrs[org]
            text = (f'{ACTOR} scans the QR code that set up the "{set_up_on}" to recover the '
                    f'"{org}" account on the "{phone}"')
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
                self._advance(2 * m.DAY)
            text = (f'{ACTOR} scans the QR code to recover the "{org}" account on the '
                    f'"{phone}"' if how == "scans" else
                    f'{ACTOR} types the code and URL from the QR code to recover the "{org}" '
                    f'account on the "{phone}"')
        attempts = 1
        if how == "scans" and self._phone(phone).camera == "not_asked":
            attempts = 2  # the first scan asks for the camera; Alex allows it, scans again
        for attempt in range(attempts):
            self.script.when(text, needs_of(org))
            if how == "types":
                outcome = self.app.enter_activation_to_recover(device, entry.id, qr.port.code,
                                                               qr.port.url)
            else:
                outcome = self.app.scan_qr_to_recover(device, entry.id, qr.port.png)
            expected = self.model.recover_work(self._phone(phone), org, qr.model, "Alex",
                                               scanned=how == "scans")
            self._answer(outcome, expected)
            if attempt + 1 < attempts and outcome.code.value == m.PROMPT:
                self.script.when(f'{ACTOR} allows camera access on the "{phone}"')
                self.app.answer_camera_prompt(device, True)
                self._after_camera_answer(phone, True)
                tile = self._phone(phone).tile(org)
                if tile is None or not tile.pending:
                    break  # allowing finished the scan (rule camera-prompt)
            else:
                break


def model_for(info: port.TargetInfo, profile: str) -> m.Model:
    """The model as the target declares itself, the way the scenarios read it: its
    lifetimes (undeclared: None) and its readings (undeclared: every one still open)."""
    P = port.Parameter
    return m.Model(profile=profile,
                   session_lifetime=info.parameter(P.RECOVERY_SIGN_IN_LIFETIME_S),
                   code_ttl=info.parameter(P.EMAIL_CODE_LIFETIME_S),
                   qr_ttl=info.parameter(P.QR_LIFETIME_S),
                   readings=m.Readings(info.readings))


def make_machine(new_target: Callable[[], Any], profile: str = "current",
                 on_new: Callable[[Explorer], None] | None = None) -> type[Explorer]:
    """A machine class bound to one way of making targets."""
    return type("AuthenticatorExplorer", (Explorer,), {
        "new_target": staticmethod(new_target), "profile": profile,
        "on_new": staticmethod(on_new) if on_new else None, "notes": []})


def _codes(messages: list[port.Message]) -> list[str]:
    """The codes the messages carry, oldest first."""
    return [message.code for message in messages if message.code]
