"""Verification codes: RFC 6238 vectors, otpauth URIs, and whose codes a provider takes.

000/002 "Recover your account credentials on your new device": after recovery each phone
has its own personal-account credential, so the codes differ and each is valid only from
its own phone. Third-party accounts share one secret; work accounts get one per
registration.
"""

from __future__ import annotations

import base64

import pytest

from sim.codes import MSA_DIGITS, TotpParams, params_from_uri, secret_from_bytes
from sim.refusals import Code
from tests.test_sim_support import PLATFORMS, Scene, entry_by, refused

# RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's size.
SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [  # (time, SHA1, SHA256, SHA512)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize("algorithm", list(SEEDS))
@pytest.mark.parametrize("at", [v[0] for v in VECTORS])
def test_rfc6238_appendix_b(algorithm: str, at: int) -> None:
    row = next(v for v in VECTORS if v[0] == at)
    expected = row[1 + list(SEEDS).index(algorithm)]
    params = TotpParams(secret_from_bytes(SEEDS[algorithm]), 8, 30, algorithm)
    assert params.code_at(at) == expected
    assert params.accepts(expected, at)
    assert not params.accepts(expected, at + 30)  # no drift window


def test_secret_from_bytes_is_unpadded_base32() -> None:
    secret = secret_from_bytes(SEEDS["SHA256"])
    assert "=" not in secret
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == SEEDS["SHA256"]


@pytest.mark.parametrize(("digits", "period", "algorithm"), [
    (6, 30, "SHA1"), (8, 60, "SHA256"), (7, 15, "SHA512"),
])
@pytest.mark.parametrize(("issuer", "username"), [
    ("GitHub", "octocat"), ("ACME Co", "jane.doe+mfa@example.com"),
])
def test_otpauth_uri_round_trip(digits: int, period: int, algorithm: str, issuer: str,
                                username: str) -> None:
    params = TotpParams(secret_from_bytes(bytes(range(20))), digits, period, algorithm)
    uri = params.uri(username, issuer)
    assert uri.startswith("otpauth://totp/")
    assert params_from_uri(uri) == (issuer, username, params)


@pytest.mark.parametrize("kwargs", [
    {"algorithm": "MD5"}, {"algorithm": "sha1"}, {"digits": 5}, {"digits": 9}, {"digits": 10},
    {"period": 0}, {"period": -30}, {"secret": "not base32!"}, {"secret": "ABC"},
    {"secret": ""},
], ids=repr)
def test_bad_params_refused(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"secret": "JBSWY3DPEHPK3PXP", **kwargs}
    with pytest.raises(ValueError):
        TotpParams(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("uri", [
    "https://example.com/", "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1",
    "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
    "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=4", "otpauth://totp/x",
])
def test_params_from_uri_refuses_what_is_not_a_totp_account(uri: str) -> None:
    with pytest.raises(ValueError):
        params_from_uri(uri)


@PLATFORMS
def test_manual_entry_with_bad_params_is_invalid_entry(platform) -> None:
    scene = Scene(platform)
    app = scene.phone()
    for secret, digits, algorithm in [("", 6, "SHA1"), ("JBSWY3DP", 4, "SHA1"),
                                      ("JBSWY3DP", 6, "MD5"), ("!!", 6, "SHA1")]:
        with refused(Code.INVALID_ENTRY):
            app.enter_code_manually("Site", "me", secret, digits, 30, algorithm)
    assert app.state.entries == []


# ---------------------------------------------------------------- whose codes count


@PLATFORMS
def test_personal_codes_differ_per_device_and_each_is_accepted_only_for_its_own(
        platform) -> None:
    scene = Scene(platform)
    old = scene.backed_up_phone()
    old.add_personal_account(scene.msa.username, scene.msa.password, push=False)
    new = scene.phone()
    scene.recover(new)
    world, msa = scene.world, scene.msa
    old_code = old.current_code(entry_by(old, msa.username).id)
    new_code = new.current_code(entry_by(new, msa.username).id)
    assert old_code is not None and new_code is not None
    assert len(old_code) == len(new_code) == MSA_DIGITS
    assert old_code != new_code
    assert world.accepts_code(msa.id, old_code, old.device.id)
    assert world.accepts_code(msa.id, new_code, new.device.id)
    assert not world.accepts_code(msa.id, old_code, new.device.id)
    assert not world.accepts_code(msa.id, new_code, old.device.id)
    world.clock.advance(30)  # both keep working as time moves on
    for app in (old, new):
        code = app.current_code(entry_by(app, msa.username).id)
        assert code is not None and world.accepts_code(msa.id, code, app.device.id)


@PLATFORMS
def test_third_party_codes_are_identical_on_both_phones(platform) -> None:
    scene = Scene(platform)
    old = scene.backed_up_phone()
    site = scene.add_site(old, "GitHub", digits=8, period=60, algorithm="SHA256")
    new = scene.phone()
    scene.recover(new)
    codes = {app.current_code(entry_by(app, site.username).id) for app in (old, new)}
    assert len(codes) == 1
    (code,) = codes
    assert code is not None and len(code) == 8
    assert code == site.params.code_at(scene.world.clock.now())
    for app in (old, new):
        assert scene.world.accepts_code(site.id, code, app.device.id)


@PLATFORMS
def test_work_codes_are_per_registration(platform) -> None:
    scene = Scene(platform)
    first, second = scene.phone(), scene.phone()
    tenant, user = scene.add_work(first)
    _, code, url, _, _ = scene.world.issue_activation(user.id)
    second.enter_activation_manually(code, url, push=False)
    world = scene.world
    a = first.current_code(entry_by(first, user.username).id)
    b = second.current_code(entry_by(second, user.username).id)
    assert a is not None and b is not None and a != b
    assert world.accepts_code(user.id, a, first.device.id)
    assert world.accepts_code(user.id, b, second.device.id)
    assert not world.accepts_code(user.id, a, second.device.id)
    assert not world.accepts_code(user.id, b, first.device.id)
    assert {r.username for r in tenant.registrations.values()} == {user.username.lower()}


def test_a_phone_without_the_account_has_no_code_accepted() -> None:
    scene = Scene()
    app = scene.phone()
    stranger = scene.phone()
    scene.add_msa(app)
    account = next(iter(a for a in scene.world.msa.accounts.values() if a.credentials))
    code = app.current_code(app.state.entries[0].id)
    assert code is not None
    assert not scene.world.accepts_code(account.id, code, stranger.device.id)
