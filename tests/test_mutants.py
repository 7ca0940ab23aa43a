"""The mutant catalogue: well-formed, isolated, and every mutant observably wrong.

Each mutant has a *probe*: a short story told through the port whose observation the
reference simulator gets right (the documented expectation, written out here) and the
mutant gets wrong. That makes "breaks its requirement observably through the port" a
checked claim rather than a hope, independently of how the feature files evolve.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from authconform import port
from authconform.adapters.guard import GuardedTarget
from authconform.adapters.inprocess import SimTarget
from authconform.alterations.mutants import MUTANTS, Mutant

REPO = Path(__file__).resolve().parent.parent
MINUTE, HOUR, DAY = 60.0, 3600.0, 24 * 3600.0


# ---------------------------------------------------------------- a tiny cast for probes


class Scene:
    """One person (and a colleague) in a fresh world, driven through the guarded port."""

    def __init__(self, mutant: str | None = None, seed: int = 11):
        inner = SimTarget(seed=seed)
        if mutant:
            MUTANTS[mutant].apply(inner.world_model)
        self.target = GuardedTarget(inner, 10.0)
        self.app, self.world = self.target.app, self.target.world
        w = self.world
        self.alex, self.sam = w.create_person(), w.create_person()
        self.msa = w.create_microsoft_account(self.alex.id)
        self.msa2 = w.create_microsoft_account(self.alex.id)
        self.apple = w.create_apple_id(self.alex.id)
        self.apple2 = w.create_apple_id(self.alex.id)
        self.contoso, self.fabrikam = w.create_tenant(), w.create_tenant()
        self.work = w.create_work_account(self.contoso.id, self.alex.id)
        self.work_fabrikam = w.create_work_account(self.fabrikam.id, self.alex.id)
        self.work_sam = w.create_work_account(self.contoso.id, self.sam.id)
        self.github = w.create_site_account(self.alex.id, "GitHub")
        self.google = w.create_site_account(self.alex.id, "Google")
        self.setup_qr: port.ActivationQr | None = None

    def phone(self, platform: str = "ios", version: str = "6.8.0",
              apple: port.AppleId | str | None = "first") -> str:
        device = self.world.create_device(self.alex.id, port.Platform(platform), version)
        if platform == "ios" and apple is not None:
            chosen = self.apple if apple == "first" else apple
            assert isinstance(chosen, port.AppleId)
            assert self.world.sign_in_to_icloud(device, chosen.username, chosen.password).ok
        return device

    def add_site(self, device: str, site: port.SiteAccount | None = None) -> port.Outcome:
        s = site or self.github
        return self.app.enter_code_manually(device, s.issuer, s.username, s.secret, s.digits,
                                            s.period, s.algorithm)

    def add_msa(self, device: str, push: bool = False) -> port.Outcome:
        return self.app.add_personal_account(device, self.msa.username, self.msa.password,
                                             push)

    def add_work(self, device: str, push: bool = False) -> port.Outcome:
        self.setup_qr = self.world.issue_activation_qr(self.contoso.id, self.work.id)
        return self.app.enter_activation_manually(device, self.setup_qr.code,
                                                  self.setup_qr.url, push)

    def backup(self, device: str, msa: port.MicrosoftAccount | None = None) -> port.Outcome:
        m = msa or self.msa
        return self.app.turn_on_backup(device, m.username, m.password)

    def recover(self, device: str, msa: port.MicrosoftAccount | None = None,
                password: str | None = None) -> str:
        m = msa or self.msa
        return self.app.begin_recovery(device, m.username,
                                       password or m.password).code.value

    def entry(self, device: str, username: str) -> port.AccountEntry:
        return next(e for e in self.app.list_accounts(device)
                    if e.username.lower() == username.lower())

    def labels(self, device: str) -> list[str]:
        names = {self.msa.username: "Microsoft", self.work.username: "Contoso",
                 self.github.username: "GitHub", self.google.username: "Google"}
        return [names.get(e.username, e.username) for e in self.app.list_accounts(device)]

    def code(self, device: str, username: str) -> str | None:
        return self.app.current_code(device, self.entry(device, username).id)

    def secrets_leaked(self) -> bool:
        """Any phone's private push key in any stored object or traffic payload?"""
        blobs = [o.data for o in self.world.stored_objects()]
        blobs += [t.payload for t in self.world.traffic()]
        keys = [k for d in self.devices() for k in self.world.device_secrets(d)]
        return any(k in b for k in keys for b in blobs)

    def devices(self) -> list[str]:
        return [f"device-{n}" for n in range(1, 10)
                if f"device-{n}" in self.target.inner.world_model.devices]

    def old_and_new(self, platform: str = "ios", *, push: bool = False, work: bool = False,
                    sites: bool = True) -> tuple[str, str]:
        """Accounts on an old phone with backup on, and a new empty phone."""
        old = self.phone(platform)
        if sites:
            assert self.add_site(old).ok
        if push or not sites:
            assert self.add_msa(old, push=push).ok
        if work:
            assert self.add_work(old).ok
        assert self.backup(old).ok
        return old, self.phone(platform)


# ---------------------------------------------------------------- probes


def probe_existing_refused(s: Scene) -> Any:
    _old, new = s.old_and_new()
    assert s.add_site(new, s.google).ok
    return s.recover(new), s.labels(new)


def probe_existing_retry(s: Scene) -> Any:
    _old, new = s.old_and_new()
    assert s.add_site(new, s.google).ok
    first = s.recover(new)
    assert s.app.remove_account(new, s.entry(new, s.google.username).id).ok
    return first, s.recover(new), s.labels(new)


def probe_msa_codes(s: Scene) -> Any:
    old, new = s.old_and_new(sites=False)
    assert s.recover(new) == "OK"
    a, b = s.code(old, s.msa.username), s.code(new, s.msa.username)
    assert a is not None and b is not None, (a, b)
    w = s.world
    return (a != b, w.provider_accepts_code(s.msa.id, a, old),
            w.provider_accepts_code(s.msa.id, b, new), w.provider_accepts_code(s.msa.id, a, new),
            len(a), len(b))


def probe_third_party_codes(s: Scene) -> Any:
    old, new = s.old_and_new()
    assert s.recover(new) == "OK"
    a, b = s.code(old, s.github.username), s.code(new, s.github.username)
    return a == b, s.world.provider_accepts_code(s.github.id, b or "", new)


def probe_turn_on_wrong_password(s: Scene) -> Any:
    phone = s.phone()
    return s.app.turn_on_backup(phone, s.msa.username, "wrong").code.value, s.app.screen(
        phone).backup_on


def probe_icloud_required(s: Scene) -> Any:
    return s.backup(s.phone(apple=None)).code.value


def probe_storage_locations(s: Scene) -> Any:
    iphone, android = s.phone("ios"), s.phone("android")
    assert s.add_site(iphone).ok and s.add_site(android).ok
    assert s.backup(iphone).ok and s.backup(android, s.msa2).ok
    where = {s.apple.username.lower(): "Apple ID", s.msa2.username.lower(): "MSA"}
    return sorted((o.store.value, where.get(o.location.lower(), o.location))
                  for o in s.world.stored_objects())


def probe_auto_upload(s: Scene) -> Any:
    old = s.phone()
    assert s.backup(old).ok
    assert s.add_site(old).ok
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_no_upload_after_turn_off(s: Scene) -> Any:
    old, _ = s.old_and_new()
    assert s.app.turn_off_backup(old).ok
    before = len(s.world.traffic())
    assert s.add_site(old, s.google).ok
    return [t.operation for t in s.world.traffic()[before:]]


def probe_mixed_backup(s: Scene) -> Any:
    _old, new = s.old_and_new(work=True)
    assert s.recover(new) == "OK"
    return [(s.labels(new)[i], e.needs_verification)
            for i, e in enumerate(s.app.list_accounts(new))]


def probe_order_and_names(s: Scene) -> Any:
    old = s.phone()
    assert s.add_site(old, s.google).ok and s.add_site(old).ok and s.add_msa(old).ok
    assert s.app.rename_account(old, s.entry(old, s.github.username).id, "Code host").ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return s.labels(new), s.entry(new, s.github.username).display_name


def probe_recovery_wrong_password(s: Scene) -> Any:
    _old, new = s.old_and_new()
    return s.recover(new, password="not-the-password"), s.labels(new)


def probe_other_msa(s: Scene) -> Any:
    _old, new = s.old_and_new("android")
    return s.recover(new, s.msa2), s.labels(new)


def probe_other_msa_on_iphone(s: Scene) -> Any:
    _old, new = s.old_and_new("ios")
    return s.recover(new, s.msa2), s.labels(new)


def probe_refusal_leak(s: Scene) -> Any:
    """Another Microsoft account in Alex's iCloud: the refusal must not name Alex's."""
    _old, new = s.old_and_new("ios")
    done = s.app.begin_recovery(new, s.msa2.username, s.msa2.password)
    return done.code.value, s.msa.username.lower() in done.message.lower()


def probe_refused_attempt_store(s: Scene) -> Any:
    """Another Microsoft account in Alex's iCloud: the refused attempt moves nothing."""
    _old, new = s.old_and_new("ios")
    before = s.world.stored_objects()
    code = s.recover(new, s.msa2)
    return code, s.world.stored_objects() == before


