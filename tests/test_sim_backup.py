"""Turning backup on and off, automatic uploads, and the out-of-date backup.

000 "Back up your account credentials" / 002 "Back up your account credentials": a
personal Microsoft account as the recovery account and, on iOS, iCloud as the storage
location. 000 troubleshooting "Backup is out-of-date": a red dot until the recovery
account is signed in again.
"""

from __future__ import annotations

import json

import pytest

from sim import crypto
from sim.app import BACKUP_SETTING, PERSONAL, THIRD_PARTY, WORK
from sim.device import Platform
from sim.refusals import Code
from sim.stores import BACKUP_NAME
from tests.test_sim_support import (
    PLATFORMS,
    Scene,
    cloud_payload,
    cloud_tiles,
    refused,
    tiles,
)

DAY = 24 * 3600


# ---------------------------------------------------------------- turning it on


@PLATFORMS
def test_turn_on_with_a_personal_account_uploads_to_the_platform_store(platform) -> None:
    scene = Scene(platform)
    app = scene.phone()
    scene.add_site(app)
    done = app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert done.code is Code.OK
    assert app.state.backup.on and not app.state.backup.dirty
    assert app.state.backup.recovery_username == scene.msa.username
    own = scene.world.store_for(platform)
    other = scene.world.microsoft_storage if platform is Platform.IOS else scene.world.icloud
    assert list(own.objects) == [(scene.location.lower(), BACKUP_NAME)]
    assert other.objects == {}
    assert cloud_tiles(scene, app) == tiles(app)
    record = scene.world.keys.lookup(scene.msa.username)
    assert record is not None and record.platform == platform.value and not record.deleted
    assert BACKUP_SETTING[platform] == {Platform.IOS: "iCloud backup",
                                        Platform.ANDROID: "Cloud backup"}[platform]


def test_android_needs_no_icloud() -> None:
    scene = Scene(Platform.ANDROID)
    app = scene.phone(icloud=False)
    app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert app.state.backup.on and app.state.backup.location == scene.msa.username


def test_iphone_without_icloud_is_refused() -> None:
    scene = Scene(Platform.IOS)
    app = scene.phone(icloud=False)
    with refused(Code.ICLOUD_SIGN_IN_REQUIRED):
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert not app.state.backup.on and scene.world.icloud.objects == {}


def test_icloud_sign_in_rules() -> None:
    scene = Scene(Platform.IOS)
    iphone, android = scene.phone(icloud=False), scene.phone(Platform.ANDROID)
    with refused(Code.SIGN_IN_FAILED):
        scene.world.sign_in_to_icloud(android.device.id, scene.apple.username,
                                      scene.apple.password)
    with refused(Code.SIGN_IN_FAILED):
        scene.world.sign_in_to_icloud(iphone.device.id, scene.apple.username, "wrong")
    assert iphone.device.apple_id is None
    scene.world.sign_in_to_icloud(iphone.device.id, scene.apple.username.upper(),
                                  scene.apple.password)
    assert iphone.device.apple_id == scene.apple.username


@PLATFORMS
def test_work_account_cannot_be_the_recovery_account(platform) -> None:
    scene = Scene(platform)
    app = scene.phone()
    _, user = scene.work_user()
    with refused(Code.NOT_A_PERSONAL_ACCOUNT):
        app.turn_on_backup(user.username, user.password)
    assert not app.state.backup.on
    assert scene.world.keys.records == {}


@PLATFORMS
@pytest.mark.parametrize("who", ["wrong password", "unknown user"])
def test_bad_sign_in_is_refused(platform, who: str) -> None:
    scene = Scene(platform)
    app = scene.phone()
    username = scene.msa.username if who == "wrong password" else "nobody@outlook.example"
    with refused(Code.SIGN_IN_FAILED):
        app.turn_on_backup(username, "wrong password")
    assert not app.state.backup.on and scene.store.objects == {}


