"""What a person can do with what the app shows them: a pure judgement from the screen,
shared by the steps and the explorer so that both act alike.

000 ("Existing Authenticator app accounts") and 002 say the app will not restore a
backup while it holds accounts, and that recovery is prevented; neither says how. An app
may answer a recovery attempt with a refusal, or not offer recovery at all while it
holds accounts: then a person has no button to press, and that absence is the app's
refusal.
"""

from __future__ import annotations

from authconform.port import AccountEntry, Outcome, OutcomeCode, Screen

NOT_OFFERED = ("the app offers no recovery while it holds accounts (no recovery button "
               "on the screen)")


def recovery_prevented(screen: Screen, accounts: list[AccountEntry]) -> Outcome | None:
    """The refusal a person meets before they can start recovery: EXISTING_ACCOUNTS when
    the phone holds accounts and shows no recovery button although it has backup (an app
    without the backup setting offers no recovery for that reason, REQ-VERSION-03);
    None when they can try, or the screen does not say why they cannot."""
    if screen.recovery_offered or not accounts or screen.backup_setting is None:
        return None
    return Outcome(False, OutcomeCode.EXISTING_ACCOUNTS, NOT_OFFERED)
