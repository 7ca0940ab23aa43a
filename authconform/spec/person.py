"""What a person can do with what the app shows them: judgements from the screen, and
the two actions built on them, shared by the steps, the explorer and the self-test so
that all three act alike. The actions call only the app port they are handed.

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

from authconform.port import AccountEntry, AppPort, Outcome, OutcomeCode, Screen

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


def start_backup(app: AppPort, device_id: str, username: str, password: str) -> Outcome:
    """Backup as a person turns it on: in the settings, if they show it."""
    return (backup_prevented(app.screen(device_id))
            or app.turn_on_backup(device_id, username, password))


def start_recovery(app: AppPort, device_id: str, username: str, password: str) -> Outcome:
    """Recovery as a person starts it: with the button the app shows (the accounts are
    read only when it shows none)."""
    screen = app.screen(device_id)
    accounts = [] if screen.recovery_offered else app.list_accounts(device_id)
    return (recovery_prevented(screen, accounts)
            or app.begin_recovery(device_id, username, password))
