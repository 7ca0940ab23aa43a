"""The variant catalogue: simulators that differ where the documents leave room.

A mutant breaks one documented behaviour and the suite must catch it; a *variant*
changes one thing the two documents leave open -- a value they never name, the words
on the screen, which code of a refusal family it answers, which reading of an ambiguity
it follows -- and the suite must pass it. Each variant is genuinely different
behaviour (6-digit codes are really shown and accepted), and declares what it changed
through ``TargetInfo`` like any implementation would (the sim adapter derives the
declaration from the world's ``Rules`` after the variant is applied).

``VARIANTS[name].apply(world)`` is called by the sim adapter on every new world when a
run has the adapter option ``variant`` (``AUTHCONFORM_SUT_VARIANT=name``). Like
mutants, a variant only changes that world instance (``authconform.alterations.patching``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authconform.alterations.patching import (
    on_each_device,
    on_each_tenant,
    on_refusal,
    override_app_property,
    wrap,
    wrap_app,
)
from sim.app import PERSONAL, WORK, Authenticator
from sim.device import CameraPermission, Platform
from sim.msa import PendingCode
from sim.refusals import Code, Done, Refusal
from sim.rules import RecoveryBlock, parse_version
from sim.stores import BACKUP_NAME
from sim.world import World


@dataclass(frozen=True)
class Variant:
    name: str
    description: str  # one line: what differs from the reference simulator
    apply: Callable[[World], None]
    # False: the variant declares no reading at all (TargetInfo.readings empty), like an
    # app team that never read port.Reading; the gate must find the readings it follows
    declares_readings: bool = True
    # capabilities the variant's target does without, as a real app's adapter may
    lacks: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"Variant({self.name!r})"


VARIANTS: dict[str, Variant] = {}


def variant(name: str, description: str, *, declares_readings: bool = True,
            lacks: frozenset[str] = frozenset()
            ) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(apply: Callable[[World], None]) -> Callable[[World], None]:
        if name in VARIANTS:
            raise ValueError(f"duplicate variant {name!r}")
        VARIANTS[name] = Variant(name, description, apply, declares_readings, lacks)
        return apply

    return register


def _rules(world: World, **changes: Any) -> None:
    world.rules = dataclasses.replace(world.rules, **changes)


# Every operation of the app a user can call; wrapped to change what it answers.
APP_OPERATIONS = (
    "add_personal_account", "scan_qr", "enter_code_manually", "enter_activation_manually",
    "remove_account", "rename_account", "reorder_accounts", "approve_push",
    "turn_on_backup", "turn_off_backup", "select_backup_warning",
    "sign_in_to_update_backup", "begin_recovery", "sign_in_to_recover",
    "confirm_verification_code", "scan_qr_to_recover", "enter_activation_to_recover",
)


def _on_answers(world: World, refusal: Callable[[Refusal], Refusal],
                done: Callable[[Done], Done] = lambda d: d) -> None:
    """Pass every refusal and every success of every app operation through a function."""
    def answer(app: Authenticator, original: Callable[..., Any], *args: Any,
               **kwargs: Any) -> Any:
        try:
            result = original(*args, **kwargs)
        except Refusal as exc:
            raise refusal(exc) from exc
        return done(result) if isinstance(result, Done) else result

    for name in APP_OPERATIONS:
        wrap_app(world, name, answer)


# ---------------------------------------------------------------- values not named


@variant("six-digit-codes", "personal Microsoft account codes have 6 digits, not 8")
def _(world: World) -> None:
    _rules(world, msa_digits=6)


@variant("drift-one-step", "providers accept a code from one time step either side of now")
def _(world: World) -> None:
    _rules(world, drift_steps=1)


@variant("thirty-day-sign-in", "the recovery sign-in lapses after 30 days, not 90")
def _(world: World) -> None:
    _rules(world, session_lifetime_s=30 * 24 * 3600.0)


@variant("short-key-freshness",
         "the backup key is released only within 3 minutes of a sign-in, not 10")
def _(world: World) -> None:
    _rules(world, key_release_freshness_s=3 * 60.0)


@variant("long-code-lifetimes",
         "an email/SMS code lives 30 minutes and an activation QR code 7 days")
def _(world: World) -> None:
    _rules(world, verification_code_ttl_s=30 * 60.0, activation_ttl_s=7 * 24 * 3600.0)


# ---------------------------------------------------------------- words and codes


@variant("other-wording",
         "every refusal, success, alert and camera prompt is worded differently")
def _(world: World) -> None:
    # Words no step may look for: a numbered reference instead of advice.
    names = sorted(Code)

    def refusal(exc: Refusal) -> Refusal:
        return Refusal(exc.code, f"Sorry, that did not work (ref {names.index(exc.code)}).")

    def done(result: Done) -> Done:
        return Done(f"All set (ref {names.index(result.code)}).", result.code)

    _on_answers(world, refusal, done)

    def alerts(app: Authenticator, original: Callable[[], Any]) -> Any:
        return tuple((code, f"Tap here ({code.lower()[:3]})") for code, _ in original())

    wrap_app(world, "alerts", alerts)

    def prompt(device: Any) -> None:
        words = {"ios": "Authenticator wants to use your camera to scan codes",
                 "android": "Let Authenticator take photos and record video?"}
        showing = device.camera_prompt
        device.camera_prompt = lambda: words[device.platform.value] if showing() else None

    on_each_device(world, prompt)


# One code per family: where the documents do not tell causes apart, this app answers
# the same code for all of them (authconform/spec/families.py).
ONE_CODE = {
    Code.BACKUP_ON_OTHER_PLATFORM: Code.NO_BACKUP_FOUND,
    Code.BACKUP_IN_OTHER_ICLOUD: Code.NO_BACKUP_FOUND,
    Code.BACKUP_DELETED: Code.NO_BACKUP_FOUND,
    Code.NETWORK_UNAVAILABLE: Code.SERVICE_UNAVAILABLE,
    Code.QR_REJECTED: Code.QR_UNREADABLE,
}


@variant("one-code-per-family",
         "one code for every cause the documents do not tell apart (no backup, no "
         "connection, QR not accepted); a stale sign-in asks to sign in again")
def _(world: World) -> None:
    _on_answers(world, lambda exc: Refusal(ONE_CODE[exc.code]) if exc.code in ONE_CODE
                else exc)

    def release(original: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
        try:
            return original(*args, **kwargs)
        except Refusal as exc:  # the right password, but too long ago
            if exc.code is Code.SIGN_IN_FAILED:
                raise Refusal(Code.SIGN_IN_REQUIRED) from exc
            raise

    wrap(world.keys, "release", release)


@variant("work-account-sign-in-fails",
         "a work or school account offered as the recovery account is turned away as a "
         "failed sign-in, not named as not a personal account")
def _(world: World) -> None:
    _on_answers(world, lambda exc: Refusal(Code.SIGN_IN_FAILED)
                if exc.code is Code.NOT_A_PERSONAL_ACCOUNT else exc)


@variant("no-icloud-finds-no-backup",
         "recovery on an iPhone without iCloud answers that no backup was found instead of "
         "asking for the iCloud sign-in")
def _(world: World) -> None:
    def begin(app: Authenticator, original: Callable[..., Any], *args: Any,
              **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except Refusal as exc:
            if exc.code is Code.ICLOUD_SIGN_IN_REQUIRED:
                raise Refusal(Code.NO_BACKUP_FOUND) from exc
            raise

    wrap_app(world, "begin_recovery", begin)


# ---------------------------------------------------------------- readings


@variant("same-account-existing",
         "only an account that is also in the backup blocks recovery (the narrow reading)")
def _(world: World) -> None:

    _rules(world, recovery_block=RecoveryBlock.SAME_ACCOUNT)


@variant("second-pairing-refused",
         "a recovery account already guarding one storage location cannot turn on "
         "backup in a second one")
def _(world: World) -> None:
    _rules(world, second_pairing="refused")


@variant("other-phone-code-accepted",
         "a personal-account code is accepted whichever of the account's phones it is "
         "typed as coming from")
def _(world: World) -> None:
    _rules(world, other_phone_code="accepted")


@variant("second-pairing-each-keeps-own",
         "a recovery account turned on in a second storage location keeps both pairings: "
         "each location still restores with its own Apple ID")
def _(world: World) -> None:
    _rules(world, second_pairing="each_keeps_own")


@variant("red-dot-restore-sign-in",
         "the red dot marks a phone whose restore needs a sign-in to finish, not a backup "
         "whose recovery sign-in lapsed (which the app only prompts about)")
def _(world: World) -> None:
    _rules(world, red_dot="restore_sign_in")


@variant("undeclared-first-readings",
         "declares no reading at all, and follows the first value of each ambiguity (the "
         "simulator's own behaviour)", declares_readings=False)
def _(world: World) -> None:
    pass


@variant("undeclared-readings",
         "declares no reading at all, and follows a later one of each ambiguity: only the "
         "same account blocks recovery, each storage location keeps its own pairing, any "
         "phone's code is accepted, the red dot marks a restore that needs a sign-in",
         declares_readings=False)
def _(world: World) -> None:

    _rules(world, recovery_block=RecoveryBlock.SAME_ACCOUNT, second_pairing="each_keeps_own",
           other_phone_code="accepted", red_dot="restore_sign_in")


# ---------------------------------------------------------------- flows


@variant("camera-allow-finishes-scan",
         "allowing the camera finishes the scan that asked for it: no second scan needed")
def _(world: World) -> None:
    def scan(app: Authenticator, original: Callable[..., Done], *args: Any) -> Done:
        try:
            return original(*args)
        except Refusal as exc:
            if exc.code is Code.CAMERA_PERMISSION_NEEDED:
                app.device.waiting_scan = (original.__name__, args)  # type: ignore[attr-defined]
            raise

    wrap_app(world, "scan_qr", scan)
    wrap_app(world, "scan_qr_to_recover", scan)

    def answer(app: Authenticator, original: Callable[[bool], None], allow: bool) -> None:
        original(allow)
        waiting = app.device.__dict__.pop("waiting_scan", None)
        if allow and waiting is not None:
            name, args = waiting
            # A refusal is shown to the user on screen; the scan can be tried again.
            with contextlib.suppress(Refusal):
                getattr(app, name)(*args)

    wrap_app(world, "answer_camera_prompt", answer)


@variant("camera-answer-needs-prompt",
         "an answer to the camera prompt counts only while the prompt is showing (the first "
         "scan shows it); an answer given before is ignored, as nobody can tap a dialog "
         "that is not there")
def _(world: World) -> None:
    def answer(app: Authenticator, original: Callable[[bool], None], allow: bool) -> None:
        if app.device.camera_prompt() is not None:
            original(allow)

    wrap_app(world, "answer_camera_prompt", answer)


# ---------------------------------------------------------------- who is who


@variant("one-user-name-everywhere",
         "a person has the same user name at every third-party site, and a third-party "
         "tile is named by its user name alone, so those tiles share one display name")
def _(world: World) -> None:
    # Nothing in the documents or the port makes a user name unique beyond its site: a
    # tile is told apart by issuer and user name (or by the entry id the app gave).
    first: dict[str, str] = {}  # person id -> the user name of their first site account

    def same_name(original: Callable[..., Any], person_id: str, *args: Any,
                  **kwargs: Any) -> Any:
        record = original(person_id, *args, **kwargs)
        record.username = first.setdefault(person_id, record.username)
        return record

    wrap(world, "create_site_account", same_name)

    def named_by_user(app: Authenticator, original: Callable[..., Done], issuer: str,
                      username: str, *args: Any) -> Done:
        done = original(issuer, username, *args)
        app.state.entries[-1].display_name = username
        return done

    wrap_app(world, "_add_third_party", named_by_user)


@variant("labels-in-other-case",
         "the settings name the backup option 'iCloud Backup' or 'Cloud Backup' and the "
         "recovery button reads 'START RECOVERY': the documents' words, in the app's case")
def _(world: World) -> None:
    def setting(app: Authenticator, shown: str | None) -> str | None:
        return shown.replace(" backup", " Backup") if shown is not None else None

    def button(app: Authenticator, shown: str | None) -> str | None:
        return shown.upper() if shown is not None else None

    override_app_property(world, "backup_setting", setting)
    override_app_property(world, "recovery_label", button)


@variant("out-of-date-once-a-change-waits",
         "a lapsed recovery sign-in marks the backup out of date (red dot, prompt) only "
         "once a change is waiting to be uploaded: until then the cloud copy is current")
def _(world: World) -> None:
    def out_of_date(app: Authenticator, lapsed: bool) -> bool:
        return lapsed and app.state.backup.dirty

    override_app_property(world, "out_of_date", out_of_date)


@variant("camera-asks-again-on-android",
         "on Android the phone's camera prompt shows again at the next scan after a "
         "refusal, or after camera access was turned off in the phone's settings (a "
         "refusal of that second prompt is final); an iPhone never asks twice")
def _(world: World) -> None:

    may_ask: set[str] = set()  # Android phones whose next scan shows the prompt again
    refused_once: set[str] = set()  # refused at the prompt since the settings last changed

    def read(app: Authenticator, original: Callable[[bytes], str], image: bytes) -> str:
        device = app.device
        if device.camera is CameraPermission.DENIED and device.id in may_ask:
            may_ask.discard(device.id)
            device.camera_prompt_showing = True
            raise Refusal(Code.CAMERA_PERMISSION_NEEDED)
        return original(image)

    def answer(app: Authenticator, original: Callable[[bool], None], allow: bool) -> None:
        device = app.device
        showing = device.camera_prompt_showing
        original(allow)
        if not showing or device.platform is not Platform.ANDROID:
            return
        if allow:
            may_ask.discard(device.id)
            refused_once.discard(device.id)
        elif device.id not in refused_once:
            refused_once.add(device.id)
            may_ask.add(device.id)

    def settings(original: Callable[[str, bool], None], device_id: str,
                 allowed: bool) -> None:
        original(device_id, allowed)
        refused_once.discard(device_id)
        if not allowed and world.device(device_id).platform is Platform.ANDROID:
            may_ask.add(device_id)
        else:
            may_ask.discard(device_id)

    wrap_app(world, "_camera_read", read)
    wrap_app(world, "answer_camera_prompt", answer)
    wrap(world, "set_camera_access", settings)


# ---------------------------------------------------------------- the administrator's view


def _display_first_name(world: World, person_id: str) -> str:
    """The person's first name as a lower-case handle ('Dr. Alex Smith' -> 'alex')."""
    words = [w for w in world.people[person_id].split() if not w.endswith(".")]
    return "".join(ch for ch in (words or ["user"])[0].lower() if ch.isalnum()) or "user"


