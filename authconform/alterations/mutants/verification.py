"""Mutants of extra verification of restored accounts (verification.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    on_refusal,
    wrap,
    wrap_app,
)
from sim.app import PERSONAL, WORK, Authenticator
from sim.device import Platform
from sim.refusals import Code, Done, Refusal
from sim.world import World


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


@mutant("code_of_another_account_accepted", "REQ-VERIFY-04",
        "a code sent for one waiting personal account also confirms any other account "
        "waiting on the same phone")
def _code_of_another_account_accepted(world: World) -> None:
    def confirm_code(original: Callable[..., None], username: str, code: str,
                     now: float) -> None:
        account = world.msa.find(username)
        others = [a for a in world.msa.accounts.values() if a is not account
                  and a.pending is not None and not a.pending.used and a.pending.code == code]
        pending = account.pending if account else None
        if others and pending is not None and not pending.used:
            code = pending.code
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


@mutant("verified_once_verified_everywhere", "REQ-VERIFY-02",
        "a personal account with sign-in notifications verified on one new phone is ready "
        "at once on any later phone that recovers it, with no verification there")
def _verified_once_verified_everywhere(world: World) -> None:
    verified: set[str] = set()  # user names verified on some phone

    def confirm_verification_code(app: Authenticator, original: Callable[..., Done],
                                  entry_id: str, code: str) -> Done:
        done = original(entry_id, code)
        verified.add(app._entry(entry_id).username.lower())
        return done

    def begin_recovery(app: Authenticator, original: Callable[..., Done], *args: Any
                       ) -> Done:
        done = original(*args)
        for entry in app.state.entries:
            account = world.msa.find(entry.username)
            if (entry.kind == PERSONAL and entry.needs_verification and account is not None
                    and entry.username.lower() in verified):
                account.push_keys[app.device.id] = app._push_key(entry.id)
                entry.account_token = account.account_token
                entry.params = world.msa.enroll_device(
                    account.username, account.account_token, app.device.id, world.rng,
                    world.rules.msa_digits)
                entry.needs_verification = False
        return done

    wrap_app(world, "confirm_verification_code", confirm_verification_code)
    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("app_restart_finishes_verification", "REQ-VERIFY-02",
        "closing and opening the app finishes the additional verification of a waiting "
        "personal account with sign-in notifications by itself: no password, no code")
def _app_restart_finishes_verification(world: World) -> None:
    def restart(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        for entry in app.state.entries:
            account = world.msa.find(entry.username)
            if entry.kind == PERSONAL and entry.needs_verification and account is not None:
                account.push_keys[app.device.id] = app._push_key(entry.id)
                entry.account_token = account.account_token
                entry.params = world.msa.enroll_device(
                    account.username, account.account_token, app.device.id, world.rng,
                    world.rules.msa_digits)
                entry.needs_verification = False

    wrap_app(world, "restart", restart)


@mutant("no_alert_for_one_waiting_account", "REQ-VERIFY-01",
        "the alert that restored accounts need more verification shows only when two or more "
        "wait: a backup with one such account is recovered with no alert")
def _no_alert_for_one_waiting_account(world: World) -> None:
    def alerts(app: Authenticator, original: Callable[[], tuple[tuple[str, str], ...]]
               ) -> tuple[tuple[str, str], ...]:
        shown = original()
        if sum(e.needs_verification for e in app.state.entries) == 1:
            shown = tuple(a for a in shown if a[0] != "VERIFICATION_NEEDED")
        return shown

    wrap_app(world, "alerts", alerts)
