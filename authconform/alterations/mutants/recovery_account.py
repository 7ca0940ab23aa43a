"""Mutants of the recovery account and its storage locations (recovery_account.feature)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    on_refusal,
    swapped,
    wrap,
    wrap_app,
)
from sim.app import PERSONAL, Authenticator, location_fingerprint
from sim.device import Platform
from sim.keyservice import KeyRecord
from sim.msa import Msa
from sim.refusals import Code, Done, Refusal
from sim.world import World


@mutant("work_account_as_recovery", "REQ-RECOVACCT-01",
        "a work or school account is accepted as the recovery account when turning backup on")
def _work_account_as_recovery(world: World) -> None:
    def turn_on_backup(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        tenant = world.tenant_of_user(username)
        if tenant is None:
            return original(username, password)
        user = tenant.users[username.strip().lower()]
        if world.msa.find(username) is None:
            world.msa.add(Msa(f"shadow-{user.id}", user.person_id, user.username,
                              user.password, None, None, account_token="shadow"))
        with swapped(world, "tenant_of_user", lambda name: None):
            return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)


@mutant("old_pairing_still_recovers", "REQ-RECOVACCT-02",
        "after a Microsoft account pairs with a new storage location, the old one still recovers")
def _old_pairing_still_recovers(world: World) -> None:
    history: dict[str, list[KeyRecord]] = {}

    def put(original: Callable[..., None], username: str, record: KeyRecord) -> None:
        previous = world.keys.lookup(username)
        if previous is not None and previous is not record:
            history.setdefault(username.lower(), []).append(previous)
        original(username, record)

    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       username: str, password: str) -> Done:
        try:
            return original(username, password)
        except Refusal as refusal:
            if refusal.code not in (Code.BACKUP_IN_OTHER_ICLOUD, Code.BACKUP_ON_OTHER_PLATFORM):
                raise
            device = app.device
            location = device.apple_id if device.platform is Platform.IOS else username
            here = location_fingerprint(location or "")
            old = next((r for r in reversed(history.get(username.strip().lower(), []))
                        if r.platform == device.platform.value and r.location == here
                        and not r.deleted), None)
            if old is None:
                raise
        with swapped(world.keys, "lookup", lambda name: old):
            return original(username, password)

    wrap(world.keys, "put", put)
    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("second_pairing_refused_loses_first", "REQ-RECOVACCT-02",
        "declares that a second pairing is refused, refuses it, but loses the first "
        "location's backup key while doing so")
def _second_pairing_refused_loses_first(world: World) -> None:
    world.rules = dataclasses.replace(world.rules, second_pairing="refused")

    def refused(app: Authenticator, original: Callable[..., Done], refusal: Refusal,
                username: str, password: str) -> None:
        if refusal.code is Code.RECOVERY_ACCOUNT_IN_USE:
            record = world.keys.lookup(username)
            if record is not None:
                record.deleted = True

    on_refusal(world, "turn_on_backup", refused)


@mutant("backup_paired_with_the_app_account", "REQ-RECOVACCT-02",
        "turning backup on pairs it with the personal Microsoft account already in the app, "
        "not with the account Alex signed in with")
def _backup_paired_with_the_app_account(world: World) -> None:
    def turn_on_backup(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        tile = next((e for e in app.state.entries if e.kind == PERSONAL), None)
        account = world.msa.find(tile.username) if tile is not None else None
        if account is not None and account.username.lower() != username.strip().lower():
            world.msa.sign_in(username, password, app.now)  # what was typed is checked
            return original(account.username, account.password)
        return original(username, password)

    wrap_app(world, "turn_on_backup", turn_on_backup)
