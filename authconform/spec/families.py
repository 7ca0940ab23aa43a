"""Refusal families: codes the documents do not tell apart.

Where the two documents give one consequence for several causes (the backup "is not
available", the user must "sign in again"), a correct app may answer any code of the
family, so a step that checks a refusal names the family, not one code. A family is
named in Gherkin in plain words: ``recovery is refused as "backup unavailable"``.
Every family lists, with the code, why the documents cannot tell its members apart.
"""

from __future__ import annotations

from authconform.port import OutcomeCode as C

FAMILIES: dict[str, frozenset[C]] = {
    # 000 and 002 troubleshooting: a platform switch, another Apple ID, a deleted or a
    # never-made backup all end in the same advice (the backup cannot be used; add the
    # accounts again by hand). Which code an app picks is its own choice.
    "backup unavailable": frozenset({
        C.NO_BACKUP_FOUND, C.BACKUP_ON_OTHER_PLATFORM, C.BACKUP_IN_OTHER_ICLOUD,
        C.BACKUP_DELETED}),
    # 000 troubleshooting (out-of-date backup): the user is asked to sign in to the
    # recovery account again; the documents do not say how the app words that refusal.
    "sign-in needed": frozenset({C.SIGN_IN_REQUIRED, C.SIGN_IN_FAILED}),
    # Both documents: a wrong user name or password is refused; nothing more is said.
    "wrong sign-in": frozenset({C.SIGN_IN_FAILED}),
    # 000 troubleshooting, account problems: the recovery account itself has an issue
    # (blocked, locked); the documents only say to check it, not what the app answers: a
    # failed sign-in, a service that will not serve, or a request to sign in (and fix it).
    "account problem": frozenset({C.SIGN_IN_FAILED, C.SERVICE_UNAVAILABLE,
                                  C.SIGN_IN_REQUIRED}),
    # 000 troubleshooting, out-of-date backup: only the account that first made the
    # backup may update it; how another is turned away is not said. A failed sign-in, a
    # renewed request to sign in, "this account holds no backup", or "backup is already
    # on with another account" are each a faithful way to say it.
    "not the recovery account": frozenset({C.SIGN_IN_FAILED, C.SIGN_IN_REQUIRED,
                                           C.NO_BACKUP_FOUND, C.RECOVERY_ACCOUNT_IN_USE,
                                           C.BACKUP_ALREADY_ON}),
    # 000 account problems, 002 network or password problems: on an iPhone the backup is
    # reached only through iCloud signed in with the same Apple ID. Without iCloud an app
    # may ask for the sign-in, or find no backup there: both are that one consequence.
    "iCloud needed": frozenset({
        C.ICLOUD_SIGN_IN_REQUIRED, C.NO_BACKUP_FOUND, C.BACKUP_IN_OTHER_ICLOUD}),
    # Both documents: no network, or a cloud service that does not answer. Their
    # troubleshooting rows give one remedy for the network and the sign-in together
    # (000 "Network problems"; 002 "Network or password problems": be on a network and
    # signed in, to iCloud on an iPhone), so an app may also say the sign-in, or the
    # iCloud sign-in, could not be made.
    "no connection": frozenset({C.NETWORK_UNAVAILABLE, C.SERVICE_UNAVAILABLE,
                                C.SIGN_IN_FAILED, C.ICLOUD_SIGN_IN_REQUIRED}),
    # 000 and 002 prerequisites: the recovery account is a personal Microsoft account. How
    # the app turns a work or school account away is not said: it may name the account as
    # not a personal one, or the sign-in may simply fail.
    "not a personal account": frozenset({C.NOT_A_PERSONAL_ACCOUNT, C.SIGN_IN_FAILED}),
    # Work or school QR: the documents only say a new QR code from the organisation is
    # needed; an unreadable and a refused QR are both "this QR cannot be used".
    "QR not accepted": frozenset({C.QR_REJECTED, C.QR_UNREADABLE}),
}


# Families whose codes are interchangeable answers for one documented consequence,
# whatever its cause: a tool that predicts one code (the explorer's model) accepts any
# code of the same family. ("sign-in needed" is left out: SIGN_IN_FAILED alone means a
# wrong password, which the documents do tell apart.)
CAUSE_FAMILIES = ("backup unavailable", "no connection", "QR not accepted")


# Codes a cause family accepts without naming its cause: an app offline may say its
# sign-in failed, but a failed sign-in (a wrong password) may not be answered "no
# network". family_of never maps these to the family.
ALSO_ACCEPTED: dict[str, frozenset[C]] = {
    "no connection": frozenset({C.SIGN_IN_FAILED, C.ICLOUD_SIGN_IN_REQUIRED}),
}


def family_of(code: C | str) -> str | None:
    """The cause family ``code`` names, or None."""
    return next((name for name in CAUSE_FAMILIES
                 if code in FAMILIES[name] - ALSO_ACCEPTED.get(name, frozenset())), None)


def family(name: str) -> frozenset[C]:
    """The codes of a family, or a clear error naming the known families (a typo in a
    feature file must not turn into a check that cannot fail)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown refusal family {name!r}; known: {sorted(FAMILIES)}"
                         ) from None