def _admin_events_in_own_words(world: World) -> None:
    """The administrator's log in this app's own words: registrations name the phone and
    the person (as the directory shows them), not the user name; nothing says
    'unregister'."""
    def patch(tenant: Any) -> None:
        def person_of(username: str) -> str:
            user = tenant.users.get(username.lower())
            return world.people.get(user.person_id, "someone") if user else "someone"

        def issue(original: Callable[..., Any], username: str, *args: Any) -> Any:
            done = original(username, *args)
            tenant.events[-1] = f"Set-up code handed to {person_of(username)}"
            return done

        def activate(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            before = len(tenant.events)
            username, params = original(*args, **kwargs)
            device_name = args[3] if len(args) > 3 else kwargs["device_name"]
            tenant.events[before:] = [
                f"{person_of(username)} enrolled a new phone: {device_name}"]
            return username, params

        def unregister(original: Callable[[str], None], device_id: str) -> None:
            live = {key: r.device_name for key, r in tenant.registrations.items()
                    if key[1] == device_id and r.registered}
            before = len(tenant.events)
            original(device_id)
            tenant.events[before:] = [
                f"{name} taken off the tenant: it can no longer approve sign-ins"
                for key, name in live.items() if not tenant.registrations[key].registered]

        wrap(tenant, "issue_activation", issue)
        wrap(tenant, "activate", activate)
        wrap(tenant, "unregister", unregister)

    on_each_tenant(world, patch)


def _user_names_from_first_names(world: World) -> None:
    """Everyone signs up with their first name: 'alex' at every third-party site and
    'alex@<organisation's domain>' at work (a number added only where it is taken)."""
    taken: set[tuple[str, str]] = set()  # (issuer, user name) of every site account

    def site(original: Callable[..., Any], person_id: str, issuer: str, *args: Any,
             **kwargs: Any) -> Any:
        record = original(person_id, issuer, *args, **kwargs)
        name, n = _display_first_name(world, person_id), 1
        username = name
        while (issuer.lower(), username) in taken:
            n += 1
            username = f"{name}{n}"
        taken.add((issuer.lower(), username))
        record.username = username
        return record

    def work(original: Callable[..., Any], tenant_id: str, person_id: str) -> Any:
        user = original(tenant_id, person_id)
        tenant = world.tenant(tenant_id)
        name, n = _display_first_name(world, person_id), 1
        username = f"{name}@{tenant.domain}"
        while username in tenant.users and tenant.users[username] is not user:
            n += 1
            username = f"{name}{n}@{tenant.domain}"
        del tenant.users[user.username.lower()]
        user.username = username
        tenant.users[username] = user
        return user

    wrap(world, "create_site_account", site)
    wrap(world, "create_work_user", work)


# Both together: each alone failed the suite before the administrator's view was judged
# without words and by whole words (one variant each would cost a whole run each).
@variant("first-names-and-admin-words",
         "people sign up with their first name (the same at every third-party site, and "
         "as the work user name before the domain), and the administrator's log names the "
         "person and the phone in its own words, never the work user name or 'unregister'")
def _(world: World) -> None:
    _user_names_from_first_names(world)
    _admin_events_in_own_words(world)


@variant("own-push-refusals-and-long-email-codes",
         "approving on a waiting account answers that there is no such request, on an "
         "unregistered phone that the account needs verifying again; emailed codes have 8 "
         "digits, and a code of another shape is refused as a bad entry")
def _(world: World) -> None:

    other = {Code.VERIFICATION_REQUIRED: Code.NO_SUCH_ACCOUNT,
             Code.DEVICE_UNREGISTERED: Code.VERIFICATION_REQUIRED}

    def approve(app: Authenticator, original: Any, refusal: Refusal, *args: Any) -> None:
        if refusal.code in other:
            raise Refusal(other[refusal.code]) from refusal

    on_refusal(world, "approve_push", approve)

    def send_code(original: Callable[..., tuple[str, str]], username: str,
                  *args: Any) -> tuple[str, str]:
        address, _ = original(username, *args)
        account = world.msa.find(username)
        assert account is not None and account.pending is not None
        code = f"{world.rng.randrange(10**8):08d}"
        account.pending = PendingCode(code, account.pending.expires_at)
        return address, code

    def confirm_code(original: Callable[..., None], username: str, code: str,
                     *args: Any) -> None:
        if len(code.strip()) != 8 or not code.strip().isdigit():
            raise Refusal(Code.INVALID_ENTRY, "A code has 8 digits.")
        original(username, code, *args)

    wrap(world.msa, "send_code", send_code)
    wrap(world.msa, "confirm_code", confirm_code)


@variant("backup-as-otpauth-uris",
         "the backup holds a third-party account as an otpauth:// URI (issuer and user "
         "name in its label) beside its key in base64, and any other account by its user "
         "name under field names of its own")
def _(world: World) -> None:
    import base64
    import urllib.parse

    class Stored:
        def __init__(self, kind: str, fields: dict[str, object]):
            self.kind, self._fields = kind, fields

        def as_dict(self) -> dict[str, object]:
            return {"kind": self.kind, **self._fields}

    def stored(a: Any) -> Stored:
        if a.kind != "third_party" or not a.secret:
            return Stored(a.kind, {"sign_in": a.username, "notifications": a.push})
        label = urllib.parse.quote(f"{a.issuer}:{a.username}")
        query = urllib.parse.urlencode({"issuer": a.issuer, "digits": a.digits,
                                        "period": a.period, "algorithm": a.algorithm})
        padded = a.secret.upper() + "=" * (-len(a.secret) % 8)
        return Stored(a.kind, {"uri": f"otpauth://totp/{label}?{query}",
                               "key": base64.b64encode(base64.b32decode(padded)).decode()})

    def payload(original: Callable[..., Any], *args: Any) -> Any:
        made = original(*args)
        if made is None:
            return None
        return dataclasses.replace(made, accounts=tuple(stored(a) for a in made.accounts))

    wrap(world, "backup_payload", payload)


@variant("silent-successes",
         "a success shows no message at all (the accounts simply appear, the setting "
         "simply turns on); refusals still say why")
def _(world: World) -> None:
    def silent(done: Done) -> Done:
        quiet = Done(code=done.code)
        quiet.message = ""  # Done words an empty message with its default
        return quiet

    _on_answers(world, lambda refusal: refusal, silent)


@variant("new-accounts-on-top",
         "a newly added account goes to the top of the list, not the bottom (the documents "
         "keep the user's order but never say where a new account goes)")
def _(world: World) -> None:
    class OnTop(list):
        def append(self, item: Any) -> None:
            self.insert(0, item)

    def on_top(app: Authenticator, original: Callable[..., Any], *args: Any,
               **kwargs: Any) -> Any:
        # while the account is added, so that what is uploaded has the order shown
        app.state.entries = OnTop(app.state.entries)
        try:
            return original(*args, **kwargs)
        finally:
            app.state.entries = list(app.state.entries)

    for name in ("add_personal_account", "scan_qr", "enter_code_manually",
                 "enter_activation_manually"):
        wrap_app(world, name, on_top)


@variant("own-option-labels",
         "a waiting personal account offers 'Sign in and recover account' (000 only "
         "describes the option to sign in to recover; 002, the 2019 profile, names it)")
def _(world: World) -> None:
    if world.rules.profile == "2019":
        return  # 002 names the label: the variant keeps it there

    def actions(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        return tuple("Sign in and recover account" if a == "Sign in to recover" else a
                     for a in original(*args))

    wrap_app(world, "actions_of", actions)


@variant("recovery-asks-for-the-right-sign-in",
         "on an iPhone whose iCloud holds a backup another Microsoft account made, recovery "
         "asks for that account (a failed sign-in); with another Apple ID, it asks for "
         "iCloud with the old one")
def _(world: World) -> None:

    def recover(app: Authenticator, original: Any, refusal: Refusal, *args: Any) -> None:
        if refusal.code is Code.BACKUP_IN_OTHER_ICLOUD:
            raise Refusal(Code.ICLOUD_SIGN_IN_REQUIRED, "Your backup is in another iCloud: "
                          "sign in with the Apple ID of the old iPhone.") from refusal
        apple_id = app.device.apple_id
        if (refusal.code is Code.NO_BACKUP_FOUND and app.device.platform is Platform.IOS
                and apple_id and app._store().get(apple_id, BACKUP_NAME) is not None):
            raise Refusal(Code.SIGN_IN_FAILED, "Sign in with the Microsoft account that "
                          "made this backup.") from refusal

    on_refusal(world, "begin_recovery", recover)


@variant("codes-in-two-groups",
         "each tile shows its code in two groups of digits ('123 456', '1234 5678'), as "
         "authenticator apps often do: the documents give codes no format")
def _(world: World) -> None:
    def grouped(app: Authenticator, original: Callable[..., str | None], entry_id: str
                ) -> str | None:
        code = original(entry_id)
        if code is None:
            return None
        half = len(code) // 2
        return f"{code[:half]} {code[half:]}"

    wrap_app(world, "current_code", grouped)


@variant("reads-the-cloud-copy-first",
         "before each upload it may make, the app reads its cloud copy's details from the "
         "store (a read, even while the recovery sign-in has lapsed and nothing is sent)")
def _(world: World) -> None:
    def read_first(app: Authenticator, original: Callable[[], bool]) -> bool:
        backup = app.state.backup
        if backup.on and backup.dirty and backup.location is not None:
            service = app._store().kind.service
            with contextlib.suppress(Refusal):  # offline: the read fails, as the upload will
                app._call(service, "head", backup.location.encode())
        return original()

    wrap_app(world, "_sync", read_first)


@variant("verification-alert-gone-once-verifying",
         "the alert that accounts need more verification goes away as soon as the person "
         "starts verifying one of them (the tiles still show which wait); the documents say "
         "only that it comes up after recovery")
def _(world: World) -> None:
    verifying: set[str] = set()  # phones whose person has begun verifying since recovery

    def begun(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        verifying.add(app.device.id)
        return original(*args)

    def recovered(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        done = original(*args)
        verifying.discard(app.device.id)
        return done

    def alerts(app: Authenticator, original: Callable[[], Any]) -> Any:
        shown = original()
        if app.device.id in verifying:
            return tuple(a for a in shown if a[0] != "VERIFICATION_NEEDED")
        return shown

    for name in ("sign_in_to_recover", "confirm_verification_code", "scan_qr_to_recover",
                 "enter_activation_to_recover"):
        wrap_app(world, name, begun)
    wrap_app(world, "begin_recovery", recovered)
    wrap_app(world, "alerts", alerts)


@variant("no-recovery-button-while-accounts-exist",
         "the app offers no recovery at all while it holds accounts (only an empty app "
         "shows the recovery button), and answers a recovery request it never offered as "
         "a bad entry")
def _(world: World) -> None:
    override_app_property(world, "recovery_offered",
                          lambda app, offered: offered and not app.state.entries)

    def begin_recovery(app: Authenticator, original: Callable[..., Done], *args: Any) -> Done:
        if app.state.entries and app.backup_supported:
            raise Refusal(Code.INVALID_ENTRY, "There is no recovery to start here.")
        return original(*args)

    wrap_app(world, "begin_recovery", begin_recovery)


@variant("organisation-sees-model-names",
         "the organisation's record names a phone by its model ('iPhone', 'Android phone'), "
         "not by the name the person gave it, so two phones of one person look alike "
         "there (each record still says which phone it is: AdminDevice.device_id)")
def _(world: World) -> None:

    def patch(tenant: Any) -> None:
        def activate(original: Callable[..., Any], code: str, url: str, device_id: str,
                     device_name: str, *rest: Any, **kwargs: Any) -> Any:
            model = ("iPhone" if world.devices[device_id].platform is Platform.IOS
                     else "Android phone")
            return original(code, url, device_id, model, *rest, **kwargs)

        wrap(tenant, "activate", activate)

    on_each_tenant(world, patch)


@variant("approval-sent-whatever-comes",
         "approving a sign-in on an account that waits for verification, or on a phone its "
         "organisation unregistered, shows 'approval sent' like any other: the sign-in is "
         "still not approved (the documents judge only that)")
def _(world: World) -> None:
    def sent(app: Authenticator, original: Any, refusal: Refusal, *args: Any) -> Done | None:
        if refusal.code in (Code.VERIFICATION_REQUIRED, Code.DEVICE_UNREGISTERED):
            return Done("Approval sent.")
        return None

    on_refusal(world, "approve_push", sent)


@variant("plain-header-on-the-stored-file",
         "the stored backup file starts with a plain header naming the app and the format "
         "('Microsoft Authenticator backup/1'), then the ciphertext")
def _(world: World) -> None:
    header = b"Microsoft Authenticator backup/1\n"

    def put(original: Callable[..., None], location: str, name: str, data: bytes,
            *rest: Any) -> None:
        original(location, name, header + data, *rest)

    def get(original: Callable[..., bytes | None], location: str, name: str
            ) -> bytes | None:
        data = original(location, name)
        return data.removeprefix(header) if data is not None else None

    for store in (world.icloud, world.microsoft_storage):
        wrap(store, "put", put)
        wrap(store, "get", get)


def _refuse_a_taken_location(world: World, app: Authenticator, username: str) -> None:
    """Refuse turning backup on into the storage location another phone of the same
    platform backs up to: the Apple ID on an iPhone, the recovery account on Android."""
    located = app.device.apple_id if app.device.platform is Platform.IOS else username.strip()
    if not located:
        return
    here = located.lower()
    for device_id, state in world.apps.items():
        if (device_id != app.device.id and state.backup.on
                and world.devices[device_id].platform is app.device.platform
                and (state.backup.location or "").lower() == here):
            raise Refusal(Code.BACKUP_ALREADY_ON, "Another phone backs up here: turn backup "
                          "off there, or recover this phone from it.")


@variant("one-phone-per-storage-location",
         "a second phone cannot turn backup on into a storage location another phone backs "
         "up to (the same Apple ID, or on Android the same recovery account): it is told "
         "to turn backup off there or recover first")
def _(world: World) -> None:

    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        account = world.msa.find(username)
        if account is not None and account.password == password:  # the sign-in first
            _refuse_a_taken_location(world, app, username)
        return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@variant("organisation-told-of-its-restored-account",
         "a recovery that brings back a work account tells its organisation, about that "
         "work account alone: restored on a new phone, waiting to be verified")
def _(world: World) -> None:

    def begin_recovery(app: Authenticator, original: Callable[..., Done], *args: Any) -> Done:
        done = original(*args)
        for entry in app.state.entries:
            tenant = world.tenants.get(entry.tenant_id or "")
            if entry.kind == WORK and entry.needs_verification and tenant is not None:
                tenant.events.append(f"{entry.username}: restored on a new phone, waiting "
                                     "to be verified")
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@variant("says-at-once-it-holds-the-account",
         "adding a personal account the app already holds is refused at once, before the "
         "password is checked")
def _(world: World) -> None:

    def add(app: Authenticator, original: Callable[..., Done], username: str,
            password: str, push: bool) -> Done:
        if any(e.kind == PERSONAL and e.username.lower() == username.strip().lower()
               for e in app.state.entries):
            raise Refusal(Code.ACCOUNT_EXISTS, "This account is already in the app.")
        return original(username, password, push)

    wrap_app(world, "add_personal_account", add)


@variant("storage-location-taken-said-first",
         "as one-phone-per-storage-location, but the taken storage location is said before "
         "the recovery account's password is asked for")
def _(world: World) -> None:

    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        if app.backup_supported and not app.state.backup.on:
            _refuse_a_taken_location(world, app, username)
        return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@variant("hyphenated-sign-in-label",
         "the waiting personal account's option reads 'Sign-in to recover' (current "
         "profile: 000 describes the option, it names no label)")
def _(world: World) -> None:
    if world.rules.profile == "2019":
        return

    def actions(app: Authenticator, original: Callable[..., tuple[str, ...]], *args: Any
                ) -> tuple[str, ...]:
        return tuple("Sign-in to recover" if a == "Sign in to recover" else a
                     for a in original(*args))

    wrap_app(world, "actions_of", actions)


@variant("one-try-per-emailed-code",
         "a wrong emailed or texted code uses the code up: the person asks for a new one")
def _(world: World) -> None:
    def confirm(original: Callable[..., None], username: str, code: str, now: float
                ) -> None:
        try:
            original(username, code, now)
        except Refusal:
            account = world.msa.find(username)
            if account is not None and account.pending is not None:
                account.pending.used = True
            raise

    wrap(world.msa, "confirm_code", confirm)


@variant("work-sign-ins-go-to-the-newest-phone",
         "once a work account is activated again on a new phone, its sign-in requests go "
         "there; the old phone's codes work until the organisation unregisters it")
def _(world: World) -> None:

    def check_push(original: Callable[..., bool], request: Any, device_id: str,
                   signature: bytes) -> bool:
        if request.kind == WORK:
            tenant, user = world.work_user(request.account_id)
            registered = [device for (name, device), r in tenant.registrations.items()
                          if name == user.username and r.registered and r.push_key]
            if registered and registered[-1] != device_id:
                request.status = "rejected"
                return False
        return original(request, device_id, signature)

    wrap(world, "check_push", check_push)


@variant("sign-in-renewed-by-each-upload",
         "the recovery sign-in is a sliding one: each upload renews it for the declared "
         "lifetime")
def _(world: World) -> None:
    def upload(app: Authenticator, original: Callable[..., None]) -> None:
        original()
        session = app.state.backup.session
        if session is not None and not session.revoked:
            session.signed_in_at = app.now

    wrap_app(world, "_upload", upload)


@variant("first-copy-with-the-first-account",
         "turning backup on in an app that holds no account writes nothing: the first copy "
         "is written with the first account")
def _(world: World) -> None:
    def upload(app: Authenticator, original: Callable[[], None]) -> None:
        backup = app.state.backup
        if (not app.state.entries and backup.location is not None
                and app._store().get(backup.location, BACKUP_NAME) is None):
            return  # nothing to back up yet, and no copy to bring up to date
        original()

    wrap_app(world, "_upload", upload)


@variant("older-app-refuses-a-newer-backup",
         "a backup written by a later major version of the app is refused by an older one "
         "(update the app to restore it)")
def _(world: World) -> None:
    written_by: dict[tuple[str, str], int] = {}  # (store, location) -> major version

    def where(app: Authenticator, location: str) -> tuple[str, str]:
        return app._store().kind.value, location.strip().lower()

    def upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        if app.state.backup.location is not None:
            written_by[where(app, app.state.backup.location)] = parse_version(
                app.device.app_version)[0]

    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        located = (app.device.apple_id if app.device.platform is Platform.IOS
                   else username) or ""
        writer = written_by.get(where(app, located))
        if (app.backup_supported and not app.state.entries and writer is not None
                and app._store().get(located, BACKUP_NAME) is not None  # still there
                and writer > parse_version(app.device.app_version)[0]):
            raise Refusal(Code.BACKUP_NOT_SUPPORTED, "This backup was made by a newer "
                          "version of Authenticator. Update the app to restore it.")
        return original(username, password)

    wrap_app(world, "_upload", upload)
    wrap_app(world, "begin_recovery", begin_recovery)


@variant("one-try-and-a-code-a-minute",
         "as one-try-per-emailed-code, and the Microsoft account sends a new code for an "
         "account at most once a minute")
def _(world: World) -> None:
    VARIANTS["one-try-per-emailed-code"].apply(world)
    last_sent: dict[str, float] = {}  # user name -> when its last code went

    def send_code(original: Callable[..., Any], username: str, password: str, channel: str,
                  now: float, *rest: Any) -> Any:
        key = username.strip().lower()
        account = world.msa.find(username)
        if (now - last_sent.get(key, -60.0) < 60.0 and account is not None
                and account.password == password):
            raise Refusal(Code.SERVICE_UNAVAILABLE, "A code was sent less than a minute "
                          "ago. Wait a minute, then ask for a new one.")
        sent = original(username, password, channel, now, *rest)
        last_sent[key] = now
        return sent

    wrap(world.msa, "send_code", send_code)


def _name_organisations(world: World, name: str) -> None:
    """Every organisation the world makes is called ``name`` (their domains differ)."""
    def create_tenant(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        tenant = original(*args, **kwargs)
        tenant.name = name
        return tenant

    wrap(world, "create_tenant", create_tenant)


@variant("organisations-called-microsoft",
         "as plain-header-on-the-stored-file, and every work organisation is called "
         "'Microsoft' (as Microsoft's own staff tenant is): its name is then in the header")
def _(world: World) -> None:
    VARIANTS["plain-header-on-the-stored-file"].apply(world)
    _name_organisations(world, "Microsoft")


@variant("organisations-with-two-letter-names",
         "every work organisation is called '3M': a name that short turns up in "
         "ciphertext by chance")
def _(world: World) -> None:
    _name_organisations(world, "3M")


@variant("telemetry-without-account-data",
         "after turning backup on, each upload and each recovery the app tells a "
         "telemetry service of its own the event, its version and the platform, and "
         "nothing of the accounts")
def _(world: World) -> None:
    def reporting(event: str) -> Callable[..., Any]:
        def report(app: Authenticator, original: Callable[..., Any], *args: Any,
                   **kwargs: Any) -> Any:
            done = original(*args, **kwargs)
            payload = (f'{{"event": "{event}", "app": "{app.device.app_version}", '
                       f'"platform": "{app.device.platform.value}"}}').encode()
            with contextlib.suppress(Refusal):  # fire and forget: dropped when offline
                app._call("telemetry", "POST /v1/events", payload)
            return done
        return report

    wrap_app(world, "turn_on_backup", reporting("backup_turned_on"))
    wrap_app(world, "_upload", reporting("backup_uploaded"))
    wrap_app(world, "begin_recovery", reporting("recovery_begun"))


# How a recording proxy would name the calls: the request line.
_REQUEST_LINES = {
    ("msa", "sign-in"): "POST /consumers/oauth2/v2.0/token",
    ("msa", "enroll-device"): "POST /consumers/devices/enroll",
    ("msa", "register-push-key"): "POST /consumers/devices/pushkey",
    ("msa", "send-code"): "POST /consumers/proofs/sendotc",
    ("msa", "confirm-code"): "POST /consumers/proofs/verifyotc",
}


@variant("calls-named-by-request-line",
         "the recorded network calls are named by their HTTP request line "
         "('POST /consumers/oauth2/v2.0/token' for a sign-in), as a recording proxy "
         "names them; services keep the port's names")
def _(world: World) -> None:
    def call(original: Callable[..., None], device_online: bool, device_id: str | None,
             service: str, operation: str, *rest: Any) -> None:
        line = _REQUEST_LINES.get((service, operation), f"POST /{service}/{operation}")
        original(device_online, device_id, service, line, *rest)

    wrap(world.network, "call", call)


def _on_learning_unregistered(world: World, act: Callable[[Authenticator, Any], None]
                              ) -> None:
    """Run ``act(app, entry)`` for each work tile whose organisation unregistered the
    phone, whenever the app could learn it: an approval refused as unregistered, or its
    accounts or codes looked at while online."""
    def learn(app: Authenticator) -> None:
        if not app.device.online:
            return
        for entry in list(app.state.entries):
            tenant = world.tenants.get(entry.tenant_id or "")
            if entry.kind != WORK or entry.needs_verification or tenant is None:
                continue
            registration = tenant.registrations.get((entry.username.lower(), app.device.id))
            if registration is not None and not registration.registered:
                act(app, entry)

    def looked_at(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        learn(app)
        return original(*args)

    def refused(app: Authenticator, _: Any, refusal: Refusal, *args: Any) -> None:
        if refusal.code is Code.DEVICE_UNREGISTERED:
            learn(app)

    wrap_app(world, "current_code", looked_at)
    wrap_app(world, "actions_of", looked_at)
    on_refusal(world, "approve_push", refused)


@variant("lost-phone-drops-its-work-tile",
         "once the app learns its organisation unregistered the phone (an approval "
         "refused, or showing its accounts or codes while online), it removes that work "
         "account's tile")
def _(world: World) -> None:
    def drop(app: Authenticator, entry: Any) -> None:
        app.state.entries.remove(entry)
        app.device.push_keys.pop(entry.id, None)
        app._changed("Removed an account your organisation no longer allows here.")

    _on_learning_unregistered(world, drop)


@variant("other-account-told-no-backup",
         "signing in again to an out-of-date backup with another Microsoft account than "
         "the recovery account is answered NO_BACKUP_FOUND (that account holds none)")
def _(world: World) -> None:
    def sign_in(app: Authenticator, _: Any, refusal: Refusal, password: str,
                username: str | None = None) -> None:
        backup = app.state.backup
        if (refusal.code is Code.SIGN_IN_FAILED and username is not None
                and backup is not None and backup.recovery_username
                and username.strip().lower() != backup.recovery_username.lower()):
            raise Refusal(Code.NO_BACKUP_FOUND, "This Microsoft account holds no backup "
                          "of this app. Sign in with your recovery account.") from refusal

    on_refusal(world, "sign_in_to_update_backup", sign_in)


@variant("restore-sign-in-red-dot-without-faults",
         "follows the red dot's restore-sign-in reading and declares no reading; its "
         "adapter cannot inject faults, so none of that reading's scenarios can run",
         declares_readings=False, lacks=frozenset({"faults"}))
def _(world: World) -> None:
    _rules(world, red_dot="restore_sign_in")


# ---------------------------------------------------------------- found by the explorer
@variant("no-camera-prompt-in-2019",
         "under the 2019 profile the camera is allowed from the start and no permission "
         "prompt ever shows (002 says nothing of the camera)")
def _(world: World) -> None:
    if world.rules.profile == "2019":
        on_each_device(world, lambda device: setattr(device, "camera",
                                                     CameraPermission.ALLOWED))


@variant("lost-phone-tile-waits-for-a-new-qr",
         "once the app learns its organisation unregistered the phone, that work tile "
         "waits to be set up again: no code, 'Scan QR code to recover', the verification "
         "alert")
def _(world: World) -> None:
    def wait(app: Authenticator, entry: Any) -> None:
        entry.needs_verification = True
        entry.params = None
        app.device.push_keys.pop(entry.id, None)

    _on_learning_unregistered(world, wait)


@variant("second-pairing-answered-backup-already-on",
         "refuses a second storage location for one recovery account, declares no "
         "reading, and answers BACKUP_ALREADY_ON", declares_readings=False)
def _(world: World) -> None:
    _rules(world, second_pairing="refused")

    def turn_on(app: Authenticator, _: Any, refusal: Refusal, *args: Any) -> None:
        if refusal.code is Code.RECOVERY_ACCOUNT_IN_USE:
            raise Refusal(Code.BACKUP_ALREADY_ON, "Backup is already on for this "
                          "Microsoft account on another phone.") from refusal

    on_refusal(world, "turn_on_backup", turn_on)


# ---------------------------------------------------------------- verification and codes
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, which read as 1 and 0


@variant("letter-verification-codes",
         "the code the Microsoft account mails or texts for more verification is six "
         "capital letters, not digits (the documents give it no format)")
def _(world: World) -> None:
    def send_code(original: Callable[..., tuple[str, str]], username: str, *args: Any
                  ) -> tuple[str, str]:
        address, _ = original(username, *args)
        account = world.msa.find(username)
        assert account is not None and account.pending is not None
        code = "".join(world.rng.choice(_CODE_LETTERS) for _ in range(6))
        account.pending = PendingCode(code, account.pending.expires_at)
        return address, code

    def confirm_code(original: Callable[..., None], username: str, code: str,
                     *args: Any) -> None:
        original(username, code.strip().upper(), *args)

    wrap(world.msa, "send_code", send_code)
    wrap(world.msa, "confirm_code", confirm_code)


@variant("reading-a-code-takes-five-seconds",
         "reading a tile's code takes five seconds of the world's clock (waking the phone, "
         "opening the app), and providers accept a code one time step either side of now")
def _(world: World) -> None:
    _rules(world, drift_steps=1)

    def read(app: Authenticator, original: Callable[..., str | None], *args: Any
             ) -> str | None:
        world.clock.advance(5.0)
        return original(*args)

    wrap_app(world, "current_code", read)


@variant("verification-alert-fades",
         "the alert that restored accounts need more verification is a banner that fades "
         "five minutes after the recovery; the waiting tiles still say so")
def _(world: World) -> None:
    shown_since: dict[str, float] = {}

    def recovered(app: Authenticator, original: Callable[..., Done], *args: Any) -> Done:
        done = original(*args)
        shown_since[app.device.id] = app.now
        return done

    def alerts(app: Authenticator, original: Callable[[], Any]) -> Any:
        shown = original()
        since = shown_since.get(app.device.id)
        if since is not None and app.now - since < 300.0:
            return shown
        return tuple(a for a in shown if a[0] != "VERIFICATION_NEEDED")

    wrap_app(world, "begin_recovery", recovered)
    wrap_app(world, "alerts", alerts)


@variant("offline-said-as-a-failed-sign-in",
         "with no network, turning backup on and recovery are refused as a sign-in that "
         "could not be made (SIGN_IN_FAILED, the message naming the network)")
def _(world: World) -> None:
    def offline(app: Authenticator, _: Any, refusal: Refusal, *args: Any) -> None:
        if refusal.code is Code.NETWORK_UNAVAILABLE and not app.device.online:
            raise Refusal(Code.SIGN_IN_FAILED, "Couldn't sign in. Make sure you're "
                          "connected to a network and signed in, then try again."
                          ) from refusal

    for operation in ("turn_on_backup", "begin_recovery"):
        on_refusal(world, operation, offline)
