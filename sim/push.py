"""Push sign-in requests: raised by the world for an account, approved on a phone.

Its own module so that both the world (which raises and checks them) and the app
(which approves them) can name the record without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PushRequest:
    id: str
    kind: str  # PERSONAL or WORK (sim.app)
    service: str  # "msa" or "tenants"
    account_id: str
    username: str
    nonce: bytes
    status: str = "pending"
