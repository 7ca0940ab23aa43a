"""What the explorer checks after every step, and what it writes down when a check
fails: each check compares one kind of observation (a phone's accounts, its screen, the
codes, the cloud, what leaves the phone, what an administrator sees) with the model, and
names the Then steps of steps/ that a failing check becomes in the Gherkin."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from hypothesis.stateful import invariant

from authconform import port
from authconform.proof.explore import model as m
from authconform.proof.explore.gherkin import ACTOR, Script, needs_of
from authconform.proof.explore.rules import Disagreement
from authconform.proof.explore.vocabulary import (
    CODE_RULES,
    KIND,
    ORGS,
    SETTING,
    SITES,
    STORE_WORDS,
)
from authconform.spec.mentions import mentions, organisation_knows
from authconform.spec.readable import plain_forms, secret_forms, worth_finding
from authconform.spec.wording import same_words, typed_code

if TYPE_CHECKING:  # the machine class is built at run time; type the mixin loosely
    from typing import Any as _Base
else:
    _Base = object


class Observations(_Base):
    """Mixed into the state machine: its invariant and the end-of-program expectations."""

    _traffic_seen: int  # set by the machine's __init__

    if TYPE_CHECKING:  # the machine's (machine.py): it raises Disagreement
        def _fail(self, rules: str | tuple[str, ...], detail: str, *then: str
                  ) -> NoReturn: ...

    # ------------------------------------------------------------ what Alex sees
    @invariant()
    def everything_observable_agrees_with_the_model(self) -> None:
        """After every step: each phone's accounts, screen and codes, and the cloud."""
        if self.cast is None:
            return
        self._observe_sessions()
        shown: dict[str, list[port.AccountEntry]] = {}
        for phone, model_phone in self.model.phones.items():
            shown[phone] = self._check_accounts(
                phone, model_phone, self.app.list_accounts(self._device(phone)))
            self._check_screen(phone, model_phone)
        self._check_codes(shown)
        self._check_cloud()
        self._check_secrets()
        self._check_administrators()

    def _check_accounts(self, phone: str, model_phone: m.Phone,
                        entries: list[port.AccountEntry]) -> list[port.AccountEntry]:
        """The accounts as shown, held to the model; returns the entries judged."""
        labels = [self._cast().label_of(e) for e in entries]
        if any(self.model.may_leave(model_phone, t) for t in model_phone.tiles) and (
                labels != [t.label for t in model_phone.tiles]):
            # an app may learn of its unregistration while it lists its accounts, and
            # change the list as it goes: look once more
            entries = self.app.list_accounts(self._device(phone))
            labels = [self._cast().label_of(e) for e in entries]
        self._follow_accounts(model_phone, entries, labels)
        wanted = [t.label for t in model_phone.tiles]
        if labels != wanted:
            self._fail("existing-unchanged",
                       f"{phone} shows {labels}, the model expects {wanted}",
                       f'the "{phone}" shows the accounts "{", ".join(wanted)}" in that order'
                       if wanted else f'the "{phone}" shows no accounts')
        for entry, tile in zip(entries, model_phone.tiles, strict=True):
            if entry.needs_verification and not tile.pending and self.model.may_leave(
                    model_phone, tile):
                self.model.relapse(model_phone, tile)  # waits for a new QR code: open
            if entry.needs_verification != tile.pending:
                state = "needs additional verification" if tile.pending else "is ready to use"
                self._fail("pending-after-recovery",
                           f"{tile.label} on {phone}: needs_verification="
                           f"{entry.needs_verification}",
                           f'the "{tile.label}" account on the "{phone}" {state}')
            if tile.name is not None and entry.display_name != tile.name:
                self._fail("names-restored" if tile.name_restored else "changes-are-uploaded",
                           f"{tile.label} on {phone} is named "
                           f"{entry.display_name!r}, not {tile.name!r}",
                           f'the "{phone}" shows the "{tile.label}" account named '
                           f'"{tile.name}"')
        return entries

    def _follow_accounts(self, model_phone: m.Phone, entries: list[port.AccountEntry],
                         labels: list[str]) -> None:
        """Where the model could not follow a restore, take the accounts as shown; where
        kept and restored accounts meet (the narrow existing-accounts reading), the
        documents give no order: take the target's order of the same accounts."""
        if model_phone.adopt:
            model_phone.adopt = False
            model_phone.tiles = [m.Tile(label, KIND.get(label, m.THIRD_PARTY), e.push,
                                        pending=e.needs_verification)
                                 for label, e in zip(labels, entries, strict=True)]
        # a work account its organisation unregistered on this phone may leave the app
        # (000 'FAQs' says nothing of the old phone's screen): follow its going
        gone = [t.label for t in model_phone.tiles
                if t.label not in labels and self.model.may_leave(model_phone, t)]
        if gone and sorted(t.label for t in model_phone.tiles if t.label not in gone
                           ) == sorted(labels):
            for label in gone:
                self.model.left_by_app(model_phone, label)
        placed, model_phone.placed = set(model_phone.placed), []
        if placed:
            # where new accounts went is the app's: the others keep their order
            others = [t.label for t in model_phone.tiles if t.label not in placed]
            if [label for label in labels if label not in placed] == others:
                by_label = {t.label: t for t in model_phone.tiles}
                if sorted(labels) == sorted(by_label):
                    model_phone.tiles = [by_label[label] for label in labels]
                    self.model.placed_by_app(model_phone)
        if model_phone.adopt_order:
            model_phone.adopt_order = False
            by_label = {t.label: t for t in model_phone.tiles}
            if sorted(labels) == sorted(by_label) and len(labels) == len(by_label):
                model_phone.tiles = [by_label[label] for label in labels]

    def _check_screen(self, phone: str, model_phone: m.Phone) -> None:
        screen = self.app.screen(self._device(phone))
        supported = self.model.supported(model_phone)
        setting = SETTING[model_phone.platform] if supported else None
        gate = self.model.gate_rule()
        if not _same_label(screen.backup_setting, setting):
            self._fail(gate,
                       f"{phone} ({model_phone.version}) offers {screen.backup_setting!r}",
                       f'the "{phone}" settings offer "{setting}"' if setting
                       else f'the "{phone}" settings have no backup option')
        if not supported and screen.recovery_offered:
            self._fail(gate, f"{phone} offers recovery",
                       f'the "{phone}" does not offer recovery')
        if supported and not model_phone.tiles and not screen.recovery_offered:
            self._fail("recovery-offered", f"{phone} offers no recovery",
                       f'the "{phone}" offers to begin recovery')
        if model_phone.backup_adopted is not None:
            # just recovered: whether backup is then on is the app's (not documented)
            if not screen.backup_on:
                self.model.backup_left_off(model_phone)
            model_phone.backup_adopted = None
        on = model_phone.backup is not None
        if screen.backup_on != on:
            self._fail(("backup-needs-recovery-sign-in", "backup-off"), f"{phone} backup_on="
                       f"{screen.backup_on}",
                       f'the "{phone}" shows backup as {"on" if on else "off"}')
        red = self.model.red_dot(model_phone)  # None: the model cannot tell
        if red is not None and screen.red_dot != red:
            self._fail("red-dot", f"{phone} red_dot={screen.red_dot}",
                       f'the "{phone}" shows a red dot' if red
                       else f'the "{phone}" shows no red dot')
        alert = self.model.pending_alert(model_phone)  # None: either is right
        shown = any(a.code is port.AlertCode.VERIFICATION_NEEDED for a in screen.alerts)
        if alert is not None and shown != alert:
            self._fail("verification-alert", f"{phone} alerts {screen.alerts}",
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
                code = typed_code(self.app.current_code(device, entry.id))
                if tile.pending:
                    if code is not None:
                        self._fail("pending-is-unusable", f"pending {label} on {phone} shows "
                                   f"{code}", f'the "{label}" account on the "{phone}" shows '
                                   "no code")
                    continue
                accepted = code is not None and self.world.provider_accepts_code(
                    cast.account_id(label), code, device)
                if self.model.work_unregistered(self.model.phones[phone], tile):
                    if accepted:
                        self._fail("unregistered-phone", f"{label} on the unregistered {phone} "
                                   f"shows {code!r}, which its provider accepts",
                                   f'the "{label}" account on the "{phone}" makes no code its '
                                   "provider accepts")
                    continue
                if code is None or not accepted:
                    self._fail(CODE_RULES[tile.kind],
                               f"{label} on {phone} shows {code!r}, which its provider "
                               "refuses", f'the "{label}" account on the "{phone}" shows a '
                               "code its provider accepts")
                # A personal account's length is the target's declared one (unchecked if
                # undeclared); a third-party site's comes from its otpauth data.
                declared = self.target.info.parameter(port.Parameter.MSA_CODE_DIGITS)
                digits = (int(declared) if declared is not None else len(code)
                          ) if tile.kind == m.PERSONAL else 6
                if tile.kind != m.WORK and len(code) != digits:
                    self.script.when(f'{ACTOR} reads the "{label}" codes on the "{phone}" '
                                     f'and the "{phone}"')
                    self._fail("code-format", f"{label} on {phone} shows {code!r}",
                               "each code has as many digits as the target declares for "
                               "personal accounts" if tile.kind == m.PERSONAL
                               else f"each code has {digits} digits")
                usable.setdefault(label, []).append((phone, code))
        for label, codes in usable.items():
            kind = KIND[label]
            if kind == m.WORK or len(codes) < 2:
                continue
            (first, a), (second, b) = codes[0], codes[1]
            read = f'{ACTOR} reads the "{label}" codes on the "{first}" and the "{second}"'
            if kind == m.PERSONAL:
                # The other phone's code: as the declared reading says, or (undeclared)
                # any reading not yet contradicted; what the provider does now narrows it.
                crossed = self.world.provider_accepts_code(cast.account_id(label), a,
                                                           self._device(second))
                if a != b:
                    try:
                        self.model.readings.keep(
                            m.OTHER_PHONE, {"accepted"} if crossed else {"refused"},
                            "personal-codes", f"{label}: the provider "
                            f"{'accepts' if crossed else 'refuses'} the {first}'s code from "
                            f"the {second}")
                    except Disagreement:
                        self.script.when(read)
                        self.script.then(f'the "{label}" provider accepts each code only from '
                                         "the phone that shows it" if crossed else
                                         f'the "{label}" provider accepts each code from '
                                         "either phone")
                        raise
                if a == b:
                    self.script.when(read)
                    self._fail("personal-codes",
                               f"{label}: {first} shows {a}, {second} shows {b}",
                               "the two codes differ", f'the "{label}" provider accepts each '
                               "code only from the phone that shows it")
            elif a != b:
                here, there = self._read_together(shown, label, first, second)
                if here != there:
                    self.script.when(read)
                    self._fail("third-party-codes", f"{label}: {first} shows {here}, "
                               f"{second} shows {there}", "the two codes are the same")

    def _read_together(self, shown: dict[str, list[port.AccountEntry]], label: str,
                       first: str, second: str) -> tuple[str | None, str | None]:
        """The two phones' codes for ``label`` within one time step, as the suite's
        read_codes takes them: the first phone again after the second, and all anew when
        its code changed (a read may take a while on a real phone)."""
        def read(phone: str) -> str | None:
            entry = next(e for e, t in zip(shown[phone], self.model.phones[phone].tiles,
                                           strict=True) if t.label == label)
            return typed_code(self.app.current_code(self._device(phone), entry.id))

        for _ in range(5):
            one, other, again = read(first), read(second), read(first)
            if one == again:
                break
        return again, other

    def _check_cloud(self) -> None:
        cast = self._cast()
        apple_ids = {"Alex": cast.apple.username, "Alex-2": cast.apple2.username}
        accounts = {"Alex": cast.msa.username, "Alex-2": cast.msa2.username}

        def name(store: str, where: str) -> str:
            return cast.location_name((apple_ids if store == m.ICLOUD else accounts)[where])

        # a location the model lost track of (backup switched off) holds what it holds
        unsure = {(store, name(store, where)) for store, where in self.model.unsure}
        # by storage location: how many objects a backup takes there is the app's own
        held = sorted({h for o in self.world.stored_objects()
                       if (h := (o.store.value, cast.location_name(o.location))) not in unsure})
        wanted = sorted((store, name(store, where)) for store, where in self.model.blobs
                        if (store, where) not in self.model.unsure)
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
        self._fail(("backup-location", "deleted-backup"),
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
                    script.then(f'the "{tile.label}" account on the "{phone}" makes no code '
                                "its provider accepts" if model.work_unregistered(p, tile)
                                else f'the "{tile.label}" account on the "{phone}" shows a '
                                "code its provider accepts")
            supported = model.supported(p)
            script.then(f'the "{phone}" settings offer "{SETTING[p.platform]}"' if supported
                        else f'the "{phone}" settings have no backup option')
            script.then(f'the "{phone}" shows backup as {"on" if p.backup else "off"}')
            red = model.red_dot(p)
            if red is not None:
                script.then(f'the "{phone}" shows a red dot' if red
                            else f'the "{phone}" shows no red dot')
            alert = model.pending_alert(p)
            if alert is not None:
                script.then(f'the "{phone}" alerts that additional verification is needed'
                            if alert
                            else f'the "{phone}" shows no alert about additional verification')
        for label in ("Microsoft", *SITES):
            holders = [phone for phone, p in model.phones.items()
                       if (t := p.tile(label)) is not None and not t.pending]
            if len(holders) >= 2:
                script.when(f'{ACTOR} reads the "{label}" codes on the "{holders[0]}" and the '
                            f'"{holders[1]}"')
                if label == "Microsoft":
                    script.then("the two codes differ")
                    script.then('the "Microsoft" provider accepts each code from the phone '
                                "that shows it")
                    script.then("each code has as many digits as the target declares for "
                                "personal accounts")
                else:
                    script.then("the two codes are the same")
                    script.then(f'the "{label}" provider accepts each code from either phone')
        stored = any(where not in model.unsure for where in model.blobs)
        if stored:
            script.then("no stored backup contains the user name, password or secret of any of "
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
        if model.unsure:  # what a switched-off backup left behind is the target's choice
            return script
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
        objects = self.world.stored_objects()
        stored = [o.data for o in objects]
        # iCloud's copy is documented as protected (REQ-PRIVACY-03); the Android copy in
        # the Microsoft account's own storage only by the harness (REQ-PRIVACY-06)
        by_rule = {"stored-secrets": [o.data for o in objects
                                      if o.store is not port.Store.MICROSOFT],
                   "stored-secrets-android": [o.data for o in objects
                                              if o.store is port.Store.MICROSOFT]}
        if stored and needs:
            words: list[tuple[str, list[bytes]]] = []
            # the person's own data, where finding it is no chance (spec.readable)
            if "msa" in needs:
                words += [("the Microsoft user name", plain_forms(cast.msa.username)),
                          ("the Microsoft password", plain_forms(cast.msa.password))]
            for site in SITES:
                if needs_of(site) in needs:
                    account = cast.sites[site]
                    words += [(f"the {site} user name", plain_forms(account.username)),
                              (f"the {site} secret", secret_forms(account.secret))]
            for org in ORGS:
                if needs_of(org) in needs:
                    work = cast.work[("Alex", org)]
                    words += [(f"the {org} user name", plain_forms(work.username)),
                              (f"the {org} password", plain_forms(work.password))]
            for what, forms in words:
                for rule, blobs in by_rule.items():
                    if any(form in blob for form in worth_finding(forms) for blob in blobs):
                        self._fail(rule, f"{what} is readable in the cloud",
                                   "no stored backup contains the user name, password or "
                                   f"secret of any of {ACTOR}'s accounts")
        traffic = self.world.traffic()
        new_traffic = [t.payload for t in traffic[self._traffic_seen:]]
        self._traffic_seen = len(traffic)
        holders = [(p, self.world.device_secrets(self._device(p))) for p in self.model.phones]
        holders = [(p, keys) for p, keys in holders if keys]
        for phone, keys in holders:
            other = next((p for p, _ in holders if p != phone), phone)
            if stored and any(k in blob for k in keys for blob in stored):
                self._fail("device-keys", f"a device key of the {phone} is in the cloud",
                           f'no stored backup contains a device key of the "{phone}" or the '
                           f'"{other}"')
            if any(k in payload for k in keys for payload in new_traffic):
                self._fail("device-keys", f"a device key of the {phone} crossed the "
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
            seen = [*view.accounts_seen, *view.events,
                    *(text for d in view.devices for text in (d.device_name, d.username))]
            for label in used:
                if mentions(seen, [cast.username(label)], self._admin_may_know(org)):
                    other = next((u for u in used if u != label), label)
                    self._fail("administrator-sees-nothing",
                               f"the {org} administrator sees {label}",
                               f'the "{org}" administrator sees nothing of {ACTOR}\'s '
                               f'"{label}" and "{other}" accounts')


    def _admin_may_know(self, org: str) -> set[str]:
        """What the organisation's administrator sees anyway, in which a private name may
        sit by chance (authconform/spec/mentions.py): the organisation, its users' user
        names and names, and the names this exploration gave the phones."""
        cast = self._cast()
        tenant = cast.tenants[org]
        people = {"Alex": cast.alex, "Sam": cast.sam}
        return organisation_knows(
            tenant.name, tenant.domain, (f"Alex's {label}" for label in cast.devices),
            [(work.username, people[who].name) for (who, where), work in cast.work.items()
             if where == org])

def _same_label(shown: str | None, named: str | None) -> bool:
    """A label the documents name, in the app's case and spacing; or neither shown."""
    if shown is None or named is None:
        return shown is named
    return same_words(shown, named)