def probe_offline_recovery(s: Scene) -> Any:
    _old, new = s.old_and_new()
    s.world.set_device_online(new, False)
    first = s.recover(new), s.labels(new)
    s.world.set_device_online(new, True)
    return first, s.recover(new)


def probe_push_recovery(s: Scene) -> Any:
    old, new = s.old_and_new(push=True)
    assert s.recover(new) == "OK"
    entry = s.entry(new, s.msa.username)
    alert = any(a.code is port.AlertCode.VERIFICATION_NEEDED for a in s.app.screen(new).alerts)
    request = s.world.request_push(s.msa.id)
    approval = s.app.approve_push(new, request).code.value
    shared = set(s.world.device_secrets(old)) & set(s.world.device_secrets(new))
    return entry.needs_verification, alert, approval, bool(shared)


def _pending_push(s: Scene) -> tuple[str, str, port.AccountEntry]:
    old, new = s.old_and_new(push=True)
    assert s.recover(new) == "OK"
    return old, new, s.entry(new, s.msa.username)


def probe_verification_code_sent(s: Scene) -> Any:
    _, new, entry = _pending_push(s)
    sent = s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").code.value
    return sent, len(s.world.messages(s.msa.alternate_email or ""))


def probe_verification_wrong_password(s: Scene) -> Any:
    _, new, entry = _pending_push(s)
    refused = s.app.sign_in_to_recover(new, entry.id, "wrong", "email").code.value
    return refused, len(s.world.messages(s.msa.alternate_email or ""))


def probe_wrong_code(s: Scene) -> Any:
    _, new, entry = _pending_push(s)
    assert s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").code.value == (
        "CODE_SENT")
    real = s.world.messages(s.msa.alternate_email or "")[-1].code
    wrong = "000000" if real != "000000" else "111111"
    return (s.app.confirm_verification_code(new, entry.id, wrong).code.value,
            s.app.confirm_verification_code(new, entry.id, real or "").code.value)


def probe_verified_push(s: Scene) -> Any:
    """Verify the personal push account on the new phone: the work account still waits,
    and the new phone's device keys are its own."""
    old, new = s.old_and_new(push=True, work=True)
    assert s.recover(new) == "OK"
    entry = s.entry(new, s.msa.username)
    assert s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").code.value == (
        "CODE_SENT")
    real = s.world.messages(s.msa.alternate_email or "")[-1].code
    confirmed = s.app.confirm_verification_code(new, entry.id, real or "").code.value
    work_waits = s.entry(new, s.work.username).needs_verification
    shared = set(s.world.device_secrets(old)) & set(s.world.device_secrets(new))
    return confirmed, work_waits, bool(shared)


def probe_expired_code(s: Scene) -> Any:
    _, new, entry = _pending_push(s)
    assert s.app.sign_in_to_recover(new, entry.id, s.msa.password, "phone").code.value == (
        "CODE_SENT")
    real = s.world.messages(s.msa.alternate_phone or "")[-1].code
    s.world.advance_clock(11 * MINUTE)
    return s.app.confirm_verification_code(new, entry.id, real or "").code.value


def _pending_work(s: Scene) -> tuple[str, str, port.AccountEntry]:
    old, new = s.old_and_new(work=True)
    assert s.recover(new) == "OK"
    return old, new, s.entry(new, s.work.username)


def probe_work_recovery(s: Scene) -> Any:
    old, new, entry = _pending_work(s)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    answer = s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).code.value
    after = s.entry(new, s.work.username)
    old_code = s.code(old, s.work.username) or ""
    new_code = s.code(new, s.work.username) or ""
    return (answer, after.needs_verification,
            s.world.provider_accepts_code(s.work.id, old_code, old),
            s.world.provider_accepts_code(s.work.id, new_code, new))


def probe_replayed_qr(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    assert s.setup_qr is not None
    return s.app.enter_activation_to_recover(new, entry.id, s.setup_qr.code,
                                             s.setup_qr.url).code.value


def probe_expired_qr(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    s.world.advance_clock(25 * HOUR)
    return s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).code.value


def probe_other_tenant_qr(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    qr = s.world.issue_activation_qr(s.fabrikam.id, s.work_fabrikam.id)
    return s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).code.value


def probe_colleague_qr(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work_sam.id)
    return s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).code.value


def probe_camera_prompt(s: Scene) -> Any:
    seen = []
    for platform in ("ios", "android"):
        phone = s.phone(platform)
        seen.append((s.app.scan_qr(phone, s.github.qr_png).code.value,
                     s.app.screen(phone).camera_prompt))
    return seen


def probe_camera_allowed(s: Scene) -> Any:
    phone = s.phone()
    s.app.scan_qr(phone, s.github.qr_png)
    s.app.answer_camera_prompt(phone, True)
    return s.app.scan_qr(phone, s.github.qr_png).code.value, s.labels(phone)


def probe_camera_denied(s: Scene) -> Any:
    phone = s.phone()
    s.app.scan_qr(phone, s.github.qr_png)
    s.app.answer_camera_prompt(phone, False)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    return (s.app.scan_qr(phone, s.github.qr_png).code.value, s.add_site(phone).code.value,
            s.app.enter_activation_manually(phone, qr.code, qr.url).code.value)


def probe_os_switch(s: Scene) -> Any:
    _old, _ = s.old_and_new("ios")
    android = s.phone("android")
    return s.recover(android), s.labels(android)


def probe_catch_up(s: Scene) -> Any:
    old = s.phone()
    assert s.backup(old).ok
    s.world.set_device_online(old, False)
    assert s.add_site(old).ok
    s.world.set_device_online(old, True)
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_other_apple_id(s: Scene) -> Any:
    _old, _ = s.old_and_new("ios")
    other = s.phone(apple=s.apple2)
    return s.recover(other), s.labels(other)


def probe_deleted_in_storage(s: Scene) -> Any:
    _old, new = s.old_and_new("ios")
    s.world.delete_backup(port.Store.ICLOUD, s.apple.username)
    return s.recover(new), s.labels(new)


def probe_damaged(s: Scene) -> Any:
    old = s.phone()
    assert s.add_site(old).ok and s.add_site(old, s.google).ok and s.backup(old).ok
    assert s.world.tamper_backup(port.Store.ICLOUD, s.apple.username, "truncate")
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_stale(s: Scene) -> Any:
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_red_dot(s: Scene) -> Any:
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    before = s.app.screen(old).red_dot, s.app.select_backup_warning(old).code.value
    signed = s.app.sign_in_to_update_backup(old, s.msa.password).code.value
    return before, signed, s.app.screen(old).red_dot


def probe_drift(s: Scene) -> Any:
    """A code one step beyond the declared drift window (0 steps): refused."""
    old = s.phone()
    assert s.add_site(old).ok
    noted = s.code(old, s.github.username)
    s.world.advance_clock(30)
    return s.world.provider_accepts_code(s.github.id, noted or "", old)


def probe_lapse_time(s: Scene) -> Any:
    """Shortly before and after the declared recovery sign-in lifetime: the red dot."""
    old, _ = s.old_and_new()
    lifetime = s.target.info.parameters["recovery_sign_in_lifetime_s"]
    s.world.advance_clock(lifetime - DAY)
    before = s.app.screen(old).red_dot
    s.world.advance_clock(2 * DAY)
    return before, s.app.screen(old).red_dot


def probe_key_call_age(s: Scene) -> Any:
    """Every key-holder call comes within the declared freshness of a sign-in."""
    _old, new = s.old_and_new()
    assert s.recover(new) == "OK"
    freshness = s.target.info.parameters["key_freshness_s"]
    mine = [t for t in s.world.traffic() if t.device_id == new]
    ages = [t.at - max(u.at for u in mine[:i] if u.service == "msa")
            for i, t in enumerate(mine) if t.service == "key-service"]
    return bool(ages) and all(age <= freshness for age in ages)


def probe_second_pairing(s: Scene) -> Any:
    """The recovery account of an iPhone backup turns on backup on Android too; what a
    new iPhone then finds."""
    s.old_and_new("ios")
    android = s.phone("android")
    assert s.add_site(android, s.google).ok
    paired = s.backup(android).code.value
    return paired, s.recover(s.phone("ios"))


def probe_versions(s: Scene) -> Any:
    return [s.app.screen(s.phone(platform, version)).backup_setting is not None
            for platform, version in (("ios", "5.6.9"), ("ios", "5.7.0"), ("ios", "5.10.0"),
                                      ("ios", "6.0.0"), ("android", "6.5.9"),
                                      ("android", "6.6.0"), ("android", "6.10.0"),
                                      ("android", "7.0.0"))]


def probe_unregistered(s: Scene) -> Any:
    phone = s.phone()
    assert s.add_work(phone).ok
    before = s.world.provider_accepts_code(s.work.id, s.code(phone, s.work.username) or "",
                                           phone)
    s.world.unregister_device(s.contoso.id, phone)
    after = s.world.provider_accepts_code(s.work.id, s.code(phone, s.work.username) or "",
                                          phone)
    return before, after


def probe_lost_phone(s: Scene) -> Any:
    old, new = s.old_and_new()
    s.world.set_device_online(old, False)  # lost, off or wiped
    return s.recover(new), s.labels(new)


