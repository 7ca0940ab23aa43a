"""Additional verification, camera permission, and the lost phone.

000/002 "Recover accounts requiring more verification": push accounts need the person
proved before a device credential is made; personal accounts by password plus a code to
an alternate email or phone, work or school accounts by the provider's QR code.
000 "Notes:": the camera prompt and manual entry. 000 "FAQs": unregistering a lost phone.
"""

from __future__ import annotations

import pytest

from sim import qr
from sim.app import Authenticator
from sim.device import CAMERA_PROMPT, CameraPermission, Platform
from sim.refusals import Code
from tests.test_sim_support import PLATFORMS, Scene, entry_by, picture, refused


def _recovered(platform: Platform, push_msa: bool = True, work_push: bool = True,
               **msa_kwargs: bool):
    """An old phone with a personal push account and a work account, and a new phone
    recovered from its backup."""
    scene = Scene(platform)
    old = scene.backed_up_phone()
    msa = scene.add_msa(old, push=push_msa, **msa_kwargs)
    tenant, user = scene.add_work(old, push=work_push)
    new = scene.phone()
    scene.recover(new)
    return scene, old, new, msa, tenant, user


# ---------------------------------------------------------------- personal accounts


@PLATFORMS
@pytest.mark.parametrize(("channel", "sent_as"), [("email", "email"), ("phone", "sms")])
def test_push_personal_account_verified_by_password_and_code(platform, channel: str,
                                                             sent_as: str) -> None:
    scene, old, new, msa, _, _ = _recovered(platform)
    world = scene.world
    entry = entry_by(new, msa.username)
    assert entry.needs_verification and new.current_code(entry.id) is None
    request = world.request_push(msa.id)
    with refused(Code.VERIFICATION_REQUIRED):
        new.approve_push(request)
    assert world.push_requests[request].status == "pending"

    done = new.sign_in_to_recover(entry.id, msa.password, channel)
    assert done.code is Code.CODE_SENT
    (mail,) = world.outbox
    address = msa.alternate_email if channel == "email" else msa.alternate_phone
    assert (mail.channel, mail.to) == (sent_as, address)
    assert address in done.message and mail.code in mail.body
    wrong = f"{(int(mail.code) + 1) % 10**6:06d}"
    with refused(Code.WRONG_CODE):
        new.confirm_verification_code(entry.id, wrong)
    assert entry.needs_verification
    assert new.confirm_verification_code(entry.id, f" {mail.code} ").code is Code.OK
    assert not entry.needs_verification
    code = new.current_code(entry.id)
    assert code is not None and world.accepts_code(msa.id, code, new.device.id)
    # Push works from the new phone now, and still from the old one.
    assert new.approve_push(request).code is Code.OK
    assert world.push_requests[request].status == "approved"
    assert old.approve_push(world.request_push(msa.id)).code is Code.OK
    # Verified: the backup is updated, and nothing is left to verify for this account.
    assert not new.state.backup.dirty
    with refused(Code.NO_SUCH_ACCOUNT):
        new.sign_in_to_recover(entry.id, msa.password, channel)


@PLATFORMS
def test_wrong_password_sends_nothing(platform) -> None:
    scene, _, new, msa, _, _ = _recovered(platform)
    entry = entry_by(new, msa.username)
    with refused(Code.SIGN_IN_FAILED):
        new.sign_in_to_recover(entry.id, "wrong", "email")
    assert scene.world.outbox == [] and entry.needs_verification


@PLATFORMS
@pytest.mark.parametrize(("missing", "channel"), [
    ("alternate_email", "email"), ("alternate_phone", "phone"), (None, "fax"),
])
def test_no_such_channel(platform, missing: str | None, channel: str) -> None:
    kwargs = {missing: False} if missing else {}
    scene, _, new, msa, _, _ = _recovered(platform, **kwargs)
    entry = entry_by(new, msa.username)
    with refused(Code.NO_SUCH_CHANNEL):
        new.sign_in_to_recover(entry.id, msa.password, channel)
    assert scene.world.outbox == [] and entry.needs_verification


