"""The model's rules, each with the requirement and the paragraphs it comes from.

Every expectation the explorer holds a target to names one of these rules. A rule that
names paragraphs is *documented*: a disagreement with it is a finding. A rule with no
paragraph is *robustness*: the harness expects it on its own account (as the
catalogue's robustness requirements), so its disagreements are reported apart, never as
a documented failure. ``tests/test_explore_rules.py`` checks every paragraph against the
sources its requirements list in features/requirements.yml, and that a rule naming only
robustness requirements names no paragraph.

A paragraph is written ``"000 <section> ¶N"`` (``"002 ..."`` for the 2019 document),
the locator features/requirements.yml uses (section heading, paragraph number within it).
"""

from __future__ import annotations

from dataclasses import dataclass

# sections, as features/requirements.yml names them
_APP = "000 authenticator app"
_BACKUP = "000 Back up your account credentials"
_IOS = "000 Turn on cloud backup for iOS devices"
_ANDROID = "000 Turn on cloud backup for Android devices"
_RECOVER = "000 To recover your information"
_MORE = "000 Recover accounts requiring more verification \u2013 authenticator app"
_PERSONAL = "000 To provide more verification for personal accounts"
_WORK = "000 To provide more verification for work or school accounts"
_NOTES = "000 Notes:"
_TROUBLE = "000 Troubleshoot backup and recovery problems"
_FAQ = "000 FAQs"
_APPLIES = "002 Backup and recover account credentials with the Microsoft Authenticator app"
_TROUBLE_2019 = "002 Troubleshooting backup and recovery problems"


@dataclass(frozen=True)
class Rule:
    name: str
    requirements: tuple[str, ...]
    paragraphs: tuple[str, ...]  # empty: a robustness rule
    says: str  # what the rule expects, in our words

    @property
    def robustness(self) -> bool:
        return not self.paragraphs


def _p(section: str, *numbers: int) -> tuple[str, ...]:
    return tuple(f"{section} ¶{n}" for n in numbers)