def probe_services(s: Scene) -> Any:
    _old, new = s.old_and_new()
    assert s.recover(new) == "OK"
    return sorted({t.service for t in s.world.traffic()} - {
        "icloud", "microsoft-storage", "msa", "key-service", "tenants"})


def probe_admin_view(s: Scene) -> Any:
    phone = s.phone()
    assert s.add_work(phone).ok and s.add_site(phone).ok and s.add_msa(phone).ok
    assert s.backup(phone).ok
    view = s.world.admin_view(s.contoso.id)
    text = " ".join(view.events + view.accounts_seen).lower()
    return [name for name in (s.github.username, s.msa.username) if name.lower() in text]


def probe_plaintext(s: Scene) -> Any:
    import base64

    s.old_and_new()
    data = b"".join(o.data for o in s.world.stored_objects())
    words = [w.encode() for w in (s.github.secret, s.github.username, s.github.issuer,
                                  s.msa.password)]
    words.append(base64.b64encode(s.msa.password.encode()))
    return [word for word in words if word in data]


def probe_push_key_stays(s: Scene) -> Any:
    phone = s.phone()
    assert s.add_msa(phone, push=True).ok and s.backup(phone).ok and s.add_site(phone).ok
    return s.secrets_leaked()


def probe_work_recovery_account(s: Scene) -> Any:
    phone = s.phone()
    return (s.app.turn_on_backup(phone, s.work.username, s.work.password).code.value,
            s.app.begin_recovery(s.phone(), s.work.username, s.work.password).code.value)


def probe_old_pairing(s: Scene) -> Any:
    _old, _ = s.old_and_new("ios")
    other = s.phone(apple=s.apple2)
    assert s.add_site(other, s.google).ok and s.backup(other).ok
    third = s.phone()  # the first Apple ID again
    return s.recover(third), s.labels(third)


def probe_cut_upload(s: Scene) -> Any:
    old, _ = s.old_and_new()
    s.world.inject_fault("network_drop_during_upload")
    assert s.add_site(old, s.google).ok  # its upload is cut
    new = s.phone()
    return s.recover(new), s.labels(new)


def _faulty_write_then_retry(s: Scene, fault: str) -> Any:
    old, _ = s.old_and_new()
    s.world.inject_fault(fault)
    assert s.add_site(old, s.google).ok  # the store mishandles this upload
    s.world.set_device_online(old, True)  # the next chance to upload again
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_lost_write(s: Scene) -> Any:
    return _faulty_write_then_retry(s, "store_write_lost")


def probe_truncated_write(s: Scene) -> Any:
    return _faulty_write_then_retry(s, "store_corrupts_next_write")


def probe_turn_on_fault(s: Scene) -> Any:
    phone = s.phone()
    assert s.add_site(phone).ok
    s.world.inject_fault("key_service_unavailable")
    refused = s.backup(phone).code.value, s.app.screen(phone).backup_on
    return refused, s.backup(phone).code.value


def probe_cut_recovery_retry(s: Scene) -> Any:
    _old, new = s.old_and_new()
    s.world.inject_fault("network_drop_during_download")
    return s.recover(new), s.labels(new), s.recover(new), s.labels(new)


def probe_two_writers(s: Scene) -> Any:
    first = s.phone()
    assert s.add_site(first).ok and s.backup(first).ok
    second = s.phone()
    assert s.add_site(second, s.google).ok and s.backup(second).ok
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_traffic_secrets(s: Scene) -> Any:
    _old, new = s.old_and_new()
    assert s.recover(new) == "OK"
    data = b"".join(t.payload for t in s.world.traffic())
    return [word for word in (s.github.secret, s.github.secret.lower()) if word.encode() in data]


def probe_old_sign_in(s: Scene) -> Any:
    phone = s.phone()
    assert s.add_site(phone).ok and s.backup(phone).ok
    assert s.app.remove_account(phone, s.entry(phone, s.github.username).id).ok
    return s.recover(phone, password="not-the-password")


def probe_stale_sign_in(s: Scene) -> Any:
    _old, new = s.old_and_new()
    s.world.inject_fault("recovery_sign_in_stale_before_key_release")
    return s.recover(new), s.labels(new)


def probe_outage_red_dot(s: Scene) -> Any:
    """Offline with a change waiting, the sign-in still valid: no red dot."""
    old, _ = s.old_and_new()
    s.world.set_device_online(old, False)
    assert s.add_site(old, s.google).ok
    return s.app.screen(old).red_dot


def probe_red_dot_stays(s: Scene) -> Any:
    """Lapsed: the red dot through offline, online, days passing and an app restart."""
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    seen = []
    for step in (lambda: s.world.set_device_online(old, False),
                 lambda: s.world.set_device_online(old, True),
                 lambda: s.world.advance_clock(3 * DAY),
                 lambda: s.app.restart_app(old)):
        step()
        seen.append(s.app.screen(old).red_dot)
    return seen


def probe_own_password(s: Scene) -> Any:
    """A second personal account waits; the recovery account's password does not
    release it."""
    second = s.msa2
    old = s.phone()
    assert s.add_msa(old, push=True).ok
    assert s.app.add_personal_account(old, second.username, second.password, True).ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    entry = s.entry(new, second.username)
    answer = s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").code.value
    return answer, s.entry(new, second.username).needs_verification


def probe_waiting_block(s: Scene) -> Any:
    """Restored accounts still waiting block a second recovery."""
    _old, new = s.old_and_new(push=True, work=True, sites=False)
    assert s.recover(new) == "OK"
    return s.recover(new), len(s.app.list_accounts(new))


def probe_mail_in_store(s: Scene) -> Any:
    s.world.put_account_data(s.msa.id, "mail", "Lunch on Friday, quarterly report")
    s.old_and_new()
    return [o.name for o in s.world.stored_objects() if b"quarterly report" in o.data]


def probe_cut_recovery_store(s: Scene) -> Any:
    """A recovery cut after the download leaves the stored objects as they were."""
    _old, new = s.old_and_new()
    before = s.world.stored_objects()
    s.world.inject_fault("network_drop_after_download")
    return s.recover(new), s.world.stored_objects() == before


def probe_key_in_store(s: Scene) -> Any:
    import base64

    s.old_and_new()
    key = s.world.backup_key(port.Store.ICLOUD, s.apple.username)
    assert key
    forms = (key, base64.b64encode(key), key.hex().encode())
    return [o.name for o in s.world.stored_objects() if any(f in o.data for f in forms)]


# Each probe and what the reference (and the documents) say it should observe.
def probe_existing_kinds(s: Scene) -> Any:
    answers = []
    for add in (s.add_work, lambda d: s.add_site(d, s.google)):
        old = s.phone()
        assert s.add_site(old).ok and s.backup(old).ok
        new = s.phone()
        assert add(new).ok
        answers.append(s.recover(new))
    return answers


def probe_deleted_from_phone(s: Scene) -> Any:
    old, new = s.old_and_new("ios")
    assert s.app.delete_backup_from_phone(old).ok
    return s.recover(new), s.labels(new)


def probe_account_problem(s: Scene) -> Any:
    _old, new = s.old_and_new()
    s.world.set_account_problem(s.msa.id, True)
    return s.recover(new), s.labels(new)


def probe_update_by_other_account(s: Scene) -> Any:
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    signed = s.app.sign_in_to_update_backup(old, s.msa2.password, s.msa2.username)
    return signed.code.value, s.app.screen(old).red_dot


def probe_out_of_date_screen(s: Scene) -> Any:
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    screen = s.app.screen(old)
    prompt = any(a.code is port.AlertCode.BACKUP_OUT_OF_DATE for a in screen.alerts)
    return prompt, screen.backup_warning_at


def probe_waiting_options(s: Scene) -> Any:
    _old, new = s.old_and_new(push=True, work=True)
    assert s.recover(new) == "OK"
    return (s.entry(new, s.msa.username).actions, s.entry(new, s.work.username).actions)


def probe_android_alert(s: Scene) -> Any:
    _old, new = s.old_and_new("android", push=True)
    assert s.recover(new) == "OK"
    return any(a.code is port.AlertCode.VERIFICATION_NEEDED for a in s.app.screen(new).alerts)


def probe_android_recovery_label(s: Scene) -> Any:
    return s.app.screen(s.phone("android")).recovery_label


