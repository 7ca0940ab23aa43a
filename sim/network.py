"""Every call from a phone to a service goes through here: reachability, injected
faults, and the traffic record that security checks scan."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.refusals import Code, Refusal

SERVICES = ("icloud", "microsoft-storage", "msa", "key-service", "tenants", "sites")


@dataclass(frozen=True)
class Traffic:
    device_id: str | None
    service: str
    operation: str
    payload: bytes
    at: float


@dataclass
class Faults:
    """Named fault points, each armed once and consumed when it fires."""

    armed: list[str] = field(default_factory=list)

    def arm(self, point: str) -> None:
        self.armed.append(point)

    def fire(self, point: str) -> bool:
        if point in self.armed:
            self.armed.remove(point)
            return True
        return False

    def clear(self) -> None:
        self.armed.clear()


@dataclass
class Network:
    offline_services: set[str] = field(default_factory=set)
    log: list[Traffic] = field(default_factory=list)

    def set_service_online(self, service: str, online: bool) -> None:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
        (self.offline_services.discard if online else self.offline_services.add)(service)

    def call(self, device_online: bool, device_id: str | None, service: str,
             operation: str, payload: bytes, at: float) -> None:
        """Raise a Refusal if the call cannot go through; record it if it does."""
        if not device_online:
            raise Refusal(Code.NETWORK_UNAVAILABLE)
        if service in self.offline_services:
            raise Refusal(Code.SERVICE_UNAVAILABLE)
        self.log.append(Traffic(device_id, service, operation, payload, at))
