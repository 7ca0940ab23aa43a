"""Camera permission and typing codes by hand (area CAMERA).

A person answers the operating system's camera prompt only while it is on the screen,
and it appears when the app first wants the camera (a scan). So the steps here never
answer in advance: to have the camera allowed (or refused) before a scenario's own
scans, they scan a page with no code on it, see the prompt and answer it; where no
prompt appears they use the phone's own settings (capability ``os_settings``), as a
person would. The prompt itself is REQ-CAMERA-01's, a SHOULD ("you may see a popup"):
a step that needs a prompt which never shows is charged there, and the gate then
reports the scenario's MUST requirements unverified, never failed (verdict.py).
"""

import struct
import zlib

import pytest
from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import ActivationQr, Capability, Outcome, OutcomeCode
from authconform.spec.catalogue import NOT_APPLICABLE_PREFIX
from steps.cast import Cast, entry_for
from steps.outcomes import refused

PROMPT = "REQ-CAMERA-01"  # the phone asks, once (SHOULD)
# Once the camera was allowed (and not taken back), a scan is not refused for the
# camera's sake (REQ-CAMERA-02) nor asked about again (REQ-CAMERA-01), whatever it
# was for: a scan step charges such an answer there, not to the scenario. Both are
# current-profile requirements; the 2019 article says nothing of the camera.
CAMERA_ANSWERS = {OutcomeCode.CAMERA_DENIED: "REQ-CAMERA-02",
                  OutcomeCode.CAMERA_PERMISSION_NEEDED: PROMPT}
CAMERA_PROFILES = frozenset({"current"})


def scanned(cast: Cast, phone: str, outcome: Outcome) -> Outcome:
    """Hand on a scan's answer, failing first if the camera was not handled as
    documented: allowed but not working, or working though never asked for (the
    first use asks, REQ-CAMERA-01)."""
    if cast.target.info.profile not in CAMERA_PROFILES:
        return outcome
    allowed = cast.phone(phone).camera_allowed
    owner = CAMERA_ANSWERS.get(outcome.code) if allowed else None
    if owner:
        with owned_by(owner):
            raise AssertionError(f"camera access was allowed on the {phone}, yet the scan "
                                 f"answered {outcome.code} ({outcome.message!r})")
    if allowed is None and outcome.ok:
        with owned_by(PROMPT):
            raise AssertionError(f"the {phone} scanned with the camera without asking for it")
    return outcome


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def blank_page(size: int = 96) -> bytes:
    """A photo of a white page: something to point the camera at that holds no code,
    so scanning it adds and recovers nothing whatever the app does after the prompt."""
    rows = b"".join(b"\x00" + b"\xff" * size for _ in range(size))  # 8-bit grey, white
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b""))


def _prompt_showing(cast: Cast, phone: str) -> bool:
    return cast.target.app.screen(cast.phone(phone).id).camera_prompt is not None


def answer_prompt(cast: Cast, phone: str, allow: bool) -> None:
    """Tap Allow or Don't allow on the prompt, which must be on the screen: nobody can
    answer a dialog that is not there."""
    with owned_by(PROMPT):
        assert _prompt_showing(cast, phone), f"the {phone} shows no camera prompt to answer"
    cast.target.app.answer_camera_prompt(cast.phone(phone).id, allow)
    cast.phone(phone).camera_allowed = allow