@PLATFORMS
def test_code_expires(platform) -> None:
    scene, _, new, msa, _, _ = _recovered(platform)
    world = scene.world
    entry = entry_by(new, msa.username)
    ttl = world.rules.verification_code_ttl_s
    new.sign_in_to_recover(entry.id, msa.password, "email")
    world.clock.advance(ttl)
    with refused(Code.WRONG_CODE):
        new.confirm_verification_code(entry.id, world.outbox[-1].code)
    new.sign_in_to_recover(entry.id, msa.password, "phone")  # a new code replaces it
    first, latest = world.outbox[0].code, world.outbox[-1].code
    if first != latest:
        with refused(Code.WRONG_CODE):
            new.confirm_verification_code(entry.id, first)
    world.clock.advance(ttl - 1)
    assert new.confirm_verification_code(entry.id, latest).code is Code.OK


def test_verification_is_only_for_accounts_that_need_it() -> None:
    _, _, new, msa, _, user = _recovered(Platform.IOS, push_msa=False)
    plain = entry_by(new, msa.username)
    assert not plain.needs_verification
    with refused(Code.NO_SUCH_ACCOUNT):
        new.sign_in_to_recover(plain.id, msa.password, "email")
    with refused(Code.NO_SUCH_ACCOUNT):
        new.confirm_verification_code(plain.id, "123456")
    work = entry_by(new, user.username)
    with refused(Code.NO_SUCH_ACCOUNT):  # a work account is not verified by password
        new.sign_in_to_recover(work.id, msa.password, "email")
    with refused(Code.NO_SUCH_ACCOUNT):
        new.sign_in_to_recover("acct-99", msa.password, "email")


# ---------------------------------------------------------------- work or school accounts


@PLATFORMS
@pytest.mark.parametrize("push", [True, False])
def test_work_account_recovered_with_its_qr(platform, push: bool) -> None:
    scene, old, new, _, tenant, user = _recovered(platform, work_push=push)
    world = scene.world
    entry = entry_by(new, user.username)
    assert entry.needs_verification and entry.push is push
    if push:
        with refused(Code.VERIFICATION_REQUIRED):
            new.approve_push(world.request_push(user.id))
    _, _, _, _, png = world.issue_activation(user.id)
    assert new.scan_qr_to_recover(entry.id, png).code is Code.OK
    assert not entry.needs_verification
    code = new.current_code(entry.id)
    assert code is not None and world.accepts_code(user.id, code, new.device.id)
    if push:
        request = world.request_push(user.id)
        assert new.approve_push(request).code is Code.OK
        assert world.push_requests[request].status == "approved"
        assert old.approve_push(world.request_push(user.id)).code is Code.OK
    else:
        with refused(Code.NO_SUCH_ACCOUNT):  # no push on this tile
            new.approve_push(world.request_push(user.id))
    assert tenant.registration(user.username, new.device.id) is not None


@PLATFORMS
@pytest.mark.parametrize("shown", ["other tenant", "other user", "used", "expired",
                                "not an activation", "unreadable"])
def test_wrong_qr_refused_and_nothing_changes(platform, shown: str) -> None:
    scene, _, new, _, tenant, user = _recovered(platform)
    world = scene.world
    entry = entry_by(new, user.username)
    expected = Code.QR_REJECTED
    if shown == "other tenant":
        _, stranger = scene.work_user()
        png = world.issue_activation(stranger.id)[4]
    elif shown == "other user":
        _, colleague = scene.work_user(tenant)
        code, url, _, png = world.issue_activation(colleague.id)[1:]
    elif shown == "used":
        _, code, url, _, png = world.issue_activation(user.id)
        scene.phone().enter_activation_manually(code, url, push=False)
    elif shown == "expired":
        png = world.issue_activation(user.id)[4]
        world.clock.advance(world.rules.activation_ttl_s)
    elif shown == "not an activation":
        uri = scene.site("GitHub").params.uri("me", "GitHub")
        png, expected = qr.render(uri), Code.QR_UNREADABLE
    else:
        png, expected = b"\x89PNG garbage", Code.QR_UNREADABLE
    before = picture(new)
    registrations = dict(tenant.registrations)
    with refused(expected):
        new.scan_qr_to_recover(entry.id, png)
    assert picture(new) == before and tenant.registrations == registrations
    if shown == "other user":  # the colleague's activation was not spent
        assert scene.phone().enter_activation_manually(code, url, push=False).code is Code.OK


