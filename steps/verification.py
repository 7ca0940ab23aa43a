"""Additional verification of restored accounts, activation QR codes from a work or school
organisation, and sign-in approvals (push notifications)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import (
    AccountKind,
    ActivationQr,
    AlertCode,
    Outcome,
    OutcomeCode,
    Parameter,
)
from authconform.spec.wording import wrong_code
from steps.camera import scanned
from steps.cast import Account, Cast
from steps.declared import declared
from steps.labels import chosen
from steps.outcomes import refused_as

# A pending personal account gets its code at the alternate address (REQ-VERIFY-03).
CODE_SENT_BY = "REQ-VERIFY-03"
# A QR code the app accepts makes the pending work account usable (REQ-VERIFY-05).
QR_RECOVERS = "REQ-VERIFY-05"

CHANNELS = {"email address": "email", "phone number": "phone"}
ALLOWED_PARAMETERS = {"channel": CHANNELS}  # every {channel} (authconform.spec.allowed)
SIGN_IN = "sign in to recover"  # the option a waiting personal account offers


def _alternate(cast: Cast, name: str, channel: str, label: str | None = None) -> str:
    """The alternate address of ``name``'s personal account ``label`` (the recovery
    account when None): each personal account has its own."""
    msa = cast.msa(name) if label is None else cast.account(name, label).msa
    assert msa is not None, f"{label} is not a personal Microsoft account"
    address = msa.alternate_email if CHANNELS[channel] == "email" else msa.alternate_phone
    assert address, f"{name} has no alternate address for {channel}"
    return address


# ------------------------------------------------------------------ what needs verifying
@then(parsers.parse('the "{phone}" alerts that additional verification is needed'))
def _(cast: Cast, phone: str) -> None:
    assert cast.alerts(phone, {AlertCode.VERIFICATION_NEEDED}), (
        f"the {phone} shows no additional-verification alert")


@then(parsers.parse('the "{phone}" shows no alert about additional verification'))
def _(cast: Cast, phone: str) -> None:
    shown = cast.alerts(phone, {AlertCode.VERIFICATION_NEEDED})
    assert not shown, shown


@then(parsers.parse('the "{label}" account on the "{phone}" needs additional verification'))
def _(cast: Cast, label: str, phone: str) -> None:
    assert cast.entry(phone, label).needs_verification


@then(parsers.parse('the "{label}" account on the "{phone}" is ready to use'))
def _(cast: Cast, label: str, phone: str) -> None:
    assert not cast.entry(phone, label).needs_verification


# ------------------------------------------------------------------ personal accounts
@when(parsers.parse('{name:w} signs in to recover the "{label}" account on the "{phone}" '
                    "with a code to the alternate {channel}"), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str, channel: str) -> Outcome:
    return cast.target.app.sign_in_to_recover(cast.phone(phone).id,
                                              chosen(cast, phone, label, SIGN_IN).id,
                                              cast.account(name, label).password,
                                              CHANNELS[channel])


@when(parsers.parse('{name:w} signs in to recover the "{label}" account on the "{phone}" '
                    "with a wrong password"), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    return cast.target.app.sign_in_to_recover(cast.phone(phone).id,
                                              chosen(cast, phone, label, SIGN_IN).id,
                                              cast.account(name, label).password + "-wrong",
                                              "email")


@when(parsers.parse('{name:w} signs in to recover the "{label}" account on the "{phone}" '
                    'with the password of the "{other}" account'), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str, other: str) -> Outcome:
    return cast.target.app.sign_in_to_recover(cast.phone(phone).id,
                                              cast.entry(phone, label).id,
                                              cast.account(name, other).password, "email")


# A mailbox may hold other mail (a notice that backup was turned on, say): only the
# messages that carry a code are the verification's.
def _codes(cast: Cast, name: str, channel: str, label: str | None = None) -> list[str]:
    received = cast.target.world.messages(_alternate(cast, name, channel, label))
    return [m.code for m in received if m.code]


def _latest_code(cast: Cast, name: str, channel: str, label: str | None = None) -> str:
    """The last code sent to the alternate address; fails if none came."""
    codes = _codes(cast, name, channel, label)
    assert codes, f"no code arrived by {channel}" + (f" for the {label} account"
                                                     if label else "")
    return codes[-1]


@then(parsers.parse("a code is sent to {name:w}'s alternate {channel}"))
def _(cast: Cast, name: str, channel: str) -> None:
    _latest_code(cast, name, channel)


@then(parsers.parse("nothing is sent to {name:w}'s alternate {channel}"))
def _(cast: Cast, name: str, channel: str) -> None:
    sent = _codes(cast, name, channel)
    assert not sent, f"a code was sent by {channel}: {sent}"


@when(parsers.parse('{name:w} enters the code sent to the alternate {channel} for the '
                    '"{label}" account on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, channel: str, label: str, phone: str) -> Outcome:
    entry = cast.entry(phone, label)
    # Only a waiting account is sent a code: if this one does not wait, what broke is
    # not the sending (and the documents do not say which requirement it is).
    with owned_by(CODE_SENT_BY) if entry.needs_verification else contextlib.nullcontext():
        code = _latest_code(cast, name, channel, label)
    return cast.target.app.confirm_verification_code(cast.phone(phone).id, entry.id, code)


@when(parsers.parse('{name:w} notes the code sent to the alternate {channel} of the '
                    '"{label}" account'), target_fixture="noted_verification_code")
def _(cast: Cast, name: str, channel: str, label: str) -> str:
    """The latest code at the account's alternate address, for a later step to type."""
    with owned_by(CODE_SENT_BY):
        return _latest_code(cast, name, channel, label)