RULES: dict[str, Rule] = {r.name: r for r in (
    # ---------------------------------------------------------------- versions
    Rule("version-gate", ("REQ-VERSION-01", "REQ-VERSION-02", "REQ-VERSION-03"),
         _p(_APP, 1),
         "backup and recovery exist from iOS 5.7.0 and Android 6.6.0"),
    Rule("version-gate-2019", ("REQ-VERSION-04",), _p(_APPLIES, 1, 2),
         "2019: the app as shipped on an iPhone has backup and recovery; another version's "
         "or an Android phone's is the target's (REQ-VERSION-05/06 are robustness)"),
    # ---------------------------------------------------------------- backup
    Rule("backup-needs-recovery-sign-in", ("REQ-BACKUP-01",), _p(_BACKUP, 1, 2),
         "backup turns on only after the recovery account's right password"),
    Rule("backup-needs-icloud", ("REQ-BACKUP-02",), _p(_BACKUP, 3),
         "on an iPhone backup also needs iCloud signed in"),
    Rule("recovery-account-is-personal", ("REQ-RECOVACCT-01",), _p(_BACKUP, 2),
         "only a personal Microsoft account can be the recovery account"),
    Rule("no-connection", ("REQ-TROUBLE-02",), _p(_TROUBLE, 4),
         "without a network, turning backup on and recovering are refused"),
    Rule("second-pairing", ("REQ-RECOVACCT-02",), _p(_APP, 3),
         "one recovery account used for a second storage location: as the declared "
         "reading says (or any reading still consistent with the target); a refusal "
         "with any code"),
    Rule("backup-location", ("REQ-BACKUP-04", "REQ-BACKUP-05"), _p(_IOS, 1) + _p(_ANDROID, 1),
         "the backup is kept in iCloud under the Apple ID (iOS), in Microsoft's cloud "
         "storage under the recovery account (Android)"),
    Rule("changes-are-uploaded", ("REQ-BACKUP-06", "REQ-STORED-04"), _p(_APP, 2),
         "every change while backup is on reaches the backup, the order included"),
    Rule("names-restored", ("REQ-STORED-05",), (),
         "the names the user gave accounts come back with recovery (the documents never "
         "mention names)"),
    Rule("backup-off", ("REQ-BACKUP-07",), (),
         "switching backup off works and nothing is uploaded after"),
    Rule("backup-off-offline", ("REQ-BACKUP-07",), (),
         "switching backup off without a network: the documents say nothing (any answer "
         "is followed; the model prefers a connection refusal)"),
    Rule("already-there", ("REQ-STORED-03",), (),
         "adding an account the phone already holds is refused (the documents say "
         "nothing about duplicates)"),
    Rule("sign-in-needs-network", ("REQ-TROUBLE-02",), (),
         "adding a Microsoft or work account, approving a sign-in and verifying need a "
         "network (the documents speak only of backup and recovery)"),
    Rule("unknown-push", ("REQ-VERIFY-02",), (),
         "approving a sign-in for an account without notifications is refused"),
    # ---------------------------------------------------------------- out of date
    Rule("sign-in-lifetime", ("REQ-STALE-01", "REQ-STALE-02"), _p(_TROUBLE, 8, 9),
         "the backup goes out of date when the recovery sign-in lapses: after the "
         "declared lifetime, or (undeclared) when the target shows it, and stays so until "
         "the next sign-in"),
    Rule("red-dot", ("REQ-STALE-02",), _p(_TROUBLE, 9),
         "a red dot (or exclamation mark) shows exactly while the backup is out of date"),
    Rule("red-dot-asks-sign-in", ("REQ-STALE-03",), _p(_TROUBLE, 9),
         "choosing the red dot asks for the recovery sign-in; signing in again clears it"),
    Rule("stale-keeps-last-upload", ("REQ-STALE-01", "REQ-STALE-04"), _p(_TROUBLE, 8, 9),
         "while out of date nothing is uploaded; recovery brings the last upload"),
    # ---------------------------------------------------------------- recovery
    Rule("recovery-offered", ("REQ-RECOVERY-01",), _p(_RECOVER, 1),
         "a phone with the feature and no accounts offers recovery"),
    Rule("existing-accounts", ("REQ-EXISTING-01", "REQ-EXISTING-04"),
         _p(_TROUBLE, 7) + _p(_FAQ, 2) + _p(_TROUBLE_2019, 5),
         "accounts already in the app block recovery: any account, or one that is also in "
         "the backup, as the declared reading says (or any reading still consistent)"),
    Rule("existing-unchanged", ("REQ-EXISTING-02", "REQ-RECOVERY-03", "REQ-STORED-04"),
         _p(_TROUBLE, 7) + _p(_RECOVER, 2),
         "each phone shows exactly the accounts the model expects, in order"),
    Rule("removing-all-unblocks", ("REQ-EXISTING-03",), _p(_TROUBLE, 7),
         "every account can be removed"),
    Rule("recovery-account-only", ("REQ-RECOVERY-04",), _p(_RECOVER, 2),
         "only the recovery account with its right password finds the backup"),
    Rule("recovery-restores", ("REQ-RECOVERY-02", "REQ-RECOVERY-03"), _p(_RECOVER, 2),
         "recovery with the recovery account brings back every account of the backup"),
    Rule("other-platform", ("REQ-TROUBLE-01",), _p(_TROUBLE, 3),
         "a backup from the other operating system is unavailable"),
    Rule("same-apple-id", ("REQ-TROUBLE-03",), _p(_TROUBLE, 5),
         "on an iPhone recovery needs iCloud signed in with the Apple ID of the backup"),
    Rule("deleted-backup", ("REQ-TROUBLE-04",), _p(_TROUBLE, 6),
         "a backup deleted in storage management is unavailable"),
    Rule("no-backup", ("REQ-TROUBLE-05",), _p(_TROUBLE, 1),
         "an account that never finished a backup finds none"),
    Rule("damaged-backup", ("REQ-TROUBLE-06",), (),
         "a backup sealed under an older pairing's key is refused as damaged"),
    # ---------------------------------------------------------------- verification
    Rule("pending-after-recovery", ("REQ-RECOVERY-06", "REQ-STORED-02"), _p(_MORE, 1),
         "restored push and work or school accounts wait for more verification"),
    Rule("verification-alert", ("REQ-VERIFY-01",), _p(_MORE, 1),
         "a phone with waiting accounts alerts that more verification is needed"),
    Rule("pending-is-unusable", ("REQ-VERIFY-02",), _p(_MORE, 1),
         "a waiting account shows no code and approves no sign-in"),
    Rule("personal-verification", ("REQ-VERIFY-03",), _p(_PERSONAL, 2),
         "the password and a code sent to the alternate email or phone verify a personal "
         "account"),
    Rule("verification-can-fail", ("REQ-VERIFY-04", "REQ-SECURITY-05"), _p(_PERSONAL, 2),
         "a wrong password sends nothing; a wrong or expired code is refused (expiry: the "
         "declared code lifetime)"),
    Rule("work-verification", ("REQ-VERIFY-05",), _p(_WORK, 2),
         "a fresh QR code from the organisation verifies a work or school account"),
    Rule("qr-bound", ("REQ-VERIFY-06", "REQ-SECURITY-06"), _p(_MORE, 2),
         "a QR code for another user or organisation, used or expired, is refused "
         "(expiry: the declared QR lifetime)"),
    # ---------------------------------------------------------------- camera
    Rule("camera-prompt", ("REQ-CAMERA-01",), _p(_NOTES, 2),
         "the first scan may ask for the camera or scan at once ('may see a popup'), "
         "nothing else; allowing may finish that scan or not (2019: not judged)"),
    Rule("camera-scans", ("REQ-CAMERA-02", "REQ-CAMERA-03"), _p(_NOTES, 3),
         "with the camera allowed a scan works; refused, scanning is refused (the camera "
         "off, or the prompt again) and adds nothing, and typing works"),
    # ---------------------------------------------------------------- codes
    Rule("personal-codes", ("REQ-CODES-01", "REQ-CODES-02"), _p(_RECOVER, 3),
         "each phone's personal-account code differs and works with its own phone "
         "(another phone's: as the declared reading says, or any still consistent)"),
    Rule("third-party-codes", ("REQ-CODES-03",), _p(_APP, 4),
         "a third-party account shows the same code on every phone"),
    Rule("code-format", ("REQ-CODES-04",), (),
         "every code shown is accepted and has the declared number of digits"),
    # ---------------------------------------------------------------- lost phone
    Rule("unregistered-phone", ("REQ-LOST-01",), _p(_FAQ, 4),
         "an unregistered phone's work account is refused by its organisation (its tile "
         "may stay, go, or wait for a new QR code: the documents do not say)"),
    Rule("work-codes", ("REQ-LOST-02", "REQ-VERIFY-05"), _p(_FAQ, 4) + _p(_WORK, 2),
         "a registered phone's work account shows codes its organisation accepts"),
    # ---------------------------------------------------------------- privacy
    Rule("backup-traffic", ("REQ-PRIVACY-01",), _p(_APP, 4),
         "turning backup on carries nothing of the accounts to any service but the "
         "account service, the key holder and the phone's own store"),
    Rule("administrator-sees-nothing", ("REQ-PRIVACY-02",), _p(_APP, 4),
         "an organisation's administrator sees nothing of the other accounts"),
    Rule("stored-secrets", ("REQ-PRIVACY-03", "REQ-SECURITY-01"), _p(_APP, 3),
         "no backup stored in iCloud holds an account's user name, password or secret "
         "readable"),
    Rule("stored-secrets-android", ("REQ-PRIVACY-06",), (),
         "on Android too, nothing of an account is readable in Microsoft's cloud storage "
         "(000 says nothing of encryption there)"),
    Rule("device-keys", ("REQ-PRIVACY-05",), _p(_MORE, 1),
         "a push credential's private key never leaves its phone"),
)}


def rule(name: str) -> Rule:
    """The rule called ``name``; a clear error for a typo (a check must not quietly
    name no requirement)."""
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"unknown explorer rule {name!r}; known: {sorted(RULES)}") from None


class Disagreement(AssertionError):
    """The target answered or showed something the model does not allow, by ``rules``.

    ``robustness`` is True when every rule broken is a robustness rule: reported apart,
    never as a documented failure."""

    def __init__(self, rules: str | tuple[str, ...], detail: str):
        names = (rules,) if isinstance(rules, str) else tuple(rules)
        self.rules = tuple(rule(n) for n in names)
        self.requirements = tuple(dict.fromkeys(r for x in self.rules for r in x.requirements))
        self.robustness = all(r.robustness for r in self.rules)
        self.detail = detail
        kind = " (robustness rule: the documents do not say)" if self.robustness else ""
        super().__init__(f"{', '.join(self.requirements)}: {detail} "
                         f"[rule {', '.join(names)}{kind}]")
