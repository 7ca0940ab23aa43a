"""The simulator follows every reading of every documented ambiguity (sim/rules.py), so
the variants that follow the later ones are real behaviour, not declarations."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sim.app import THIRD_PARTY, Authenticator
from sim.device import Platform
from sim.refusals import Code, Refusal
from tests.test_sim_support import Scene, refused


def _two_locations(second_pairing: str) -> tuple[Scene, Any]:
    """GitHub backed up in Alex's iCloud, then the same recovery account turned on in
    a second Apple ID's iCloud for Dropbox; returns the second Apple ID."""
    scene = Scene(Platform.IOS)
    scene.world.rules = dataclasses.replace(scene.world.rules, second_pairing=second_pairing)
    old = scene.phone()
    scene.add_site(old, "GitHub")
    old.turn_on_backup(scene.msa.username, scene.msa.password)
    other = scene.world.create_apple_id(scene.person)
    family = scene.phone(apple_username=other.username, apple_password=other.password)
    scene.add_site(family, "Dropbox")
    family.turn_on_backup(scene.msa.username, scene.msa.password)
    return scene, other


def _issuers(app: Authenticator) -> list[str]:
    return [e.issuer for e in app.state.entries if e.kind == THIRD_PARTY]


def test_each_location_keeps_its_own_pairing_and_restores_with_its_own_apple_id() -> None:
    scene, second = _two_locations("each_keeps_own")
    first_again = scene.phone()
    scene.recover(first_again)
    assert _issuers(first_again) == ["GitHub"]
    second_again = scene.phone(apple_username=second.username,
                               apple_password=second.password)
    scene.recover(second_again)
    assert _issuers(second_again) == ["Dropbox"]


def test_a_location_switched_off_and_on_again_under_its_own_pairing_recovers() -> None:
    # found by the explorer: turning backup on again took up the pairing that switching
    # off had let go of, so recovery answered that the backup was deleted
    scene, _ = _two_locations("each_keeps_own")
    first = scene.phone()
    scene.recover(first)
    first.turn_off_backup()
    first.turn_on_backup(scene.msa.username, scene.msa.password)
    again = scene.phone()
    scene.recover(again)
    assert _issuers(again) == ["GitHub"]


def test_the_newest_pairing_wins_by_default() -> None:
    scene, _ = _two_locations("newest_wins")
    with refused(Code.BACKUP_IN_OTHER_ICLOUD):
        scene.recover(scene.phone())


def test_an_unknown_reading_is_refused_by_the_rules() -> None:
    scene = Scene(Platform.IOS)
    with pytest.raises(ValueError, match="second_pairing must be one of"):
        dataclasses.replace(scene.world.rules, second_pairing="both")
    with pytest.raises(ValueError, match="red_dot must be one of"):
        dataclasses.replace(scene.world.rules, red_dot="always")


@pytest.mark.parametrize("red_dot", ["out_of_date", "restore_sign_in"])
def test_a_restore_that_needs_a_sign_in_shows_the_red_dot_only_under_its_reading(
        red_dot: str) -> None:
    scene = Scene(Platform.IOS)
    scene.world.rules = dataclasses.replace(scene.world.rules, red_dot=red_dot)
    old = scene.phone()
    scene.add_site(old, "GitHub")
    old.turn_on_backup(scene.msa.username, scene.msa.password)
    new = scene.phone()
    scene.world.faults.arm("recovery_sign_in_stale_before_key_release")
    with pytest.raises(Refusal) as raised:
        scene.recover(new)
    code = raised.value.code
    assert not new.state.entries
    if red_dot == "out_of_date":
        assert code is Code.SIGN_IN_FAILED and not new.red_dot
        return
    assert code is Code.SIGN_IN_REQUIRED and new.red_dot
    with refused(Code.SIGN_IN_REQUIRED):
        new.select_backup_warning()
    with refused(Code.SIGN_IN_FAILED):  # the wrong password leaves it waiting
        new.sign_in_to_update_backup(scene.msa.password + "-wrong")
    assert new.red_dot
    new.sign_in_to_update_backup(scene.msa.password)
    assert not new.red_dot and _issuers(new) == ["GitHub"]


def test_under_restore_sign_in_a_lapsed_backup_prompts_but_shows_no_red_dot() -> None:
    scene = Scene(Platform.IOS)
    scene.world.rules = dataclasses.replace(scene.world.rules, red_dot="restore_sign_in")
    app = scene.phone()
    scene.add_site(app, "GitHub")
    app.turn_on_backup(scene.msa.username, scene.msa.password)
    scene.world.clock.advance(scene.world.rules.session_lifetime_s + 1)
    assert app.out_of_date and not app.red_dot
    assert "BACKUP_OUT_OF_DATE" in [code for code, _ in app.alerts()]
