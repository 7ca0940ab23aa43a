"""Apple IDs: iCloud sign-in on an iPhone (000/002 troubleshooting: the same Apple ID
as the previous iPhone must be signed in to iCloud)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.refusals import Code, Refusal


@dataclass
class AppleIdRecord:
    id: str
    person_id: str
    username: str
    password: str


@dataclass
class AppleIds:
    ids: dict[str, AppleIdRecord] = field(default_factory=dict)  # by lower-case user name

    def add(self, record: AppleIdRecord) -> None:
        self.ids[record.username.lower()] = record

    def sign_in(self, username: str, password: str) -> AppleIdRecord:
        record = self.ids.get(username.strip().lower())
        if record is None or record.password != password:
            raise Refusal(Code.SIGN_IN_FAILED)
        return record
