"""Profiles, version gates and refusal codes.

000 "Authenticator app": iOS 5.7.0 and later, Android 6.6.0 and later.
002 "Applies to": iOS devices only, with no version named.
"""

from __future__ import annotations

import pytest

from authconform.port import OutcomeCode
from sim import World
from sim.device import Platform
from sim.refusals import MESSAGES, Code, Done, Refusal
from sim.rules import RecoveryBlock, Rules, parse_version
from tests.test_sim_support import FIRST, LAST_WITHOUT, PLATFORMS, Scene, refused

GATES = [
    (Platform.IOS, "5.6.9", False), (Platform.IOS, "5.7.0", True),
    (Platform.IOS, "5.7", True), (Platform.IOS, "5.10.0", True),
    (Platform.IOS, "6.0.0", True), (Platform.IOS, "4.99.99", False),
    (Platform.ANDROID, "6.5.9", False), (Platform.ANDROID, "6.6.0", True),
    (Platform.ANDROID, "6.6", True), (Platform.ANDROID, "6.10.1", True),
    (Platform.ANDROID, "6.6.0.1", True), (Platform.ANDROID, "5.7.0", False),
    (Platform.ANDROID, " 6.6.0 ", True), (Platform.IOS, "5", False), (Platform.IOS, "6", True),
]


@pytest.mark.parametrize(("platform", "version", "supported"), GATES)
def test_current_profile_version_gates(platform: Platform, version: str,
                                       supported: bool) -> None:
    assert Rules().backup_supported(platform, version) is supported


@pytest.mark.parametrize("version", ["0.0.1", "1.0", "5.6.9", "5.7.0", "99.0.0"])
def test_2019_profile_iphones_any_version_android_never(version: str) -> None:
    rules = Rules(profile="2019")
    assert rules.backup_supported(Platform.IOS, version)
    assert not rules.backup_supported(Platform.ANDROID, version)


@pytest.mark.parametrize("version", ["", " ", "5.x.0", "v5.7.0", "5.7.0-beta", "5..7",
                                     "5.7.", ".5.7", "5,7,0", "-5.7.0"])
def test_malformed_version_is_value_error(version: str) -> None:
    with pytest.raises(ValueError):
        parse_version(version)
    with pytest.raises(ValueError):
        Rules().backup_supported(Platform.IOS, version)
    with pytest.raises(ValueError):
        Scene().world.create_device("person-1", Platform.IOS, version)


def test_unknown_profile_and_block_refused() -> None:
    with pytest.raises(ValueError):
        Rules(profile="2030")
    with pytest.raises(ValueError):
        World(profile="2030")
    with pytest.raises(ValueError):
        World(recovery_block="some")
    assert World(recovery_block="same").rules.recovery_block is RecoveryBlock.SAME_ACCOUNT


@PLATFORMS
@pytest.mark.parametrize("gate", ["last_without", "first"])
def test_the_gate_decides_backup_and_recovery_on_a_phone(platform: Platform,
                                                         gate: str) -> None:
    scene = Scene(platform)
    version = (FIRST if gate == "first" else LAST_WITHOUT)[platform]
    app = scene.phone(version=version)
    assert app.backup_supported is (gate == "first")
    if gate == "first":
        assert app.turn_on_backup(scene.msa.username, scene.msa.password).code is Code.OK
        return
    with refused(Code.BACKUP_NOT_SUPPORTED):
        app.turn_on_backup(scene.msa.username, scene.msa.password)
    with refused(Code.BACKUP_NOT_SUPPORTED):
        scene.recover(app)
    assert not app.state.backup.on
    assert scene.world.network.log == []  # refused before any call went out


@PLATFORMS
def test_2019_profile_backs_up_iphones_only(platform: Platform) -> None:
    scene = Scene(platform, profile="2019")
    app = scene.phone(version="1.0.0")
    if platform is Platform.IOS:
        app.turn_on_backup(scene.msa.username, scene.msa.password)
        scene.add_site(app)
        new = scene.phone(version="2.0.0")
        assert scene.recover(new).code is Code.OK
        assert [e.username for e in new.state.entries] == [
            e.username for e in app.state.entries]
    else:
        with refused(Code.BACKUP_NOT_SUPPORTED):
            app.turn_on_backup(scene.msa.username, scene.msa.password)
        with refused(Code.BACKUP_NOT_SUPPORTED):
            scene.recover(app)


# ---------------------------------------------------------------- refusal codes


def test_refusal_codes_match_the_port() -> None:
    assert {c.value for c in Code} == {c.value for c in OutcomeCode}


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_has_a_message(code: Code) -> None:
    assert MESSAGES[code].strip()
    assert Refusal(code).message == MESSAGES[code]
    assert code.value in str(Refusal(code))


def test_refusal_and_done_carry_code_and_message() -> None:
    assert Refusal(Code.WRONG_CODE, "custom").message == "custom"
    assert Done().code is Code.OK and Done().message == MESSAGES[Code.OK]
    sent = Done("sent", Code.CODE_SENT)
    assert (sent.code, sent.message) == (Code.CODE_SENT, "sent")
    assert "CODE_SENT" in repr(sent)