@when(parsers.parse('{name:w} enters the noted code for the "{label}" account on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, noted_verification_code: str, label: str, phone: str) -> Outcome:
    return cast.target.app.confirm_verification_code(
        cast.phone(phone).id, cast.entry(phone, label).id, noted_verification_code)


@when(parsers.parse('{name:w} verifies the "{label}" account on the "{phone}" with a code '
                    "sent to the alternate {channel}"), target_fixture="used_code")
def _(cast: Cast, name: str, label: str, phone: str, channel: str) -> str:
    """Sign in to recover and confirm the code, for a scenario about what comes after:
    that the account is then verified is REQ-VERIFY-03's, so a refusal on the way is
    charged there (the scenario is blocked by it, not failed). Hands on the code used."""
    device_id, entry = cast.phone(phone).id, chosen(cast, phone, label, SIGN_IN)
    outcome = cast.target.app.sign_in_to_recover(device_id, entry.id,
                                                 cast.account(name, label).password,
                                                 CHANNELS[channel])
    # As in the step that enters the code: only a waiting account is VERIFY-03's to
    # verify; one that does not wait is the scenario's own finding.
    with owned_by(CODE_SENT_BY) if entry.needs_verification else contextlib.nullcontext():
        assert outcome.code is OutcomeCode.CODE_SENT, (
            f"signing in to recover the {label} account answered {outcome.code} "
            f"({outcome.message!r})")
        code = _latest_code(cast, name, channel, label)
        outcome = cast.target.app.confirm_verification_code(device_id, entry.id, code)
        assert outcome.ok, f"the code sent by {channel} was refused: {outcome}"
        assert not cast.entry(phone, label).needs_verification, (
            f"the {label} account still waits after its code was accepted")
    return code


@when(parsers.parse('{name:w} enters the code already used on the "{other}" for the "{label}" '
                    'account on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, used_code: str, label: str, phone: str) -> Outcome:
    return cast.target.app.confirm_verification_code(cast.phone(phone).id,
                                                     cast.entry(phone, label).id, used_code)


@when(parsers.parse('{name:w} enters a wrong code for the "{label}" account on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    real = _latest_code(cast, name, "email address", label)
    wrong = wrong_code(real)  # the code's own shape and alphabet (spec.wording)
    assert wrong != real, f"the code {real!r} cannot be mistyped"
    return cast.target.app.confirm_verification_code(cast.phone(phone).id,
                                                     cast.entry(phone, label).id, wrong)


# ------------------------------------------------------------------ work or school accounts
@given(parsers.parse('"{org}" has given {name:w} a new QR code'), target_fixture="qr")
@when(parsers.parse('"{org}" gives {name:w} a new QR code'), target_fixture="qr")
def _(cast: Cast, org: str, name: str) -> ActivationQr:
    work = cast.account(name, org)
    assert work.kind is AccountKind.WORK and work.tenant is not None
    return cast.target.world.issue_activation_qr(work.tenant.id, work.id)


@when(parsers.parse('{name:w} scans the QR code to recover the "{label}" account on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, qr: ActivationQr, label: str, phone: str) -> Outcome:
    return qr_recovery(cast, scan_to_recover(cast, phone, label, qr.png), label, phone)


def scan_to_recover(cast: Cast, phone: str, label: str, image: bytes) -> Outcome:
    """Scan ``image`` to recover the waiting ``label`` account on ``phone`` (the camera
    handled as documented, see steps.camera.scanned)."""
    entry = chosen(cast, phone, label, "scan a QR code to recover")
    return scanned(cast, phone, cast.target.app.scan_qr_to_recover(
        cast.phone(phone).id, entry.id, image))


def qr_recovery(cast: Cast, outcome: Outcome, label: str, phone: str) -> Outcome:
    """Hand on the answer to a QR code or activation code given to recover a waiting
    work account; whether it should have been accepted is the scenario's to judge,
    but an accepted one must leave the account usable."""
    if outcome.ok:
        with owned_by(QR_RECOVERS):
            assert not cast.entry(phone, label).needs_verification, (
                f"the {label} account still waits after its QR code was accepted")
    return outcome


def recovered_with_qr(cast: Cast, outcome: Outcome, label: str, phone: str) -> None:
    """A Given's recovery of a work account with a valid QR code worked."""
    with owned_by(QR_RECOVERS):
        assert outcome.ok, outcome
    qr_recovery(cast, outcome, label, phone)


@given(parsers.parse('{name:w} has scanned the QR code to recover the "{label}" account on '
                     'the "{phone}"'))
@when(parsers.parse('{name:w} recovers the "{label}" account on the "{phone}" by scanning the '
                    "QR code"))
def _(cast: Cast, qr: ActivationQr, label: str, phone: str) -> None:
    # For a scenario about what comes after: the scan must work, and that is
    # REQ-VERIFY-05's (the camera's part is charged in scan_to_recover). An account that
    # stopped waiting although nobody verified it is REQ-VERIFY-02's, not the scan's.
    with owned_by(STAYS_PENDING):
        assert cast.entry(phone, label).needs_verification, (
            f"the {label} account no longer waits for verification, yet it was not verified")
    recovered_with_qr(cast, scan_to_recover(cast, phone, label, qr.png), label, phone)


def _work_account(cast: Cast, name: str, org: str) -> Account:
    """``name``'s account at ``org``, made on first mention (a colleague's, say)."""
    if (name, org) not in cast.accounts:
        person = cast.person(name)
        cast.add_work(name, org, cast.target.world.create_work_account(
            cast.tenant(org).id, person.id))
    return cast.account(name, org)


def _new_qr(cast: Cast, name: str, org: str) -> ActivationQr:
    work = _work_account(cast, name, org)
    assert work.tenant is not None
    return cast.target.world.issue_activation_qr(work.tenant.id, work.id)


@dataclass(frozen=True)
class HeldQr:
    """An image Alex holds, and the requirement that says it must be refused."""

    png: bytes
    refused_under: str


NOT_PROVING, NO_ACTIVATION = "REQ-VERIFY-06", "REQ-VERIFY-08"
STAYS_PENDING = "REQ-VERIFY-02"  # a pending account waits until it is itself verified
HELD_QR = {
    # a real activation code, but not one that proves who Alex is
    r'a new QR code (?P<org>.+) issued for (?P<who>\w+)':
        (NOT_PROVING, lambda cast, name, m: _new_qr(cast, m["who"], m["org"]).png),
    r'the QR code that set up the "(?P<phone>.+)"':
        (NOT_PROVING, lambda cast, name, m: _setup_qr(cast, name, m["phone"])),
    r'a QR code from (?P<org>.+) past its lifetime':
        (NOT_PROVING, lambda cast, name, m: _expired_qr(cast, name, m["org"])),
    # no activation code at all
    r'a damaged photo of a new QR code from (?P<org>.+)':
        (NO_ACTIVATION, lambda cast, name, m: _damaged(_new_qr(cast, name, m["org"]).png)),
    r'the QR code of the "(?P<label>.+)" account':
        (NO_ACTIVATION, lambda cast, name, m: _site_qr(cast, name, m["label"])),
}


def _damaged(png: bytes) -> bytes:
    return png[: len(png) // 2]  # the bottom half of the picture is missing


def _setup_qr(cast: Cast, name: str, phone: str) -> bytes:
    used = [qr for (owner, _label), qr in cast.setup_qrs.items() if owner == name]
    assert len(used) == 1, f"{name} set up {len(used)} work accounts, not one, on {phone}"
    return used[0].png


def _expired_qr(cast: Cast, name: str, org: str) -> bytes:
    # The documents name no lifetime: the target declares one, or this is not applicable.
    lifetime = declared(cast, Parameter.QR_LIFETIME_S)  # not-applicable naming it
    qr = _new_qr(cast, name, org)
    cast.target.world.advance_clock(lifetime + 1)
    return qr.png


def _site_qr(cast: Cast, name: str, label: str) -> bytes:
    site = cast.account(name, label).site
    assert site is not None, f"{label} is not a third-party account"
    return site.qr_png


@given(parsers.parse("{name:w} holds {what}"), target_fixture="held_qr")
def _(cast: Cast, name: str, what: str) -> HeldQr:
    """Gets an activation QR code of the kind described (see HELD_QR) and hands it on as
    held_qr."""
    for pattern, (requirement, make) in HELD_QR.items():
        found = re.fullmatch(pattern, what)
        if found:
            return HeldQr(make(cast, name, found), requirement)
    raise AssertionError(f"no way to hold {what!r}; known: {list(HELD_QR)}")


@when(parsers.parse('{name:w} scans the held QR code to recover the "{label}" account on the '
                    '"{phone}"'), target_fixture="outcome")
def _(cast: Cast, held_qr: HeldQr, label: str, phone: str) -> Outcome:
    return qr_recovery(cast, scan_to_recover(cast, phone, label, held_qr.png), label, phone)


@given(parsers.parse('{name:w} has had the held QR code refused when recovering the "{label}" '
                     'account on the "{phone}"'))
def _(cast: Cast, held_qr: HeldQr, label: str, phone: str) -> None:
    """The refusal and the account still waiting are the held image's requirement's
    (VERIFY-06 for a code that does not prove who Alex is, VERIFY-08 for an image with
    no activation code): a scenario about what comes after is blocked by it, not failed."""
    outcome = scan_to_recover(cast, phone, label, held_qr.png)
    with owned_by(held_qr.refused_under):
        refused_as(outcome, "recovering the account", "QR not accepted")
        assert cast.entry(phone, label).needs_verification, (
            f"after the refused scan the {label} account no longer waits for verification")


@given(parsers.parse('{name:w} has typed the code and URL from the QR code to recover the '
                     '"{label}" account on the "{phone}"'))
def _(cast: Cast, qr: ActivationQr, label: str, phone: str) -> None:
    outcome = cast.target.app.enter_activation_to_recover(cast.phone(phone).id,
                                                          cast.entry(phone, label).id,
                                                          qr.code, qr.url)
    recovered_with_qr(cast, outcome, label, phone)


@when(parsers.parse('{name:w} types the code and URL from the QR code to recover the '
                    '"{label}" account on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, qr: ActivationQr, label: str, phone: str) -> Outcome:
    outcome = cast.target.app.enter_activation_to_recover(cast.phone(phone).id,
                                                          cast.entry(phone, label).id,
                                                          qr.code, qr.url)
    return qr_recovery(cast, outcome, label, phone)


@when(parsers.parse('{name:w} scans the QR code that set up the "{old}" to recover the '
                    '"{label}" account on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, old: str, label: str, phone: str) -> Outcome:
    used = cast.setup_qrs[(name, label)]
    return qr_recovery(cast, scan_to_recover(cast, phone, label, used.png), label, phone)


@when(parsers.parse('{name:w} adds the "{label}" account to the "{phone}" by scanning the '
                    "QR code"), target_fixture="outcome")
def _(cast: Cast, qr: ActivationQr, phone: str) -> Outcome:
    return scanned(cast, phone, cast.target.app.scan_qr(cast.phone(phone).id, qr.png, True))


@when(parsers.parse('{name:w} adds the "{label}" account to the "{phone}" by typing the code '
                    "and URL from the QR code"), target_fixture="outcome")
def _(cast: Cast, qr: ActivationQr, phone: str) -> Outcome:
    return cast.target.app.enter_activation_manually(cast.phone(phone).id, qr.code, qr.url,
                                                     True)


# ------------------------------------------------------------------ sign-in approvals
@given(parsers.parse('{name:w} signs in to the "{label}" account elsewhere'),
       target_fixture="push_request")
@when(parsers.parse('{name:w} signs in to the "{label}" account elsewhere'),
      target_fixture="push_request")
def _(cast: Cast, name: str, label: str) -> str:
    return cast.target.world.request_push(cast.account(name, label).id)


@when(parsers.parse('{name:w} approves the sign-in on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, push_request: str, phone: str) -> Outcome:
    return cast.target.app.approve_push(cast.phone(phone).id, push_request)


@then("the sign-in is approved")
def _(cast: Cast, push_request: str) -> None:
    assert cast.target.world.push_result(push_request).status == "approved"


@then("the sign-in is not approved")
def _(cast: Cast, push_request: str) -> None:
    assert cast.target.world.push_result(push_request).status != "approved"
