"""Phones: which OS and app build, iCloud sign-in, network, time (camera permission: camera.py)."""

from __future__ import annotations

from pytest_bdd import given, parsers, when

from authconform.port import AppleId, Outcome, Platform
from steps.cast import LATEST_VERSION, Cast, Phone, platform_of


def _new_phone(cast: Cast, name: str, label: str, version: str | None = None) -> Phone:
    platform = platform_of(label)
    device_name = label if label.startswith(f"{name}'s ") else f"{name}'s {label}"
    device_id = cast.target.world.create_device(
        cast.person(name).id, platform, version or LATEST_VERSION[platform], device_name)
    phone = cast.phones[label] = Phone(label, name, device_id, platform, device_name)
    return phone


def icloud_sign_in(cast: Cast, phone: Phone, apple_id: AppleId) -> Outcome:
    """Sign the phone in to iCloud, remembering the Apple ID when it worked."""
    outcome = cast.target.world.sign_in_to_icloud(phone.id, apple_id.username,
                                                  apple_id.password)
    if outcome.ok:
        phone.apple_id = apple_id.username
    return outcome


def _sign_in_to_icloud(cast: Cast, name: str, phone: Phone) -> None:
    """An iPhone in daily use is signed in to iCloud with its owner's Apple ID."""
    if phone.platform is Platform.IOS:
        if name not in cast.apple_ids:
            cast.apple_ids[name] = cast.target.world.create_apple_id(cast.person(name).id)
        outcome = icloud_sign_in(cast, phone, cast.apple_ids[name])
        assert outcome.ok, outcome


def phone_in_use(cast: Cast, name: str, label: str) -> Phone:
    """A phone with the app, signed in to iCloud if it is an iPhone."""
    phone = _new_phone(cast, name, label)
    _sign_in_to_icloud(cast, name, phone)
    return phone


@given(parsers.parse('{name:w} has the app on the "{phone}"'))
def _(cast: Cast, name: str, phone: str) -> None:
    phone_in_use(cast, name, phone)


@given(parsers.parse('{name:w} has app version {version} on the "{phone}"'))
def _(cast: Cast, name: str, version: str, phone: str) -> None:
    _sign_in_to_icloud(cast, name, _new_phone(cast, name, phone, version))


@given(parsers.parse('{name:w} has the app on the "{phone}" without signing in to iCloud'))
def _(cast: Cast, name: str, phone: str) -> None:
    _new_phone(cast, name, phone)


@given(parsers.parse('{name:w} has signed in to iCloud on the "{phone}"'))
@when(parsers.parse('{name:w} signs in to iCloud on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    return icloud_sign_in(cast, cast.phone(phone), cast.apple_id(name))


@given(parsers.parse('{name:w} has signed in to iCloud on the "{phone}" with the second '
                     "Apple ID"))
@when(parsers.parse('{name:w} signs in to iCloud on the "{phone}" with the second Apple ID'),
      target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    return icloud_sign_in(cast, cast.phone(phone), cast.second_apple_ids[name])


@given(parsers.parse('{name:w} has signed in to iCloud on the "{phone}" with {other:w}\'s '
                     "Apple ID"))
def _(cast: Cast, phone: str, other: str) -> None:
    outcome = icloud_sign_in(cast, cast.phone(phone), cast.apple_id(other))
    assert outcome.ok, outcome


@when(parsers.parse('{name:w} signs out of iCloud on the "{phone}"'))
def _(cast: Cast, phone: str) -> None:
    cast.target.world.sign_out_of_icloud(cast.phone(phone).id)
    cast.phone(phone).apple_id = None


# ------------------------------------------------------------------ network
@given(parsers.parse('the "{phone}" has no network connection'))
@when(parsers.parse('the "{phone}" loses its network connection'))
def _(cast: Cast, phone: str) -> None:
    cast.target.world.set_device_online(cast.phone(phone).id, False)


@when(parsers.parse('the "{phone}" is back online'))
def _(cast: Cast, phone: str) -> None:
    cast.target.world.set_device_online(cast.phone(phone).id, True)


# ------------------------------------------------------------------ the app itself
@when(parsers.parse('{name:w} closes the app on the "{phone}" and opens it again'))
def _(cast: Cast, phone: str) -> None:
    cast.target.app.restart_app(cast.phone(phone).id)  # capability app_restart


# ------------------------------------------------------------------ time
@given(parsers.parse("{days:d} days have passed"))
@when(parsers.parse("{days:d} days pass"))
def _(cast: Cast, days: int) -> None:
    cast.target.world.advance_clock(days * 24 * 3600)


@when(parsers.parse("{minutes:d} minutes pass"))
def _(cast: Cast, minutes: int) -> None:
    cast.target.world.advance_clock(minutes * 60)


@when(parsers.parse("{seconds:d} seconds pass"))
def _(cast: Cast, seconds: int) -> None:
    cast.target.world.advance_clock(seconds)
