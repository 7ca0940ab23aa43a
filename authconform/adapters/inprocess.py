"""The in-process adapter: the port served straight from a ``sim.World``.

The default target (``--sut sim``). It only translates: port arguments in, sim calls,
``Refusal`` -> ``Outcome`` and sim records -> port dataclasses out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform import port
from sim import qr
from sim.codes import DEFAULT_PERIOD
from sim.device import Platform as SimPlatform
from sim.refusals import Done, Refusal
from sim.rules import Rules
from sim.stores import StoreKind
from sim.world import World

ALL_CAPABILITIES = frozenset(port.Capability) - {port.Capability.RESTART}


def _outcome(call: Callable[[], Done | None]) -> port.Outcome:
    try:
        done = call()
    except Refusal as refusal:
        return port.Outcome(False, port.OutcomeCode(refusal.code.value), refusal.message)
    if done is None:
        return port.Outcome.success()
    return port.Outcome(True, port.OutcomeCode(done.code.value), done.message)


class SimApp:
    """AppPort over the simulated app of each device."""

    def __init__(self, world: World):
        self.world = world

    def _app(self, device_id: str) -> Any:
        return self.world.app(device_id)

    def add_personal_account(self, device_id: str, username: str, password: str,
                             push: bool = False) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).add_personal_account(
            username, password, push))

    def scan_qr(self, device_id: str, image: bytes, push: bool = False) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).scan_qr(image, push))

    def enter_code_manually(self, device_id: str, issuer: str, username: str, secret: str,
                            digits: int = 6, period: int = 30,
                            algorithm: str = "SHA1") -> port.Outcome:
        return _outcome(lambda: self._app(device_id).enter_code_manually(
            issuer, username, secret, digits, period, algorithm))

    def enter_activation_manually(self, device_id: str, code: str, url: str,
                                  push: bool = False) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).enter_activation_manually(code, url, push))

    def answer_camera_prompt(self, device_id: str, allow: bool) -> None:
        self._app(device_id).answer_camera_prompt(allow)

    def remove_account(self, device_id: str, entry_id: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).remove_account(entry_id))

    def rename_account(self, device_id: str, entry_id: str, name: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).rename_account(entry_id, name))

    def reorder_accounts(self, device_id: str, entry_ids: list[str]) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).reorder_accounts(list(entry_ids)))

    def list_accounts(self, device_id: str) -> list[port.AccountEntry]:
        app = self._app(device_id)
        return [
            port.AccountEntry(e.id, port.AccountKind(e.kind), e.issuer, e.username,
                              e.display_name, e.push, e.needs_verification, app.actions_of(e))
            for e in app.state.entries
        ]

    def current_code(self, device_id: str, entry_id: str) -> str | None:
        try:
            return self._app(device_id).current_code(entry_id)  # type: ignore[no-any-return,unused-ignore]
        except Refusal:
            return None

    def approve_push(self, device_id: str, request_id: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).approve_push(request_id))

    def screen(self, device_id: str) -> port.Screen:
        app = self._app(device_id)
        device = app.device
        return port.Screen(
            backup_setting=app.backup_setting,
            backup_on=app.state.backup.on,
            recovery_offered=app.recovery_offered,
            red_dot=app.red_dot,
            alerts=tuple(port.Alert(port.AlertCode(code), message)
                         for code, message in app.alerts()),
            camera_prompt=device.camera_prompt(),
            camera_permission=port.CameraPermission(device.camera.value),
            recovery_label=app.recovery_label,
            backup_warning_at=app.warning_at,
        )

    def turn_on_backup(self, device_id: str, username: str, password: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).turn_on_backup(username, password))

    def turn_off_backup(self, device_id: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).turn_off_backup())

    def select_backup_warning(self, device_id: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).select_backup_warning())

    def sign_in_to_update_backup(self, device_id: str, password: str,
                                 username: str | None = None) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).sign_in_to_update_backup(password,
                                                                              username))

    def delete_backup_from_phone(self, device_id: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).delete_backup_from_phone())

    def restart_app(self, device_id: str) -> None:
        self._app(device_id).restart()

    def begin_recovery(self, device_id: str, username: str, password: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).begin_recovery(username, password))

    def sign_in_to_recover(self, device_id: str, entry_id: str, password: str,
                           channel: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).sign_in_to_recover(
            entry_id, password, channel))

    def confirm_verification_code(self, device_id: str, entry_id: str,
                                  code: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).confirm_verification_code(entry_id, code))

    def scan_qr_to_recover(self, device_id: str, entry_id: str, image: bytes) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).scan_qr_to_recover(entry_id, image))

    def enter_activation_to_recover(self, device_id: str, entry_id: str, code: str,
                                    url: str) -> port.Outcome:
        return _outcome(lambda: self._app(device_id).enter_activation_to_recover(
            entry_id, code, url))


class SimWorld:
    """WorldPort over ``sim.World``."""

    def __init__(self, world: World):
        self.world = world

    def create_person(self) -> port.Person:
        person_id, name = self.world.create_person()
        return port.Person(person_id, name)

    def create_microsoft_account(self, person_id: str, alternate_email: bool = True,
                                 alternate_phone: bool = True) -> port.MicrosoftAccount:
        a = self.world.create_msa(person_id, alternate_email, alternate_phone)
        return port.MicrosoftAccount(a.id, a.username, a.password, a.alternate_email,
                                     a.alternate_phone)

    def create_apple_id(self, person_id: str) -> port.AppleId:
        a = self.world.create_apple_id(person_id)
        return port.AppleId(a.id, a.username, a.password)

    def create_tenant(self) -> port.Tenant:
        t = self.world.create_tenant()
        return port.Tenant(t.id, t.name, t.domain)

    def create_work_account(self, tenant_id: str, person_id: str) -> port.WorkAccount:
        u = self.world.create_work_user(tenant_id, person_id)
        return port.WorkAccount(u.id, tenant_id, u.username, u.password)

    def create_site_account(self, person_id: str, issuer: str, digits: int = 6,
                            period: int = 30, algorithm: str = "SHA1") -> port.SiteAccount:
        r = self.world.create_site_account(person_id, issuer, digits, period, algorithm)
        uri = r.params.uri(r.username, r.issuer)
        return port.SiteAccount(r.id, r.issuer, r.username, r.params.secret, r.params.digits,
                                r.params.period, r.params.algorithm, uri, qr.render(uri))

    def issue_activation_qr(self, tenant_id: str, work_account_id: str) -> port.ActivationQr:
        tenant, code, url, expires_at, png = self.world.issue_activation(work_account_id)
        if tenant.id != tenant_id:
            raise KeyError(f"{work_account_id!r} is not a user of tenant {tenant_id!r}")
        _, user = self.world.work_user(work_account_id)
        return port.ActivationQr(tenant_id, user.username, code, url, expires_at, png)

    def create_device(self, person_id: str, platform: port.Platform, app_version: str,
                      name: str = "") -> str:
        return self.world.create_device(person_id, SimPlatform(port.Platform(platform).value),
                                        app_version, name).id

    def sign_in_to_icloud(self, device_id: str, apple_username: str,
                          password: str) -> port.Outcome:
        return _outcome(lambda: self.world.sign_in_to_icloud(device_id, apple_username,
                                                             password))

    def sign_out_of_icloud(self, device_id: str) -> None:
        self.world.device(device_id).apple_id = None

    def now(self) -> float:
        return self.world.clock.now()

    def provider_accepts_code(self, account_id: str, code: str, device_id: str) -> bool:
        return self.world.accepts_code(account_id, code, device_id)

    def request_push(self, account_id: str) -> str:
        return self.world.request_push(account_id)

    def push_result(self, request_id: str) -> port.PushResult:
        request = self.world.push_requests[request_id]
        return port.PushResult(request.id, request.status)

    def advance_clock(self, seconds: float) -> None:
        self.world.clock.advance(seconds)

    def set_device_online(self, device_id: str, online: bool) -> None:
        self.world.set_device_online(device_id, online)

    def set_service_online(self, service: str, online: bool) -> None:
        self.world.network.set_service_online(service, online)

    def lapse_recovery_sign_in(self, msa_id: str) -> None:
        self.world.lapse_recovery_sign_in(msa_id)

    def delete_backup(self, store: port.Store, location: str) -> bool:
        return self.world.delete_backup(StoreKind(port.Store(store).value), location)

    def stored_objects(self) -> list[port.StoredObject]:
        return [
            port.StoredObject(port.Store(s.kind.value), loc, name, blob.data, blob.updated_at)
            for s in (self.world.icloud, self.world.microsoft_storage)
            for (loc, name), blob in s.objects.items()
        ]

    def messages(self, to: str) -> list[port.Message]:
        return [port.Message(m.channel, m.to, m.subject, m.body, m.code, m.sent_at)
                for m in self.world.outbox if m.to.lower() == to.lower()]

    def unregister_device(self, tenant_id: str, device_id: str) -> None:
        self.world.unregister_device(tenant_id, device_id)

    def admin_view(self, tenant_id: str) -> port.AdminView:
        tenant = self.world.tenant(tenant_id)
        devices = tuple(port.AdminDevice(r.device_name, r.username, r.registered, device)
                        for (_, device), r in tenant.registrations.items())
        return port.AdminView(tenant.id, devices, tuple(tenant.events),
                              tuple(sorted(u.username for u in tenant.users.values())))

    def traffic(self) -> list[port.TrafficRecord]:
        return [port.TrafficRecord(t.device_id, t.service, t.operation, t.payload, t.at)
                for t in self.world.network.log]

    def device_secrets(self, device_id: str) -> list[bytes]:
        return list(self.world.device(device_id).push_keys.values())

    def tamper_backup(self, store: port.Store, location: str, how: str) -> bool:
        return self.world.tamper_backup(StoreKind(port.Store(store).value), location, how)

    def backup_contents(self, store: port.Store, location: str) -> port.BackupContents | None:
        payload = self.world.backup_payload(StoreKind(port.Store(store).value), location)
        if payload is None:
            return None
        entries = tuple(
            port.BackedUpEntry(port.AccountKind(a.kind),
                               {k: str(v) for k, v in a.as_dict().items()
                                if v is not None and k != "kind"})
            for a in payload.accounts)
        return port.BackupContents(entries, {k: str(v) for k, v in payload.settings.items()})

    def backup_key(self, store: port.Store, location: str) -> bytes | None:
        return self.world.backup_key(StoreKind(port.Store(store).value), location)

    def put_account_data(self, account_id: str, kind: str, text: str) -> None:
        self.world.put_account_data(account_id, kind, text)

    def set_account_problem(self, account_id: str, problem: bool) -> None:
        self.world.set_account_problem(account_id, problem)

    def set_camera_access(self, device_id: str, allowed: bool) -> None:
        self.world.set_camera_access(device_id, allowed)

    def inject_fault(self, point: str) -> None:
        if point not in port.FAULT_POINTS:
            raise ValueError(f"unknown fault point {point!r}")
        self.world.faults.arm(point)

    def clear_faults(self) -> None:
        self.world.faults.clear()

    def restart_service(self) -> None:
        raise port.CapabilityMissing(port.Capability.RESTART, "restart_service")

    def snapshot(self) -> dict[str, object]:
        return self.world.snapshot()


class SimTarget:
    """``--sut sim``: a fresh world per scenario, in this process."""

    def __init__(self, seed: int = 0, profile: str = "current",
                 recovery_block: str = "any", world: World | None = None):
        self.world_model = world or World(seed=seed, profile=profile,
                                          recovery_block=recovery_block)
        self.declare("sim")
        self.app: port.AppPort = SimApp(self.world_model)
        self.world: port.WorldPort = SimWorld(self.world_model)

    def declare(self, name: str) -> None:
        """State ``info`` from the world's rules as they are now: called again after a
        variant or a mutant changed them, so the declaration follows the behaviour."""
        rules = self.world_model.rules
        self.info = port.TargetInfo(name, _version(), ALL_CAPABILITIES, rules.profile,
                                    declared_parameters(rules), declared_readings(rules),
                                    port_version=port.PORT_VERSION)

    def close(self) -> None:
        pass


def declared_parameters(rules: Rules) -> dict[str, float | None]:
    """The simulator's own choices where the documents name no value."""
    P = port.Parameter
    return {P.MSA_CODE_DIGITS: rules.msa_digits, P.MSA_CODE_PERIOD_S: DEFAULT_PERIOD,
            P.CODE_DRIFT_STEPS: rules.drift_steps,
            P.RECOVERY_SIGN_IN_LIFETIME_S: rules.session_lifetime_s,
            P.KEY_FRESHNESS_S: rules.key_release_freshness_s,
            P.EMAIL_CODE_LIFETIME_S: rules.verification_code_ttl_s,
            P.QR_LIFETIME_S: rules.activation_ttl_s}


def declared_readings(rules: Rules) -> dict[str, str]:
    return {port.Reading.EXISTING_ACCOUNTS: rules.recovery_block.value,
            port.Reading.SECOND_PAIRING: rules.second_pairing,
            port.Reading.OTHER_PHONE_CODE: rules.other_phone_code,
            port.Reading.RED_DOT: rules.red_dot}


def _version() -> str:
    from authconform import __version__

    return __version__
