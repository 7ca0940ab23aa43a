"""The explorer judges a target by the documents and its declarations: every model rule
names a requirement and a paragraph that really says it (or is robustness); undeclared
lifetimes and readings are learnt from the target, never assumed; several refusals that
apply at once are all accepted; and a short sweep over the conforming variants is clean.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from authconform import port
from authconform.alterations.variants import VARIANTS
from authconform.proof.explore import explore
from authconform.proof.explore import model as m
from authconform.proof.explore.rules import RULES, Disagreement, rule
from authconform.proof.explore.run import main, seeds_of, sweep

CATALOGUE = Path(__file__).resolve().parents[1] / "features" / "requirements.yml"


@functools.cache  # read-only, and parsing it is most of what each rule's test costs
def _catalogue() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(CATALOGUE.read_text("utf-8"))
    return {r["id"]: r for r in data["requirements"]}


def _paragraphs(requirement: dict[str, Any]) -> set[str]:
    return {f"{s['doc'][:3]} {s['section']} ¶{s['para']}" for s in requirement["sources"]}


# ---------------------------------------------------------------- rules and paragraphs


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_names_requirements_and_paragraphs_that_say_it(name: str) -> None:
    catalogue, found = _catalogue(), RULES[name]
    assert found.requirements, f"{name} names no requirement"
    unknown = [r for r in found.requirements if r not in catalogue]
    assert not unknown, f"{name}: {unknown} are not in features/requirements.yml"
    sources = set().union(*(_paragraphs(catalogue[r]) for r in found.requirements))
    stray = [p for p in found.paragraphs if p not in sources]
    assert not stray, f"{name}: {stray} are not among its requirements' sources"
    if all(catalogue[r].get("kind") == "robustness" for r in found.requirements):
        assert found.robustness, f"{name} names only robustness requirements: no paragraph"


def test_a_rule_without_a_paragraph_is_robustness_and_reported_so() -> None:
    assert RULES["backup-off-offline"].robustness
    assert not RULES["red-dot"].robustness
    apart = Disagreement("already-there", "a duplicate was added")
    assert apart.robustness and "robustness rule" in str(apart)
    assert not Disagreement(("already-there", "red-dot"), "x").robustness
    with pytest.raises(KeyError, match="unknown explorer rule"):
        rule("no-such-rule")


# ---------------------------------------------------------------- the model on its own


def _phone_with_backup(model: m.Model, apple_id: str = "Alex") -> m.Phone:
    model.microsoft_accounts = {"Alex", "Alex-2"}
    phone = model.add_phone("iPhone 1", m.IOS, "6.8.0", apple_id)
    m.expect("x", m.OK)  # the helpers exist for the machine; the model is used directly
    follow(model.add_third_party(phone, "GitHub", scanned=False))
    follow(model.turn_on_backup(phone, "Alex", right_password=True))
    return phone


def follow(expected: m.Expect, code: str | None = None) -> str:
    answer = code or expected.preferred
    assert expected.allows(answer), (answer, expected)
    if expected.follow is not None:
        expected.follow(answer)
    return answer


def test_several_refusals_at_once_are_all_accepted() -> None:
    """A work account on an iPhone without iCloud, offline: no order is documented."""
    model = m.Model()
    model.microsoft_accounts = {"Alex"}
    phone = model.add_phone("iPhone 1", m.IOS, "6.8.0", None)
    model.set_online(phone, False)
    expected = model.turn_on_backup(phone, "Alex/Contoso", right_password=True)
    for code in ("NOT_A_PERSONAL_ACCOUNT", "ICLOUD_SIGN_IN_REQUIRED", "NETWORK_UNAVAILABLE",
                 "SERVICE_UNAVAILABLE"):
        assert expected.allows(code), code
    assert not expected.allows(m.OK) and not expected.allows("BACKUP_ALREADY_ON")
    assert {"recovery-account-is-personal", "backup-needs-icloud", "no-connection"} <= set(
        expected.rules)


def test_undeclared_lifetime_checks_only_what_holds_either_way() -> None:
    model = m.Model(session_lifetime=None, readings=m.Readings({m.RED_DOT or "": "out_of_date"}))
    phone = _phone_with_backup(model)
    assert model.red_dot(phone) is False  # just signed in: current under any lifetime
    model.advance(91 * m.DAY)
    assert model.red_dot(phone) is None  # the model does not know
    assert phone.backup is not None
    model.observe_session(phone.backup.session, out_of_date=False)  # the target: current
    assert model.red_dot(phone) is False
    model.advance(m.DAY)
    model.observe_session(phone.backup.session, out_of_date=True)
    model.advance(m.DAY)
    # lapsed with nothing waiting: an app may mark it now or at the next change
    assert model.red_dot(phone) is None
    follow(model.add_third_party(phone, "Dropbox", scanned=False))  # cannot go up
    assert model.red_dot(phone) is True  # out of date stays so until the next sign-in
    assert follow(model.sign_in_to_update(phone, right_password=True)) == m.OK
    assert model.red_dot(phone) is False


def test_declared_lifetime_is_the_targets() -> None:
    model = m.Model(session_lifetime=30 * m.DAY,
                    readings=m.Readings({m.RED_DOT or "": "out_of_date"}))
    phone = _phone_with_backup(model)
    model.advance(31 * m.DAY)
    assert model.red_dot(phone) is None  # lapsed, nothing waiting: either reading
    follow(model.add_third_party(phone, "Dropbox", scanned=False))
    assert model.red_dot(phone) is True


def test_undeclared_second_pairing_is_learnt_from_the_target() -> None:
    model = m.Model(readings=m.Readings({}))
    # the three readings of the documents (whatever port.READINGS lists today)
    model.readings.candidates[m.PAIRING] = {"newest_wins", "refused", m.EACH_KEEPS_OWN}
    _phone_with_backup(model, "Alex")
    second = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex-2")
    expected = model.turn_on_backup(second, "Alex", right_password=True)
    assert expected.allows(m.OK) and expected.allows("RECOVERY_ACCOUNT_IN_USE")
    follow(expected, m.OK)  # refused is out; newest-wins and each-keeps-its-own remain
    assert "refused" not in model.readings.of(m.PAIRING)
    third = model.add_phone("iPhone 3", m.IOS, "6.8.0", "Alex")  # back to the first one
    expected = model.begin_recovery(third, "Alex", right_password=True)
    assert expected.allows(m.OK) and expected.allows("BACKUP_IN_OTHER_ICLOUD")
    follow(expected, m.OK)  # only "each location keeps its own pairing" says so
    assert model.readings.of(m.PAIRING) == [m.EACH_KEEPS_OWN]
    assert [t.label for t in third.tiles] == ["GitHub"]


def test_a_target_that_contradicts_every_reading_is_the_counterexample() -> None:
    model = m.Model(readings=m.Readings({"second_pairing": "refused"}))
    _phone_with_backup(model, "Alex")
    second = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex-2")
    expected = model.turn_on_backup(second, "Alex", right_password=True)
    assert not expected.allows(m.OK)  # declared: judged under that reading only
    model.readings = m.Readings({})
    model.readings.keep(m.PAIRING, {"refused"}, "second-pairing", "first answer")
    with pytest.raises(Disagreement, match="contradicts every reading of second_pairing"):
        model.readings.keep(m.PAIRING, {"newest_wins", m.EACH_KEEPS_OWN}, "second-pairing",
                            "then the other")


def test_a_reading_the_model_cannot_predict_accepts_any_answer() -> None:
    model = m.Model(readings=m.Readings({}))
    model.readings.candidates[m.PAIRING] = {"some_future_reading"}
    _phone_with_backup(model, "Alex")
    second = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex-2")
    assert model.turn_on_backup(second, "Alex", right_password=True).open


def test_switching_backup_off_offline_is_followed_not_judged() -> None:
    model = m.Model()
    phone = _phone_with_backup(model)
    model.set_online(phone, False)
    expected = model.turn_off_backup(phone)
    assert expected.open and rule(expected.rules[0]).robustness
    follow(expected, m.OK)  # the target turned it off locally
    assert phone.backup is None
    assert (m.ICLOUD, "Alex") in model.unsure  # the cloud copy may be there or not


def _phone_with_work(model: m.Model) -> m.Phone:
    model.microsoft_accounts = {"Alex"}
    phone = model.add_phone("Android phone 1", m.ANDROID, "6.8.0", None)
    follow(model.add_work(phone, model.issue_qr("Contoso", "Alex"), push=True, scanned=False))
    follow(model.add_third_party(phone, "GitHub", scanned=False))
    follow(model.turn_on_backup(phone, "Alex", right_password=True))
    return phone


def test_an_unregistered_phones_work_account_may_stay_go_or_wait() -> None:
    """000 "FAQs" says only that the organisation unregisters the old phone, not what
    that phone's app then shows, nor when it learns: its tile for that organisation may
    stay (codes refused), go, or wait for a new QR code, and the alert may show while it
    waits. Before the unregistration, and for the other accounts, nothing of that."""
    model = m.Model()
    phone = _phone_with_work(model)
    contoso, github = phone.tile("Contoso"), phone.tile("GitHub")
    assert contoso is not None and github is not None
    assert not model.may_leave(phone, contoso) and model.pending_alert(phone) is False
    model.unregister("Contoso", phone)
    assert model.may_leave(phone, contoso) and not model.may_leave(phone, github)
    assert model.pending_alert(phone) is None  # it may already wait, unseen
    model.relapse(phone, contoso)
    assert contoso.pending and model.pending_alert(phone) is None
    with pytest.raises(AssertionError):
        model.relapse(phone, github)
    model.left_by_app(phone, "Contoso")
    assert [t.label for t in phone.tiles] == ["GitHub"]
    assert model.pending_alert(phone) is False
    # whether the app's own removal went up is not said: recovery is taken as shown
    assert model.blobs[(m.MICROSOFT, "Alex")].tiles is None
    # a recovery's waiting accounts still put the alert up
    new = model.add_phone("Android phone 2", m.ANDROID, "6.8.0", None)
    model.blobs[(m.MICROSOFT, "Alex")].tiles = (m.Tile("Contoso", m.WORK, True),)
    follow(model.begin_recovery(new, "Alex", right_password=True), m.OK)
    assert model.pending_alert(new) is True


def test_the_first_scan_may_ask_for_the_camera_or_scan_at_once() -> None:
    """000 "Notes:" ¶2: a first set-up *may* show the prompt (REQ-CAMERA-01, SHOULD).
    Once allowed, a scan works; once refused, scanning adds nothing (¶3)."""
    model = m.Model()
    phone = model.add_phone("iPhone 1", m.IOS, "6.8.0", "Alex")
    first = model.add_third_party(phone, "GitHub", scanned=True)
    assert first.allows(m.PROMPT) and first.allows(m.OK) and "camera-prompt" in first.rules
    assert not first.allows("CAMERA_DENIED")
    follow(first, m.OK)  # no prompt: the camera was simply allowed
    assert [t.label for t in phone.tiles] == ["GitHub"] and phone.camera == "allowed"
    again = model.add_third_party(phone, "Google", scanned=True)
    assert again.allows(m.OK) and not again.allows(m.PROMPT)
    other = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex")
    follow(model.add_third_party(other, "GitHub", scanned=True), m.PROMPT)
    assert other.prompt_showing and not other.tiles
    model.answer_camera(other, allow=False)
    denied = model.add_third_party(other, "GitHub", scanned=True)
    assert denied.allows("CAMERA_DENIED") and denied.allows(m.PROMPT)
    assert not denied.allows(m.OK) and not denied.allows("SERVICE_UNAVAILABLE")
    assert follow(model.add_third_party(other, "GitHub", scanned=False)) == m.OK


def test_under_2019_camera_prompts_are_not_judged() -> None:
    """002 says nothing of the camera: a prompt may show or not, at any scan; a scan
    refused after a denial still adds nothing."""
    model = m.Model(profile="2019")
    phone = model.add_phone("iPhone 1", m.IOS, "6.8.0", "Alex")
    first = model.add_third_party(phone, "GitHub", scanned=True)
    assert first.allows(m.OK) and first.allows(m.PROMPT)
    assert "camera-prompt" not in first.rules
    follow(first, m.OK)
    assert model.add_third_party(phone, "Google", scanned=True).allows(m.PROMPT)
    phone.camera = "denied"
    denied = model.add_third_party(phone, "Google", scanned=True)
    assert denied.allows("CAMERA_DENIED") and denied.allows("SERVICE_UNAVAILABLE")
    assert not denied.allows(m.OK)


def test_under_2019_only_the_shipped_iphone_app_is_held_to_have_backup() -> None:
    """002 "Applies to" names iOS and no version (REQ-VERSION-04): another version's gate
    (REQ-VERSION-06) and Android's (REQ-VERSION-05) are robustness, left to the target."""
    model = m.Model(profile="2019")
    model.microsoft_accounts = {"Alex"}
    assert model.gate_rule() == "version-gate-2019"
    assert not model.gate_open(m.IOS, shipped=True)
    shipped = model.add_phone("iPhone 1", m.IOS, "6.8.0", "Alex", offered=False)
    assert model.supported(shipped)  # judged: the target cannot talk its way out
    old = model.add_phone("iPhone 2", m.IOS, "5.6.9", "Alex", shipped=False, offered=False)
    assert not model.supported(old)
    assert model.turn_on_backup(old, "Alex", right_password=True).rules == (
        "version-gate-2019",)
    android = model.add_phone("Android phone 3", m.ANDROID, "6.8.0", None, offered=True)
    assert model.supported(android)
    current = m.Model()
    assert not current.gate_open(m.IOS, shipped=False) and current.gate_rule() == "version-gate"
    assert not current.supported(current.add_phone("iPhone", m.IOS, "5.6.9", "Alex",
                                                   shipped=False, offered=True))


