"""What the app is given by its world: the services one phone's Authenticator calls.

``Authenticator`` is handed its world's services as a ``WorldServices`` and uses
nothing else of the world; ``World`` satisfies this protocol structurally, without
naming it. The protocol exists so that ``sim.app`` never imports ``sim.world``: the
world builds apps (``sim.world`` imports ``sim.app``), and dependencies and data flow
world -> app only. Only members ``sim.app`` actually uses belong here, each typed with
the lower modules' own types; a new ``self.world.<name>`` in the app means a new member
here, and anything the world offers testers or scenarios stays off it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Protocol

from sim.clock import Clock
from sim.device import Platform
from sim.keyservice import KeyService
from sim.msa import MicrosoftAccounts
from sim.network import Faults, Network
from sim.push import PushRequest
from sim.rules import Rules
from sim.stores import CloudStore
from sim.tenants import Tenant


class WorldServices(Protocol):
    """The world as one phone's app sees it (read-only: the app never rebinds these)."""

    @property
    def clock(self) -> Clock: ...
    @property
    def rng(self) -> random.Random: ...
    @property
    def rules(self) -> Rules: ...
    @property
    def network(self) -> Network: ...
    @property
    def faults(self) -> Faults: ...
    @property
    def msa(self) -> MicrosoftAccounts: ...
    @property
    def keys(self) -> KeyService: ...
    @property
    def push_requests(self) -> Mapping[str, PushRequest]: ...

    def store_for(self, platform: Platform) -> CloudStore: ...
    def tenant_of_user(self, username: str) -> Tenant | None: ...
    def tenant_by_url(self, url: str) -> Tenant | None: ...
    def check_push(self, request: PushRequest, device_id: str, signature: bytes) -> bool: ...
    def deliver(self, channel: str, to: str, code: str) -> None: ...
