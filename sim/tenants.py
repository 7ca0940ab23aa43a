"""Work or school tenants: users, activation QR codes, device registrations and what an
IT administrator can see.

000/002 "Recover accounts requiring more verification": a work or school account is
recovered by scanning a QR code from the account provider. The activation is bound to
one user of one tenant, used once, and expires (our reading: that is what makes a QR a
proof of identity). 000 "FAQs": after losing a phone, the organisation deletes and
unregisters it. 000 "Important"/002 "IMPORTANT": the IT admin learns nothing about the
accounts in the app.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlparse

from sim.codes import TotpParams, secret_from_bytes
from sim.refusals import Code, Refusal

QR_SCHEME = "phonefactor"


@dataclass
class Activation:
    code: str
    username: str
    expires_at: float
    used: bool = False


@dataclass
class Registration:
    username: str
    device_name: str
    params: TotpParams
    push_key: bytes | None
    registered: bool = True


@dataclass
class WorkUser:
    id: str
    person_id: str
    username: str
    password: str


@dataclass
class Tenant:
    id: str
    name: str
    domain: str
    users: dict[str, WorkUser] = field(default_factory=dict)  # by lower-case user name
    activations: dict[str, Activation] = field(default_factory=dict)  # by code
    registrations: dict[tuple[str, str], Registration] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # what the IT admin sees happen

    @property
    def activation_url(self) -> str:
        return f"https://mfa.{self.domain}/activate/{self.id}"

    def user_by_id(self, user_id: str) -> WorkUser | None:
        return next((u for u in self.users.values() if u.id == user_id), None)

    def issue_activation(self, username: str, now: float, ttl: float,
                         rng: random.Random) -> Activation:
        if username.lower() not in self.users:
            raise KeyError(f"no user {username!r} in tenant {self.id}")
        code = f"{rng.randrange(10**9):09d}"
        activation = Activation(code, username.lower(), now + ttl)
        self.activations[code] = activation
        self.events.append(f"activation issued for {username}")
        return activation

    def activate(self, code: str, url: str, device_id: str, device_name: str,
                 push_key: bytes | None, now: float, rng: random.Random,
                 expected_username: str | None = None) -> tuple[str, TotpParams]:
        """Register ``device_id``; returns (username, credential). QR_REJECTED if the code
        is unknown, used, expired, for another tenant or for another user."""
        activation = self.activations.get(code.strip())
        if (url.strip() != self.activation_url or activation is None or activation.used
                or now >= activation.expires_at
                or (expected_username is not None
                    and activation.username != expected_username.lower())):
            raise Refusal(Code.QR_REJECTED)
        activation.used = True
        params = TotpParams(secret_from_bytes(rng.randbytes(20)), digits=6)
        self.registrations[(activation.username, device_id)] = Registration(
            activation.username, device_name, params, push_key
        )
        self.events.append(f"device {device_name!r} registered for {activation.username}")
        return activation.username, params

    def unregister(self, device_id: str) -> None:
        for (username, dev), registration in self.registrations.items():
            if dev == device_id and registration.registered:
                registration.registered = False
                self.events.append(
                    f"device {registration.device_name!r} unregistered for {username}"
                )

    def registration(self, username: str, device_id: str) -> Registration | None:
        reg = self.registrations.get((username.lower(), device_id))
        return reg if reg is not None and reg.registered else None


def activation_text(code: str, url: str) -> str:
    return f"{QR_SCHEME}://activate?code={code}&url={quote(url, safe='')}"


def parse_activation(text: str) -> tuple[str, str] | None:
    """(code, url) from a scanned activation QR, None if it is not one."""
    parsed = urlparse(text)
    if parsed.scheme != QR_SCHEME or parsed.netloc != "activate":
        return None
    query = parse_qs(parsed.query)
    if "code" not in query or "url" not in query:
        return None
    return query["code"][0], query["url"][0]