def probe_unreadable_qr(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    s.app.answer_camera_prompt(new, True)
    scanned = s.app.scan_qr_to_recover(new, entry.id, s.github.qr_png).code.value
    return scanned, s.labels(new)


def probe_qr_after_refusal(s: Scene) -> Any:
    _, new, entry = _pending_work(s)
    other = s.world.issue_activation_qr(s.contoso.id, s.work_sam.id)
    mine = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    return (s.app.enter_activation_to_recover(new, entry.id, other.code, other.url).code.value,
            s.app.enter_activation_to_recover(new, entry.id, mine.code, mine.url).code.value)


def probe_camera_revoked(s: Scene) -> Any:
    phone = s.phone()
    s.app.answer_camera_prompt(phone, True)
    s.world.set_camera_access(phone, False)
    return s.app.scan_qr(phone, s.github.qr_png).code.value, s.add_site(phone).code.value


def probe_backup_contents(s: Scene) -> Any:
    s.world.put_account_data(s.msa.id, "mail", "probe mail about the quarterly report")
    phone = s.phone()
    assert s.add_msa(phone).ok and s.add_site(phone).ok and s.backup(phone).ok
    contents = s.world.backup_contents(port.Store.ICLOUD, s.apple.username)
    assert contents is not None
    values = [v for e in contents.entries for v in e.fields.values()]
    values += list(contents.settings.values())
    return [v for v in values if "quarterly report" in v]


def probe_encoded_backup(s: Scene) -> Any:
    import base64
    import binascii

    s.old_and_new()
    found = []
    for stored in s.world.stored_objects():
        readings = [stored.data]
        with contextlib.suppress(binascii.Error, ValueError):
            readings.append(base64.b64decode(stored.data, validate=True))
        found += [r for r in readings if s.github.username.encode() in r]
    return found


def probe_android_update_wrong_password(s: Scene) -> Any:
    """On Android, a wrong password does not bring an out-of-date backup up to date."""
    old, _ = s.old_and_new("android")
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    refused = s.app.sign_in_to_update_backup(old, s.msa.password + "-wrong").code.value
    return refused, s.app.screen(old).red_dot


def probe_existing_after_failed_sign_in(s: Scene) -> Any:
    """A recovery refused at its sign-in, then an account from the backup typed in: the
    next recovery is refused for it."""
    _old, new = s.old_and_new()
    first = s.recover(new, password="wrong")
    assert s.add_site(new).ok
    return first, s.recover(new), s.labels(new)


def probe_two_msas_codes(s: Scene) -> Any:
    """Two personal accounts restored: each shows other codes on the old and new phone."""
    old = s.phone()
    assert s.add_msa(old).ok
    assert s.app.add_personal_account(old, s.msa2.username, s.msa2.password, False).ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return tuple(s.code(old, m.username) != s.code(new, m.username) for m in (s.msa, s.msa2))


def probe_verified_push_codes(s: Scene) -> Any:
    """A personal push account verified on the new phone shows codes of its own there."""
    old, new, entry = _pending_push(s)
    assert s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").code.value == (
        "CODE_SENT")
    real = s.world.messages(s.msa.alternate_email or "")[-1].code
    assert s.app.confirm_verification_code(new, entry.id, real or "").ok
    return s.code(old, s.msa.username) != s.code(new, s.msa.username)


def probe_other_accounts_code(s: Scene) -> Any:
    """Two waiting personal accounts: the first one's code does not verify the second."""
    old = s.phone()
    for m in (s.msa, s.msa2):
        assert s.app.add_personal_account(old, m.username, m.password, True).ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    first, second = s.entry(new, s.msa.username), s.entry(new, s.msa2.username)
    assert s.app.sign_in_to_recover(new, first.id, s.msa.password, "email").ok
    code = s.world.messages(s.msa.alternate_email or "")[-1].code or ""
    assert s.app.sign_in_to_recover(new, second.id, s.msa2.password, "email").ok
    return (s.app.confirm_verification_code(new, second.id, code).code.value,
            s.entry(new, s.msa2.username).needs_verification)


def probe_recovery_scan_prompt(s: Scene) -> Any:
    """Scanning to recover the work account, as the phone's first scan, asks first."""
    _old, new, entry = _pending_work(s)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    answer = s.app.scan_qr_to_recover(new, entry.id, qr.png).code.value
    return answer, s.app.screen(new).camera_prompt is not None


def probe_work_key_in_backup(s: Scene) -> Any:
    """The work account's code-making key is nowhere in the decrypted backup."""
    phone = s.phone()
    assert s.add_work(phone).ok and s.backup(phone).ok
    contents = s.world.backup_contents(port.Store.ICLOUD, s.apple.username)
    assert contents is not None
    entry = s.entry(phone, s.work.username)
    app = s.target.inner.world_model.app(phone)
    secret = next(e.params.secret for e in app.state.entries if e.id == entry.id)
    values = [v for e in contents.entries for v in e.fields.values()]
    return [v for v in values if v == secret]


def probe_one_user_name_two_sites(s: Scene) -> Any:
    """Two sites' accounts typed in under one user name both come back."""
    old = s.phone()
    for site in (s.github, s.google):
        assert s.app.enter_code_manually(old, site.issuer, s.github.username, site.secret,
                                         site.digits, site.period, site.algorithm).ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return sorted(e.issuer for e in s.app.list_accounts(new))


def probe_backup_on_again(s: Scene) -> Any:
    """Backup turned off and on again: a new phone recovers it."""
    old, new = s.old_and_new()
    assert s.app.turn_off_backup(old).ok
    return s.backup(old).code.value, s.recover(new), s.labels(new)


def probe_retry_after_cut(s: Scene) -> Any:
    """A recovery cut during the download, then a retry with a wrong password."""
    _old, new = s.old_and_new()
    s.world.inject_fault("network_drop_during_download")
    return s.recover(new), s.recover(new, password="wrong"), s.labels(new)


def probe_offline_changes(s: Scene) -> Any:
    """Two changes made offline, one a removal: both reach the cloud back online."""
    old, new = s.old_and_new()
    s.world.set_device_online(old, False)
    assert s.add_site(old, s.google).ok
    assert s.app.remove_account(old, s.entry(old, s.github.username).id).ok
    s.world.set_device_online(old, True)
    return s.recover(new), s.labels(new)


def probe_offline_change_across_restart(s: Scene) -> Any:
    """A change made offline, the app closed and opened, back online: it is uploaded."""
    old, new = s.old_and_new()
    s.world.set_device_online(old, False)
    assert s.add_site(old, s.google).ok
    s.app.restart_app(old)
    s.world.set_device_online(old, True)
    return s.recover(new), s.labels(new)


def probe_other_platform_attempt(s: Scene) -> Any:
    """Recovery tried on Android with an iPhone's backup, then on a new iPhone."""
    _old, new = s.old_and_new()
    return s.recover(s.phone("android")), s.recover(new), s.labels(new)


def probe_three_phones(s: Scene) -> Any:
    """Recovered on two new phones: the first phone's personal code still works."""
    old, new = s.old_and_new(sites=False)
    spare = s.phone()
    assert s.recover(new) == "OK" and s.recover(spare) == "OK"
    return [s.world.provider_accepts_code(s.msa.id, s.code(p, s.msa.username) or "", p)
            for p in (old, new, spare)]


def probe_two_new_phones_codes(s: Scene) -> Any:
    """Recovered on two new phones: the two new phones' personal codes differ, at one
    instant or, should they agree by chance, one code period later."""
    _old, new = s.old_and_new(sites=False)
    spare = s.phone()
    assert s.recover(new) == "OK" and s.recover(spare) == "OK"
    differ = []
    for _ in range(2):
        differ.append(s.code(new, s.msa.username) != s.code(spare, s.msa.username))
        s.world.advance_clock(s.target.info.parameters["msa_code_period_s"] or 30)
    return any(differ)


def probe_waiting_after_restart(s: Scene) -> Any:
    """A waiting personal push account, the app closed and opened again: it still
    waits, shows no code and cannot approve a sign-in."""
    _old, new = s.old_and_new(push=True)
    assert s.recover(new) == "OK"
    s.app.restart_app(new)
    request = s.world.request_push(s.msa.id)
    approved = s.app.approve_push(new, request).ok
    return (s.entry(new, s.msa.username).needs_verification, s.code(new, s.msa.username),
            approved)


def probe_second_lapse(s: Scene) -> Any:
    """Signed in again from the red dot, then the sign-in lapses once more: the mark is
    back."""
    old, _ = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.app.sign_in_to_update_backup(old, s.msa.password).ok
    cleared = s.app.screen(old).red_dot
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    return cleared, s.app.screen(old).red_dot


def probe_os_switch_twice(s: Scene) -> Any:
    """A backup made on an iPhone, recovery tried twice on an Android phone: refused
    both times, nothing restored."""
    _old, _ = s.old_and_new("ios")
    android = s.phone("android")
    return s.recover(android), s.recover(android), s.labels(android)


def probe_unregistered_first(s: Scene) -> Any:
    """The organisation unregisters the lost phone before the work account is
    re-activated on the new one: the new phone's code works."""
    old, new, entry = _pending_work(s)
    s.world.unregister_device(s.contoso.id, old)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    answer = s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).code.value
    return answer, s.world.provider_accepts_code(s.work.id, s.code(new, s.work.username) or "",
                                                 new)


def probe_admin_on_scanned_recovery(s: Scene) -> Any:
    """Scanning a new QR code to recover the work account: the administrator's view
    names none of the other accounts."""
    _old, new = s.old_and_new(push=True, work=True)
    assert s.recover(new) == "OK"
    entry = s.entry(new, s.work.username)
    s.app.scan_qr_to_recover(new, entry.id, b"")  # the first scan asks for the camera
    s.app.answer_camera_prompt(new, True)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    assert s.app.scan_qr_to_recover(new, entry.id, qr.png).ok
    view = s.world.admin_view(s.contoso.id)
    text = " ".join(view.events + view.accounts_seen).lower()
    return [name for name in (s.github.username, s.msa.username) if name.lower() in text]