@PLATFORMS
def test_work_account_recovered_by_typing_the_activation(platform) -> None:
    scene, _, new, _, _, user = _recovered(platform)
    _, code, url, _, _ = scene.world.issue_activation(user.id)
    entry = entry_by(new, user.username)
    with refused(Code.QR_REJECTED):
        new.enter_activation_to_recover(entry.id, code, url + "x")
    assert new.enter_activation_to_recover(entry.id, code, url).code is Code.OK
    assert not entry.needs_verification


# ---------------------------------------------------------------- adding accounts


@PLATFORMS
def test_adding_the_same_work_account_twice_breaks_nothing(platform) -> None:
    scene = Scene(platform)
    world = scene.world
    app = scene.phone()
    tenant, user = scene.add_work(app, push=True)
    before = picture(app)
    _, code, url, _, _ = world.issue_activation(user.id)
    with refused(Code.ACCOUNT_EXISTS):
        app.enter_activation_manually(code, url, push=True)
    assert picture(app) == before
    entry = app.state.entries[0]
    now_code = app.current_code(entry.id)
    assert now_code is not None and world.accepts_code(user.id, now_code, app.device.id)
    assert app.approve_push(world.request_push(user.id)).code is Code.OK
    assert not tenant.activations[code].used


@PLATFORMS
def test_personal_account_rules(platform) -> None:
    scene = Scene(platform)
    app = scene.phone()
    _, user = scene.work_user()
    with refused(Code.NOT_A_PERSONAL_ACCOUNT):
        app.add_personal_account(user.username, user.password, push=False)
    with refused(Code.SIGN_IN_FAILED):
        app.add_personal_account(scene.msa.username, "wrong", push=False)
    app.add_personal_account(scene.msa.username, scene.msa.password, push=True)
    with refused(Code.ACCOUNT_EXISTS):
        app.add_personal_account(scene.msa.username.upper(), scene.msa.password, push=False)
    assert len(app.state.entries) == 1
    with refused(Code.NO_SUCH_ACCOUNT):
        app.approve_push("push-404")


# ---------------------------------------------------------------- camera


def _camera_phone(platform: Platform) -> tuple[Scene, Authenticator]:
    scene = Scene(platform)
    return scene, scene.phone(camera=False)


@PLATFORMS
def test_first_scan_asks_for_the_camera_in_the_platform_words(platform) -> None:
    scene, app = _camera_phone(platform)
    site = scene.site()
    png = qr.render(site.params.uri(site.username, site.issuer))
    assert app.device.camera_prompt() is None
    with refused(Code.CAMERA_PERMISSION_NEEDED):
        app.scan_qr(png, push=False)
    prompt = app.device.camera_prompt()
    assert prompt == CAMERA_PROMPT[platform]
    words = "Access the Camera" if platform is Platform.IOS else "take pictures and record video"
    assert words in prompt
    assert app.state.entries == []
    app.answer_camera_prompt(allow=True)
    assert app.device.camera_prompt() is None
    assert app.device.camera is CameraPermission.ALLOWED
    assert app.scan_qr(png, push=False).code is Code.OK
    (entry,) = app.state.entries
    assert (entry.issuer, entry.username) == (site.issuer, site.username)
    assert app.current_code(entry.id) == site.params.code_at(scene.world.clock.now())


@PLATFORMS
def test_camera_denied_manual_entry_still_works(platform) -> None:
    scene, app = _camera_phone(platform)
    world = scene.world
    site = scene.site()
    png = qr.render(site.params.uri(site.username, site.issuer))
    with refused(Code.CAMERA_PERMISSION_NEEDED):
        app.scan_qr(png, push=False)
    app.answer_camera_prompt(allow=False)
    assert app.device.camera_prompt() is None
    with refused(Code.CAMERA_DENIED):
        app.scan_qr(png, push=False)
    assert app.device.camera_prompt() is None  # asked once only
    p = site.params
    assert app.enter_code_manually(site.issuer, site.username, p.secret.lower(), p.digits,
                                   p.period, p.algorithm).code is Code.OK
    _, user = scene.work_user()
    _, code, url, _, activation_png = world.issue_activation(user.id)
    with refused(Code.CAMERA_DENIED):
        app.scan_qr(activation_png, push=False)
    assert app.enter_activation_manually(code, url, push=False).code is Code.OK
    assert [e.kind for e in app.state.entries] == ["third_party", "work"]