def settle_camera(cast: Cast, phone: str, allow: bool) -> None:
    """Bring the app's camera access to ``allow`` before the scenario's own scans, the
    way a person would: scan a blank page and answer the prompt that shows; if none
    shows, the camera is already as wanted (it read the page, or it refused), or the
    phone's settings change it. Only when neither works does the step fail, charged to
    the prompt the documents say may appear (REQ-CAMERA-01)."""
    p = cast.phone(phone)
    if p.camera_allowed is allow:
        return
    if not _prompt_showing(cast, phone):
        outcome = cast.target.app.scan_qr(p.id, blank_page())
        if not _prompt_showing(cast, phone):
            on = outcome.code not in (OutcomeCode.CAMERA_DENIED,
                                      OutcomeCode.CAMERA_PERMISSION_NEEDED)
            if on is not allow:
                with owned_by(PROMPT):
                    assert Capability.OS_SETTINGS in cast.target.info.capabilities, (
                        f"a first scan on the {phone} showed no camera prompt and answered "
                        f"{outcome.code}, and the phone's settings cannot be reached "
                        f"(capability os_settings) to {'allow' if allow else 'refuse'} it")
                cast.target.world.set_camera_access(p.id, allow)
            p.camera_allowed = allow
            return
    answer_prompt(cast, phone, allow)


@given(parsers.parse('{name:w} has allowed camera access on the "{phone}"'))
def _(cast: Cast, phone: str) -> None:
    settle_camera(cast, phone, True)


@given(parsers.parse('{name:w} has denied camera access on the "{phone}"'))
def _(cast: Cast, phone: str) -> None:
    settle_camera(cast, phone, False)


@when(parsers.parse('{name:w} allows camera access on the "{phone}"'))
def _(cast: Cast, phone: str) -> None:
    answer_prompt(cast, phone, True)


@when(parsers.parse('{name:w} denies camera access on the "{phone}"'))
def _(cast: Cast, phone: str) -> None:
    answer_prompt(cast, phone, False)


# What 000 "Notes:" says each phone asks for, as the words that must appear in the OS
# prompt whatever else it says: the camera (iOS), pictures and video (Android).
ASKS_FOR = {"access the camera": (("camera",),),
            "take pictures and record video": (("picture", "photo", "image"), ("video",))}


@then(parsers.parse('the "{phone}" asks for permission to {wording}'))
def _(cast: Cast, phone: str, wording: str) -> None:
    prompt = cast.target.app.screen(cast.phone(phone).id).camera_prompt
    assert prompt is not None, f"the {phone} shows no camera prompt"
    assert wording in ASKS_FOR, f"say one of {sorted(ASKS_FOR)}, not {wording!r}"
    said = prompt.lower()
    assert all(any(word in said for word in words) for words in ASKS_FOR[wording]), (
        f"the prompt {prompt!r} does not ask to {wording}")