@PLATFORMS
def test_already_on_is_refused(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    before = scene.blob()
    with refused(Code.BACKUP_ALREADY_ON):
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert scene.blob() == before


@PLATFORMS
def test_turn_on_offline_changes_nothing(platform) -> None:
    scene = Scene(platform)
    app = scene.phone()
    scene.world.set_device_online(app.device.id, False)
    with refused(Code.NETWORK_UNAVAILABLE):
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert not app.state.backup.on and scene.world.keys.records == {}


# ---------------------------------------------------------------- automatic upload


@PLATFORMS
def test_every_change_is_uploaded_without_asking(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    world = scene.world

    def uploaded() -> None:
        assert not app.state.backup.dirty
        assert cloud_tiles(scene, app) == tiles(app)
        assert scene.store.objects[(scene.location.lower(), BACKUP_NAME)].updated_at == (
            world.clock.now())
        world.clock.advance(1)

    assert cloud_tiles(scene, app) == []
    site = scene.add_site(app, "GitHub")
    uploaded()
    scene.add_site(app, "Google", digits=8, algorithm="SHA512")
    uploaded()
    scene.add_msa(app, push=True)
    uploaded()
    scene.add_work(app, push=False)
    uploaded()
    first = app.state.entries[0].id
    app.rename_account(first, "  My code host  ")
    uploaded()
    assert cloud_tiles(scene, app)[0][3] == "My code host"
    app.reorder_accounts([e.id for e in reversed(app.state.entries)])
    uploaded()
    assert cloud_tiles(scene, app)[-1][2] == site.username
    app.remove_account(first)
    uploaded()
    assert [t[2] for t in cloud_tiles(scene, app)].count(site.username) == 0


@PLATFORMS
def test_bad_edits_are_refused_and_not_uploaded(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    scene.add_site(app)
    before = scene.blob()
    entry = app.state.entries[0].id
    with refused(Code.INVALID_ENTRY):
        app.rename_account(entry, "   ")
    with refused(Code.NO_SUCH_ACCOUNT):
        app.rename_account("acct-99", "x")
    with refused(Code.NO_SUCH_ACCOUNT):
        app.reorder_accounts([entry, entry])
    with refused(Code.NO_SUCH_ACCOUNT):
        app.reorder_accounts([])
    with refused(Code.NO_SUCH_ACCOUNT):
        app.remove_account("acct-99")
    record = scene.world.sites.accounts[next(iter(scene.world.sites.accounts))]
    with refused(Code.ACCOUNT_EXISTS):
        app.enter_code_manually(record.issuer.upper(), record.username.upper(),
                                record.params.secret, 6, 30, "SHA1")
    assert scene.blob() == before and len(app.state.entries) == 1


@PLATFORMS
def test_the_backup_keeps_only_what_the_documents_allow(platform) -> None:
    """000 "Important" / 002 "IMPORTANT": user names and code secrets of personal and
    third-party accounts; work and push accounts by name only; never a password."""
    scene = Scene(platform)
    app = scene.backed_up_phone()
    site = scene.add_site(app)
    plain = scene.add_msa(app, push=False)
    pushed = scene.add_msa(app, push=True)
    _, user = scene.add_work(app, push=True)
    payload = cloud_payload(scene, app)
    assert payload is not None
    by_name = {a.username: a for a in payload.accounts}
    assert by_name[site.username].kind == THIRD_PARTY
    assert by_name[site.username].secret == site.params.secret
    assert by_name[plain.username].kind == PERSONAL
    assert by_name[plain.username].account_token == plain.account_token
    assert by_name[plain.username].secret is None
    assert by_name[pushed.username].account_token is None
    assert by_name[user.username.lower()].kind == WORK
    assert by_name[user.username.lower()].secret is None
    text = json.dumps(payload.settings) + repr(payload)
    for password in (plain.password, pushed.password, user.password, scene.msa.password,
                     scene.apple.password):
        assert password not in text


@PLATFORMS
def test_offline_changes_wait_and_go_up_when_back_online(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    before = scene.blob()
    scene.world.set_device_online(app.device.id, False)
    scene.add_site(app)  # adding a third-party account needs no network
    assert app.state.backup.dirty and scene.blob() == before
    assert any(code == "BACKUP_PENDING" for code, _ in app.alerts())
    scene.world.set_device_online(app.device.id, True)
    assert not app.state.backup.dirty and app.alerts() == ()
    assert cloud_tiles(scene, app) == tiles(app)


@PLATFORMS
def test_store_outage_waits_and_retries(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    service = scene.store.kind.service
    scene.world.network.set_service_online(service, False)
    scene.add_site(app)
    assert app.state.backup.dirty and cloud_tiles(scene, app) == []
    scene.world.network.set_service_online(service, True)
    app.retry_backup()
    assert not app.state.backup.dirty and cloud_tiles(scene, app) == tiles(app)
    with pytest.raises(ValueError):
        scene.world.network.set_service_online("dropbox", False)


# ---------------------------------------------------------------- turning it off


@PLATFORMS
def test_turn_off_deletes_the_cloud_copy(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    scene.add_site(app)
    assert scene.blob() is not None
    assert app.turn_off_backup().code is Code.OK
    assert scene.blob() is None and not app.state.backup.on
    assert scene.world.keys.lookup(scene.msa.username).deleted
    scene.add_site(app, "Google")  # later changes stay on the phone
    assert scene.store.objects == {}
    assert app.turn_off_backup().code is Code.OK  # already off: nothing to do


@PLATFORMS
def test_turn_off_offline_changes_nothing(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    before = scene.blob()
    scene.world.set_device_online(app.device.id, False)
    with refused(Code.NETWORK_UNAVAILABLE):
        app.turn_off_backup()
    assert app.state.backup.on and scene.blob() == before


@PLATFORMS
def test_turn_on_again_after_off_uses_a_new_key(platform) -> None:
    scene = Scene(platform)
    app = scene.backed_up_phone()
    old_key = app.state.backup.key
    app.turn_off_backup()
    app.turn_on_backup(scene.msa.username, scene.msa.password)
    assert app.state.backup.key != old_key
    assert not scene.world.keys.lookup(scene.msa.username).deleted
    assert cloud_tiles(scene, app) == tiles(app)


# ---------------------------------------------------------------- out of date


@PLATFORMS
@pytest.mark.parametrize("lapse", ["revoked", "90 days"])
def test_out_of_date_backup_red_dot_and_sign_in(platform, lapse: str) -> None:
    scene = Scene(platform)
    world = scene.world
    app = scene.backed_up_phone()
    scene.add_site(app, "GitHub")
    assert not app.red_dot
    assert app.select_backup_warning().code is Code.OK
    if lapse == "revoked":
        world.lapse_recovery_sign_in(scene.msa.id)
    else:
        world.clock.advance(90 * DAY - 1)
        assert not app.red_dot
        world.clock.advance(1)
    assert app.red_dot
    stale = scene.blob()
    scene.add_site(app, "Google")  # uploads stop while out of date
    assert scene.blob() == stale
    assert app.state.backup.dirty
    # the red dot says it instead
    assert not any(code == "BACKUP_PENDING" for code, _ in app.alerts())
    with refused(Code.SIGN_IN_REQUIRED):
        app.select_backup_warning()
    with refused(Code.SIGN_IN_FAILED):
        app.sign_in_to_update_backup("wrong")
    assert app.red_dot
    assert app.sign_in_to_update_backup(scene.msa.password).code is Code.OK
    assert not app.red_dot and not app.state.backup.dirty
    assert cloud_tiles(scene, app) == tiles(app)
    assert app.select_backup_warning().code is Code.OK


@PLATFORMS
def test_recovery_from_a_stale_copy_misses_later_accounts(platform) -> None:
    scene = Scene(platform)
    old = scene.backed_up_phone()
    scene.add_site(old, "GitHub")
    backed_up = tiles(old)
    scene.world.lapse_recovery_sign_in(scene.msa.id)
    scene.add_site(old, "Google")
    new = scene.phone()
    scene.recover(new)
    assert tiles(new) == backed_up
    assert len(tiles(old)) == len(backed_up) + 1


def test_sign_in_to_update_needs_backup_on() -> None:
    scene = Scene()
    app = scene.phone()
    assert not app.red_dot
    with refused(Code.NO_BACKUP_FOUND):
        app.sign_in_to_update_backup(scene.msa.password)


def test_lapse_unknown_account_is_key_error() -> None:
    with pytest.raises(KeyError):
        Scene().world.lapse_recovery_sign_in("msa-404")


def test_a_blob_never_holds_plaintext() -> None:
    scene = Scene()
    app = scene.backed_up_phone()
    site = scene.add_site(app)
    blob = scene.blob()
    assert blob is not None and site.params.secret.encode() not in blob
    key = app.state.backup.key
    assert key is not None and key not in blob
    assert site.params.secret in crypto.unseal(key, blob, app._aad(scene.location)).decode()


def test_a_backed_up_account_as_a_dict_is_what_asdict_gives() -> None:
    import dataclasses

    from sim.backup import BackedUpAccount

    for account in (BackedUpAccount("personal", "Microsoft", "alex@example.com", "Alex", True,
                                    account_token="t-1"),
                    BackedUpAccount("third_party", "GitHub", "alex", "GitHub", False,
                                    secret="JBSWY3DPEHPK3PXP", digits=8, period=60,
                                    algorithm="SHA256")):
        assert account.as_dict() == dataclasses.asdict(account)
        assert list(account.as_dict()) == [f.name for f in dataclasses.fields(account)]
