"""Mutants of the codes each restored account gives (codes.feature)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    swapped,
    wrap,
    wrap_app,
)
from sim.app import PERSONAL, THIRD_PARTY, Authenticator
from sim.codes import TotpParams, secret_from_bytes
from sim.refusals import Done
from sim.world import World


def _fresh_params(world: World, like: TotpParams) -> TotpParams:
    return TotpParams(secret_from_bytes(world.rng.randbytes(20)), like.digits, like.period,
                      like.algorithm)


@mutant("msa_codes_identical", "REQ-CODES-01",
        "a new phone reuses the old phone's Microsoft account credential, so codes match")
def _msa_codes_identical(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        account = world.msa.find(username)
        if account is not None and token == account.account_token:
            others = [p for d, p in account.credentials.items() if d != device_id]
            if others:
                account.credentials[device_id] = others[0]
                return others[0]
        return original(username, token, device_id, rng, *rest)

    wrap(world.msa, "enroll_device", enroll_device)


def _share_old_credential(world: World, app: Authenticator, entry: Any) -> None:
    """Give ``entry`` (a personal account on ``app``'s phone) the credential another
    phone holds for the same account, as if the provider had enrolled it again."""
    account = world.msa.find(entry.username)
    others = [p for d, p in (account.credentials.items() if account else ())
              if d != app.device.id]
    if account is not None and others:
        account.credentials[app.device.id] = entry.params = others[0]


@mutant("later_msas_reuse_old_credential", "REQ-CODES-01",
        "the first personal Microsoft account restored gets a credential of its own; every "
        "later one reuses the old phone's, so its codes match")
def _later_msas_reuse_old_credential(world: World) -> None:
    restored: dict[str, int] = {}  # personal accounts restored so far, per phone

    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == PERSONAL and entry.params is not None:
            restored[app.device.id] = restored.get(app.device.id, 0) + 1
            if restored[app.device.id] > 1:
                _share_old_credential(world, app, entry)
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("verified_msa_reuses_old_credential", "REQ-CODES-01",
        "a personal account with sign-in notifications, once verified on the new phone, "
        "gets the old phone's code credential, so its codes match")
def _verified_msa_reuses_old_credential(world: World) -> None:
    def confirm_verification_code(app: Authenticator, original: Callable[..., Done],
                                  entry_id: str, code: str) -> Done:
        done = original(entry_id, code)
        entry = app._entry(entry_id)
        if entry.kind == PERSONAL and entry.params is not None:
            _share_old_credential(world, app, entry)
        return done

    wrap_app(world, "confirm_verification_code", confirm_verification_code)


@mutant("restored_msa_credential_broken", "REQ-CODES-02",
        "a restored personal Microsoft account without push gets a credential its provider "
        "never enrolled, so its codes are refused")
def _restored_msa_credential_broken(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done],
                       *args: Any, **kwargs: Any) -> Done:
        done = original(*args, **kwargs)
        for entry in app.state.entries:
            if entry.kind == PERSONAL and not entry.needs_verification and entry.params:
                entry.params = _fresh_params(world, entry.params)
        return done

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("old_phone_credential_revoked", "REQ-CODES-02",
        "enrolling a new phone for a Microsoft account revokes every other phone's credential")
def _old_phone_credential_revoked(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        params = original(username, token, device_id, rng, *rest)
        account = world.msa.find(username)
        if account is not None:
            account.credentials = {device_id: params}
        return params

    wrap(world.msa, "enroll_device", enroll_device)


@mutant("third_party_rekeyed", "REQ-CODES-03",
        "a restored third-party account gets a new random secret instead of the backed-up one")
def _third_party_rekeyed(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == THIRD_PARTY and entry.params is not None:
            entry.params = _fresh_params(world, entry.params)
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("msa_codes_six_digits", "REQ-CODES-04",
        "personal Microsoft account codes have 6 digits, not the 8 the simulator declares")
def _msa_codes_six_digits(world: World) -> None:
    def enroll_device(original: Callable[..., TotpParams], username: str, token: str,
                      device_id: str, rng: Any, *rest: Any) -> TotpParams:
        params = original(username, token, device_id, rng, *rest)
        short = TotpParams(params.secret, 6, params.period, params.algorithm)
        account = world.msa.find(username)
        if account is not None:
            account.credentials[device_id] = short
        return short

    wrap(world.msa, "enroll_device", enroll_device)


@mutant("drift_wider_than_declared", "REQ-CODES-04",
        "providers accept codes two time steps either side of now; the simulator declares 0")
def _drift_wider_than_declared(world: World) -> None:
    def accepts_code(original: Callable[..., bool], account_id: str, code: str,
                     device_id: str) -> bool:
        with swapped(world, "rules", dataclasses.replace(world.rules, drift_steps=2)):
            return original(account_id, code, device_id)

    wrap(world, "accepts_code", accepts_code)


@mutant("msa_code_accepted_from_any_phone", "REQ-CODES-02",
        "a personal account's code is accepted as any of its phones' although the "
        "simulator declares that a code works only with its own phone")
def _msa_code_accepted_from_any_phone(world: World) -> None:
    def accepts_code(original: Callable[..., bool], msa_id: str, device_id: str, code: str,
                     now: float, drift_steps: int = 0, any_phone: bool = False) -> bool:
        return original(msa_id, device_id, code, now, drift_steps, True)

    wrap(world.msa, "accepts_code", accepts_code)


@mutant("third_phone_evicts_the_first_credential", "REQ-CODES-02",
        "a personal account keeps credentials for two phones only: recovering on a third "
        "revokes the first phone's, so its codes are refused")
def _third_phone_evicts_the_first_credential(world: World) -> None:
    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        msa = world.msa.find(entry.username) if entry.kind == PERSONAL else None
        while msa is not None and len(msa.credentials) > 2:
            del msa.credentials[next(iter(msa.credentials))]
        return entry

    wrap_app(world, "_restore", _restore)


@mutant("verification_revokes_the_old_phone", "REQ-CODES-01",
        "verifying a restored personal account on the new phone revokes every other "
        "phone's credential for it, so the old phone's codes are refused")
def _verification_revokes_the_old_phone(world: World) -> None:
    def confirm_verification_code(app: Authenticator, original: Callable[..., Done],
                                  entry_id: str, code: str) -> Done:
        done = original(entry_id, code)
        entry = app._entry(entry_id)
        account = world.msa.find(entry.username) if entry.kind == PERSONAL else None
        if account is not None:
            account.credentials = {d: c for d, c in account.credentials.items()
                                   if d == app.device.id}
        return done

    wrap_app(world, "confirm_verification_code", confirm_verification_code)


@mutant("later_phones_share_the_first_new_credential", "REQ-CODES-01",
        "every phone a personal account is recovered on after the first new one gets that "
        "first new phone's credential, so the two new phones show the same codes")
def _later_phones_share_the_first_new_credential(world: World) -> None:
    first: dict[str, tuple[str, TotpParams]] = {}  # user name -> (phone, credential)

    def _restore(app: Authenticator, original: Callable[..., Any], account: Any) -> Any:
        entry = original(account)
        if entry.kind == PERSONAL and entry.params is not None:
            key = entry.username.lower()
            held = first.setdefault(key, (app.device.id, entry.params))
            msa = world.msa.find(entry.username)
            if held[0] != app.device.id and msa is not None:
                entry.params = held[1]
                msa.credentials[app.device.id] = held[1]
        return entry

    wrap_app(world, "_restore", _restore)
