"""Camera permission and typing codes by hand (area CAMERA)."""

from pytest_bdd import parsers, then, when

from authconform.port import ActivationQr, Outcome
from steps.cast import Cast, entry_for

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
    return cast.target.app.scan_qr(device_id, account.site.qr_png)


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
