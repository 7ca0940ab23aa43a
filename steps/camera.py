"""Camera permission and typing codes by hand (area CAMERA)."""

from pytest_bdd import given, parsers, then, when

from authconform.port import ActivationQr, Outcome, OutcomeCode
from authconform.preconditions import owned_by
from steps.cast import Cast, entry_for

# Once the camera was allowed (and not taken back), a scan is not refused for the
# camera's sake (REQ-CAMERA-02) nor asked about again (REQ-CAMERA-01), whatever it
# was for: a scan step charges such an answer there, not to the scenario. Both are
# current-profile requirements; the 2019 article says nothing of the camera.
CAMERA_ANSWERS = {OutcomeCode.CAMERA_DENIED: "REQ-CAMERA-02",
                  OutcomeCode.CAMERA_PERMISSION_NEEDED: "REQ-CAMERA-01"}
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
        with owned_by("REQ-CAMERA-01"):
            raise AssertionError(f"the {phone} scanned with the camera without asking for it")
    return outcome

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


@then(parsers.parse('the "{phone}" shows no camera prompt'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.screen(cast.phone(phone).id).camera_prompt is None


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
    is of a site's QR code made for the purpose and never added anywhere else."""
    cast.target.world.set_camera_access(cast.phone(phone).id, False)
    cast.phone(phone).camera_allowed = False
    site = cast.target.world.create_site_account(cast.person(name).id, "Camera check")
    with owned_by("REQ-CAMERA-04"):
        outcome = cast.target.app.scan_qr(cast.phone(phone).id, site.qr_png)
        assert outcome.code is OutcomeCode.CAMERA_DENIED, (
            f"camera access is off in the settings, yet a scan answered {outcome.code} "
            f"({outcome.message!r})")
