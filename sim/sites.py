"""Third-party sites (Google, Facebook, GitHub, ...) that check TOTP codes.

One shared secret per enrolment, so every phone holding it shows the same code; our
reading of 000/002 (only the personal Microsoft account gets a per-device credential).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.codes import TotpParams


@dataclass
class SiteAccountRecord:
    id: str
    person_id: str
    issuer: str
    username: str
    params: TotpParams


@dataclass
class Sites:
    accounts: dict[str, SiteAccountRecord] = field(default_factory=dict)  # by id

    def accepts_code(self, account_id: str, code: str, now: float,
                     drift_steps: int = 0) -> bool:
        record = self.accounts.get(account_id)
        return record is not None and record.params.accepts(code, now, drift_steps)
