"""The recovery account's key service: holds each backup's key apart from the blob.

The blob sits in the platform's store, the key here, behind the recovery Microsoft
account; neither alone reveals anything. This is our reading of 002 "Back up your
account credentials" (both accounts together give stronger security).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.msa import Session
from sim.refusals import Code, Refusal


@dataclass
class KeyRecord:
    key: bytes
    platform: str  # where the backup was made: "ios" or "android"
    location: str  # the storage location (Apple ID or MSA user name)
    deleted: bool = False  # the user turned backup off / deleted it from the old phone
    uploaded: bool = False  # a first upload completed: a missing blob then means deleted


@dataclass
class KeyService:
    records: dict[str, KeyRecord] = field(default_factory=dict)  # by recovery user name

    def lookup(self, username: str) -> KeyRecord | None:
        return self.records.get(username.lower())

    def put(self, username: str, record: KeyRecord) -> None:
        self.records[username.lower()] = record

    def release(self, username: str, session: Session, now: float, freshness: float) -> bytes:
        """Only a fresh, password-strength sign-in of the recovery account gets the key."""
        record = self.lookup(username)
        if record is None:
            raise Refusal(Code.NO_BACKUP_FOUND)
        if (session.revoked or session.username.lower() != username.lower()
                or now - session.signed_in_at > freshness):
            raise Refusal(Code.SIGN_IN_FAILED, "Sign in again to your recovery account.")
        return record.key