def probe_existing_after_cut(s: Scene) -> Any:
    """A recovery refused with no network, then an account from the backup typed in back
    online: the next recovery is refused for it."""
    _old, new = s.old_and_new()
    s.world.set_device_online(new, False)
    first = s.recover(new)
    s.world.set_device_online(new, True)
    assert s.add_site(new).ok
    return first, s.recover(new), s.labels(new)


def probe_existing_three_times(s: Scene) -> Any:
    """An account from the backup on the new phone: three recoveries, three refusals."""
    _old, new = s.old_and_new()
    assert s.add_site(new).ok
    return [s.recover(new) for _ in range(3)], s.labels(new)


def probe_older_major_backup(s: Scene) -> Any:
    """Backups made at the lowest versions, recovered on new phones of the next major
    version."""
    answers = []
    for platform, made, read in (("ios", "5.7.0", "6.0.0"), ("android", "6.6.0", "7.0.0")):
        old = s.phone(platform, made)
        assert s.add_site(old).ok and s.backup(old).ok
        answers.append(s.recover(s.phone(platform, read)))
    return answers


def probe_signed_in_account_guards(s: Scene) -> Any:
    """Backup turned on with the second account while the first is in the app."""
    old = s.phone()
    assert s.add_msa(old).ok and s.backup(old, s.msa2).ok
    new = s.phone()
    return s.recover(new, s.msa2), s.labels(new)


def probe_admin_on_ending(s: Scene) -> Any:
    """Turning backup off adds nothing to what the administrator sees."""
    phone = s.phone()
    assert s.add_work(phone, push=True).ok and s.add_site(phone).ok and s.backup(phone).ok
    before = s.world.admin_view(s.contoso.id)
    assert s.app.turn_off_backup(phone).ok
    return s.world.admin_view(s.contoso.id) == before


def probe_admin_on_verification(s: Scene) -> Any:
    """Verifying a restored personal account adds nothing the administrator sees."""
    _old, new = s.old_and_new(push=True, work=True)
    assert s.recover(new) == "OK"
    before = s.world.admin_view(s.contoso.id)
    entry = s.entry(new, s.msa.username)
    assert s.app.sign_in_to_recover(new, entry.id, s.msa.password, "email").ok
    code = s.world.messages(s.msa.alternate_email or "")[-1].code or ""
    assert s.app.confirm_verification_code(new, entry.id, code).ok
    return s.world.admin_view(s.contoso.id) == before


def probe_app_account_update(s: Scene) -> Any:
    """A personal account the app holds signs in after the red dot: refused, dot stays."""
    old = s.phone()
    assert s.add_site(old).ok
    assert s.app.add_personal_account(old, s.msa2.username, s.msa2.password, False).ok
    assert s.backup(old).ok
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    assert s.app.select_backup_warning(old).code.value == "SIGN_IN_REQUIRED"
    answer = s.app.sign_in_to_update_backup(old, s.msa2.password, s.msa2.username)
    return answer.ok, s.app.screen(old).red_dot


def probe_scanned_backed_up(s: Scene) -> Any:
    """A site's account added by scanning after backup is on comes back on a new phone."""
    old = s.phone()
    assert s.backup(old).ok
    s.app.scan_qr(old, s.github.qr_png)
    s.app.answer_camera_prompt(old, True)
    if "GitHub" not in s.labels(old):
        assert s.app.scan_qr(old, s.github.qr_png).ok
    new = s.phone()
    return s.recover(new), s.labels(new)


def probe_scanned_blocks(s: Scene) -> Any:
    """A site's account scanned on the new phone blocks recovery of the backup."""
    _old, new = s.old_and_new()
    s.app.scan_qr(new, s.github.qr_png)
    s.app.answer_camera_prompt(new, True)
    if "GitHub" not in s.labels(new):
        assert s.app.scan_qr(new, s.github.qr_png).ok
    return s.recover(new), s.labels(new)


def _verify_push(s: Scene, phone: str) -> None:
    entry = s.entry(phone, s.msa.username)
    assert s.app.sign_in_to_recover(phone, entry.id, s.msa.password, "email").code.value == (
        "CODE_SENT")
    real = s.world.messages(s.msa.alternate_email or "")[-1].code
    assert s.app.confirm_verification_code(phone, entry.id, real or "").ok


def probe_old_codes_after_verification(s: Scene) -> Any:
    """Verified on the new phone, the personal account's codes work on both phones."""
    old, new, _entry = _pending_push(s)
    _verify_push(s, new)
    return [s.world.provider_accepts_code(s.msa.id, s.code(p, s.msa.username) or "", p)
            for p in (old, new)]


def probe_verified_then_third_phone(s: Scene) -> Any:
    """Verified on one new phone, the account still waits on the next one."""
    _old, new, _entry = _pending_push(s)
    _verify_push(s, new)
    spare = s.phone()
    assert s.recover(spare) == "OK"
    return s.entry(spare, s.msa.username).needs_verification


def _signed_in_again(s: Scene) -> tuple[str, str]:
    old, new = s.old_and_new()
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    assert s.app.sign_in_to_update_backup(old, s.msa.password).ok
    return old, new


def probe_change_after_sign_in_again(s: Scene) -> Any:
    """After signing in again, a later change reaches the backup by itself."""
    old, new = _signed_in_again(s)
    facebook = s.world.create_site_account(s.alex.id, "Facebook")
    assert s.add_site(old, facebook).ok
    return s.recover(new), len(s.app.list_accounts(new))


def probe_sign_in_again_lifetime(s: Scene) -> Any:
    """After signing in again, changes go up for (almost) a whole lifetime (90 days)."""
    old, new = _signed_in_again(s)
    s.world.advance_clock(89 * 24 * 3600)
    facebook = s.world.create_site_account(s.alex.id, "Facebook")
    assert s.add_site(old, facebook).ok
    return s.app.screen(old).red_dot, s.recover(new), len(s.app.list_accounts(new))


def probe_offline_lapse(s: Scene) -> Any:
    """A sign-in that lapses while the phone is offline: a change, online again, a dot."""
    old, _new = s.old_and_new()
    s.world.set_device_online(old, False)
    s.world.lapse_recovery_sign_in(s.msa.id)
    assert s.add_site(old, s.google).ok
    s.world.set_device_online(old, True)
    return s.app.screen(old).red_dot


def probe_lowest_versions_recover(s: Scene) -> Any:
    """New phones at the lowest versions recover the backup."""
    answers = []
    for platform, version in (("ios", "5.7.0"), ("android", "6.6.0")):
        old = s.phone(platform)
        assert s.add_site(old).ok and s.backup(old).ok
        answers.append(s.recover(s.phone(platform, version)))
    return answers


def probe_restart_before_recovery(s: Scene) -> Any:
    """Accounts on the new phone still block recovery after the app is reopened."""
    _old, new = s.old_and_new()
    assert s.add_site(new, s.google).ok
    s.app.restart_app(new)
    return s.recover(new), s.labels(new)


def probe_two_at_one_site(s: Scene) -> Any:
    """Two accounts at one site both come back."""
    old = s.phone()
    second = s.world.create_site_account(s.alex.id, "GitHub")
    assert s.add_site(old).ok and s.add_site(old, second).ok and s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return len(s.app.list_accounts(new))


def probe_waiting_keeps_place(s: Scene) -> Any:
    """A work account first, then a site and the personal account: the new phone shows
    them in the old phone's order, the waiting one first."""
    old = s.phone()
    assert s.add_work(old, push=True).ok and s.add_site(old).ok and s.add_msa(old).ok
    assert s.backup(old).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return s.labels(new)


def probe_six_accounts(s: Scene) -> Any:
    """Six site accounts backed up: all six come back."""
    old = s.phone()
    sites = [s.world.create_site_account(s.alex.id, f"Site {n}") for n in range(6)]
    for site in sites:
        assert s.add_site(old, site).ok
    assert s.backup(old).ok
    new = s.phone()
    return s.recover(new), len(s.app.list_accounts(new))


def probe_on_again(s: Scene) -> Any:
    """Backup off, an account added, on again, another added: both come back."""
    old = s.phone()
    assert s.add_msa(old).ok and s.backup(old).ok
    assert s.app.turn_off_backup(old).ok
    assert s.add_site(old).ok
    assert s.backup(old).ok
    assert s.add_site(old, s.google).ok
    new = s.phone()
    return s.recover(new), sorted(s.labels(new))


def probe_added_while_off(s: Scene) -> Any:
    """Backup off, an account added, on again: it comes back with no further change."""
    old = s.phone()
    assert s.add_msa(old).ok and s.backup(old).ok
    assert s.app.turn_off_backup(old).ok
    assert s.add_site(old).ok
    assert s.backup(old).ok
    new = s.phone()
    return s.recover(new), sorted(s.labels(new))


def probe_removal_keeps_others(s: Scene) -> Any:
    """A second account at GitHub, and Google under GitHub's user name: removing the first
    GitHub account leaves both in the backup."""
    old = s.phone()
    second = s.world.create_site_account(s.alex.id, "GitHub")
    assert s.add_site(old).ok and s.add_site(old, second).ok
    g = s.google
    assert s.app.enter_code_manually(old, g.issuer, s.github.username, g.secret, g.digits,
                                     g.period, g.algorithm).ok
    assert s.backup(old).ok
    first = next(e for e in s.app.list_accounts(old)
                 if e.issuer == "GitHub" and e.username == s.github.username)
    assert s.app.remove_account(old, first.id).ok
    new = s.phone()
    assert s.recover(new) == "OK"
    return sorted((e.issuer, e.username == second.username) for e in s.app.list_accounts(new))


