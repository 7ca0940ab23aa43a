"""Which requirement a failed precondition is charged to (authconform/gate/preconditions.py):
the rules of ``owner_of``, every owner the step definitions name, and the checks a
Given makes of what it promises (steps/promised.py), against the simulator and mutants.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from pytest_bdd.steps import step_function_context_registry

from authconform.adapters.guard import GuardedTarget
from authconform.adapters.inprocess import SimTarget
from authconform.alterations.mutants import MUTANTS
from authconform.gate.preconditions import declared_owner, owned_by, owner_of, precondition
from authconform.port import Capability, Outcome, OutcomeCode, Platform
from steps import promised, step_modules
from steps.camera import scanned
from steps.cast import Cast, Phone

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = {r["id"]: r for r in yaml.safe_load(
    (REPO / "features" / "requirements.yml").read_text(encoding="utf-8"))["requirements"]}
REQ_ID = re.compile(r"\bREQ-[A-Z]+-\d+\b")


def _raised(block: Any) -> AssertionError:
    with pytest.raises(AssertionError) as caught:
        block()
    return caught.value


# ---------------------------------------------------------------- owner_of's rules


def _fails_in(*owners: str) -> AssertionError:
    """An assertion raised inside nested owned_by blocks, outermost first."""
    def nest(rest: tuple[str, ...]) -> None:
        if not rest:
            raise AssertionError("broken")
        with owned_by(rest[0]):
            nest(rest[1:])
    return _raised(lambda: nest(owners))


def _step(owner: Any = None) -> Any:
    def func(**_: Any) -> None:
        pass
    return precondition(owner)(func) if owner is not None else func


def test_a_declared_owner_takes_a_given_or_when_assertion() -> None:
    for kind in ("given", "when"):
        assert owner_of(kind, _step("REQ-BACKUP-01"), {}, AssertionError()) == "REQ-BACKUP-01"
    assert owner_of("given", _step(), {}, AssertionError()) is None  # undeclared: own failure


def test_a_then_step_moves_only_with_an_explicit_block() -> None:
    assert owner_of("then", _step("REQ-BACKUP-01"), {}, AssertionError()) is None
    assert owner_of("then", _step(), {}, _fails_in("REQ-STORED-02")) == "REQ-STORED-02"


def test_the_explicit_block_wins_over_the_declared_owner_and_the_innermost_block_wins() -> None:
    step = _step("REQ-BACKUP-01")
    assert owner_of("given", step, {}, _fails_in("REQ-RECOVERY-03")) == "REQ-RECOVERY-03"
    assert owner_of("when", step, {}, _fails_in("REQ-RECOVERY-02", "REQ-RECOVERY-03")) == (
        "REQ-RECOVERY-03")


def test_errors_never_move() -> None:
    step = _step("REQ-BACKUP-01")
    for error in (RuntimeError("adapter crashed"), KeyError("x"), TimeoutError()):
        assert owner_of("given", step, {}, error) is None
    with pytest.raises(RuntimeError) as caught, owned_by("REQ-BACKUP-01"):
        raise RuntimeError("adapter crashed")
    assert owner_of("given", step, {}, caught.value) is None


def test_an_owner_callable_sees_the_step_arguments_and_may_decline() -> None:
    def per_platform(phone: str, **_: Any) -> str | None:
        return {"old iPhone": "REQ-BACKUP-04", "old Android phone": "REQ-BACKUP-05"}.get(phone)

    step = _step(per_platform)
    assert owner_of("given", step, {"phone": "old iPhone", "name": "Alex"},
                    AssertionError()) == "REQ-BACKUP-04"
    assert owner_of("given", step, {"phone": "family iPad"}, AssertionError()) is None


def test_a_raising_owner_callable_moves_nothing() -> None:
    def broken(**_: Any) -> str:
        raise KeyError("no such phone")

    assert owner_of("when", _step(broken), {}, AssertionError()) is None
    assert owner_of("when", _step(lambda: "REQ-X"), {"unexpected": 1}, AssertionError()) is None


# ---------------------------------------------------------------- the owners steps name


def _step_contexts() -> list[Any]:
    for module in step_modules():
        importlib.import_module(module)
    return list(step_function_context_registry.values())


def test_every_requirement_id_in_the_step_definitions_is_in_the_catalogue() -> None:
    named = {(path.name, rid) for path in sorted((REPO / "steps").glob("*.py"))
             for rid in REQ_ID.findall(path.read_text(encoding="utf-8"))}
    assert named, "the steps name no requirement at all"
    unknown = sorted(pair for pair in named if pair[1] not in CATALOGUE)
    assert not unknown, f"owners that are not requirements: {unknown}"


def test_declared_owners_sit_on_given_or_when_steps_and_name_catalogue_requirements() -> None:
    profiles = ("current", "2019")
    for context in _step_contexts():
        owner = declared_owner(context.step_func)
        if owner is None:
            continue
        assert context.type in ("given", "when"), (
            f"@precondition on a {context.type} step {context.parser.name!r}: Then steps "
            "only move with an explicit owned_by block")
        if isinstance(owner, str):
            assert owner in CATALOGUE, (context.parser.name, owner)
            continue
        for platform_phone in ("old iPhone", "old Android phone"):
            for profile in profiles:
                try:
                    named = owner(phone=platform_phone, profile=profile)
                except Exception:  # an owner that needs other arguments moves nothing
                    continue
                assert named is None or named in CATALOGUE, (context.parser.name, named)


def test_owners_chosen_per_profile_or_platform_exist_where_they_are_chosen() -> None:
    from steps.camera import CAMERA_ANSWERS, CAMERA_PROFILES

    for requirement in {*CAMERA_ANSWERS.values(), "REQ-CAMERA-01"}:
        assert set(CATALOGUE[requirement]["profiles"]) >= CAMERA_PROFILES, requirement
    for platform, (_, requirement) in promised.STORAGE.items():
        wanted = {"current", "2019"} if platform is Platform.IOS else {"current"}
        assert wanted <= set(CATALOGUE[requirement]["profiles"]), (platform, requirement)


# ---------------------------------------------------------------- what a Given promises


class _Scene:
    """Alex with a personal account and one third-party account on an old phone, in a
    simulator world (optionally with a mutant), seen through the steps' Cast."""

    def __init__(self, mutant: str | None = None):
        inner = SimTarget(seed=5)
        if mutant:
            MUTANTS[mutant].apply(inner.world_model)
            inner.declare(f"sim+{mutant}")
        self.cast = Cast(GuardedTarget(inner, 10.0))
        world = self.cast.target.world
        alex = self.cast.person("Alex")
        self.msa = world.create_microsoft_account(alex.id)
        self.cast.add_msa("Alex", self.msa)

    def phone(self, label: str) -> Phone:
        from steps.phones import phone_in_use
        return phone_in_use(self.cast, "Alex", label)


