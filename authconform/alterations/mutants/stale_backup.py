"""Mutants of an out-of-date backup: the red dot and signing in again (stale_backup.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    override_app_property,
    swapped,
    wrap,
    wrap_app,
)
from sim.app import PERSONAL, THIRD_PARTY, Authenticator
from sim.device import Platform
from sim.refusals import Done
from sim.world import World


@mutant("uploads_continue_after_lapse", "REQ-STALE-01",
        "changes keep uploading after the recovery sign-in has lapsed")
def _uploads_continue_after_lapse(world: World) -> None:
    def _sync(app: Authenticator, original: Callable[[], bool]) -> bool:
        with swapped(app, "_session_valid", lambda: True):
            return original()

    wrap_app(world, "_sync", _sync)


@mutant("red_dot_never_shown", "REQ-STALE-02",
        "an out-of-date backup never shows the red dot or exclamation mark")
def _red_dot_never_shown(world: World) -> None:
    override_app_property(world, "red_dot", lambda app, value: False)


def _red_dot_hidden_after(world: World, operation: str) -> None:
    """The app's ``operation`` hides the red dot until the user signs in again."""
    dismissed: set[str] = set()  # devices whose mark the operation hid

    def hides(app: Authenticator, original: Callable[[], None]) -> None:
        dismissed.add(app.device.id)
        original()

    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 *args: Any, **kwargs: Any) -> Done:
        dismissed.discard(app.device.id)
        return original(*args, **kwargs)

    wrap_app(world, operation, hides)
    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)
    override_app_property(world, "red_dot",
                          lambda app, value: value and app.device.id not in dismissed)


@mutant("red_dot_cleared_on_reconnect", "REQ-STALE-02",
        "the phone coming back online hides the red dot, though no one signed in again")
def _red_dot_cleared_on_reconnect(world: World) -> None:
    _red_dot_hidden_after(world, "retry_backup")


@mutant("red_dot_cleared_on_app_restart", "REQ-STALE-02",
        "closing and opening the app hides the red dot, though no one signed in again")
def _red_dot_cleared_on_app_restart(world: World) -> None:
    _red_dot_hidden_after(world, "restart")


@mutant("red_dot_on_outage", "REQ-STALE-06",
        "an offline phone with a change waiting to upload shows the red dot, sign-in valid or not")
def _red_dot_on_outage(world: World) -> None:
    def red_dot(app: Authenticator, value: bool) -> bool:
        backup = app.state.backup
        return value or (backup.on and backup.dirty and not app.device.online)

    override_app_property(world, "red_dot", red_dot)


@mutant("red_dot_stays_after_sign_in", "REQ-STALE-03",
        "signing in again uploads once but leaves the red dot and the lapsed sign-in in place")
