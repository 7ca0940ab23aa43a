"""Shared helpers for the simulator's own tests (no tests here).

``Scene`` is one person in a fresh ``sim.World`` with a personal Microsoft account to use
as the recovery account and an Apple ID, plus small builders for phones and accounts.
Helpers are plain functions, not fixtures, so each test reads top to bottom.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sim import World, crypto
from sim.app import Authenticator
from sim.backup import BackupPayload
from sim.device import CameraPermission, Platform
from sim.refusals import Code, Refusal
from sim.sites import SiteAccountRecord
from sim.stores import BACKUP_NAME, CloudStore
from sim.tenants import Tenant, WorkUser

PLATFORMS = pytest.mark.parametrize("platform", list(Platform), ids=lambda p: p.value)
# The first app build with backup on each platform (000 "Authenticator app").
FIRST = {Platform.IOS: "5.7.0", Platform.ANDROID: "6.6.0"}
LAST_WITHOUT = {Platform.IOS: "5.6.9", Platform.ANDROID: "6.5.9"}


@contextmanager
def refused(code: Code) -> Iterator[pytest.ExceptionInfo[Refusal]]:
    """Expect a ``Refusal`` with exactly ``code``."""
    with pytest.raises(Refusal) as info:
        yield info
    assert info.value.code is code, f"expected {code}, got {info.value}"


def tiles(app: Authenticator) -> list[tuple[str, str, str, str, bool]]:
    """What the Accounts screen shows, in order."""
    return [(e.kind, e.issuer, e.username, e.display_name, e.push) for e in app.state.entries]


class Scene:
    """One person, their recovery account and Apple ID, in a new world."""

    def __init__(self, platform: Platform = Platform.IOS, seed: int = 0,
                 profile: str = "current", recovery_block: str = "any",
                 world: World | None = None):
        self.world = world or World(seed=seed, profile=profile,
                                    recovery_block=recovery_block)
        self.platform = platform
        self.person, _ = self.world.create_person()
        self.msa = self.world.create_msa(self.person)
        self.apple = self.world.create_apple_id(self.person)

    # -- phones
    def phone(self, platform: Platform | None = None, version: str | None = None,
              icloud: bool = True, apple_username: str | None = None,
              apple_password: str | None = None, camera: bool = True) -> Authenticator:
        platform = platform or self.platform
        device = self.world.create_device(self.person, platform, version or FIRST[platform])
        if platform is Platform.IOS and icloud:
            self.world.sign_in_to_icloud(device.id, apple_username or self.apple.username,
                                         apple_password or self.apple.password)
        if camera:
            device.camera = CameraPermission.ALLOWED
        return self.world.app(device.id)

    def backed_up_phone(self, **kwargs: object) -> Authenticator:
        app = self.phone(**kwargs)  # type: ignore[arg-type]
        app.turn_on_backup(self.msa.username, self.msa.password)
        return app

    # -- accounts
    def site(self, issuer: str = "GitHub", **kwargs: object) -> SiteAccountRecord:
        return self.world.create_site_account(self.person, issuer, **kwargs)  # type: ignore[arg-type]

    def add_site(self, app: Authenticator, issuer: str = "GitHub",
                 **kwargs: object) -> SiteAccountRecord:
        record = self.site(issuer, **kwargs)
        p = record.params
        app.enter_code_manually(record.issuer, record.username, p.secret, p.digits,
                                p.period, p.algorithm)
        return record

    def work_user(self, tenant: Tenant | None = None) -> tuple[Tenant, WorkUser]:
        tenant = tenant or self.world.create_tenant()
        return tenant, self.world.create_work_user(tenant.id, self.person)

    def add_work(self, app: Authenticator, push: bool = False,
                 tenant: Tenant | None = None) -> tuple[Tenant, WorkUser]:
        tenant, user = self.work_user(tenant)
        world = self.world  # the activation without its QR picture: typed, and faster
        activation = tenant.issue_activation(user.username, world.clock.now(),
                                             world.rules.activation_ttl_s, world.rng)
        app.enter_activation_manually(activation.code, tenant.activation_url, push)
        return tenant, user

    def add_msa(self, app: Authenticator, push: bool = False, **kwargs: bool):
        account = self.world.create_msa(self.person, **kwargs)
        app.add_personal_account(account.username, account.password, push)
        return account

    def recover(self, app: Authenticator):
        return app.begin_recovery(self.msa.username, self.msa.password)

    # -- the cloud
    @property
    def location(self) -> str:
        return self.apple.username if self.platform is Platform.IOS else self.msa.username

    @property
    def store(self) -> CloudStore:
        return self.world.store_for(self.platform)

    def blob(self) -> bytes | None:
        return self.store.get(self.location, BACKUP_NAME)


def entry_by(app: Authenticator, username: str):
    return next(e for e in app.state.entries if e.username.lower() == username.lower())


def cloud_payload(scene: Scene, app: Authenticator) -> BackupPayload | None:
    """Open the stored backup with the key the app holds (a test may peek)."""
    blob = scene.blob()
    if blob is None:
        return None
    key = app.state.backup.key or scene.world.keys.lookup(scene.msa.username).key
    return BackupPayload.from_bytes(crypto.unseal(key, blob, app._aad(scene.location)))


def cloud_tiles(scene: Scene, app: Authenticator) -> list[tuple[str, str, str, str, bool]]:
    payload = cloud_payload(scene, app)
    assert payload is not None, "no backup in the store"
    return [(a.kind, a.issuer, a.username, a.display_name, a.push) for a in payload.accounts]


def picture(app: Authenticator) -> tuple[object, ...]:
    """Everything on one phone, to compare before and after a refusal."""
    return copy.deepcopy((app.state, app.device))


def cloud_picture(world: World) -> tuple[object, ...]:
    """Everything in the cloud: both stores and the key service."""
    return copy.deepcopy((world.icloud.objects, world.microsoft_storage.objects,
                          world.keys.records))
