"""The explorer against the reference simulator: the model and the simulator agree, the
explorer replays from its seed, and every step text it writes runs with the shared steps.

Budget: a few explorations of 30-step programs, well under half a minute on a quiet
machine. The seeds are fixed (printed on failure) so a failure here replays exactly.
"""

from __future__ import annotations

import pytest

from authconform.explore import explore
from authconform.explore import model as m
from authconform.explore.gherkin import Script, feature_text
from authconform.explore.machine import LATEST_VERSION, Explorer
from authconform.explore.run import replay_feature

SEED = 20260101


# ---------------------------------------------------------------- the model on its own


def _model_with_backup(platform: str = m.IOS) -> tuple[m.Model, m.Phone]:
    model = m.Model()
    model.microsoft_accounts = {"Alex", "Alex-2"}
    old = model.add_phone("old", platform, "6.8.0", "Alex")
    assert model.add_third_party(old, "Google", scanned=False) == m.OK
    assert model.add_third_party(old, "GitHub", scanned=False) == m.OK
    assert model.add_personal(old, push=True) == m.OK
    assert model.turn_on_backup(old, "Alex", right_password=True) == m.OK
    return model, old


def test_model_restores_order_and_holds_push_accounts_back() -> None:
    model, old = _model_with_backup()
    assert model.move_to_top(old, "Microsoft") == m.OK
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert model.begin_recovery(new, "Alex", right_password=True) == m.OK
    assert [(t.label, t.pending) for t in new.tiles] == [
        ("Microsoft", True), ("Google", False), ("GitHub", False)]
    assert model.pending_alert(new) and not model.pending_alert(old)


def test_model_refuses_recovery_while_any_account_exists() -> None:
    model, _ = _model_with_backup()
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert model.add_third_party(new, "Google", scanned=False) == m.OK
    assert model.begin_recovery(new, "Alex", right_password=True) == "EXISTING_ACCOUNTS"
    assert [t.label for t in new.tiles] == ["Google"]
    assert model.remove(new, "Google") == m.OK
    assert model.begin_recovery(new, "Alex", right_password=True) == m.OK


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
    assert model.red_dot(old) and model.select_red_dot(old) == "SIGN_IN_REQUIRED"
    assert model.remove(old, "Google") == m.OK  # stays on the phone only
    new = model.add_phone("new", m.IOS, "6.8.0", "Alex")
    assert model.begin_recovery(new, "Alex", right_password=True) == m.OK
    assert "Google" in [t.label for t in new.tiles]
    assert model.sign_in_to_update(old, right_password=True) == m.OK
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
        assert model.turn_off_backup(old) == m.OK
    if change == "deleted in storage":
        assert model.delete_backup(m.ICLOUD, "Alex")
    if change == "offline":
        model.set_online(new, False)
    account = "Alex-2" if change == "second account" else "Alex"
    assert model.begin_recovery(new, account, change != "wrong password") == expected
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
        assert model.recover_work(phone, "Contoso", qr, "Alex", scanned=False) == "QR_REJECTED"
    fresh = model.issue_qr("Contoso", "Alex")
    assert model.recover_work(phone, "Contoso", fresh, "Alex", scanned=False) == m.OK


# ---------------------------------------------------------------- the explorer vs sim


def test_explorer_and_reference_simulator_agree() -> None:
    result = explore("sim", None, seed=SEED, max_examples=40, step_count=30)
    assert not result.found, result.summary() + "\n" + (result.feature or "")
    assert result.failure == "" and result.feature is None


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
    import authconform.explore.run as run

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