@when(parsers.parse('{name:w} finishes scanning the QR code of the "{label}" account with '
                    'the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    # After allowing the camera, an app may finish the scan that asked by itself, or
    # need the code scanned again; the documents allow both. Scan only if needed.
    account = cast.account(name, label)
    assert account.site is not None, f"{label} is not a third-party account"
    device_id = cast.phone(phone).id
    if entry_for(cast.target.app.list_accounts(device_id), account) is not None:
        return Outcome.success("added when the camera was allowed")
    return scanned(cast, phone, cast.target.app.scan_qr(device_id, account.site.qr_png))


@given(parsers.parse('{name:w} has added the "{label}" account to the "{phone}" by scanning its '
                     "QR code, where the app adds accounts that way"))
def _(cast: Cast, name: str, label: str, phone: str) -> None:
    """For the 2019 profile: 002 keeps every third-party account in the backup, but never
    says how one is added, nor anything of a camera prompt. So the scan is made, a prompt
    that shows is allowed, and an app that still adds no account this way makes the
    scenario not-applicable: that is no fault 002 names."""
    account = cast.account(name, label)
    assert account.site is not None, f"{label} is not a third-party account"
    app, device = cast.target.app, cast.phone(phone).id
    outcome = app.scan_qr(device, account.site.qr_png)
    if _prompt_showing(cast, phone):
        app.answer_camera_prompt(device, True)
        cast.phone(phone).camera_allowed = True
        if entry_for(app.list_accounts(device), account) is None:
            outcome = app.scan_qr(device, account.site.qr_png)
    if entry_for(app.list_accounts(device), account) is None:
        pytest.skip(f"{NOT_APPLICABLE_PREFIX} the app adds no {label} account by scanning its "
                    f"QR code (it answered {outcome.code}); 002 does not say it must")


def scanning_unavailable(cast: Cast, phone: str, outcome: Outcome) -> None:
    """A scan with camera access refused or turned off reads nothing. 000 "Notes:" says
    only that the code is then typed instead, and the prompt is the operating system's
    (Android may show it again, iOS does not): so the app may say the camera is off
    (CAMERA_DENIED) or answer that its prompt is showing again (CAMERA_PERMISSION_NEEDED,
    which the port defines as the prompt being on the screen, so it must be)."""
    refused(outcome, f"the scan on the {phone}")
    if outcome.code is OutcomeCode.CAMERA_PERMISSION_NEEDED:
        assert _prompt_showing(cast, phone), (
            f"the scan answered {outcome.code}, yet the {phone} shows no camera prompt")
    else:
        assert outcome.code is OutcomeCode.CAMERA_DENIED, (
            f"the scan was refused with {outcome.code} ({outcome.message!r}), not "
            f"{OutcomeCode.CAMERA_DENIED} nor {OutcomeCode.CAMERA_PERMISSION_NEEDED}")


@then(parsers.parse('the "{phone}" does not scan, and says the camera is off or asks for '
                    'it again'))
def _(cast: Cast, outcome: Outcome, phone: str) -> None:
    scanning_unavailable(cast, phone, outcome)


@then(parsers.parse('the "{phone}" shows no camera prompt'))
def no_prompt(cast: Cast, phone: str) -> None:
    # The prompt not coming back is REQ-CAMERA-01's (a SHOULD), whatever MUST the
    # scenario also checks: a prompt shown again blocks that MUST, it never fails it.
    with owned_by(PROMPT):
        assert not _prompt_showing(cast, phone), f"the {phone} shows the camera prompt"


@when(parsers.parse('{name:w} types "{secret}" as the secret of the "{label}" account on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, secret: str, label: str, phone: str) -> Outcome:
    site = cast.account(name, label).site
    assert site is not None, f"{label} is not a third-party account"
    return cast.target.app.enter_code_manually(cast.phone(phone).id, site.issuer,
                                               site.username, secret)


@when(parsers.parse('{name:w} types the URL from the QR code with a wrong activation code on '
                    'the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, qr: ActivationQr, phone: str) -> Outcome:
    wrong = "1" + qr.code[1:] if not qr.code.startswith("1") else "2" + qr.code[1:]
    return cast.target.app.enter_activation_manually(cast.phone(phone).id, wrong, qr.url)


@when(parsers.parse('{name:w} turns off camera access for the app in the "{phone}" settings'))
def _(cast: Cast, phone: str) -> None:
    cast.target.world.set_camera_access(cast.phone(phone).id, False)
    cast.phone(phone).camera_allowed = False


@given(parsers.parse('{name:w} has turned off camera access for the app in the "{phone}" '
                     "settings, and scanning stopped"))
def _(cast: Cast, name: str, phone: str) -> None:
    """Scanning stopping is REQ-CAMERA-04's; a scenario about what is done with the
    camera off (typing) is blocked by it, not failed, when it does not stop. The scan
    is of a site's QR code made for the purpose and never added anywhere else. If the
    phone asks for the camera again, Alex refuses, so access stays off."""
    device_id = cast.phone(phone).id
    cast.target.world.set_camera_access(device_id, False)
    cast.phone(phone).camera_allowed = False
    site = cast.target.world.create_site_account(cast.person(name).id, "Camera check")
    with owned_by("REQ-CAMERA-04"):
        scanning_unavailable(cast, phone, cast.target.app.scan_qr(device_id, site.qr_png))
    if _prompt_showing(cast, phone):
        cast.target.app.answer_camera_prompt(device_id, False)
