"""The world as a whole: seeded replay, the clock, pickling and the snapshot."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from sim import World
from sim.clock import EPOCH, ManualClock, SystemClock
from sim.device import Platform
from sim.refusals import Code
from tests.test_sim_support import Scene, entry_by, tiles


def _story(world: World) -> dict[str, Any]:
    """A bit of everything, on both platforms; returns all that a run produced."""
    out: dict[str, Any] = {"usernames": [], "codes": []}
    for platform in Platform:
        scene = Scene(platform, world=world)
        old = scene.backed_up_phone()
        site = scene.add_site(old, "GitHub")
        msa = scene.add_msa(old, push=True)
        tenant, user = scene.add_work(old, push=True)
        world.clock.advance(45)
        new = scene.phone()
        scene.recover(new)
        new.sign_in_to_recover(entry_by(new, msa.username).id, msa.password, "email")
        new.confirm_verification_code(entry_by(new, msa.username).id, world.outbox[-1].code)
        png = world.issue_activation(user.id)[4]
        new.scan_qr_to_recover(entry_by(new, user.username).id, png)
        new.approve_push(world.request_push(msa.id))
        out["usernames"] += [scene.msa.username, scene.apple.username, msa.username,
                             msa.alternate_email, msa.alternate_phone, user.username,
                             site.username, tenant.domain, world.people[scene.person]]
        out["codes"] += [app.current_code(e.id) for app in (old, new)
                         for e in app.state.entries]
    out["snapshot"] = world.snapshot()
    out["stored"] = {(s.kind, k): b.data for s in (world.icloud, world.microsoft_storage)
                     for k, b in s.objects.items()}
    out["traffic"] = [(t.device_id, t.service, t.operation, t.payload, t.at)
                      for t in world.network.log]
    out["outbox"] = [(m.to, m.code) for m in world.outbox]
    return out


def test_same_seed_same_world() -> None:
    first, second = _story(World(seed=42)), _story(World(seed=42))
    assert first == second
    assert all(c is not None for c in first["codes"])


def test_different_seeds_differ() -> None:
    first, second = _story(World(seed=1)), _story(World(seed=2))
    for key in ("usernames", "codes", "stored", "outbox"):
        assert first[key] != second[key], key
    assert first["snapshot"] != second["snapshot"]


def test_snapshot_is_json_and_names_only() -> None:
    world = World(seed=5)
    _story(world)
    text = json.dumps(world.snapshot())
    for account in world.msa.accounts.values():
        assert account.password not in text and account.account_token not in text
    for record in world.sites.accounts.values():
        assert record.params.secret not in text
    snapshot = world.snapshot()
    assert snapshot["seed"] == 5 and snapshot["profile"] == "current"
    assert snapshot["now"] == world.clock.now()


# ---------------------------------------------------------------- the clock


def test_manual_clock_starts_at_the_epoch_and_only_moves_forward() -> None:
    clock = ManualClock()
    assert clock.now() == EPOCH == World().clock.now()
    clock.advance(1.5)
    assert clock.now() == EPOCH + 1.5
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        SystemClock().advance(-1)


def test_system_clock_follows_freezegun() -> None:
    start = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    with freeze_time(start) as frozen:
        world = World(clock=SystemClock())
        assert world.clock.now() == start.timestamp()
        scene = Scene(world=world)
        app = scene.backed_up_phone()
        site = scene.add_site(app)
        entry = app.state.entries[0]
        code = app.current_code(entry.id)
        assert code == site.params.code_at(start.timestamp())
        assert world.accepts_code(site.id, code, app.device.id)
        frozen.tick(timedelta(seconds=30))
        assert world.clock.now() == start.timestamp() + 30
        assert app.current_code(entry.id) == site.params.code_at(start.timestamp() + 30)
        assert not world.accepts_code(site.id, code, app.device.id)
        world.clock.advance(60)  # an offset on top of the frozen time
        assert world.clock.now() == start.timestamp() + 90
        frozen.tick(timedelta(days=90))
        assert app.red_dot  # the recovery sign-in lapsed by freezegun's time


# ---------------------------------------------------------------- pickling


def _half_way(seed: int, clock: Any = None) -> tuple[World, dict[str, str]]:
    """A world stopped in the middle of a recovery that still needs verification."""
    world = World(seed=seed, clock=clock)
    scene = Scene(Platform.IOS, world=world)
    old = scene.backed_up_phone()
    scene.add_site(old, "GitHub")
    msa = scene.add_msa(old, push=True)
    _, user = scene.add_work(old, push=True)
    new = scene.phone()
    scene.recover(new)
    new.sign_in_to_recover(entry_by(new, msa.username).id, msa.password, "phone")
    return world, {"old": old.device.id, "new": new.device.id, "msa": msa.username,
                   "msa_id": msa.id, "user": user.username, "user_id": user.id,
                   "person": scene.person}


def _finish(world: World, ids: dict[str, str]) -> dict[str, Any]:
    old, new = world.app(ids["old"]), world.app(ids["new"])
    pending = entry_by(new, ids["msa"])
    assert new.confirm_verification_code(pending.id, world.outbox[-1].code).code is Code.OK
    png = world.issue_activation(ids["user_id"])[4]
    assert new.scan_qr_to_recover(entry_by(new, ids["user"]).id, png).code is Code.OK
    assert new.approve_push(world.request_push(ids["msa_id"])).code is Code.OK
    assert old.approve_push(world.request_push(ids["user_id"])).code is Code.OK
    world.clock.advance(30)
    codes = {}
    for app in (old, new):
        for entry in app.state.entries:
            code = app.current_code(entry.id)
            assert code is not None
            codes[(app.device.id, entry.username)] = code
    new.remove_account(new.state.entries[0].id)  # uploads
    # New identities go on from where the names left off.
    person = world.create_person()[0]
    names = [world.create_msa(person).username, world.create_apple_id(person).username,
             world.create_tenant().domain]
    return {"codes": codes, "tiles": (tiles(old), tiles(new)), "names": names,
            "snapshot": world.snapshot(), "stored": dict(world.icloud.objects)}


@pytest.mark.parametrize("clock", ["manual", "system"])
def test_a_world_pickles_and_keeps_behaving(clock: str) -> None:
    def make() -> Any:
        return ManualClock() if clock == "manual" else SystemClock()

    with freeze_time("2032-01-01"):
        plain, ids = _half_way(9, make())
        twin, twin_ids = _half_way(9, make())
        restored = pickle.loads(pickle.dumps(twin))
        assert ids == twin_ids
        assert restored.snapshot() == plain.snapshot()
        assert _finish(restored, ids) == _finish(plain, ids)


def test_a_restored_world_does_not_reuse_names() -> None:
    world = World(seed=3)
    person = world.create_person()[0]
    tenant = world.create_tenant()
    before = {world.create_work_user(tenant.id, person).username for _ in range(3)}
    restored = pickle.loads(pickle.dumps(world))
    after = {restored.create_work_user(tenant.id, person).username for _ in range(3)}
    assert not before & after
    assert len(restored.tenant(tenant.id).users) == 6


def test_many_work_users_in_one_tenant_are_all_kept() -> None:
    for seed in range(3):
        world = World(seed=seed)
        person = world.create_person()[0]
        tenant = world.create_tenant()
        users = [world.create_work_user(tenant.id, person) for _ in range(250)]
        assert len(tenant.users) == 250
        assert all(world.work_user(u.id)[1] is u for u in users)


def test_unknown_handles_are_key_errors() -> None:
    world = World()
    for call in (lambda: world.device("device-404"), lambda: world.tenant("tenant-404"),
                 lambda: world.work_user("work-404"), lambda: world.create_msa("person-404"),
                 lambda: world.lapse_recovery_sign_in("msa-404")):
        with pytest.raises(KeyError):
            call()


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_the_faster_faker_draws_exactly_what_faker_draws(seed: int) -> None:
    """sim/names.py hands Faker's weighted tables to random.choices as running totals,
    and loads only the providers the world draws from: the same people, addresses and
    companies from the same seed as a plain ``Faker()``, only sooner."""
    import random

    from faker import Faker

    from sim.names import fast_faker

    def draws(fake: Faker) -> list[str]:
        fake.random = random.Random(seed)
        out: list[str] = []
        for _ in range(40):
            out += [fake.name(), fake.email(), fake.free_email(), fake.user_name(),
                    fake.company(), fake.password(length=14),
                    fake.numerify("+1 555 ### ####")]
        return out

    assert draws(fast_faker()) == draws(Faker())