def probe_offline_deletion(s: Scene) -> Any:
    """Deleting the backup from the offline old phone: refused, or gone once it is back
    online."""
    old, new = s.old_and_new()
    s.world.set_device_online(old, False)
    answer = s.app.delete_backup_from_phone(old)
    s.world.set_device_online(old, True)
    return answer.ok and s.recover(new) == "OK"


def probe_other_msa_mail(s: Scene) -> Any:
    """Mail in a second personal account the app holds: not in the backup."""
    old = s.phone()
    s.world.put_account_data(s.msa2.id, "mail", "quarterly report of the second account")
    assert s.app.add_personal_account(old, s.msa2.username, s.msa2.password, False).ok
    assert s.backup(old).ok
    contents = s.world.backup_contents(port.Store.ICLOUD, s.apple.username)
    assert contents is not None
    values = [v for e in contents.entries for v in e.fields.values()]
    values += list(contents.settings.values())
    return [v for v in values if "quarterly report" in v]


def probe_admin_on_typed_recovery_android(s: Scene) -> Any:
    """Typing the code and URL to recover the work account on Android: the
    administrator's view names none of the other accounts."""
    _old, new = s.old_and_new("android", push=True, work=True)
    assert s.recover(new) == "OK"
    entry = s.entry(new, s.work.username)
    qr = s.world.issue_activation_qr(s.contoso.id, s.work.id)
    assert s.app.enter_activation_to_recover(new, entry.id, qr.code, qr.url).ok
    view = s.world.admin_view(s.contoso.id)
    text = " ".join(view.events + view.accounts_seen).lower()
    return [name for name in (s.github.username, s.msa.username) if name.lower() in text]


PROBES: dict[str, tuple[Callable[[Scene], Any], Any]] = {
    "existing_refused": (probe_existing_refused, ("EXISTING_ACCOUNTS", ["Google"])),
    "existing_retry": (probe_existing_retry, ("EXISTING_ACCOUNTS", "OK", ["GitHub"])),
    "msa_codes": (probe_msa_codes, (True, True, True, False, 8, 8)),
    "third_party_codes": (probe_third_party_codes, (True, True)),
    "verified_push": (probe_verified_push, ("OK", True, False)),
    "turn_on_wrong_password": (probe_turn_on_wrong_password, ("SIGN_IN_FAILED", False)),
    "icloud_required": (probe_icloud_required, "ICLOUD_SIGN_IN_REQUIRED"),
    "storage_locations": (probe_storage_locations,
                          [("icloud", "Apple ID"), ("microsoft", "MSA")]),
    "auto_upload": (probe_auto_upload, ("OK", ["GitHub"])),
    "no_upload_after_turn_off": (probe_no_upload_after_turn_off, []),
    "mixed_backup": (probe_mixed_backup, [("GitHub", False), ("Contoso", True)]),
    "order_and_names": (probe_order_and_names,
                        (["Google", "GitHub", "Microsoft"], "Code host")),
    "recovery_wrong_password": (probe_recovery_wrong_password, ("SIGN_IN_FAILED", [])),
    "other_msa": (probe_other_msa, ("NO_BACKUP_FOUND", [])),
    "other_msa_on_iphone": (probe_other_msa_on_iphone, ("NO_BACKUP_FOUND", [])),
    "refusal_leak": (probe_refusal_leak, ("NO_BACKUP_FOUND", False)),
    "refused_attempt_store": (probe_refused_attempt_store, ("NO_BACKUP_FOUND", True)),
    "offline_recovery": (probe_offline_recovery, (("NETWORK_UNAVAILABLE", []), "OK")),
    "push_recovery": (probe_push_recovery, (True, True, "VERIFICATION_REQUIRED", False)),
    "verification_code_sent": (probe_verification_code_sent, ("CODE_SENT", 1)),
    "verification_wrong_password": (probe_verification_wrong_password, ("SIGN_IN_FAILED", 0)),
    "wrong_code": (probe_wrong_code, ("WRONG_CODE", "OK")),
    "expired_code": (probe_expired_code, "WRONG_CODE"),
    "work_recovery": (probe_work_recovery, ("OK", False, True, True)),
    "replayed_qr": (probe_replayed_qr, "QR_REJECTED"),
    "expired_qr": (probe_expired_qr, "QR_REJECTED"),
    "other_tenant_qr": (probe_other_tenant_qr, "QR_REJECTED"),
    "colleague_qr": (probe_colleague_qr, "QR_REJECTED"),
    "camera_prompt": (probe_camera_prompt, [
        ("CAMERA_PERMISSION_NEEDED", '"Authenticator" Would Like to Access the Camera'),
        ("CAMERA_PERMISSION_NEEDED", "Allow Authenticator to take pictures and record video?"),
    ]),
    "camera_allowed": (probe_camera_allowed, ("OK", ["GitHub"])),
    "scanned_backed_up": (probe_scanned_backed_up, ("OK", ["GitHub"])),
    "scanned_blocks": (probe_scanned_blocks, ("EXISTING_ACCOUNTS", ["GitHub"])),
    "old_codes_after_verification": (probe_old_codes_after_verification, [True, True]),
    "verified_then_third_phone": (probe_verified_then_third_phone, True),
    "change_after_sign_in_again": (probe_change_after_sign_in_again, ("OK", 3)),
    "sign_in_again_lifetime": (probe_sign_in_again_lifetime, (False, "OK", 3)),
    "offline_lapse": (probe_offline_lapse, True),
    "lowest_versions_recover": (probe_lowest_versions_recover, ["OK", "OK"]),
    "restart_before_recovery": (probe_restart_before_recovery,
                                ("EXISTING_ACCOUNTS", ["Google"])),
    "two_at_one_site": (probe_two_at_one_site, 2),
    "drift": (probe_drift, False),
    "lapse_time": (probe_lapse_time, (False, True)),
    "key_call_age": (probe_key_call_age, True),
    "second_pairing": (probe_second_pairing, ("OK", "BACKUP_ON_OTHER_PLATFORM")),
    "camera_denied": (probe_camera_denied, ("CAMERA_DENIED", "OK", "OK")),
    "os_switch": (probe_os_switch, ("BACKUP_ON_OTHER_PLATFORM", [])),
    "catch_up": (probe_catch_up, ("OK", ["GitHub"])),
    "other_apple_id": (probe_other_apple_id, ("BACKUP_IN_OTHER_ICLOUD", [])),
    "deleted_in_storage": (probe_deleted_in_storage, ("BACKUP_DELETED", [])),
    "damaged": (probe_damaged, ("BACKUP_DAMAGED", [])),
    "stale": (probe_stale, ("OK", ["GitHub"])),
    "red_dot": (probe_red_dot, ((True, "SIGN_IN_REQUIRED"), "OK", False)),
    "versions": (probe_versions, [False, True, True, True, False, True, True, True]),
    "unregistered": (probe_unregistered, (True, False)),
    "lost_phone": (probe_lost_phone, ("OK", ["GitHub"])),
    "services": (probe_services, []),
    "admin_view": (probe_admin_view, []),
    "plaintext": (probe_plaintext, []),
    "push_key_stays": (probe_push_key_stays, False),
    "work_recovery_account": (probe_work_recovery_account,
                              ("NOT_A_PERSONAL_ACCOUNT", "NOT_A_PERSONAL_ACCOUNT")),
    "old_pairing": (probe_old_pairing, ("BACKUP_IN_OTHER_ICLOUD", [])),
    "cut_upload": (probe_cut_upload, ("OK", ["GitHub"])),
    "lost_write": (probe_lost_write, ("OK", ["GitHub", "Google"])),
    "truncated_write": (probe_truncated_write, ("OK", ["GitHub", "Google"])),
    "turn_on_fault": (probe_turn_on_fault, (("SERVICE_UNAVAILABLE", False), "OK")),
    "cut_recovery_retry": (probe_cut_recovery_retry,
                           ("NETWORK_UNAVAILABLE", [], "OK", ["GitHub"])),
    "two_writers": (probe_two_writers, ("OK", ["Google"])),
    "traffic_secrets": (probe_traffic_secrets, []),
    "old_sign_in": (probe_old_sign_in, "SIGN_IN_FAILED"),
    "stale_sign_in": (probe_stale_sign_in, ("SIGN_IN_FAILED", [])),
    "deleted_from_phone": (probe_deleted_from_phone, ("BACKUP_DELETED", [])),
    "existing_kinds": (probe_existing_kinds, ["EXISTING_ACCOUNTS", "EXISTING_ACCOUNTS"]),
    "account_problem": (probe_account_problem, ("SIGN_IN_FAILED", [])),
    "update_by_other_account": (probe_update_by_other_account, ("SIGN_IN_FAILED", True)),
    "out_of_date_screen": (probe_out_of_date_screen, (True, "menu")),
    "waiting_options": (probe_waiting_options,
                        (("Sign in to recover",), ("Scan QR code to recover",))),
    "android_alert": (probe_android_alert, True),
    "android_recovery_label": (probe_android_recovery_label, "Start recovery"),
    "unreadable_qr": (probe_unreadable_qr, ("QR_UNREADABLE", ["GitHub", "Contoso"])),
    "qr_after_refusal": (probe_qr_after_refusal, ("QR_REJECTED", "OK")),
    "camera_revoked": (probe_camera_revoked, ("CAMERA_DENIED", "OK")),
    "backup_contents": (probe_backup_contents, []),
    "encoded_backup": (probe_encoded_backup, []),
    "outage_red_dot": (probe_outage_red_dot, False),
    "red_dot_stays": (probe_red_dot_stays, [True, True, True, True]),
    "own_password": (probe_own_password, ("SIGN_IN_FAILED", True)),
    "waiting_block": (probe_waiting_block, ("EXISTING_ACCOUNTS", 2)),
    "mail_in_store": (probe_mail_in_store, []),
    "key_in_store": (probe_key_in_store, []),
    "cut_recovery_store": (probe_cut_recovery_store, ("NETWORK_UNAVAILABLE", True)),
    "android_update_wrong_password": (probe_android_update_wrong_password,
                                      ("SIGN_IN_FAILED", True)),
    "existing_after_failed_sign_in": (probe_existing_after_failed_sign_in,
                                      ("SIGN_IN_FAILED", "EXISTING_ACCOUNTS", ["GitHub"])),
    "two_msas_codes": (probe_two_msas_codes, (True, True)),
    "verified_push_codes": (probe_verified_push_codes, True),
    "other_accounts_code": (probe_other_accounts_code, ("WRONG_CODE", True)),
    "recovery_scan_prompt": (probe_recovery_scan_prompt, ("CAMERA_PERMISSION_NEEDED", True)),
    "work_key_in_backup": (probe_work_key_in_backup, []),
    "one_user_name_two_sites": (probe_one_user_name_two_sites, ["GitHub", "Google"]),
    "backup_on_again": (probe_backup_on_again, ("OK", "OK", ["GitHub"])),
    "retry_after_cut": (probe_retry_after_cut, ("NETWORK_UNAVAILABLE", "SIGN_IN_FAILED", [])),
    "offline_changes": (probe_offline_changes, ("OK", ["Google"])),
    "offline_change_across_restart": (probe_offline_change_across_restart,
                                      ("OK", ["GitHub", "Google"])),
    "other_platform_attempt": (probe_other_platform_attempt,
                               ("BACKUP_ON_OTHER_PLATFORM", "OK", ["GitHub"])),
    "three_phones": (probe_three_phones, [True, True, True]),
    "two_new_phones_codes": (probe_two_new_phones_codes, True),
    "waiting_after_restart": (probe_waiting_after_restart, (True, None, False)),
    "second_lapse": (probe_second_lapse, (False, True)),
    "unregistered_first": (probe_unregistered_first, ("OK", True)),
    "admin_on_scanned_recovery": (probe_admin_on_scanned_recovery, []),
    "existing_after_cut": (probe_existing_after_cut,
                           ("NETWORK_UNAVAILABLE", "EXISTING_ACCOUNTS", ["GitHub"])),
    "existing_three_times": (probe_existing_three_times, (["EXISTING_ACCOUNTS"] * 3, ["GitHub"])),
    "older_major_backup": (probe_older_major_backup, ["OK", "OK"]),
    "os_switch_twice": (probe_os_switch_twice, ("BACKUP_ON_OTHER_PLATFORM",
                                                "BACKUP_ON_OTHER_PLATFORM", [])),
    "signed_in_account_guards": (probe_signed_in_account_guards, ("OK", ["Microsoft"])),
    "admin_on_ending": (probe_admin_on_ending, True),
    "admin_on_verification": (probe_admin_on_verification, True),
    "app_account_update": (probe_app_account_update, (False, True)),
    "waiting_keeps_place": (probe_waiting_keeps_place, ["Contoso", "GitHub", "Microsoft"]),
    "six_accounts": (probe_six_accounts, ("OK", 6)),
    "on_again": (probe_on_again, ("OK", ["GitHub", "Google", "Microsoft"])),
    "added_while_off": (probe_added_while_off, ("OK", ["GitHub", "Microsoft"])),
    "removal_keeps_others": (probe_removal_keeps_others, [("GitHub", True), ("Google", False)]),
    "offline_deletion": (probe_offline_deletion, False),
    "other_msa_mail": (probe_other_msa_mail, []),
    "admin_on_typed_recovery_android": (probe_admin_on_typed_recovery_android, []),
}

