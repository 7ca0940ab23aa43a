"""Cloud stores: iCloud (one storage location per Apple ID) for iOS and Microsoft's
cloud storage (one per Microsoft account) for Android. One latest backup per location,
no history (000 "Changing operating systems" row; 002 "Changing operating systems")."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sim.network import Faults
from sim.refusals import Code, Refusal

BACKUP_NAME = "authenticator-backup"
STAGED_NAME = "authenticator-backup.uploading"


class StoreKind(StrEnum):
    ICLOUD = "icloud"
    MICROSOFT = "microsoft"

    @property
    def service(self) -> str:
        return "icloud" if self is StoreKind.ICLOUD else "microsoft-storage"


@dataclass
class StoredBlob:
    data: bytes
    updated_at: float


@dataclass
class CloudStore:
    """Storage locations are keyed by the lower-cased Apple ID or MSA user name."""

    kind: StoreKind
    objects: dict[tuple[str, str], StoredBlob] = field(default_factory=dict)

    def put(self, location: str, name: str, data: bytes, at: float, faults: Faults) -> None:
        if faults.fire("store_write_fails"):
            raise Refusal(Code.SERVICE_UNAVAILABLE)
        if faults.fire("store_write_lost"):
            return  # acknowledged, never kept
        if faults.fire("store_corrupts_next_write"):
            data = data[: len(data) // 2]
        self.objects[(location.lower(), name)] = StoredBlob(data, at)

    def promote(self, location: str, staged: str, name: str) -> None:
        """Replace ``name`` with the staged object in one step (a rename)."""
        blob = self.objects.pop((location.lower(), staged), None)
        if blob is not None:
            self.objects[(location.lower(), name)] = blob

    def get(self, location: str, name: str) -> bytes | None:
        blob = self.objects.get((location.lower(), name))
        return blob.data if blob else None

    def delete(self, location: str, name: str) -> bool:
        return self.objects.pop((location.lower(), name), None) is not None