def test_camera_denied_recovery_by_typing_the_activation() -> None:
    scene, _, new, _, _, user = _recovered(Platform.ANDROID)
    new.device.camera = CameraPermission.NOT_ASKED
    entry = entry_by(new, user.username)
    _, code, url, _, png = scene.world.issue_activation(user.id)
    with refused(Code.CAMERA_PERMISSION_NEEDED):
        new.scan_qr_to_recover(entry.id, png)
    new.answer_camera_prompt(allow=False)
    with refused(Code.CAMERA_DENIED):
        new.scan_qr_to_recover(entry.id, png)
    assert new.enter_activation_to_recover(entry.id, code, url).code is Code.OK


def test_unreadable_and_foreign_qr_codes() -> None:
    scene = Scene()
    app = scene.phone()
    with refused(Code.QR_UNREADABLE):
        app.scan_qr(b"garbage", push=False)
    with refused(Code.QR_UNREADABLE):
        app.scan_qr(qr.render("https://example.com/not-an-account"), push=False)
    with refused(Code.QR_REJECTED):
        app.scan_qr(qr.render("phonefactor://activate?code=1&url=https%3A%2F%2Fevil"),
                    push=False)
    assert app.state.entries == []


# ---------------------------------------------------------------- the lost phone


@PLATFORMS
def test_unregistered_lost_phone_loses_work_codes_and_push(platform) -> None:
    scene = Scene(platform)
    world = scene.world
    lost, spare = scene.phone(), scene.phone()
    tenant, user = scene.add_work(lost, push=True)
    other_tenant, other_user = scene.add_work(lost, push=True)
    msa = scene.add_msa(lost, push=True)
    _, code, url, _, _ = world.issue_activation(user.id)
    spare.enter_activation_manually(code, url, push=True)
    world.unregister_device(tenant.id, lost.device.id)

    entry = entry_by(lost, user.username)
    lost_code = lost.current_code(entry.id)
    assert lost_code is not None and not world.accepts_code(user.id, lost_code, lost.device.id)
    request = world.request_push(user.id)
    with refused(Code.DEVICE_UNREGISTERED):
        lost.approve_push(request)
    assert world.push_requests[request].status == "rejected"
    # The spare phone, the other tenant and the personal account are unaffected.
    assert spare.approve_push(world.request_push(user.id)).code is Code.OK
    spare_code = spare.current_code(entry_by(spare, user.username).id)
    assert spare_code is not None and world.accepts_code(user.id, spare_code, spare.device.id)
    assert lost.approve_push(world.request_push(other_user.id)).code is Code.OK
    assert lost.approve_push(world.request_push(msa.id)).code is Code.OK
    assert tenant.registration(user.username, lost.device.id) is None
    assert other_tenant.registration(other_user.username, lost.device.id) is not None
    assert any("unregistered" in e for e in tenant.events)
    assert not any("unregistered" in e for e in other_tenant.events)
    with pytest.raises(KeyError):
        world.unregister_device("tenant-404", lost.device.id)


def test_admin_sees_only_their_own_tenant() -> None:
    """000 "Important": the IT admin learns nothing about the accounts in the app."""
    scene = Scene(Platform.IOS)
    world = scene.world
    app = scene.backed_up_phone()
    site = scene.add_site(app)
    msa = scene.add_msa(app, push=True)
    tenant, user = scene.add_work(app, push=True)
    other, other_user = scene.add_work(app, push=False)
    world.unregister_device(other.id, app.device.id)
    for own, own_user, foreign_user in ((tenant, user, other_user),
                                        (other, other_user, user)):
        seen = " ".join(own.events) + " ".join(own.users) + " ".join(
            f"{r.username} {r.device_name}" for r in own.registrations.values())
        assert own_user.username.lower() in seen
        for hidden in (foreign_user.username, site.username, msa.username,
                       scene.msa.username, scene.apple.username, site.params.secret):
            assert hidden.lower() not in seen.lower()
        assert {r.username for r in own.registrations.values()} == {own_user.username.lower()}
    assert any("unregistered" in e for e in other.events)
    assert not any("unregistered" in e for e in tenant.events)
