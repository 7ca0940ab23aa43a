"""A minimal third-party adapter: the simulator, declaring no optional capability.

Run the suite against it from anywhere authconform is importable:

    authconform run --sut examples.minimal_adapter:MinimalAdapter
    authconform self-test --sut examples.minimal_adapter:MinimalAdapter

A real adapter drives its own app (an emulator, a device farm, an API) behind ``app``
and its own world behind ``world``; here both are the simulator's, so the example runs
as is. Scenarios that need a capability (moving the clock, injecting faults, reading
stores, ...) come out not-applicable, because this target declares none.
See docs/adapters.md.
"""

from __future__ import annotations

from authconform import port
from authconform.adapters import TargetConfig
from authconform.adapters.inprocess import SimTarget


class MinimalTarget:
    """One scenario's target: both halves of the port, and what it says about itself."""

    def __init__(self, seed: int, profile: str):
        simulated = SimTarget(seed=seed, profile=profile)
        self.app: port.AppPort = simulated.app  # what a user does on the phone
        self.world: port.WorldPort = simulated.world  # people, devices, providers
        self.info = port.TargetInfo(name="minimal", version="1.0",
                                    capabilities=frozenset(), profile=profile,
                                    # the port version this adapter was written for:
                                    # a literal, not port.PORT_VERSION, which would
                                    # follow the harness instead of the adapter
                                    port_version="2.1.0")

    def close(self) -> None:
        pass  # free what one scenario used (an emulator snapshot, a test tenant)


class MinimalAdapter:
    name = "minimal"

    def __init__(self) -> None:
        self.config = TargetConfig()

    def start(self, config: TargetConfig) -> None:
        # Once per run: read config.options, connect; raise AdapterLoadError if unusable.
        self.config = config

    def new_target(self, seed: int) -> MinimalTarget:
        return MinimalTarget(seed, self.config.profile)

    def stop(self) -> None:
        pass  # once per run: undo what start() did
