"""The world: one seeded random source, one clock, and everything the documents name.

A scenario gets a new World; nothing is shared between worlds. Side effects a tester
reads (mail and SMS sent, traffic, admin events) are plain lists on the world.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from faker import Faker

from sim import crypto, qr
from sim.app import PERSONAL, WORK, AppState, Authenticator, location_fingerprint
from sim.apple import AppleIdRecord, AppleIds
from sim.backup import BackupPayload, MalformedBackup
from sim.clock import Clock, ManualClock
from sim.codes import TotpParams, secret_from_bytes
from sim.device import CameraPermission, Device, Platform
from sim.keyservice import KeyService
from sim.msa import MicrosoftAccounts, Msa
from sim.names import fast_faker
from sim.network import Faults, Network
from sim.push import PushRequest
from sim.refusals import Code, Refusal
from sim.rules import RecoveryBlock, Rules, parse_version
from sim.sites import SiteAccountRecord, Sites
from sim.stores import BACKUP_NAME, CloudStore, StoreKind
from sim.tenants import Tenant, WorkUser, activation_text

_FAKERS = threading.local()


@dataclass(frozen=True)
class Mail:
    channel: str  # "email" or "sms"
    to: str
    subject: str
    body: str
    code: str
    sent_at: float


class World:
    def __init__(self, seed: int = 0, profile: str = "current", clock: Clock | None = None,
                 recovery_block: str = RecoveryBlock.ANY_ACCOUNT.value):
        self.seed = seed
        self.rules = Rules(profile=profile, recovery_block=RecoveryBlock(recovery_block))
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.rng = random.Random(seed)
        self._names = random.Random(seed)  # Faker's source: names apart from keys
        self.network = Network()
        self.faults = Faults()
        self.msa = MicrosoftAccounts()
        self.apple_ids = AppleIds()
        self.tenants: dict[str, Tenant] = {}
        self.sites = Sites()
        self.keys = KeyService()
        self.icloud = CloudStore(StoreKind.ICLOUD)
        self.microsoft_storage = CloudStore(StoreKind.MICROSOFT)
        self.devices: dict[str, Device] = {}
        self.apps: dict[str, AppState] = {}
        self.people: dict[str, str] = {}
        self.outbox: list[Mail] = []
        self.push_requests: dict[str, PushRequest] = {}
        self._ids: dict[str, int] = {}

    # ------------------------------------------------------------ plumbing
    @property
    def faker(self) -> Faker:
        """A Faker drawing from this world's own seeded source, so every name replays.
        Building a Faker costs more than a whole scenario, so each thread keeps one and
        points it at the world asking; a thread never serves two worlds at once."""
        fake: Faker | None = getattr(_FAKERS, "fake", None)
        if fake is None:
            fake = _FAKERS.fake = fast_faker()
        fake.random = self._names  # type: ignore[attr-defined]  # a settable proxy property
        return fake

    def _id(self, kind: str) -> str:
        self._ids[kind] = self._ids.get(kind, 0) + 1
        return f"{kind}-{self._ids[kind]}"

    def _handle(self, email: str) -> str:
        return email.split("@")[0].replace(".", "").replace("_", "")[:16] or "user"

    def app(self, device_id: str) -> Authenticator:
        device = self.device(device_id)
        return Authenticator(self, device, self.apps[device_id])

    def device(self, device_id: str) -> Device:
        if device_id not in self.devices:
            raise KeyError(f"no device {device_id!r}")
        return self.devices[device_id]

    def store_for(self, platform: Platform) -> CloudStore:
        """000 troubleshooting: iOS keeps the backup in iCloud, Android in Microsoft's
        cloud storage; 002 "Changing operating systems": the phone OS's own store."""
        return self.icloud if platform is Platform.IOS else self.microsoft_storage

    def store(self, kind: StoreKind) -> CloudStore:
        return self.icloud if kind is StoreKind.ICLOUD else self.microsoft_storage

    # ------------------------------------------------------------ people and identities
    def create_person(self) -> tuple[str, str]:
        person_id = self._id("person")
        self.people[person_id] = self.faker.name()
        return person_id, self.people[person_id]

    def _need_person(self, person_id: str) -> None:
        if person_id not in self.people:
            raise KeyError(f"no person {person_id!r}")

    def create_msa(self, person_id: str, alternate_email: bool = True,
                   alternate_phone: bool = True) -> Msa:
        self._need_person(person_id)
        msa_id = self._id("msa")
        handle = self._handle(self.faker.email())
        account = Msa(
            id=msa_id, person_id=person_id,
            username=f"{handle}.{self._ids['msa']}@outlook.example",
            password=self.faker.password(length=14),
            alternate_email=self.faker.free_email() if alternate_email else None,
            alternate_phone=self.faker.numerify("+1 555 ### ####") if alternate_phone else None,
            account_token=secret_from_bytes(self.rng.randbytes(20)),
        )
        self.msa.add(account)
        return account

    def create_apple_id(self, person_id: str) -> AppleIdRecord:
        self._need_person(person_id)
        apple_id = self._id("appleid")
        record = AppleIdRecord(apple_id, person_id,
                               f"{self._handle(self.faker.email())}.{self._ids['appleid']}"
                               "@icloud.example", self.faker.password(length=14))
        self.apple_ids.add(record)
        return record

    def create_tenant(self) -> Tenant:
        tenant_id = self._id("tenant")
        company = self.faker.company()
        word = "".join(ch for ch in company.split()[0].lower() if ch.isalnum()) or "org"
        tenant = Tenant(tenant_id, company, f"{word}{self._ids['tenant']}.example")
        self.tenants[tenant_id] = tenant
        return tenant

    def tenant(self, tenant_id: str) -> Tenant:
        if tenant_id not in self.tenants:
            raise KeyError(f"no tenant {tenant_id!r}")
        return self.tenants[tenant_id]

    def create_work_user(self, tenant_id: str, person_id: str) -> WorkUser:
        self._need_person(person_id)
        tenant = self.tenant(tenant_id)
        user_id, handle = self._id("work"), self._handle(self.faker.email())
        if f"{handle}@{tenant.domain}" in tenant.users:  # never replace an existing user
            handle += str(self._ids["work"])
        user = WorkUser(user_id, person_id, f"{handle}@{tenant.domain}",
                        self.faker.password(length=14))
        tenant.users[user.username.lower()] = user
        return user

    def work_user(self, user_id: str) -> tuple[Tenant, WorkUser]:
        for tenant in self.tenants.values():
            user = tenant.user_by_id(user_id)
            if user is not None:
                return tenant, user
        raise KeyError(f"no work or school account {user_id!r}")

    def tenant_of_user(self, username: str) -> Tenant | None:
        return next((t for t in self.tenants.values()
                     if username.strip().lower() in t.users), None)

    def tenant_by_url(self, url: str) -> Tenant | None:
        return next((t for t in self.tenants.values() if t.activation_url == url.strip()),
                    None)

    def issue_activation(self, user_id: str) -> tuple[Tenant, str, str, float, bytes]:
        """(tenant, code, url, expires_at, QR png) for a work or school user."""
        tenant, user = self.work_user(user_id)
        activation = tenant.issue_activation(user.username, self.clock.now(),
                                             self.rules.activation_ttl_s, self.rng)
        url = tenant.activation_url
        return tenant, activation.code, url, activation.expires_at, qr.render(
            activation_text(activation.code, url))

    def create_site_account(self, person_id: str, issuer: str, digits: int = 6,
                            period: int = 30, algorithm: str = "SHA1") -> SiteAccountRecord:
        self._need_person(person_id)
        params = TotpParams(secret_from_bytes(self.rng.randbytes(20)), digits, period, algorithm)
        record = SiteAccountRecord(self._id("site"), person_id, issuer,
                                   self.faker.user_name() + str(self._ids.get("site", 0)),
                                   params)
        self.sites.accounts[record.id] = record
        return record

    # ------------------------------------------------------------ devices
    def create_device(self, person_id: str, platform: Platform, app_version: str,
                      name: str = "") -> Device:
        self._need_person(person_id)
        parse_version(app_version)
        device_id = self._id("device")
        label = "iPhone" if platform is Platform.IOS else "Android phone"
        device = Device(device_id, person_id, platform, app_version,
                        name or f"{self.people[person_id].split()[0]}'s {label} {device_id}")
        self.devices[device_id] = device
        self.apps[device_id] = AppState()
        return device

    def sign_in_to_icloud(self, device_id: str, username: str, password: str) -> None:
        device = self.device(device_id)
        if device.platform is not Platform.IOS:
            raise Refusal(Code.SIGN_IN_FAILED, "iCloud sign-in is for iPhones.")
        device.apple_id = self.apple_ids.sign_in(username, password).username

    def set_device_online(self, device_id: str, online: bool) -> None:
        self.device(device_id).online = online
        if online:
            self.app(device_id).retry_backup()

    # ------------------------------------------------------------ providers' side
    def deliver(self, channel: str, to: str, code: str) -> None:
        self.outbox.append(Mail(channel, to, "Microsoft account security code",
                                f"Your security code is {code}.", code, self.clock.now()))

    def accepts_code(self, account_id: str, code: str, device_id: str) -> bool:
        now, drift = self.clock.now(), self.rules.drift_steps
        if account_id in self.sites.accounts:
            return self.sites.accepts_code(account_id, code, now, drift)
        if self.msa.by_id(account_id) is not None:
            return self.msa.accepts_code(account_id, device_id, code, now, drift,
                                         self.rules.other_phone_code == "accepted")
        tenant, user = self.work_user(account_id)
        registration = tenant.registration(user.username, device_id)
        return registration is not None and registration.params.accepts(code, now, drift)

    def request_push(self, account_id: str) -> str:
        account = self.msa.by_id(account_id)
        if account is not None:
            kind, service, username = PERSONAL, "msa", account.username
        else:
            _, user = self.work_user(account_id)
            kind, service, username = WORK, "tenants", user.username
        request = PushRequest(self._id("push"), kind, service, account_id, username.lower(),
                              self.rng.randbytes(16))
        self.push_requests[request.id] = request
        return request.id

    def check_push(self, request: PushRequest, device_id: str, signature: bytes) -> bool:
        if request.kind == PERSONAL:
            account = self.msa.by_id(request.account_id)
            public = account.push_keys.get(device_id) if account else None
        else:
            tenant, user = self.work_user(request.account_id)
            registration = tenant.registration(user.username, device_id)
            public = registration.push_key if registration else None
        ok = public is not None and crypto.verify(public, request.nonce, signature)
        request.status = "approved" if ok else "rejected"
        return ok

    # ------------------------------------------------------------ world controls
    def lapse_recovery_sign_in(self, msa_id: str) -> None:
        account = self.msa.by_id(msa_id)
        if account is None:
            raise KeyError(f"no Microsoft account {msa_id!r}")
        self.msa.revoke_sessions(account.username)

    def delete_backup(self, kind: StoreKind, location: str) -> bool:
        """Through storage management (000/002 troubleshooting, accidental deletion)."""
        return self.store(kind).delete(location, BACKUP_NAME)

    def tamper_backup(self, kind: StoreKind, location: str, how: str) -> bool:
        """An attacker with write access to the store changes the blob in place."""
        store = self.store(kind)
        blob = store.objects.get((location.lower(), BACKUP_NAME))
        if blob is None:
            return False
        if how == "flip":
            middle = len(blob.data) // 2
            blob.data = blob.data[:middle] + bytes([blob.data[middle] ^ 0x01]) + blob.data[
                middle + 1:]
        elif how == "truncate":
            blob.data = blob.data[: len(blob.data) // 2]
        else:
            raise ValueError(f"tamper how={how!r}: choose 'flip' or 'truncate'")
        return True

    def backup_payload(self, kind: StoreKind, location: str) -> BackupPayload | None:
        """The backup at ``location`` decrypted with the key holder's key (tester's
        evidence: the same reading the app makes on recovery)."""
        opened = self._open_backup(kind, location)
        return opened[1] if opened else None

    def backup_key(self, kind: StoreKind, location: str) -> bytes | None:
        """The key holder's key that opens the backup at ``location`` (tester's evidence:
        the suite searches the store for it)."""
        opened = self._open_backup(kind, location)
        return opened[0] if opened else None

    def _open_backup(self, kind: StoreKind, location: str
                     ) -> tuple[bytes, BackupPayload] | None:
        blob = self.store(kind).get(location, BACKUP_NAME)
        if blob is None:
            return None
        platform = "ios" if kind is StoreKind.ICLOUD else "android"
        fingerprint = location_fingerprint(location)
        for record in self.keys.every():
            if record.platform == platform and record.location == fingerprint:
                aad = f"{platform}|{fingerprint}".encode()
                try:
                    return record.key, BackupPayload.from_bytes(
                        crypto.unseal(record.key, blob, aad))
                except (crypto.DamagedBlob, MalformedBackup):
                    continue
        return None

    def put_account_data(self, msa_id: str, kind: str, text: str) -> None:
        if kind not in ("mail", "file"):
            raise ValueError(f"account data kind {kind!r}: choose 'mail' or 'file'")
        self._msa_by_id(msa_id).data.append((kind, text))

    def set_account_problem(self, msa_id: str, problem: bool) -> None:
        self._msa_by_id(msa_id).problem = problem

    def set_camera_access(self, device_id: str, allowed: bool) -> None:
        """The phone's settings app: the permission changes without the app asking."""
        device = self.device(device_id)
        device.camera = CameraPermission.ALLOWED if allowed else CameraPermission.DENIED
        device.camera_prompt_showing = False

    def _msa_by_id(self, msa_id: str) -> Msa:
        account = self.msa.by_id(msa_id)
        if account is None:
            raise KeyError(f"no personal Microsoft account {msa_id!r}")
        return account

    def unregister_device(self, tenant_id: str, device_id: str) -> None:
        """000 "FAQs": the organisation deletes and unregisters a lost phone."""
        self.tenant(tenant_id).unregister(device_id)

    def snapshot(self) -> dict[str, Any]:
        """A readable picture for reports. Names only: no secrets, no keys."""
        return {
            "seed": self.seed, "profile": self.rules.profile, "now": self.clock.now(),
            "devices": {
                d.id: {
                    "platform": d.platform.value, "app_version": d.app_version,
                    "apple_id": d.apple_id, "online": d.online, "camera": d.camera.value,
                    "backup_on": self.apps[d.id].backup.on,
                    "accounts": [f"{e.kind}:{e.issuer}:{e.username}"
                                 + (" (needs verification)" if e.needs_verification else "")
                                 for e in self.apps[d.id].entries],
                } for d in self.devices.values()
            },
            "stores": {
                store.kind.value: {f"{loc}/{name}": len(blob.data)
                                   for (loc, name), blob in store.objects.items()}
                for store in (self.icloud, self.microsoft_storage)
            },
            "offline_services": sorted(self.network.offline_services),
            "armed_faults": list(self.faults.armed),
        }