def _red_dot_stays_after_sign_in(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        old = app.state.backup.session
        done = original(password, username)
        if old is not None:
            app.state.backup.session = old
        return done

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("update_backup_by_any_account", "REQ-STALE-03",
        "any personal Microsoft account can sign in to bring an out-of-date backup up to date")
def _update_backup_by_any_account(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        backup = app.state.backup
        if username is None or backup.recovery_username is None or (
                username.strip().lower() == backup.recovery_username.lower()):
            return original(password, username)
        backup.session = world.msa.sign_in(username, password, app.now)  # not refused
        backup.dirty = True
        app._sync()
        return Done("Signed in. Your backup is up to date.")

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("android_update_sign_in_skips_password", "REQ-STALE-03",
        "on Android, signing in again after the red dot takes any password")
def _android_update_sign_in_skips_password(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        recovery = app.state.backup.recovery_username
        account = world.msa.find(recovery) if recovery is not None else None
        if app.device.platform is Platform.ANDROID and account is not None:
            password = account.password
        return original(password, username)

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("update_sign_in_takes_over_with_an_app_account", "REQ-STALE-03",
        "signing in again after the red dot with another personal account the app holds "
        "makes that account the recovery account and backs up anew with it")
def _update_sign_in_takes_over_with_an_app_account(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 password: str, username: str | None = None) -> Done:
        recovery = app.state.backup.recovery_username
        held = username is not None and any(
            e.kind == PERSONAL and e.username.lower() == username.strip().lower()
            for e in app.state.entries)
        if held and recovery is not None and username is not None and (
                username.strip().lower() != recovery.lower()):
            app.turn_off_backup()
            app.turn_on_backup(username, password)
            return Done("Signed in. Your backup is up to date.")
        return original(password, username)

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("no_out_of_date_prompt", "REQ-STALE-05",
        "an out-of-date backup only shows its mark; the app never prompts for sign-in")
def _no_out_of_date_prompt(world: World) -> None:
    wrap_app(world, "alerts", lambda app, original: tuple(
        a for a in original() if a[0] != "BACKUP_OUT_OF_DATE"))


@mutant("red_dot_in_settings", "REQ-STALE-02",
        "the out-of-date mark is shown deep in the settings, not on the menu or action bar")
def _red_dot_in_settings(world: World) -> None:
    override_app_property(world, "warning_at",
                          lambda app, value: None if value is None else "Settings > Backup")


@mutant("stale_recovery_merges_latest", "REQ-STALE-04",
        "recovery from an out-of-date backup adds the old phone's newer third-party accounts")
def _stale_recovery_merges_latest(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        done = original(username, password)
        for device_id, state in world.apps.items():
            recovery = state.backup.recovery_username
            if (device_id == app.device.id or not state.backup.on or recovery is None
                    or recovery.lower() != username.strip().lower()):
                continue
            for old in state.entries:
                if old.kind == THIRD_PARTY and old.params is not None and not any(
                        e.same_account(old.kind, old.issuer, old.username)
                        for e in app.state.entries):
                    app.state.entries.append(type(old)(
                        app._new_entry_id(), old.kind, old.issuer, old.username,
                        old.display_name, False, params=old.params))
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("sign_in_lapses_early", "REQ-STALE-02",
        "the recovery sign-in lapses at half the lifetime the simulator declares")
def _sign_in_lapses_early(world: World) -> None:
    half = world.rules.session_lifetime_s / 2

    def session_valid(original: Callable[..., bool], session: Any, now: float,
                      lifetime: float) -> bool:
        return original(session, now, min(lifetime, half))

    wrap(world.msa, "session_valid", session_valid)


@mutant("sign_in_again_leaves_uploads_off", "REQ-STALE-03",
        "after signing in again from the red dot the backup is brought up to date once, "
        "but later changes are no longer uploaded by themselves")
def _sign_in_again_leaves_uploads_off(world: World) -> None:
    by_hand: set[str] = set()  # phones whose changes now wait for the person

    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 *args: Any) -> Done:
        done = original(*args)
        by_hand.add(app.device.id)
        return done

    def _changed(app: Authenticator, original: Callable[[str], Done], message: str) -> Done:
        if app.device.id in by_hand and app.state.backup.on:
            app.state.backup.dirty = True  # kept, never sent
            return Done(message)
        return original(message)

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)
    wrap_app(world, "_changed", _changed)


@mutant("sign_in_again_lasts_a_day", "REQ-STALE-03",
        "signing in again from the red dot renews the recovery sign-in for one day only, "
        "not for the lifetime a sign-in has")
def _sign_in_again_lasts_a_day(world: World) -> None:
    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 *args: Any) -> Done:
        done = original(*args)
        session = app.state.backup.session
        if session is not None:
            session.signed_in_at = app.now - (world.rules.session_lifetime_s - 24 * 3600)
        return done

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)


@mutant("offline_lapse_never_marked", "REQ-STALE-02",
        "a recovery sign-in that lapses while the phone is offline never puts up the red "
        "dot: the app looks at the sign-in only when it changes something online")
def _offline_lapse_never_marked(world: World) -> None:
    seen: set[str] = set()  # phones that met their lapsed sign-in while online

    def _changed(app: Authenticator, original: Callable[[str], Done], message: str) -> Done:
        if app.state.backup.on and app.device.online and not app._session_valid():
            seen.add(app.device.id)
        return original(message)

    wrap_app(world, "_changed", _changed)
    for name in ("red_dot", "out_of_date"):
        override_app_property(world, name, lambda app, shown: shown and app.device.id in seen)


@mutant("second_lapse_never_marked", "REQ-STALE-02",
        "once the person has signed in again from the red dot, a later lapse of the recovery "
        "sign-in is never marked: uploads stop, but no red dot and no prompt")
def _second_lapse_never_marked(world: World) -> None:
    signed_in_again: set[str] = set()  # phones whose backup was brought up to date by hand

    def sign_in_to_update_backup(app: Authenticator, original: Callable[..., Done],
                                 *args: Any, **kwargs: Any) -> Done:
        done = original(*args, **kwargs)
        signed_in_again.add(app.device.id)
        return done

    wrap_app(world, "sign_in_to_update_backup", sign_in_to_update_backup)
    override_app_property(world, "out_of_date",
                          lambda app, value: value and app.device.id not in signed_in_again)
