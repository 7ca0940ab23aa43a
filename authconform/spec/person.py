"""What a person can do with what the app shows them: pure judgements from the screen,
shared by the steps and the explorer so that both act alike.

A person presses only what the screen shows. Where the app shows no way to do a thing,
that absence is the app's answer, and the steps do not ask the app through the port for
something nobody could ask it:

* no backup setting (an app build without backup, REQ-VERSION-03): backup cannot be
  turned on, nor recovery started -- ``BACKUP_NOT_SUPPORTED``;
* no recovery button on a phone that holds accounts: 000 ("Existing Authenticator app
  accounts") and 002 say the app will not restore while it holds accounts, and that
  recovery is prevented, not how -- ``EXISTING_ACCOUNTS``.
"""

from __future__ import annotations

from authconform.port import AccountEntry, Outcome, OutcomeCode, Screen

NO_SETTING = "the app shows no backup setting (this build has no backup)"
NOT_OFFERED = ("the app offers no recovery while it holds accounts (no recovery button "
               "on the screen)")


def backup_prevented(screen: Screen) -> Outcome | None:
    """The refusal a person meets before they can turn backup on: BACKUP_NOT_SUPPORTED
    when the settings show no backup option; None when they can try."""
    if screen.backup_setting is not None:
        return None
    return Outcome(False, OutcomeCode.BACKUP_NOT_SUPPORTED, NO_SETTING)


def recovery_prevented(screen: Screen, accounts: list[AccountEntry]) -> Outcome | None:
    """The refusal a person meets before they can start recovery, when the screen shows
    no recovery button: BACKUP_NOT_SUPPORTED without the backup setting, else
    EXISTING_ACCOUNTS when the phone holds accounts. None when they can try, or the
    screen does not say why they cannot (the app is then asked, as before)."""
    if screen.recovery_offered:
        return None
    if screen.backup_setting is None:
        return Outcome(False, OutcomeCode.BACKUP_NOT_SUPPORTED, NO_SETTING)
    if accounts:
        return Outcome(False, OutcomeCode.EXISTING_ACCOUNTS, NOT_OFFERED)
    return None
