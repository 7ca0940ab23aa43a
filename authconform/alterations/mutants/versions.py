"""Mutants of version gating (versions.feature)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import wrap_app
from sim.app import Authenticator
from sim.device import Platform
from sim.refusals import Code, Done, Refusal
from sim.rules import Rules, parse_version
from sim.world import World


@dataclass(frozen=True)
class _GatedRules(Rules):
    """Rules with other version gates (current profile only)."""

    ios_minimum: tuple[int, ...] = (5, 7, 0)
    android_minimum: tuple[int, ...] = (6, 6, 0)
    as_text_on: frozenset[Platform] = frozenset()  # platforms comparing versions as text
    # platforms that test each field against the minimum's on its own (major >= 6 and
    # minor >= 6), so a later major version with a smaller minor has no backup
    fieldwise_on: frozenset[Platform] = frozenset()

    def backup_supported(self, platform: Platform, app_version: str) -> bool:
        if self.profile != "current":
            return super().backup_supported(platform, app_version)
        minimum = self.ios_minimum if platform is Platform.IOS else self.android_minimum
        if platform in self.as_text_on:
            return app_version.strip() >= ".".join(map(str, minimum))
        if platform in self.fieldwise_on:
            version = parse_version(app_version)
            return all(have >= least for have, least in zip(version, minimum[:2], strict=False))
        return parse_version(app_version) >= minimum


def _gate(world: World, **changes: Any) -> None:
    rules = world.rules
    world.rules = _GatedRules(
        profile=rules.profile, recovery_block=rules.recovery_block,
        session_lifetime_s=rules.session_lifetime_s,
        key_release_freshness_s=rules.key_release_freshness_s,
        verification_code_ttl_s=rules.verification_code_ttl_s,
        activation_ttl_s=rules.activation_ttl_s, **changes)


@mutant("ios_gate_excludes_5_7_0", "REQ-VERSION-01",
        "the iOS version gate is off by one: 5.7.0 itself has no backup")
def _ios_gate_excludes_5_7_0(world: World) -> None:
    _gate(world, ios_minimum=(5, 7, 1))


@mutant("ios_gate_includes_5_6", "REQ-VERSION-03",
        "the iOS version gate is off by one: 5.6.x already offers backup")
def _ios_gate_includes_5_6(world: World) -> None:
    _gate(world, ios_minimum=(5, 6, 0))


@mutant("android_gate_excludes_6_6_0", "REQ-VERSION-02",
        "the Android version gate is off by one: 6.6.0 itself has no backup")
def _android_gate_excludes_6_6_0(world: World) -> None:
    _gate(world, android_minimum=(6, 6, 1))


@mutant("android_gate_includes_6_5", "REQ-VERSION-03",
        "the Android version gate is off by one: 6.5.x already offers backup")
def _android_gate_includes_6_5(world: World) -> None:
    _gate(world, android_minimum=(6, 5, 0))


# The iOS and Android apps are separate programs, so a comparison written as text
# is a fault of one of them: one mutant per platform, each breaking its own gate.
@mutant("ios_version_compared_as_text", "REQ-VERSION-01",
        "the iOS app compares versions as text, so 5.10.0 counts as older than 5.7.0")
def _ios_version_compared_as_text(world: World) -> None:
    _gate(world, as_text_on=frozenset({Platform.IOS}))


@mutant("android_version_compared_as_text", "REQ-VERSION-02",
        "the Android app compares versions as text, so 6.10.0 counts as older than 6.6.0")
def _android_version_compared_as_text(world: World) -> None:
    _gate(world, as_text_on=frozenset({Platform.ANDROID}))


@mutant("ios_gate_field_by_field", "REQ-VERSION-01",
        "the iOS gate tests major >= 5 and minor >= 7 apart, so 6.0.0 has no backup")
def _ios_gate_field_by_field(world: World) -> None:
    _gate(world, fieldwise_on=frozenset({Platform.IOS}))


@mutant("android_gate_field_by_field", "REQ-VERSION-02",
        "the Android gate tests major >= 6 and minor >= 6 apart, so 7.0.0 has no backup")
def _android_gate_field_by_field(world: World) -> None:
    _gate(world, fieldwise_on=frozenset({Platform.ANDROID}))


@mutant("recovery_gate_off_by_one", "REQ-VERSION-01",
        "recovery checks the version on its own with <= where < was meant: the lowest "
        "versions (iOS 5.7.0, Android 6.6.0) offer recovery and then refuse it")
def _recovery_gate_off_by_one(world: World) -> None:
    def begin_recovery(app: Authenticator, original: Callable[..., Done], *args: Any
                       ) -> Done:
        if world.rules.profile == "current":
            minimum = (5, 7, 0) if app.device.platform is Platform.IOS else (6, 6, 0)
            version = parse_version(app.device.app_version)
            if version + (0,) * (3 - len(version)) <= minimum:
                raise Refusal(Code.BACKUP_NOT_SUPPORTED)
        return original(*args)

    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("newer_major_finds_no_older_backup", "REQ-VERSION-01",
        "a backup made by an older major version of the app (iOS 5.x, Android 6.x) is not "
        "found by a newer major version on the new phone: recovery says there is none")
def _newer_major_finds_no_older_backup(world: World) -> None:
    made_by: dict[tuple[Platform, str], int] = {}  # (platform, recovery account) -> major

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        recovery = app.state.backup.recovery_username
        if recovery is not None:
            made_by[(app.device.platform, recovery.lower())] = parse_version(
                app.device.app_version)[0]

    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        maker = made_by.get((app.device.platform, username.strip().lower()))
        if maker is not None and maker < parse_version(app.device.app_version)[0]:
            world.msa.sign_in(username, password, world.clock.now())
            raise Refusal(Code.NO_BACKUP_FOUND)
        return original(username, password)

    wrap_app(world, "_upload", _upload)
    wrap_app(world, "begin_recovery", begin_recovery)


@mutant("newer_major_finds_no_older_backup_on_iphone", "REQ-RECOVERY-02",
        "on an iPhone (the only phone of the 2019 profile), a backup made by an older major "
        "version of the app is not found by a newer major version on the new phone")
def _newer_major_finds_no_older_backup_on_iphone(world: World) -> None:
    made_by: dict[str, int] = {}  # recovery account -> major version of the last upload

    def _upload(app: Authenticator, original: Callable[[], None]) -> None:
        original()
        recovery = app.state.backup.recovery_username
        if recovery is not None and app.device.platform is Platform.IOS:
            made_by[recovery.lower()] = parse_version(app.device.app_version)[0]

    def begin_recovery(app: Authenticator, original: Callable[..., Done], username: str,
                       password: str) -> Done:
        maker = made_by.get(username.strip().lower())
        if (app.device.platform is Platform.IOS and maker is not None
                and maker < parse_version(app.device.app_version)[0]):
            world.msa.sign_in(username, password, world.clock.now())
            raise Refusal(Code.NO_BACKUP_FOUND)
        return original(username, password)

    wrap_app(world, "_upload", _upload)
    wrap_app(world, "begin_recovery", begin_recovery)
