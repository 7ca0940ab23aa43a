"""Mutants of losing a phone (lost_device.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    on_each_tenant,
    wrap,
    wrap_app,
)
from sim.app import Authenticator
from sim.refusals import Code, Done, Refusal
from sim.world import World


@mutant("unregister_no_effect", "REQ-LOST-01",
        "unregistering a lost phone is logged but its work credential keeps working")
def _unregister_no_effect(world: World) -> None:
    def patch(tenant: Any) -> None:
        def unregister(original: Callable[[str], None], device_id: str) -> None:
            for (username, device), registration in tenant.registrations.items():
                if device == device_id and registration.registered:
                    tenant.events.append(f"device {registration.device_name!r} "
                                         f"unregistered for {username}")

        wrap(tenant, "unregister", unregister)

    on_each_tenant(world, patch)


@mutant("recovery_unregisters_old_phone", "REQ-LOST-02",
        "re-activating a work account on the new phone unregisters the old phone")
def _recovery_unregisters_old_phone(world: World) -> None:
    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        entry = app._entry(entry_id)
        done = original(entry_id, code, url)
        tenant = world.tenants.get(entry.tenant_id or "")
        if tenant is not None:
            for (username, device), registration in tenant.registrations.items():
                if username == entry.username.lower() and device != app.device.id:
                    registration.registered = False
        return done

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)


@mutant("recovery_needs_old_phone", "REQ-LOST-03",
        "recovery is refused unless the phone that made the backup is online")
def _recovery_needs_old_phone(world: World) -> None:
    # The backup's maker can only be asked once the backup is found, so the demand comes
    # where the key would be released: a recovery that was to be refused for another
    # reason (no backup, wrong password, another Apple ID) is refused as before.
    def release(original: Callable[..., bytes], username: str, *args: Any) -> bytes:
        makers = [world.devices[d] for d, s in world.apps.items()
                  if s.backup.on
                  and (s.backup.recovery_username or "").lower() == username.strip().lower()]
        if not any(device.online for device in makers):
            raise Refusal(Code.NETWORK_UNAVAILABLE,
                          "Could not reach the phone that made the backup.")
        return original(username, *args)

    wrap(world.keys, "release", release)


@mutant("code_only_recovery_retires_the_old_phone", "REQ-LOST-02",
        "recovering a work account without notifications retires its registration on the "
        "old phone, before the organisation acts")
def _code_only_recovery_retires_the_old_phone(world: World) -> None:
    def enter_activation_to_recover(app: Authenticator, original: Callable[..., Done],
                                    entry_id: str, code: str, url: str) -> Done:
        entry = app._entry(entry_id)
        done = original(entry_id, code, url)
        tenant = world.tenants.get(entry.tenant_id or "")
        if not entry.push and tenant is not None:
            for (user, device), registration in tenant.registrations.items():
                if user == entry.username.lower() and device != app.device.id:
                    registration.registered = False
        return done

    wrap_app(world, "enter_activation_to_recover", enter_activation_to_recover)


@mutant("unregistering_spares_code_only_accounts", "REQ-LOST-01",
        "the organisation's unregistering stops only registrations that approve sign-ins; "
        "a work account that only shows codes keeps working on the lost phone")
def _unregistering_spares_code_only_accounts(world: World) -> None:
    def unregister_device(original: Callable[..., None], tenant_id: str,
                          device_id: str) -> None:
        tenant = world.tenants[tenant_id]
        spared = [r for (_, device), r in tenant.registrations.items()
                  if device == device_id and r.registered and r.push_key is None]
        original(tenant_id, device_id)
        for registration in spared:
            registration.registered = True

    wrap(world, "unregister_device", unregister_device)


@mutant("unregistering_blocks_later_phones", "REQ-LOST-02",
        "once the organisation has unregistered a user's lost phone, every phone that user "
        "registers afterwards is unregistered too: the new phone's codes and approvals fail")
def _unregistering_blocks_later_phones(world: World) -> None:
    def patch(tenant: Any) -> None:
        def activate(original: Callable[..., Any], code: str, url: str, device_id: str,
                     *args: Any, **kwargs: Any) -> Any:
            username, params = original(code, url, device_id, *args, **kwargs)
            if any(not r.registered for (user, dev), r in tenant.registrations.items()
                   if user == username and dev != device_id):
                tenant.registrations[(username, device_id)].registered = False
            return username, params

        wrap(tenant, "activate", activate)

    on_each_tenant(world, patch)
