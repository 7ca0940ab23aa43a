"""Properties of backup and recovery over generated sequences of operations.

* A refused recovery leaves the target phone exactly as it was (and the cloud too).
* A recovered phone has exactly the backed-up accounts, in the backed-up order.
* No plaintext secret, password, account token, backup key or device private key ever
  sits in a cloud store or crosses the network.

Runs are derandomized and keep no example database, so every run replays the same
programs; a failure prints the steps as a program a person can rerun.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Callable
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from authconform.port import FAULT_POINTS
from sim import World
from sim.app import PERSONAL, WORK
from sim.device import Platform
from sim.refusals import Code, Refusal
from tests.test_sim_faults import RECOVERY
from tests.test_sim_support import Scene, cloud_picture, picture, tiles

DAY = 24 * 3600
SETTINGS = settings(max_examples=50, stateful_step_count=30, deadline=None,
                    derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
ISSUERS = ["GitHub", "Google", "Dropbox", "Facebook", "Amazon"]
KINDS = ["site", "personal", "work"]


@lru_cache(maxsize=4096)
def _raw(b32: str) -> bytes:
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def forbidden(world: World) -> set[bytes]:
    """Every secret the world holds, as the bytes that must never be seen outside."""
    out: set[bytes] = set()

    def secret(b32: str) -> None:
        out.add(b32.encode())
        out.add(_raw(b32))

    for record in world.sites.accounts.values():
        secret(record.params.secret)
    for account in world.msa.accounts.values():
        out.add(account.password.encode())
        secret(account.account_token)
        for params in account.credentials.values():
            secret(params.secret)
    for apple in world.apple_ids.ids.values():
        out.add(apple.password.encode())
    for tenant in world.tenants.values():
        for user in tenant.users.values():
            out.add(user.password.encode())
        for registration in tenant.registrations.values():
            secret(registration.params.secret)
    for device in world.devices.values():
        out.update(device.push_keys.values())
    for state in world.apps.values():
        for entry in state.entries:
            if entry.params is not None:
                secret(entry.params.secret)
        if state.backup.key is not None:
            out.add(state.backup.key)
    out.update(record.key for record in world.keys.records.values())
    return out


class BackupAndRecovery(RuleBasedStateMachine):
    """One person's old phone, backed up, changed at will; new phones recover from it.

    ``candidates`` is the model: the account lists the cloud copy may hold. A confirmed
    upload narrows it to the phone's accounts; an unconfirmed one adds a possibility.
    ``None`` stands for "no backup to recover".
    """

    @initialize(platform=st.sampled_from(list(Platform)), seed=st.integers(0, 2**16),
                kinds=st.lists(st.sampled_from(KINDS), max_size=4))
    def start(self, platform: Platform, seed: int, kinds: list[str]) -> None:
        self.scene = Scene(platform, seed=seed)
        self.world = self.scene.world
        self.old = self.scene.backed_up_phone()
        self.candidates: list[list[tuple[str, str, str, str, bool]] | None] = [[]]
        self.checked_secrets: set[bytes] = set()
        self.checked_wire = 0
        for i, kind in enumerate(kinds):  # start with some accounts: recovery has work
            push = i % 2 == 1
            if kind == "site":
                self.add_site(ISSUERS[i], 6, 30, "SHA1")
            else:
                (self.add_personal if kind == "personal" else self.add_work)(push)

    # -- helpers
    def _attempt(self, action: Callable[[], object]) -> bool:
        """Run an app action; a refusal must leave the accounts as they were."""
        before = tiles(self.old)
        try:
            action()
        except Refusal:
            assert tiles(self.old) == before
            return False
        finally:
            self._track()
        return True

    def _track(self) -> None:
        backup = self.old.state.backup
        if not backup.on:
            return
        if backup.dirty:
            self.candidates.append(tiles(self.old))
        else:
            self.candidates = [tiles(self.old)]

    def _pick(self, index: int) -> str:
        entries = self.old.state.entries
        return entries[index % len(entries)].id

    def _has_entries(self) -> bool:
        return bool(self.old.state.entries)

    # -- changes on the old phone
    @rule(issuer=st.sampled_from(ISSUERS), digits=st.sampled_from([6, 7, 8]),
          period=st.sampled_from([30, 60]),
          algorithm=st.sampled_from(["SHA1", "SHA256", "SHA512"]))
    def add_site(self, issuer: str, digits: int, period: int, algorithm: str) -> None:
        self._attempt(lambda: self.scene.add_site(self.old, issuer, digits=digits,
                                                  period=period, algorithm=algorithm))

    @rule(push=st.booleans())
    def add_personal(self, push: bool) -> None:
        self._attempt(lambda: self.scene.add_msa(self.old, push=push))

    @rule(push=st.booleans())
    def add_work(self, push: bool) -> None:
        self._attempt(lambda: self.scene.add_work(self.old, push=push))

    @precondition(_has_entries)
    @rule(index=st.integers(0, 50),
          name=st.text(string.ascii_letters + " ", min_size=1, max_size=8))
    def rename(self, index: int, name: str) -> None:
        self._attempt(lambda: self.old.rename_account(self._pick(index), name))

    @precondition(lambda self: len(self.old.state.entries) >= 2)
    @rule(data=st.data())
    def reorder(self, data: st.DataObject) -> None:
        order = data.draw(st.permutations([e.id for e in self.old.state.entries]))
        self._attempt(lambda: self.old.reorder_accounts(order))

    @precondition(_has_entries)
    @rule(index=st.integers(0, 50))
    def remove(self, index: int) -> None:
        self._attempt(lambda: self.old.remove_account(self._pick(index)))

    # -- the world around it
    @rule(online=st.booleans())
    def network(self, online: bool) -> None:
        self.world.set_device_online(self.old.device.id, online)
        self._track()

    @rule(seconds=st.sampled_from([1, 3600, 30 * DAY, 91 * DAY]))
    def time_passes(self, seconds: int) -> None:
        self.world.clock.advance(seconds)

    @rule()
    def lapse(self) -> None:
        self.world.lapse_recovery_sign_in(self.scene.msa.id)

    @precondition(lambda self: self.old.state.backup.on)
    @rule()
    def sign_in_again(self) -> None:
        self._attempt(lambda: self.old.sign_in_to_update_backup(self.scene.msa.password))

    @rule(fault=st.sampled_from(FAULT_POINTS))
    def arm(self, fault: str) -> None:
        self.world.faults.arm(fault)

    @rule()
    def toggle_backup(self) -> None:
        """Turn backup off (deleting the cloud copy) if on, on again if off."""
        msa = self.scene.msa
        if self.old.state.backup.on:
            if self._attempt(self.old.turn_off_backup):
                self.candidates = [None]
            return
        turned_on = self._attempt(lambda: self.old.turn_on_backup(msa.username, msa.password))
        if turned_on and self.old.state.backup.dirty:  # the first upload may not be there
            self.candidates = [None, tiles(self.old)]

    # -- recovery onto a new phone
    @rule(existing=st.booleans())
    def recover(self, existing: bool) -> None:
        new = self.scene.phone()
        if existing:
            self.scene.add_site(new, "Existing")
        before, cloud = picture(new), cloud_picture(self.world)
        backup = self.old.state.backup
        should_work = (not existing and backup.on and not backup.dirty
                       and not set(self.world.faults.armed) & RECOVERY)
        try:
            self.scene.recover(new)
        except Refusal as refusal:
            assert not should_work, refusal
            assert picture(new) == before, "a refused recovery changed the phone"
            assert cloud_picture(self.world) == cloud
            if existing:
                assert refusal.code is Code.EXISTING_ACCOUNTS
            return
        assert not existing
        restored = tiles(new)
        assert restored in [c for c in self.candidates if c is not None]
        if should_work:
            assert restored == tiles(self.old)
        for entry in new.state.entries:
            assert entry.needs_verification is (entry.kind == WORK or (
                entry.kind == PERSONAL and entry.push))

    # -- after every step
    @invariant()
    def no_secret_in_the_cloud_or_on_the_wire(self) -> None:
        secrets = forbidden(self.world)
        fresh = secrets - self.checked_secrets
        wire = [t.payload for t in self.world.network.log]
        blobs = [blob.data for store in (self.world.icloud, self.world.microsoft_storage)
                 for blob in store.objects.values()]
        for data in wire[:self.checked_wire]:
            assert not any(s in data for s in fresh)
        for data in wire[self.checked_wire:] + blobs:
            leaked = [s for s in secrets if s in data]
            assert not leaked, f"secret {leaked[0]!r} seen in {data[:60]!r}"
        self.checked_secrets |= fresh
        self.checked_wire = len(wire)


TestBackupAndRecovery = BackupAndRecovery.TestCase
TestBackupAndRecovery.settings = SETTINGS


@SETTINGS
@given(platform=st.sampled_from(list(Platform)),
       backed_up=st.lists(st.sampled_from(ISSUERS), min_size=1, max_size=4, unique=True),
       on_target=st.lists(st.sampled_from(ISSUERS), max_size=3, unique=True),
       same=st.booleans())
def test_recovery_never_changes_existing_accounts(platform: Platform, backed_up: list[str],
                                                  on_target: list[str], same: bool) -> None:
    """Under either rule, accounts already on the phone are never changed: a refusal
    leaves the phone identical; under 'same' a recovery adds after them."""
    scene = Scene(platform, recovery_block="same" if same else "any")
    sites = {issuer: scene.site(issuer) for issuer in ISSUERS}
    old = scene.backed_up_phone()
    new = scene.phone()
    for app, issuers in ((old, backed_up), (new, on_target)):
        for issuer in issuers:
            p = sites[issuer].params
            app.enter_code_manually(issuer, sites[issuer].username, p.secret, p.digits,
                                    p.period, p.algorithm)
    existing = list(new.state.entries)
    before, cloud = picture(new), cloud_picture(scene.world)
    clash = set(backed_up) & set(on_target) if same else set(on_target)
    try:
        scene.recover(new)
    except Refusal as refusal:
        assert clash and refusal.code is Code.EXISTING_ACCOUNTS
        assert picture(new) == before and cloud_picture(scene.world) == cloud
        return
    assert not clash
    assert new.state.entries[:len(existing)] == before[0].entries  # untouched, in order
    assert tiles(new)[len(existing):] == tiles(old)
