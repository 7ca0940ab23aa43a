"""Mutants of recovery refused while accounts exist (existing_accounts.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.mutants.shared import added_by_scanning
from authconform.alterations.patching import (
    on_refusal,
    wrap_app,
)
from sim.app import PERSONAL, WORK, Authenticator
from sim.device import Platform
from sim.refusals import Code, Done, Refusal
from sim.world import World


@mutant("recovery_merges_existing", "REQ-EXISTING-01",
        "recovery goes ahead although accounts exist, merging the backup after them")
def _recovery_merges_existing(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        kept = list(app.state.entries)
        app.state.entries.clear()
        try:
            done = original(username, password)
        except Refusal:
            app.state.entries[:] = kept
            raise
        app.state.entries[:0] = kept
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("failed_attempt_lifts_existing_check", "REQ-EXISTING-01",
        "after a recovery refused at its sign-in, the next attempt on that phone counts as "
        "the same recovery resumed and merges the backup over the accounts it now holds")
def _failed_attempt_lifts_existing_check(world: World) -> None:
    _resumed_after(world, {Code.SIGN_IN_FAILED})


def _resumed_after(world: World, codes: set[Code], times: int = 1) -> None:
    """After ``times`` recoveries on a phone refused with one of ``codes``, the next
    attempt there counts as the same recovery resumed: it does not look at the accounts
    the phone holds and adds the backup after them."""
    refused: dict[str, int] = {}  # phone -> recoveries refused with one of the codes

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        resumed = refused.get(app.device.id, 0) >= times
        kept = list(app.state.entries) if resumed else []
        app.state.entries[:] = [e for e in app.state.entries if e not in kept]
        try:
            done = original(username, password)
        except Refusal as refusal:
            app.state.entries[:0] = kept
            if refusal.code in codes:
                refused[app.device.id] = refused.get(app.device.id, 0) + 1
            raise
        app.state.entries[:0] = kept
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("cut_recovery_lifts_existing_check", "REQ-EXISTING-01",
        "after a recovery cut off by the network, the next attempt on that phone counts as "
        "the same recovery resumed and adds the backup after the accounts it now holds")
def _cut_recovery_lifts_existing_check(world: World) -> None:
    _resumed_after(world, {Code.NETWORK_UNAVAILABLE, Code.SERVICE_UNAVAILABLE})


@mutant("third_attempt_lifts_existing_check", "REQ-EXISTING-01",
        "after two recoveries refused for the accounts a phone holds, the third goes ahead "
        "and adds the backup after them")
def _third_attempt_lifts_existing_check(world: World) -> None:
    _resumed_after(world, {Code.EXISTING_ACCOUNTS}, times=2)


def _blocking_only(world: World, counts: Callable[[Authenticator, Any], bool]) -> None:
    """Recovery looks only at the existing accounts ``counts(app, entry)`` accepts."""
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        ignored = [e for e in app.state.entries if not counts(app, e)]
        if not ignored:
            return original(username, password)
        kept = [e for e in app.state.entries if counts(app, e)]
        app.state.entries[:] = kept
        try:
            done = original(username, password)
        except Refusal:
            app.state.entries[:] = [*ignored, *kept]
            raise
        app.state.entries[:0] = ignored
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("work_account_does_not_block", "REQ-EXISTING-01",
        "a work or school account already in the app does not block recovery")
def _work_account_does_not_block(world: World) -> None:
    _blocking_only(world, lambda app, entry: entry.kind != WORK)


@mutant("only_personal_account_blocks", "REQ-EXISTING-01",
        "only a personal Microsoft account already in the app blocks recovery")
def _only_personal_account_blocks(world: World) -> None:
    _blocking_only(world, lambda app, entry: entry.kind == PERSONAL)


@mutant("waiting_accounts_do_not_block", "REQ-EXISTING-01",
        "restored accounts still waiting for verification do not count as accounts set up, "
        "so recovery runs again over them")
def _waiting_accounts_do_not_block(world: World) -> None:
    _blocking_only(world, lambda app, entry: not entry.needs_verification)


@mutant("refusal_deletes_existing", "REQ-EXISTING-02",
        "a recovery refused for existing accounts still deletes the first existing account")
def _refusal_deletes_existing(world: World) -> None:
    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.EXISTING_ACCOUNTS and app.state.entries:
            gone = app.state.entries.pop(0)
            app.device.push_keys.pop(gone.id, None)

    on_refusal(world, "begin_recovery", refused)


@mutant("existing_block_sticks", "REQ-EXISTING-03",
        "once refused for existing accounts, recovery stays refused after they are removed")
def _existing_block_sticks(world: World) -> None:
    blocked: set[str] = set()

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        if app.device.id in blocked:
            raise Refusal(Code.EXISTING_ACCOUNTS)
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code is Code.EXISTING_ACCOUNTS:
                blocked.add(app.device.id)
            raise

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("scanned_accounts_do_not_block", "REQ-EXISTING-01",
        "accounts added by scanning a QR code are not counted as existing accounts: "
        "recovery goes ahead and adds the backup after them")
def _scanned_accounts_do_not_block(world: World) -> None:
    scanned = added_by_scanning(world)
    _blocking_only(world, lambda app, entry: entry.id not in scanned)


@mutant("restart_lifts_existing_check", "REQ-EXISTING-01",
        "once the app has been closed and opened again, it does not count the accounts it "
        "holds: recovery goes ahead and adds the backup after them")
def _restart_lifts_existing_check(world: World) -> None:
    restarted: set[str] = set()

    def restart(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        restarted.add(app.device.id)

    wrap_app(world, "restart", restart)
    _blocking_only(world, lambda app, entry: app.device.id not in restarted)


@mutant("scanned_accounts_do_not_block_on_iphone", "REQ-EXISTING-01",
        "on an iPhone (the only phone of the 2019 profile), accounts added by scanning a QR "
        "code are not counted as existing accounts: recovery adds the backup after them")
def _scanned_accounts_do_not_block_on_iphone(world: World) -> None:
    scanned = added_by_scanning(world)
    _blocking_only(world, lambda app, entry: (app.device.platform is not Platform.IOS
                                              or entry.id not in scanned))
