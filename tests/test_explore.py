"""The explorer against the reference simulator: the model and the simulator agree, the
explorer replays from its seed, and every step text it writes runs with the shared steps.

Budget: a few explorations of 30-step programs, well under half a minute on a quiet
machine. The seeds are fixed (printed on failure) so a failure here replays exactly.
"""

from __future__ import annotations

import re

import pytest

from authconform.adapters.guard import GuardedTarget
from authconform.adapters.inprocess import SimTarget
from authconform.proof.explore import explore
from authconform.proof.explore import model as m
from authconform.proof.explore.gherkin import Script, feature_text
from authconform.proof.explore.machine import LATEST_VERSION, Explorer, make_machine
from authconform.proof.explore.run import replay_feature

SEED = 20260101


def answer(operation: object, *args: object, **kwargs: object) -> str:
    """The model's preferred answer to an operation, followed as if the target gave it."""
    expected = operation(*args, **kwargs)  # type: ignore[operator]
    assert isinstance(expected, m.Expect)
    if expected.follow is not None:
        expected.follow(expected.preferred)
    return expected.preferred


# ---------------------------------------------------------------- the model on its own


def _model_with_backup(platform: str = m.IOS) -> tuple[m.Model, m.Phone]:
    model = m.Model()
    model.microsoft_accounts = {"Alex", "Alex-2"}
    old = model.add_phone("old", platform, "6.8.0", "Alex")
    assert answer(model.add_third_party, old, "Google", scanned=False) == m.OK
    assert answer(model.add_third_party, old, "GitHub", scanned=False) == m.OK
    assert answer(model.add_personal, old, push=True) == m.OK
    assert answer(model.turn_on_backup, old, "Alex", right_password=True) == m.OK
    return model, old


def test_model_restores_order_and_holds_push_accounts_back() -> None:
    model, old = _model_with_backup()
    assert answer(model.move_to_top, old, "Microsoft") == m.OK
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert answer(model.begin_recovery, new, "Alex", right_password=True) == m.OK
    assert [(t.label, t.pending) for t in new.tiles] == [
        ("Microsoft", True), ("Google", False), ("GitHub", False)]
    assert model.pending_alert(new) and not model.pending_alert(old)


def test_model_refuses_recovery_while_any_account_exists() -> None:
    model, _ = _model_with_backup()
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert answer(model.add_third_party, new, "Google", scanned=False) == m.OK
    assert answer(model.begin_recovery, new, "Alex", right_password=True) == "EXISTING_ACCOUNTS"
    assert [t.label for t in new.tiles] == ["Google"]
    assert answer(model.remove, new, "Google") == m.OK
    assert answer(model.begin_recovery, new, "Alex", right_password=True) == m.OK


@pytest.mark.parametrize(("platform", "version", "supported"), [
    (m.IOS, "5.6.9", False), (m.IOS, "5.7.0", True), (m.IOS, "5.10.0", True),
    (m.IOS, "5.7", True), (m.ANDROID, "6.5.9", False), (m.ANDROID, "6.6.0", True),
    (m.ANDROID, "6.10.0", True)])
def test_model_version_gates(platform: str, version: str, supported: bool) -> None:
    model = m.Model()
    assert model.supported(model.add_phone("p", platform, version, None)) is supported


def test_model_2019_profile_has_no_android_backup() -> None:
    model = m.Model(profile="2019")
    assert not model.supported(model.add_phone("a", m.ANDROID, "9.9.9", None))
    assert model.supported(model.add_phone("i", m.IOS, "1.0.0", "Alex"))


def test_model_out_of_date_backup_keeps_the_last_upload() -> None:
    model, old = _model_with_backup()
    model.lapse("Alex")
    assert model.red_dot(old) is None  # nothing waits yet: marked now or at the next change
    assert answer(model.remove, old, "Google") == m.OK  # stays on the phone only
    assert model.red_dot(old) and answer(model.select_red_dot, old) == "SIGN_IN_REQUIRED"
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert answer(model.begin_recovery, new, "Alex", right_password=True) == m.OK
    assert "Google" in [t.label for t in new.tiles]
    assert answer(model.sign_in_to_update, old, right_password=True) == m.OK
    assert not model.red_dot(old)


