"""What a backup holds, and nothing more.

000 "Important" / 002 "IMPORTANT": only personal and third-party account credentials
(user name and the code-making secret) are kept; nothing else about the accounts, no
mail, no files. Account order and app settings travel too (000 opening paragraph; 002
opening paragraph). Work or school and push accounts travel by name only: their
credentials are tied to a phone and are made again after additional verification.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FORMAT = 1


class MalformedBackup(Exception):
    """The plaintext decrypted but is not a backup we understand."""


@dataclass(frozen=True)
class BackedUpAccount:
    kind: str  # "personal", "work" or "third_party"
    issuer: str
    username: str
    display_name: str
    push: bool
    # third-party: the shared TOTP secret and its parameters
    secret: str | None = None
    digits: int = 6
    period: int = 30
    algorithm: str = "SHA1"
    # personal without push: the enrolment token that gets a new phone its own credential
    account_token: str | None = None
    tenant_id: str | None = None  # work or school: which tenant to re-activate with

    def as_dict(self) -> dict[str, object]:
        """The fields by name, in order: what ``dataclasses.asdict`` gives, at a tenth of
        its cost (every field is a plain value, so there is nothing to copy deeply)."""
        return dict(vars(self))


@dataclass(frozen=True)
class BackupPayload:
    accounts: tuple[BackedUpAccount, ...]  # in the user's order
    settings: dict[str, object] = field(default_factory=dict)
    made_on: str = ""  # platform
    made_at: float = 0.0

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "made_on": self.made_on,
            "made_at": self.made_at,
            "settings": self.settings,
            "accounts": [a.as_dict() for a in self.accounts],
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> BackupPayload:
        try:
            doc = json.loads(data)
            if doc.get("format") != FORMAT:
                raise MalformedBackup(f"unknown backup format {doc.get('format')!r}")
            accounts = tuple(BackedUpAccount(**a) for a in doc["accounts"])
            return cls(accounts, dict(doc["settings"]), str(doc["made_on"]),
                       float(doc["made_at"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # e.g. not a dict
            raise MalformedBackup(str(exc)) from exc