# Which probe shows each mutant up.
PROBE_OF: dict[str, str] = {
    "verification_revokes_the_old_phone": "old_codes_after_verification",
    "verified_once_verified_everywhere": "verified_then_third_phone",
    "sign_in_again_leaves_uploads_off": "change_after_sign_in_again",
    "sign_in_again_lasts_a_day": "sign_in_again_lifetime",
    "offline_lapse_never_marked": "offline_lapse",
    "recovery_gate_off_by_one": "lowest_versions_recover",
    "restart_lifts_existing_check": "restart_before_recovery",
    "backup_keyed_by_site": "two_at_one_site",
    "scanned_accounts_not_backed_up": "scanned_backed_up",
    "scanned_accounts_do_not_block": "scanned_blocks",
    "update_sign_in_takes_over_with_an_app_account": "app_account_update",
    "backup_on_again_keeps_old_deletion": "backup_on_again",
    "retry_keeps_the_cut_sign_in": "retry_after_cut",
    "offline_queue_keeps_the_first_change": "offline_changes",
    "waiting_change_forgotten_on_app_restart": "offline_change_across_restart",
    "other_platform_attempt_drops_the_backup": "other_platform_attempt",
    "third_phone_evicts_the_first_credential": "three_phones",
    "later_phones_share_the_first_new_credential": "two_new_phones_codes",
    "app_restart_finishes_verification": "waiting_after_restart",
    "second_lapse_never_marked": "second_lapse",
    "second_attempt_after_os_switch_restores": "os_switch_twice",
    "unregistering_blocks_later_phones": "unregistered_first",
    "administrator_told_on_scanned_recovery": "admin_on_scanned_recovery",
    "cut_recovery_lifts_existing_check": "existing_after_cut",
    "third_attempt_lifts_existing_check": "existing_three_times",
    "newer_major_finds_no_older_backup": "older_major_backup",
    "scanned_accounts_not_backed_up_on_iphone": "scanned_backed_up",
    "backup_paired_with_the_app_account": "signed_in_account_guards",
    "administrator_told_when_backup_ends": "admin_on_ending",
    "administrator_told_of_personal_verification": "admin_on_verification",
    "code_only_recovery_retires_the_old_phone": "work_recovery",
    "unregistering_spares_code_only_accounts": "unregistered",
    "ios_gate_field_by_field": "versions",
    "android_gate_field_by_field": "versions",
    "android_update_sign_in_skips_password": "android_update_wrong_password",
    "failed_attempt_lifts_existing_check": "existing_after_failed_sign_in",
    "later_msas_reuse_old_credential": "two_msas_codes",
    "verified_msa_reuses_old_credential": "verified_push_codes",
    "code_of_another_account_accepted": "other_accounts_code",
    "recovery_scan_skips_prompt": "recovery_scan_prompt",
    "work_credential_in_backup": "work_key_in_backup",
    "backup_keyed_by_user_name": "one_user_name_two_sites",
    "recovery_merges_existing": "existing_refused",
    "refusal_deletes_existing": "existing_refused",
    "existing_block_sticks": "existing_retry",
    "msa_codes_identical": "msa_codes",
    "old_phone_credential_revoked": "msa_codes",
    "restored_msa_credential_broken": "msa_codes",
    "cut_recovery_marks_store": "cut_recovery_store",
    "msa_code_accepted_from_any_phone": "msa_codes",
    "drift_wider_than_declared": "drift",
    "sign_in_lapses_early": "lapse_time",
    "key_fetched_long_after_sign_in": "key_call_age",
    "second_pairing_refused_loses_first": "second_pairing",
    "deleted_backup_blamed_on_network": "deleted_in_storage",
    "third_party_rekeyed": "third_party_codes",
    "msa_codes_six_digits": "msa_codes",
    "backup_on_with_wrong_password": "turn_on_wrong_password",
    "icloud_not_required": "icloud_required",
    "ios_backup_in_microsoft_storage": "storage_locations",
    "android_backup_in_icloud": "storage_locations",
    "no_auto_upload": "auto_upload",
    "uploads_after_turn_off": "no_upload_after_turn_off",
    "work_accounts_left_out": "mixed_backup",
    "work_restored_without_qr": "mixed_backup",
    "order_lost": "order_and_names",
    "account_names_not_restored": "order_and_names",
    "recovery_drops_last_account": "order_and_names",
    "recovery_wrong_password_accepted": "recovery_wrong_password",
    "recovery_other_msa_finds_backup": "other_msa",
    "offline_recovery_half_restores": "offline_recovery",
    "personal_needs_verification_after_restore": "msa_codes",
    "no_verification_alert": "push_recovery",
    "push_usable_without_verification": "push_recovery",
    "verifying_one_releases_all": "verified_push",
    "verification_takes_old_key": "verified_push",
    "verification_code_not_sent": "verification_code_sent",
    "verification_code_wrong_address": "verification_code_sent",
    "verification_wrong_password_accepted": "verification_wrong_password",
    "wrong_code_accepted": "wrong_code",
    "expired_code_accepted": "expired_code",
    "work_qr_recovery_leaves_pending": "work_recovery",
    "replayed_qr_accepted": "replayed_qr",
    "expired_qr_accepted": "expired_qr",
    "other_tenant_qr_accepted": "other_tenant_qr",
    "other_user_qr_accepted": "colleague_qr",
    "old_push_key_reused": "push_recovery",
    "no_camera_prompt": "camera_prompt",
    "wrong_prompt_wording": "camera_prompt",
    "camera_allow_ignored": "camera_allowed",
    "camera_denial_blocks_manual_entry": "camera_denied",
    "os_switch_restores": "os_switch",
    "no_catch_up_upload": "catch_up",
    "other_apple_id_sees_backup": "other_apple_id",
    "delete_backup_noop": "deleted_in_storage",
    "phone_deletion_keeps_copy": "deleted_from_phone",
    "work_account_does_not_block": "existing_kinds",
    "only_personal_account_blocks": "existing_kinds",
    "account_problem_ignored": "account_problem",
    "update_backup_by_any_account": "update_by_other_account",
    "no_out_of_date_prompt": "out_of_date_screen",
    "red_dot_in_settings": "out_of_date_screen",
    "no_verification_alert_on_android": "android_alert",
    "sign_in_option_mislabelled": "waiting_options",
    "scan_option_missing": "waiting_options",
    "recovery_button_mislabelled_on_android": "android_recovery_label",
    "unreadable_qr_drops_waiting_account": "unreadable_qr",
    "refused_qr_blocks_recovery": "qr_after_refusal",
    "camera_revocation_ignored": "camera_revoked",
    "backup_keeps_mail": "backup_contents",
    "backup_encoded_not_encrypted": "encoded_backup",
    "damaged_backup_partially_restored": "damaged",
    "uploads_continue_after_lapse": "stale",
    "red_dot_never_shown": "red_dot",
    "red_dot_stays_after_sign_in": "red_dot",
    "stale_recovery_merges_latest": "stale",
    "ios_gate_excludes_5_7_0": "versions",
    "ios_gate_includes_5_6": "versions",
    "android_gate_excludes_6_6_0": "versions",
    "android_gate_includes_6_5": "versions",
    "ios_version_compared_as_text": "versions",
    "android_version_compared_as_text": "versions",
    "unregister_no_effect": "unregistered",
    "recovery_unregisters_old_phone": "work_recovery",
    "recovery_needs_old_phone": "lost_phone",
    "backup_reported_to_telemetry": "services",
    "admin_sees_accounts": "admin_view",
    "plaintext_backup": "plaintext",
    "backup_found_by_icloud_alone": "other_msa_on_iphone",
    "push_key_in_backup": "push_key_stays",
    "work_account_as_recovery": "work_recovery_account",
    "old_pairing_still_recovers": "old_pairing",
    "upload_deletes_old_copy_first": "cut_upload",
    "lost_write_not_noticed": "lost_write",
    "turn_on_claims_success_on_fault": "turn_on_fault",
    "truncated_write_not_noticed": "truncated_write",
    "cut_recovery_fails_again": "cut_recovery_retry",
    "two_writers_mix_backups": "two_writers",
    "recovery_password_stored": "plaintext",
    "secret_sent_in_clear": "traffic_secrets",
    "recovery_trusts_an_old_sign_in": "old_sign_in",
    "stale_sign_in_releases_key": "stale_sign_in",
    "refusal_names_the_owner": "refusal_leak",
    "unopenable_backup_deleted": "refused_attempt_store",
    "red_dot_on_outage": "outage_red_dot",
    "red_dot_cleared_on_reconnect": "red_dot_stays",
    "red_dot_cleared_on_app_restart": "red_dot_stays",
    "recovery_password_releases_any_account": "own_password",
    "waiting_accounts_do_not_block": "waiting_block",
    "mail_cached_beside_backup": "mail_in_store",
    "backup_key_kept_in_store": "key_in_store",
    "waiting_accounts_moved_last": "waiting_keeps_place",
    "backup_keeps_four_accounts": "six_accounts",
    "backup_keeps_other_msa_mail": "other_msa_mail",
    "no_auto_upload_after_turning_on_again": "on_again",
    "turning_on_again_uploads_old_copy": "added_while_off",
    "removal_drops_whole_site": "removal_keeps_others",
    "removal_drops_same_user_name": "removal_keeps_others",
    "offline_deletion_claimed_not_done": "offline_deletion",
    "no_alert_for_one_waiting_account": "push_recovery",
    "administrator_told_on_typed_recovery_on_android": "admin_on_typed_recovery_android",
    "scanned_accounts_do_not_block_on_iphone": "scanned_blocks",
    "newer_major_finds_no_older_backup_on_iphone": "older_major_backup",
}