@pytest.mark.parametrize(("change", "expected"), [
    ("android", "BACKUP_ON_OTHER_PLATFORM"), ("other apple id", "BACKUP_IN_OTHER_ICLOUD"),
    ("turned off", "BACKUP_DELETED"), ("deleted in storage", "BACKUP_DELETED"),
    ("second account", "NO_BACKUP_FOUND"), ("no icloud", "ICLOUD_SIGN_IN_REQUIRED"),
    ("offline", "NETWORK_UNAVAILABLE"), ("wrong password", "SIGN_IN_FAILED")])
def test_model_why_a_backup_is_unavailable(change: str, expected: str) -> None:
    model, old = _model_with_backup()
    platform = m.ANDROID if change == "android" else m.IOS
    apple_id = {"other apple id": "Alex-2", "no icloud": None}.get(change, "Alex")
    new = model.add_phone("new", platform, "6.8.0", apple_id)
    if change == "turned off":
        assert answer(model.turn_off_backup, old) == m.OK
    if change == "deleted in storage":
        assert model.delete_backup(m.ICLOUD, "Alex")
    if change == "offline":
        model.set_online(new, False)
    account = "Alex-2" if change == "second account" else "Alex"
    assert answer(model.begin_recovery, new, account, change != "wrong password") == expected
    assert new.tiles == []


def test_model_activation_codes_are_bound_single_use_and_expire() -> None:
    model = m.Model()
    phone = model.add_phone("p", m.ANDROID, "6.8.0", None)
    phone.tiles.append(m.Tile("Contoso", m.WORK, pending=True))
    used = model.issue_qr("Contoso", "Alex")
    used.used = True
    other_org = model.issue_qr("Fabrikam", "Alex")
    colleague = model.issue_qr("Contoso", "Sam")
    late = model.issue_qr("Contoso", "Alex")
    model.advance(m.DAY)
    for qr in (used, other_org, colleague, late):
        assert answer(model.recover_work, phone, "Contoso", qr, "Alex",
                      scanned=False) == "QR_REJECTED"
    fresh = model.issue_qr("Contoso", "Alex")
    assert answer(model.recover_work, phone, "Contoso", fresh, "Alex", scanned=False) == m.OK


# ---------------------------------------------------------------- the explorer vs sim


def test_explorer_and_reference_simulator_agree() -> None:
    result = explore("sim", None, seed=SEED, max_examples=40, step_count=30)
    assert not result.found, result.summary() + "\n" + (result.feature or "")
    assert result.failure == "" and result.feature is None


