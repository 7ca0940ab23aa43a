"""Recovery onto a new phone, and every documented reason it is refused.

000/002 "To recover your information"; 000/002 troubleshooting: changing operating
systems, network or password problems, account problems (same Apple ID), accidental
deletion, existing accounts in the app.
"""

from __future__ import annotations

import pytest

from sim import crypto
from sim.app import PERSONAL, THIRD_PARTY, WORK
from sim.backup import BackupPayload
from sim.device import Platform
from sim.refusals import Code
from sim.stores import BACKUP_NAME, StoreKind
from tests.test_sim_support import (
    PLATFORMS,
    Scene,
    cloud_picture,
    cloud_tiles,
    entry_by,
    picture,
    refused,
    tiles,
)


def _full_backup(platform: Platform, **scene_kwargs: object):
    """An old phone holding every kind of account, renamed, reordered and backed up."""
    scene = Scene(platform, **scene_kwargs)  # type: ignore[arg-type]
    old = scene.backed_up_phone()
    scene.add_site(old, "GitHub")
    scene.add_site(old, "Google", digits=8, period=60, algorithm="SHA256")
    scene.add_msa(old, push=False)
    scene.add_msa(old, push=True)
    scene.add_work(old, push=True)
    scene.add_work(old, push=False)
    old.rename_account(old.state.entries[1].id, "Mail")
    old.reorder_accounts([e.id for e in reversed(old.state.entries)])
    old.state.settings["app_lock"] = False
    old.state.settings["theme"] = "dark"
    old.rename_account(old.state.entries[0].id, "Work")  # one more change: uploads settings
    assert not old.state.backup.dirty
    return scene, old


@PLATFORMS
def test_recovery_restores_exactly_the_backed_up_accounts_in_order(platform) -> None:
    scene, old = _full_backup(platform)
    new = scene.phone()
    done = scene.recover(new)
    assert done.code is Code.OK
    assert tiles(new) == tiles(old) == cloud_tiles(scene, old)
    assert new.state.settings == {"app_lock": False, "theme": "dark"}
    pending = {(e.kind, e.push) for e in new.state.entries if e.needs_verification}
    assert pending == {(PERSONAL, True), (WORK, True), (WORK, False)}
    assert "3 need additional verification" in done.message
    assert any(code == "VERIFICATION_NEEDED" for code, _ in new.alerts())
    for entry in new.state.entries:
        code = new.current_code(entry.id)
        assert (code is None) is entry.needs_verification
        if entry.kind == THIRD_PARTY:
            assert code == old.current_code(entry_by(old, entry.username).id)
    # The new phone goes on backing up to the same place with the same recovery account.
    assert new.state.backup.on and not new.state.backup.dirty
    assert new.state.backup.recovery_username == scene.msa.username
    new.remove_account(new.state.entries[0].id)
    assert cloud_tiles(scene, new) == tiles(new)


@PLATFORMS
def test_recovery_refused_while_any_account_exists(platform) -> None:
    scene, _ = _full_backup(platform)
    new = scene.phone()
    scene.add_site(new, "Dropbox")  # not even in the backup
    before, cloud = picture(new), cloud_picture(scene.world)
    traffic = len(scene.world.network.log)
    with refused(Code.EXISTING_ACCOUNTS):
        scene.recover(new)
    assert picture(new) == before and cloud_picture(scene.world) == cloud
    assert len(scene.world.network.log) == traffic  # refused before any call
    new.remove_account(new.state.entries[0].id)  # remove it, then recovery works
    assert scene.recover(new).code is Code.OK


@PLATFORMS
def test_same_account_rule_refuses_only_an_account_already_in_the_app(platform) -> None:
    scene, old = _full_backup(platform, recovery_block="same")
    clash = scene.phone()
    site = next(e for e in old.state.entries if e.kind == THIRD_PARTY)
    record = next(r for r in scene.world.sites.accounts.values()
                  if r.username == site.username)
    p = record.params
    clash.enter_code_manually(record.issuer, record.username, p.secret, p.digits, p.period,
                              p.algorithm)
    before, cloud = picture(clash), cloud_picture(scene.world)
    with refused(Code.EXISTING_ACCOUNTS):
        scene.recover(clash)
    assert picture(clash) == before and cloud_picture(scene.world) == cloud

    other = scene.phone()
    scene.add_site(other, "Dropbox")
    kept = tiles(other)
    assert scene.recover(other).code is Code.OK
    assert tiles(other) == kept + tiles(old)
    # The account kept from before is in the cloud copy too.
    assert cloud_tiles(scene, other) == tiles(other)


@PLATFORMS
def test_switching_operating_systems(platform) -> None:
    scene, _ = _full_backup(platform)
    other = Platform.ANDROID if platform is Platform.IOS else Platform.IOS
    new = scene.phone(other)
    before = picture(new)
    with refused(Code.BACKUP_ON_OTHER_PLATFORM):
        scene.recover(new)
    assert picture(new) == before


def test_iphone_signed_in_to_another_apple_id() -> None:
    scene, _ = _full_backup(Platform.IOS)
    other = scene.world.create_apple_id(scene.person)
    new = scene.phone(apple_username=other.username, apple_password=other.password)
    with refused(Code.BACKUP_IN_OTHER_ICLOUD):
        scene.recover(new)
    assert new.state.entries == [] and not new.state.backup.on
    scene.world.sign_in_to_icloud(new.device.id, scene.apple.username, scene.apple.password)
    assert scene.recover(new).code is Code.OK


def test_iphone_without_icloud() -> None:
    scene, _ = _full_backup(Platform.IOS)
    new = scene.phone(icloud=False)
    with refused(Code.ICLOUD_SIGN_IN_REQUIRED):
        scene.recover(new)
    assert new.state.entries == []


