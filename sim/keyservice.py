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
    # Older pairings a recovery account keeps when each storage location keeps its own
    # (Rules.second_pairing "each_keeps_own"), by (user name, platform, location); empty
    # under the other readings, where a recovery account has one pairing.
    kept: dict[tuple[str, str, str], KeyRecord] = field(default_factory=dict)

    def lookup(self, username: str) -> KeyRecord | None:
        return self.records.get(username.lower())

    def put(self, username: str, record: KeyRecord) -> None:
        self.kept.pop((username.lower(), record.platform, record.location), None)
        self.records[username.lower()] = record

    def keep(self, username: str, record: KeyRecord) -> None:
        """Set an older pairing aside: its location still recovers with it."""
        self.kept[(username.lower(), record.platform, record.location)] = record

    def at(self, username: str, platform: str, location: str) -> KeyRecord | None:
        """The pairing of this recovery account with this storage location, if any."""
        newest = self.lookup(username)
        if newest is not None and (newest.platform, newest.location) == (platform, location):
            return newest
        return self.kept.get((username.lower(), platform, location))

    def every(self) -> list[KeyRecord]:
        return [*self.records.values(), *self.kept.values()]

    def release(self, username: str, session: Session, now: float, freshness: float) -> bytes:
        """Only a fresh, password-strength sign-in of the recovery account gets the key."""
        record = self.lookup(username)
        if record is None:
            raise Refusal(Code.NO_BACKUP_FOUND)
        if (session.revoked or session.username.lower() != username.lower()
                or now - session.signed_in_at > freshness):
            raise Refusal(Code.SIGN_IN_FAILED, "Sign in again to your recovery account.")
        return record.key