def test_explorer_drives_the_http_adapter_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same machine, through the port served over HTTP by a started service."""
    monkeypatch.setenv("AUTHCONFORM_SUT_STATE", "off")  # in-memory worlds: no restarts
    result = explore("http", None, seed=SEED, max_examples=4, step_count=15)
    assert not result.found, result.summary() + "\n" + (result.feature or "")


def test_explorer_uses_the_same_latest_version_as_the_steps() -> None:
    from steps.cast import LATEST_VERSION as STEPS_LATEST

    assert set(STEPS_LATEST.values()) == {LATEST_VERSION}


def test_exploration_replays_from_its_seed() -> None:
    first = explore("sim", "msa_codes_six_digits", seed=SEED, max_examples=30, step_count=20)
    second = explore("sim", "msa_codes_six_digits", seed=SEED, max_examples=30, step_count=20)
    assert first.found and second.found
    assert first.program == second.program
    assert first.feature == second.feature


def test_script_renders_cast_first_and_repeated_keywords_as_and() -> None:
    script = Script()
    script.given('Alex has the app on the "iPhone 1"', "apple")
    script.when('Alex adds the "GitHub" account to the "iPhone 1"', "site:GitHub")
    script.then('the app answers "OK"')
    script.then('the "iPhone 1" shows no red dot')
    assert script.lines() == [
        "Given Alex has an Apple ID",
        'And Alex has a third-party "GitHub" account',
        'And Alex has the app on the "iPhone 1"',
        'When Alex adds the "GitHub" account to the "iPhone 1"',
        'Then the app answers "OK"',
        'And the "iPhone 1" shows no red dot',
    ]
    text = feature_text(script, title="t", tags=["REQ-CODES-03"], description=["d"])
    assert text.startswith("@regression\nFeature: ")
    assert "  @REQ-CODES-03\n  Scenario: t\n    Given Alex has an Apple ID\n" in text


def test_every_step_the_explorer_writes_runs_against_the_reference() -> None:
    """The programs of a passing exploration, each closed with a Then for everything the
    model expects, replayed as scenarios by the shared steps: every rule and every check
    must map to a step text that exists and means the same thing."""
    machines: list[Explorer] = []
    import authconform.proof.explore.run as run

    original = run.make_machine

    def recording(new_target, profile="current", on_new=None):  # type: ignore[no-untyped-def]
        return original(new_target, profile, lambda machine: machines.append(machine))

    run.make_machine = recording  # type: ignore[assignment]
    try:
        result = explore("sim", None, seed=SEED + 1, max_examples=12, step_count=25)
    finally:
        run.make_machine = original  # type: ignore[assignment]
    assert not result.found, result.summary()
    scripts = sorted((mc.expected_state() for mc in machines if mc.cast is not None),
                     key=lambda s: -len(s.steps))[:6]
    body = ["Feature: every step the explorer writes", ""]
    for number, script in enumerate(scripts, 1):
        body.append(f"  Scenario: explored program {number}")
        body += [f"    {line}" for line in script.lines()]
        body.append("")
    texts = {step.text.split('"')[0] for s in scripts for step in s.steps}
    assert len(texts) >= 20, sorted(texts)  # a broad sample of the vocabulary
    replayed = replay_feature("\n".join(body))
    assert replayed.returncode == 0, replayed.stdout[-4000:] + replayed.stderr[-2000:]
    assert f"{len(scripts)} passed" in replayed.stdout


def _index(machine: Explorer, phone: str, eligible: object) -> int:
    """The ``pick`` that makes a rule choose ``phone`` among the eligible phones."""
    labels = [label for label, p in machine.model.phones.items() if eligible(p)]  # type: ignore[operator]
    return labels.index(phone)


def test_a_tour_of_every_rule_replays_as_a_passing_scenario() -> None:
    """Every rule of the machine, called by hand in one story (checking the model after
    each), then the story and a Then for everything the model expects, replayed by the
    shared steps against the reference: each rule's step texts exist and mean the same."""
    import authconform.proof.explore.machine as mm

    machine = make_machine(lambda: GuardedTarget(SimTarget(seed=5), 10.0))()

    def check() -> None:
        machine.everything_observable_agrees_with_the_model()

    first = machine.alex_with_a_phone(platform="ios", github=True,
                                      microsoft="with notifications", google=False,
                                      contoso="with notifications", backup=True)
    check()
    machine.alex_adds_a_third_party_account(first, "Google", scanned=True)  # asks first
    machine.alex_answers_the_camera_prompt(_index(machine, first, mm._asking_for_camera), True)
    machine.alex_adds_a_third_party_account(first, "Google", scanned=True)
    machine.alex_changes_an_account(0, 0, "renames to Personal")
    machine.alex_changes_an_account(0, 2, "moves to the top")
    machine.alex_approves_a_sign_in(0, 0)
    check()
    second = machine.alex_recovers_onto_a_new_phone(0, "stops there")
    check()
    waiting = _index(machine, second, mm._pending_personal)
    for how in ("with a wrong password", "entering a wrong code",
                "entering the code too late", "confirming by text message"):
        machine.alex_verifies_the_microsoft_account(waiting, how)
        check()
    work = _index(machine, second, mm._pending_work)
    for qr_code in ("a colleague's", "another organisation's", "an expired one",
                    "the one that set the account up"):
        machine.alex_recovers_a_work_account(work, 0, qr_code, "types")
        check()
    machine.alex_recovers_a_work_account(work, 0, "a fresh one", "scans")
    check()
    machine.organisation_unregisters_a_phone(_index(machine, first, mm._has_work), 0)
    check()
    third = machine.alex_gets_another_phone("android", "latest")
    off = _index(machine, third, mm._backup_off)
    machine.alex_adds_an_account_while_backup_is_off(off, "Google")
    machine.alex_turns_on_backup_while_we_watch_the_network(off)
    machine.alex_turns_off_backup(_index(machine, third, mm._backup_on))
    check()
    for how in ("wrong password", "work account", "right"):
        machine.alex_turns_on_backup(off, how)
    machine.alex_adds_a_third_party_account(third, "GitHub", scanned=True)  # asks first
    machine.alex_answers_the_camera_prompt(_index(machine, third, mm._asking_for_camera), False)
    machine.alex_adds_a_third_party_account(third, "GitHub", scanned=True)  # refused
    machine.network_changes(third, False)
    machine.alex_adds_a_third_party_account(third, "GitHub", scanned=False)
    machine.network_changes(third, True)
    machine.alex_adds_the_microsoft_account(_index(machine, third, mm._lacks("Microsoft")),
                                            False)
    machine.alex_adds_a_work_account(_index(machine, third, mm._lacks("Contoso", "Fabrikam")),
                                     "Fabrikam", False)
    check()
    machine.time_passes("45 days")
    machine.recovery_sign_in_lapses()
    on = _index(machine, first, mm._backup_on)
    machine.alex_changes_an_account(_index(machine, first, mm._has_accounts), 1,
                                    "moves to the top")  # a change that waits to go up
    machine.alex_selects_the_red_dot(on)
    machine.alex_signs_in_again_to_update_the_backup(on, False)
    machine.alex_signs_in_again_to_update_the_backup(on, True)
    check()
    machine.alex_changes_icloud_account(_index(machine, second, mm._is_iphone), "second")
    machine.alex_changes_icloud_account(_index(machine, second, mm._is_iphone), "none")
    machine.alex_changes_icloud_account(_index(machine, second, mm._is_iphone), "first")
    machine.alex_deletes_the_backup_in_storage_management(0)
    check()
    machine.alex_recovers_onto_a_new_phone_after_a_false_start(
        _index(machine, first, mm._backup_on), "entering a wrong code", "an expired one")
    check()
    fourth = machine.alex_gets_another_phone("ios", "too old")
    for how in ("second Microsoft account", "work account", "wrong password", "right"):
        machine.alex_begins_recovery(_index(machine, fourth, mm._any_phone), "any phone", how)
    machine.alex_removes_every_account(_index(machine, third, mm._has_accounts))
    machine.alex_turns_off_backup(_index(machine, third, mm._backup_on))
    machine.alex_begins_recovery(0, "an empty phone", "right")
    machine.alex_adds_a_work_account_by_scanning(
        _index(machine, first, mm._can_scan_a_work_account), "Fabrikam")
    machine.time_passes("91 days")
    check()
    script = machine.expected_state()
    shapes = {re.sub(r'"[^"]*"', '"_"', step.text) for step in script.steps}
    assert len(shapes) >= 60, sorted(shapes)
    feature = ["Feature: a tour of the explorer's rules", "",
               "  Scenario: every rule once", *[f"    {line}" for line in script.lines()]]
    replayed = replay_feature("\n".join(feature))
    assert replayed.returncode == 0, replayed.stdout[-4000:] + replayed.stderr[-2000:]
    assert "1 passed" in replayed.stdout