@functools.cache
def _requirements() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((REPO / "features" / "requirements.yml").read_text("utf-8"))
    return {r["id"]: r for r in data["requirements"]}


# ---------------------------------------------------------------- the catalogue itself


def test_catalogue_is_large_and_well_formed() -> None:
    assert len(MUTANTS) >= 32
    for name, mutant in MUTANTS.items():
        assert isinstance(mutant, Mutant) and mutant.name == name
        assert re.fullmatch(r"[a-z0-9_]+", name), name
        assert mutant.description and "\n" not in mutant.description, name
        assert callable(mutant.apply)


def test_every_mutant_names_a_requirement_of_the_catalogue() -> None:
    known = _requirements()
    for mutant in MUTANTS.values():
        assert mutant.requirement in known, (mutant.name, mutant.requirement)


def test_mutants_cover_every_area_the_current_profile_can_break() -> None:
    areas = {r["area"] for r in _requirements().values() if "current" in r["profiles"]}
    assert {"EXISTING", "CODES", "TROUBLE", "STALE", "VERIFY", "CAMERA", "VERSION"} <= areas
    hit = {_requirements()[m.requirement]["area"] for m in MUTANTS.values()}
    assert areas <= hit, f"areas with no mutant: {sorted(areas - hit)}"


def test_every_mutant_has_a_probe() -> None:
    assert set(PROBE_OF) == set(MUTANTS)
    assert set(PROBE_OF.values()) <= set(PROBES)


# ---------------------------------------------------------------- probes: reference right


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_reference_observes_the_documented_behaviour(probe: str) -> None:
    run, expected = PROBES[probe]
    assert run(Scene()) == expected


# ---------------------------------------------------------------- probes: each mutant wrong


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_observably_wrong_through_the_port(name: str) -> None:
    run, expected = PROBES[PROBE_OF[name]]
    try:
        observed = run(Scene(mutant=name))
    except AssertionError:
        return  # the probe's own set-up already went wrong: visibly broken
    assert observed != expected, f"{name} behaves like the reference on its probe"


# ---------------------------------------------------------------- isolation


def _class_state() -> dict[str, dict[str, object]]:
    import sim.app
    import sim.keyservice
    import sim.msa
    import sim.stores
    import sim.tenants
    import sim.world

    classes = [sim.app.Authenticator, sim.world.World, sim.msa.MicrosoftAccounts,
               sim.stores.CloudStore, sim.keyservice.KeyService, sim.tenants.Tenant]
    modules = [sim.app, sim.world, sim.msa, sim.stores, sim.tenants]
    state = {c.__qualname__: dict(vars(c)) for c in classes}
    state.update({m.__name__: dict(vars(m)) for m in modules})
    return state


def test_applying_every_mutant_leaves_sim_classes_and_modules_alone() -> None:
    before = _class_state()
    for name in MUTANTS:
        scene = Scene(mutant=name)
        scene.old_and_new()
    assert _class_state() == before


@pytest.mark.parametrize("name", ["order_lost", "red_dot_never_shown", "replayed_qr_accepted",
                                  "ios_gate_excludes_5_7_0", "msa_codes_identical"])
def test_a_mutant_world_does_not_leak_into_the_next_world(name: str) -> None:
    mutated = Scene(mutant=name)
    clean = Scene()
    for probe in {PROBE_OF[name], "red_dot", "order_and_names", "versions"}:
        run, expected = PROBES[probe]
        assert run(Scene()) == expected
    assert clean.target.info.name == "sim"
    assert mutated.target.inner.world_model is not clean.target.inner.world_model


def test_sim_adapter_applies_the_mutant_named_in_the_config() -> None:
    from authconform.adapters import TargetConfig, load_adapter

    adapter = load_adapter("sim")
    adapter.start(TargetConfig(seed=3, mutant="icloud_not_required"))
    target = adapter.new_target(3)
    assert target.info.name == "sim+icloud_not_required"
    guarded = GuardedTarget(target, 10.0)
    person = guarded.world.create_person()
    msa = guarded.world.create_microsoft_account(person.id)
    phone = guarded.world.create_device(person.id, port.Platform.IOS, "6.8.0")
    assert guarded.app.turn_on_backup(phone, msa.username, msa.password).ok