def _owner(error: AssertionError) -> str | None:
    return owner_of("given", _step(), {}, error)


@pytest.mark.parametrize("platform, label", [(Platform.IOS, "old iPhone"),
                                             (Platform.ANDROID, "old Android phone")])
def test_a_backup_that_landed_where_documented_passes(platform: Platform, label: str) -> None:
    scene = _Scene()
    phone = scene.phone(label)
    app = scene.cast.target.app
    assert app.add_personal_account(phone.id, scene.msa.username, scene.msa.password).ok
    assert app.turn_on_backup(phone.id, scene.msa.username, scene.msa.password).ok
    promised.backup_written(scene.cast, phone, scene.msa)


@pytest.mark.parametrize("mutant, platform, label, owner", [
    ("ios_backup_in_microsoft_storage", Platform.IOS, "old iPhone", "REQ-BACKUP-04"),
    ("android_backup_in_icloud", Platform.ANDROID, "old Android phone", "REQ-BACKUP-05"),
])
def test_a_backup_in_the_wrong_store_is_charged_to_its_location_requirement(
        mutant: str, platform: Platform, label: str, owner: str) -> None:
    scene = _Scene(mutant)
    phone = scene.phone(label)
    # an account to back up: with none, no copy need be written yet
    assert scene.cast.target.app.add_personal_account(phone.id, scene.msa.username,
                                                      scene.msa.password).ok
    assert scene.cast.target.app.turn_on_backup(phone.id, scene.msa.username,
                                                scene.msa.password).ok
    error = _raised(lambda: promised.backup_written(scene.cast, phone, scene.msa))
    assert _owner(error) == owner


def _backed_up_and_recovered(scene: _Scene, accounts: str) -> AssertionError | None:
    """Back up a personal account (and a work account if asked) on an old iPhone, then
    recover on a new one; the first broken promise, if any."""
    cast, app, world = scene.cast, scene.cast.target.app, scene.cast.target.world
    old, new = scene.phone("old iPhone"), scene.phone("new iPhone")
    assert app.add_personal_account(old.id, scene.msa.username, scene.msa.password).ok
    if "work" in accounts:
        tenant = world.create_tenant()
        work = world.create_work_account(tenant.id, cast.people["Alex"].id)
        qr = world.issue_activation_qr(tenant.id, work.id)
        assert app.enter_activation_manually(old.id, qr.code, qr.url, True).ok
    if "third-party" in accounts:
        site = world.create_site_account(cast.people["Alex"].id, "GitHub")
        assert app.enter_code_manually(old.id, site.issuer, site.username, site.secret).ok
    assert app.turn_on_backup(old.id, scene.msa.username, scene.msa.password).ok
    try:
        promised.backup_written(cast, old, scene.msa)
        before = promised.before_recovery(cast, new, scene.msa)
        assert app.begin_recovery(new.id, scene.msa.username, scene.msa.password).ok
        promised.recovered(cast, "Alex", new, before)
    except AssertionError as exc:
        return exc
    return None