@PLATFORMS
def test_backup_deleted_through_storage_management(platform) -> None:
    scene, _ = _full_backup(platform)
    kind = StoreKind.ICLOUD if platform is Platform.IOS else StoreKind.MICROSOFT
    wrong = StoreKind.MICROSOFT if kind is StoreKind.ICLOUD else StoreKind.ICLOUD
    assert not scene.world.delete_backup(wrong, scene.location)
    assert scene.world.delete_backup(kind, scene.location.upper())
    assert not scene.world.delete_backup(kind, scene.location)
    new = scene.phone()
    with refused(Code.BACKUP_DELETED):
        scene.recover(new)
    assert new.state.entries == []


@PLATFORMS
def test_backup_deleted_by_turning_it_off_on_the_old_phone(platform) -> None:
    scene, old = _full_backup(platform)
    old.turn_off_backup()
    new = scene.phone()
    with refused(Code.BACKUP_DELETED):
        scene.recover(new)
    assert new.state.entries == []


@PLATFORMS
def test_other_microsoft_account_never_backed_up(platform) -> None:
    scene, _ = _full_backup(platform)
    stranger = scene.world.create_msa(scene.person)
    new = scene.phone()
    with refused(Code.NO_BACKUP_FOUND):
        new.begin_recovery(stranger.username, stranger.password)
    assert new.state.entries == [] and not new.state.backup.on


@PLATFORMS
def test_wrong_password_and_work_account(platform) -> None:
    scene, _ = _full_backup(platform)
    new = scene.phone()
    with refused(Code.SIGN_IN_FAILED):
        new.begin_recovery(scene.msa.username, "not the password")
    _, user = scene.work_user()
    with refused(Code.NOT_A_PERSONAL_ACCOUNT):
        new.begin_recovery(user.username, user.password)
    assert new.state.entries == []
    assert scene.recover(new).code is Code.OK


@PLATFORMS
@pytest.mark.parametrize("outage", ["device offline", "key service", "store", "msa"])
def test_network_down_restores_nothing_and_retry_works(platform, outage: str) -> None:
    scene, old = _full_backup(platform)
    world = scene.world
    new = scene.phone()
    service = {"key service": "key-service", "store": scene.store.kind.service,
               "msa": "msa"}.get(outage)
    if service is None:
        world.set_device_online(new.device.id, False)
    else:
        world.network.set_service_online(service, False)
    before, cloud = picture(new), cloud_picture(world)
    with refused(Code.NETWORK_UNAVAILABLE if service is None else Code.SERVICE_UNAVAILABLE):
        scene.recover(new)
    assert picture(new) == before and cloud_picture(world) == cloud
    if service is None:
        world.set_device_online(new.device.id, True)
    else:
        world.network.set_service_online(service, True)
    assert scene.recover(new).code is Code.OK
    assert tiles(new) == tiles(old)


def _tamper(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x40
    return bytes(flipped)


@PLATFORMS
@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "garbage", "appended"])
def test_damaged_backup_restores_nothing(platform, damage: str) -> None:
    scene, _ = _full_backup(platform)
    blob = scene.store.objects[(scene.location.lower(), BACKUP_NAME)]
    blob.data = {"flipped byte": _tamper, "truncated": lambda d: d[:-10],
                 "garbage": lambda d: b"ACB1" + b"\x00" * 64,
                 "appended": lambda d: d + b"\x00"}[damage](blob.data)
    new = scene.phone()
    before = picture(new)
    with refused(Code.BACKUP_DAMAGED):
        scene.recover(new)
    assert picture(new) == before


@PLATFORMS
def test_sealed_but_unreadable_backup_is_damaged(platform) -> None:
    scene, old = _full_backup(platform)
    key = old.state.backup.key
    assert key is not None
    for plaintext in (b'{"format": 2, "accounts": []}', b"[]", b"not json",
                      b'{"format": 1, "made_on": "ios", "made_at": 0, "settings": {},'
                      b' "accounts": [{"kind": "personal"}]}'):
        blob = crypto.seal(key, plaintext, old._aad(scene.location), scene.world.rng)
        scene.store.objects[(scene.location.lower(), BACKUP_NAME)].data = blob
        new = scene.phone()
        with refused(Code.BACKUP_DAMAGED):
            scene.recover(new)
        assert new.state.entries == []


def test_payload_round_trip() -> None:
    _, old = _full_backup(Platform.ANDROID)
    payload = old._payload()
    assert BackupPayload.from_bytes(payload.to_bytes()) == payload


def test_key_release_needs_a_fresh_sign_in_of_the_recovery_account() -> None:
    scene, _ = _full_backup(Platform.IOS)
    world, msa = scene.world, scene.msa
    session = world.msa.sign_in(msa.username, msa.password, world.clock.now())
    freshness = world.rules.key_release_freshness_s
    assert world.keys.release(msa.username, session, world.clock.now(), freshness)
    with refused(Code.SIGN_IN_FAILED):
        world.keys.release(msa.username, session, world.clock.now() + freshness + 1,
                           freshness)
    other = world.create_msa(scene.person)
    stranger = world.msa.sign_in(other.username, other.password, world.clock.now())
    with refused(Code.SIGN_IN_FAILED):
        world.keys.release(msa.username, stranger, world.clock.now(), freshness)
    world.lapse_recovery_sign_in(msa.id)
    with refused(Code.SIGN_IN_FAILED):
        world.keys.release(msa.username, session, world.clock.now(), freshness)
    with refused(Code.NO_BACKUP_FOUND):
        world.keys.release(other.username, stranger, world.clock.now(), freshness)
