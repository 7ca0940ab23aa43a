"""Profiles and version gates: which documented behaviour a world follows.

``current`` follows 000_95d2045858eeac78.txt (iOS 5.7.0+ and Android 6.6.0+);
``2019`` follows 002_7c4b4cc3792598fb.txt (iOS only, no version named).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sim.codes import MSA_DIGITS
from sim.device import Platform


class RecoveryBlock(StrEnum):
    """000 'Recover your account credentials...' speaks of the *same* account already in
    the app; both documents' troubleshooting speak of *any* existing account. The
    stricter reading is the default."""

    ANY_ACCOUNT = "any"
    SAME_ACCOUNT = "same"


PROFILES = ("current", "2019")
SECOND_PAIRINGS = ("newest_wins", "refused", "each_keeps_own")
RED_DOTS = ("out_of_date", "restore_sign_in")


def parse_version(text: str) -> tuple[int, ...]:
    parts = text.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"app version must look like 5.7.0, not {text!r}")
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class Rules:
    profile: str = "current"
    recovery_block: RecoveryBlock = RecoveryBlock.ANY_ACCOUNT
    # How long a recovery-account sign-in lasts before the backup goes out of date,
    # and how recent a sign-in must be for the key service to release a backup key.
    session_lifetime_s: float = 90 * 24 * 3600
    key_release_freshness_s: float = 10 * 60
    verification_code_ttl_s: float = 10 * 60
    activation_ttl_s: float = 24 * 3600
    # Values the documents leave open too: the digits of a personal account's code, and
    # how many time steps either side of now a provider accepts (0: the phone and the
    # provider share one clock). The target declares all of these (TargetInfo.parameters).
    msa_digits: int = MSA_DIGITS
    drift_steps: int = 0
    # A recovery account turned on in a second storage location: "newest_wins" (the
    # older location can no longer be recovered with it), "refused" (backup stays off
    # in the second location) or "each_keeps_own" (both locations keep their pairing and
    # each recovers with its own Apple ID). The documents do not say; see
    # port.Reading.SECOND_PAIRING.
    second_pairing: str = "newest_wins"
    # Which phone the red dot marks (port.Reading.RED_DOT): "out_of_date" (the phone
    # whose recovery sign-in lapsed, so its backup fell behind) or "restore_sign_in" (a
    # phone whose recovery needs a sign-in to finish: the key holder refused a sign-in
    # that was no longer fresh; choosing the dot and signing in again finishes it).
    red_dot: str = "out_of_date"
    # A personal-account code typed as coming from another of the account's phones:
    # "refused" (each code works only with its own phone) or "accepted" (any phone's
    # current code signs in). See port.Reading.OTHER_PHONE_CODE.
    other_phone_code: str = "refused"

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}; choose one of {PROFILES}")
        if self.second_pairing not in SECOND_PAIRINGS:
            raise ValueError(f"second_pairing must be one of {SECOND_PAIRINGS}, not "
                             f"{self.second_pairing!r}")
        if self.red_dot not in RED_DOTS:
            raise ValueError(f"red_dot must be one of {RED_DOTS}, not {self.red_dot!r}")
        if self.other_phone_code not in ("refused", "accepted"):
            raise ValueError(f"other_phone_code must be 'refused' or 'accepted', not "
                             f"{self.other_phone_code!r}")

    @property
    def recovery_label(self) -> str:
        """000 "To recover your information" names the button Start recovery; 002 names
        it Begin recovery."""
        return "Begin recovery" if self.profile == "2019" else "Start recovery"

    def backup_supported(self, platform: Platform, app_version: str) -> bool:
        """000 'Authenticator app' header: iOS 5.7.0 and later, Android 6.6.0 and later.
        002 'Applies to': iOS devices only, with no version named."""
        version = parse_version(app_version)
        if self.profile == "2019":
            return platform is Platform.IOS
        minimum = (5, 7, 0) if platform is Platform.IOS else (6, 6, 0)
        return version + (0,) * (len(minimum) - len(version)) >= minimum  # 5.7 is 5.7.0
