"""The words and places the documents give for what the app shows: the options on a
waiting account, where the out-of-date mark sits, and the prompt to sign in again.

A label is compared with what the profile's own document names, ignoring case and
spacing: 002 (the 2019 profile) names the options 'Sign in to recover' and 'Scan QR
code to recover' as labels; 000 (current) only describes both (the option to sign in
to recover, the option to scan a QR code), so there only those words are required.
"""

from __future__ import annotations

from pytest_bdd import parsers, then

from authconform.gate.preconditions import owned_by
from authconform.port import AccountEntry, AlertCode
from authconform.spec.wording import normal, same_words
from steps.cast import Cast

# option -> profile -> the label the document names (str) or the words it uses (tuple)
OPTION_WORDING: dict[str, dict[str, str | tuple[str, ...]]] = {
    "sign in to recover": {"2019": "Sign in to recover", "current": ("sign in", "recover")},
    "scan a QR code to recover": {"2019": "Scan QR code to recover",
                                  "current": ("scan", "QR code")},
}
# 000 troubleshooting, out-of-date backup: a red dot on the menu or the action bar, or an
# exclamation icon.
WARNING_PLACES = frozenset({"menu", "action bar", "exclamation icon"})


def names_option(label: str, wording: str | tuple[str, ...]) -> bool:
    if isinstance(wording, str):
        return same_words(label, wording)
    return all(normal(word) in normal(label) for word in wording)


def assert_offers(cast: Cast, entry: AccountEntry, option: str) -> None:
    """The tile, opened, offers ``option`` in the words the profile's document uses."""
    try:
        wording = OPTION_WORDING[option][cast.target.info.profile]
    except KeyError:
        raise AssertionError(f"no documented wording for the option to {option!r} in "
                             f"profile {cast.target.info.profile!r}") from None
    assert any(names_option(action, wording) for action in entry.actions), (
        f"the {entry.display_name} account offers {list(entry.actions)}, none of them "
        f"{wording!r}")


# Who documents each option: choosing it is how a person starts the verification.
OPTION_OWNER = {"sign in to recover": "REQ-VERIFY-03",
                "scan a QR code to recover": "REQ-VERIFY-05"}


def chosen(cast: Cast, phone: str, label: str, option: str) -> AccountEntry:
    """Open the ``label`` tile and choose ``option``: a person can only choose an option
    the tile shows, so one that is missing is charged to the requirement that documents
    it (the scenario is blocked, not failed, unless that is its own)."""
    entry = cast.entry(phone, label)
    with owned_by(OPTION_OWNER[option]):
        assert_offers(cast, entry, option)
    return entry


@then(parsers.parse('the "{label}" account on the "{phone}" offers the option to {option}'))
def _(cast: Cast, label: str, phone: str, option: str) -> None:
    assert_offers(cast, cast.entry(phone, label), option)


@then(parsers.parse('the "{phone}" shows the out-of-date mark on the menu, on the action bar '
                    "or as an exclamation icon"))
def _(cast: Cast, phone: str) -> None:
    screen = cast.target.app.screen(cast.phone(phone).id)
    assert screen.red_dot, "there is no out-of-date mark at all"
    where = normal(screen.backup_warning_at or "")
    assert where in WARNING_PLACES, f"the mark is shown at {screen.backup_warning_at!r}"


@then(parsers.parse('the "{phone}" prompts {name:w} to sign in to update the backup'))
def _(cast: Cast, phone: str) -> None:
    assert cast.alerts(phone, {AlertCode.BACKUP_OUT_OF_DATE}), (
        f"the {phone} shows no prompt to sign in to update the backup")


@then(parsers.parse('the "{phone}" does not prompt {name:w} to sign in to update the backup'))
def _(cast: Cast, phone: str) -> None:
    shown = cast.alerts(phone, {AlertCode.BACKUP_OUT_OF_DATE})
    assert not shown, shown