def test_a_refused_second_pairing_may_answer_any_refusal() -> None:
    """REQ-RECOVACCT-02's scenario checks only that turning backup on is refused."""
    model = m.Model(readings=m.Readings({}))
    model.readings.candidates[m.PAIRING] = {"newest_wins", "refused", m.EACH_KEEPS_OWN}
    _phone_with_backup(model, "Alex")
    second = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex-2")
    expected = model.turn_on_backup(second, "Alex", right_password=True)
    assert expected.allows(m.OK) and expected.allows("BACKUP_ALREADY_ON")
    follow(expected, "BACKUP_ALREADY_ON")
    assert model.readings.of(m.PAIRING) == ["refused"] and second.backup is None
    declared = m.Model(readings=m.Readings({"second_pairing": "newest_wins"}))
    _phone_with_backup(declared, "Alex")
    other = declared.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex-2")
    assert not declared.turn_on_backup(other, "Alex", right_password=True).allows(
        "BACKUP_ALREADY_ON")


# ---------------------------------------------------------------- against targets


class _Undeclared:
    """The reference simulator with every parameter and reading left undeclared."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.app, self.world = inner.app, inner.world
        self.info = dataclasses.replace(inner.info, parameters={}, readings={})

    def close(self) -> None:
        self._inner.close()


def test_explorer_against_a_target_that_declares_nothing(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from authconform.adapters import sim_adapter

    original = sim_adapter.SimAdapter.new_target

    def new_target(self: Any, seed: int) -> Any:
        return _Undeclared(original(self, seed))

    monkeypatch.setattr(sim_adapter.SimAdapter, "new_target", new_target)
    result = explore("sim", None, seed=3, max_examples=25, step_count=30, shrink=False)
    assert not result.found, result.summary()


def test_short_sweep_over_every_conforming_variant_is_clean() -> None:
    results = sweep(sorted(VARIANTS), [1], max_examples=6, step_count=25)
    assert len(results) == len(VARIANTS)
    bad = [r.summary() for r in results if r.found]
    assert not bad, "\n".join(bad)


def test_sweep_command_refuses_what_it_cannot_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--variants", "no-such-variant", "--seeds", "1"]) == 2
    assert "unknown variant" in capsys.readouterr().err
    assert seeds_of("1-3,7") == [1, 2, 3, 7]
    with pytest.raises(SystemExit):
        main(["--variants", "--mutant", "msa_codes_identical"])
    with pytest.raises(SystemExit):
        main(["--seeds", "one-two", "--variants"])


def test_port_readings_are_all_known_to_the_explorer() -> None:
    """A reading added to the port must be placed: modelled (by value) or knowingly
    followed; a value the model does not predict makes what it touches open."""
    for reading in port.READINGS:
        assert reading.value in m.MODELLED, (
            f"reading {reading.value!r} is new to the explorer: add it to model.MODELLED "
            "and decide which rules it touches")


def test_after_switching_backup_off_recovery_may_find_the_copy_or_not() -> None:
    """Whether switching off deletes the cloud copy is not documented (REQ-BACKUP-07)."""
    model = m.Model()
    phone = _phone_with_backup(model)
    follow(model.turn_off_backup(phone), m.OK)
    new = model.add_phone("iPhone 2", m.IOS, "6.8.0", "Alex")
    expected = model.begin_recovery(new, "Alex", right_password=True)
    assert expected.allows(m.OK) and expected.allows("BACKUP_DELETED")
    assert expected.allows("NO_BACKUP_FOUND")  # the "backup unavailable" family
    follow(expected, m.OK)  # this target kept it: what was last uploaded comes back
    assert [t.label for t in new.tiles] == ["GitHub"]


def test_under_2019_a_lapsed_sign_in_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """002 has no out-of-date backup: an app with no red dot that keeps uploading after
    the recovery sign-in lapsed is faithful under 2019, and caught under the current
    profile (000 "Backup is out-of-date")."""
    from authconform.adapters import sim_adapter
    from authconform.alterations.patching import override_app_property, swapped, wrap_app

    original = sim_adapter.SimAdapter.new_target

    def new_target(self: Any, seed: int) -> Any:
        target = original(self, seed)
        world = target.world_model
        override_app_property(world, "red_dot", lambda app, shown: False)

        def sync(app: Any, upload: Any) -> Any:
            with swapped(app, "_session_valid", lambda: True):
                return upload()
        wrap_app(world, "_sync", sync)
        return target

    monkeypatch.setattr(sim_adapter.SimAdapter, "new_target", new_target)
    found_2019 = [explore("sim", None, seed=seed, max_examples=40, step_count=30,
                          shrink=False, profile="2019").found for seed in (1, 2)]
    assert not any(found_2019)
    assert explore("sim", None, seed=1, max_examples=40, step_count=30, shrink=False).found