@pytest.mark.parametrize("mutant, accounts, owner", [
    (None, "personal, work and third-party", None),
    ("third_party_rekeyed", "personal and third-party", "REQ-CODES-03"),
    ("recovery_drops_last_account", "personal and work", "REQ-RECOVERY-03"),
    ("work_accounts_left_out", "personal and work", "REQ-STORED-03"),
    ("work_restored_without_qr", "personal and work", "REQ-STORED-02"),
    ("personal_needs_verification_after_restore", "personal", "REQ-RECOVERY-06"),
])
def test_a_broken_backup_or_recovery_is_charged_to_the_requirement_it_breaks(
        mutant: str | None, accounts: str, owner: str | None) -> None:
    error = _backed_up_and_recovered(_Scene(mutant), accounts)
    assert (None if error is None else _owner(error)) == owner, error


def test_without_the_capabilities_nothing_is_looked_at() -> None:
    """A target that shows neither its stores nor its backups gets no early check (and
    no call that would make the scenario not-applicable)."""
    scene = _Scene("ios_backup_in_microsoft_storage")
    phone = scene.phone("old iPhone")
    assert scene.cast.target.app.turn_on_backup(phone.id, scene.msa.username,
                                                scene.msa.password).ok
    info = scene.cast.target.info
    bare = frozenset(info.capabilities) - {Capability.STORE_INSPECTION,
                                          Capability.BACKUP_CONTENTS}
    scene.cast.target = SimpleNamespace(info=SimpleNamespace(capabilities=bare),
                                        app=scene.cast.target.app, world=None)
    promised.backup_written(scene.cast, phone, scene.msa)
    assert promised.stored_backup(scene.cast, phone, scene.msa) is None


def test_accounts_already_on_the_phone_are_not_judged_as_restored() -> None:
    """A recovery that went ahead although the phone held accounts (REQ-EXISTING-01's
    failure) must not charge REQ-STORED-02 for the work account Alex added by hand."""
    scene = _Scene("work_account_does_not_block")
    cast, app, world = scene.cast, scene.cast.target.app, scene.cast.target.world
    old, new = scene.phone("old iPhone"), scene.phone("new iPhone")
    tenant = world.create_tenant()
    work = world.create_work_account(tenant.id, cast.people["Alex"].id)
    for phone in (old, new):
        qr = world.issue_activation_qr(tenant.id, work.id)
        assert app.enter_activation_manually(phone.id, qr.code, qr.url, False).ok
    assert app.turn_on_backup(old.id, scene.msa.username, scene.msa.password).ok
    before = promised.before_recovery(cast, new, scene.msa)
    assert app.begin_recovery(new.id, scene.msa.username, scene.msa.password).ok
    promised.recovered(cast, "Alex", new, before)


# ---------------------------------------------------------------- the camera and QR codes


def _camera_cast(profile: str, allowed: bool | None) -> Cast:
    target = SimpleNamespace(info=SimpleNamespace(profile=profile))
    cast = Cast(target)
    cast.phones["new iPhone"] = Phone("new iPhone", "Alex", "d1", Platform.IOS, "Alex's iPhone",
                                      camera_allowed=allowed)
    return cast


@pytest.mark.parametrize("allowed, code, owner", [
    (True, OutcomeCode.CAMERA_DENIED, "REQ-CAMERA-02"),
    (True, OutcomeCode.CAMERA_PERMISSION_NEEDED, "REQ-CAMERA-01"),
    (None, OutcomeCode.OK, "REQ-CAMERA-01"),
])
def test_a_scan_charges_a_camera_that_did_not_behave(allowed: bool | None, code: OutcomeCode,
                                                     owner: str) -> None:
    cast = _camera_cast("current", allowed)
    error = _raised(lambda: scanned(cast, "new iPhone", Outcome(code == OutcomeCode.OK, code)))
    assert owner_of("when", _step(), {}, error) == owner


@pytest.mark.parametrize("profile, allowed, code", [
    ("current", False, OutcomeCode.CAMERA_DENIED),  # refused: the scenario judges it
    ("current", None, OutcomeCode.CAMERA_PERMISSION_NEEDED),  # the first use asks
    ("current", True, OutcomeCode.QR_REJECTED),  # not the camera's doing
    ("2019", True, OutcomeCode.CAMERA_DENIED),  # the 2019 article has no camera rules
    ("2019", None, OutcomeCode.OK),
])
def test_other_scan_answers_are_handed_on_for_the_scenario_to_judge(
        profile: str, allowed: bool | None, code: OutcomeCode) -> None:
    outcome = Outcome(code == OutcomeCode.OK, code)
    assert scanned(_camera_cast(profile, allowed), "new iPhone", outcome) is outcome
