"""Injected faults during backup and recovery.

Every fault point named by ``authconform.port.FAULT_POINTS`` is armed once and fires at
the next operation that reaches it. Whatever fires: no account is lost on the phone,
nothing is half-restored, the cloud holds the previous backup or the complete new one,
and trying again works.
"""

from __future__ import annotations

import pytest

from authconform.port import FAULT_POINTS
from sim.network import Faults
from sim.refusals import Code, Refusal
from tests.test_sim_support import (
    PLATFORMS,
    Scene,
    cloud_picture,
    cloud_tiles,
    picture,
    tiles,
)

# Which fault points each operation reaches (the others stay armed for later).
TURN_ON = {"network_drop_before_key_fetch", "key_service_unavailable",
           "network_drop_during_upload", "network_drop_after_upload", "store_write_fails",
           "store_write_lost", "store_corrupts_next_write"}
UPLOAD = {"network_drop_during_upload", "network_drop_after_upload", "store_write_fails",
          "store_write_lost", "store_corrupts_next_write"}
RECOVERY = {"network_drop_before_key_fetch", "network_drop_during_download",
            "network_drop_after_download", "key_service_unavailable",
            "recovery_sign_in_stale_before_key_release"}
# Faults where the upload reached the store in full although the app never heard so.
STORED_ANYWAY = {"network_drop_after_upload"}
# The store itself damages what it keeps: the two-phase upload notices before the swap,
# so the upload stays pending and the previous copy stays.
STORE_DAMAGES = {"store_corrupts_next_write"}

FAULTS = pytest.mark.parametrize("fault", FAULT_POINTS)


def test_fault_points_are_the_ones_the_sim_knows() -> None:
    assert set(FAULT_POINTS) == TURN_ON | UPLOAD | RECOVERY


def test_faults_fire_once_each() -> None:
    faults = Faults()
    faults.arm("store_write_fails")
    faults.arm("store_write_fails")
    assert not faults.fire("store_write_lost")
    assert faults.fire("store_write_fails") and faults.fire("store_write_fails")
    assert not faults.fire("store_write_fails")
    faults.arm("store_write_lost")
    faults.clear()
    assert faults.armed == []


def _check_cloud(scene: Scene, app, previous: bytes | None, fault: str) -> str:
    """The cloud holds the previous copy byte for byte, or the complete new one."""
    blob = scene.blob()
    if blob == previous:
        return "previous"
    if fault in STORE_DAMAGES:
        assert app.state.backup.dirty  # the app knows its copy is not in the cloud
        assert any(code == "BACKUP_PENDING" for code, _ in app.alerts())
        return "damaged"
    assert cloud_tiles(scene, app) == tiles(app)
    return "new"


@PLATFORMS
@FAULTS
def test_fault_while_turning_backup_on(platform, fault: str) -> None:
    scene = Scene(platform)
    world = scene.world
    app = scene.phone()
    scene.add_site(app, "GitHub")
    scene.add_msa(app, push=True)
    accounts = tiles(app)
    world.faults.arm(fault)
    try:
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    except Refusal as refusal:
        assert refusal.code in {Code.NETWORK_UNAVAILABLE, Code.SERVICE_UNAVAILABLE}
        assert not app.state.backup.on and world.keys.records == {}
    assert (fault in world.faults.armed) is (fault not in TURN_ON)
    assert tiles(app) == accounts
    outcome = _check_cloud(scene, app, None, fault)
    if app.state.backup.on:  # on, but pending unless the new copy is confirmed
        assert app.state.backup.dirty is (outcome != "new" or fault in STORED_ANYWAY)
    # Try again: turn it on if it is off, otherwise the phone retries by itself.
    world.faults.clear()
    if app.state.backup.on:
        world.set_device_online(app.device.id, True)
    else:
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert app.state.backup.on and not app.state.backup.dirty
    assert cloud_tiles(scene, app) == accounts


@PLATFORMS
@FAULTS
def test_fault_during_an_automatic_upload(platform, fault: str) -> None:
    scene = Scene(platform)
    world = scene.world
    app = scene.backed_up_phone()
    scene.add_site(app, "GitHub")
    previous = scene.blob()
    world.faults.arm(fault)
    scene.add_site(app, "Google")  # the change itself never fails
    assert [t[1] for t in tiles(app)] == ["GitHub", "Google"]
    assert (fault in world.faults.armed) is (fault not in UPLOAD)
    outcome = _check_cloud(scene, app, previous, fault)
    if fault in UPLOAD - STORED_ANYWAY - STORE_DAMAGES:
        assert outcome == "previous"
    if fault in STORED_ANYWAY:
        assert outcome == "new" and app.state.backup.dirty
    if fault not in UPLOAD:
        assert outcome == "new" and not app.state.backup.dirty
    world.faults.clear()
    world.set_device_online(app.device.id, True)  # the phone retries
    assert not app.state.backup.dirty
    assert cloud_tiles(scene, app) == tiles(app)


@PLATFORMS
def test_damaged_write_leaves_the_previous_backup_intact(platform) -> None:
    """A damaged write is caught by the read-back before the swap: the cloud keeps the
    previous copy (without the new account) and the phone retries later."""
    scene = Scene(platform)
    world = scene.world
    old = scene.backed_up_phone()
    scene.add_site(old, "GitHub")
    previous = tiles(old)
    world.faults.arm("store_corrupts_next_write")
    scene.add_site(old, "Google")
    assert old.state.backup.dirty
    new = scene.phone()
    assert scene.recover(new).code is Code.OK and tiles(new) == previous
    old.retry_backup()
    assert not old.state.backup.dirty
    newer = scene.phone()
    assert scene.recover(newer).code is Code.OK and tiles(newer) == tiles(old)


@PLATFORMS
@FAULTS
def test_fault_during_recovery(platform, fault: str) -> None:
    scene = Scene(platform)
    world = scene.world
    old = scene.backed_up_phone()
    scene.add_site(old, "GitHub")
    scene.add_msa(old, push=False)
    scene.add_work(old, push=True)
    new = scene.phone()
    before, cloud = picture(new), cloud_picture(world)
    world.faults.arm(fault)
    try:
        scene.recover(new)
    except Refusal as refusal:
        assert fault in RECOVERY
        expected = (Code.SIGN_IN_FAILED if fault == "recovery_sign_in_stale_before_key_release"
                    else {Code.NETWORK_UNAVAILABLE, Code.SERVICE_UNAVAILABLE})
        assert refusal.code in (expected if isinstance(expected, set) else {expected})
        assert picture(new) == before  # nothing half-restored
    else:
        assert fault not in RECOVERY
        assert tiles(new) == tiles(old)
    assert cloud_picture(world) == cloud  # recovery never writes to the cloud
    assert (fault in world.faults.armed) is (fault not in RECOVERY)
    world.faults.clear()
    if not new.state.entries:
        assert scene.recover(new).code is Code.OK  # try again
    assert tiles(new) == tiles(old)
    assert [e.needs_verification for e in new.state.entries] == [False, False, True]
