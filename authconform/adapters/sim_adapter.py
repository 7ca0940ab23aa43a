"""``--sut sim``: the embedded simulator, a new world per scenario."""

from __future__ import annotations

import dataclasses

from authconform import port
from authconform.adapters import AdapterLoadError, TargetConfig
from authconform.adapters.inprocess import SimTarget
from sim.rules import RecoveryBlock


class SimAdapter:
    """Options: ``recovery_block`` = ``any`` (default) or ``same``: builds the simulator
    with that reading of the existing-accounts ambiguity, which it then declares in
    ``TargetInfo.readings`` (scenarios look only at the declaration); ``variant`` = the
    name of a conforming variant (``authconform variants --list``), which changes one
    thing the documents leave open and declares it."""

    name = "sim"

    def __init__(self) -> None:
        self.config = TargetConfig()

    def start(self, config: TargetConfig) -> None:
        block = config.options.get("recovery_block", RecoveryBlock.ANY_ACCOUNT.value)
        if block not in {b.value for b in RecoveryBlock}:
            raise AdapterLoadError(
                f"sim option recovery_block={block!r}: choose 'any' or 'same'")
        variant = config.options.get("variant")
        if variant:
            from authconform.alterations.variants import VARIANTS

            if variant not in VARIANTS:
                raise AdapterLoadError(f"sim option variant={variant!r}: unknown variant; "
                                       "see `authconform variants --list`")
        if config.mutant:
            from authconform.alterations import mutants as catalogue

            if config.mutant not in catalogue.MUTANTS:
                raise AdapterLoadError(f"unknown mutant {config.mutant!r}; "
                                       "see `authconform mutants --list`")
        self.config = config

    def new_target(self, seed: int) -> port.Target:
        target = SimTarget(seed=seed, profile=self.config.profile,
                           recovery_block=self.config.options.get("recovery_block", "any"))
        variant = self.config.options.get("variant")
        if variant:
            from authconform.alterations.variants import VARIANTS

            VARIANTS[variant].apply(target.world_model)
            target.declare(f"sim~{variant}")  # the variant declares what it changed
            if not VARIANTS[variant].declares_readings:  # ... or leaves the gate to find it
                target.info = dataclasses.replace(target.info, readings={})
            if VARIANTS[variant].lacks:  # ... and does without what its adapter cannot do
                target.info = dataclasses.replace(target.info, capabilities=frozenset(
                    c for c in target.info.capabilities
                    if c.value not in VARIANTS[variant].lacks))
        if self.config.mutant:
            from authconform.alterations import mutants as catalogue

            catalogue.MUTANTS[self.config.mutant].apply(target.world_model)
            target.declare(f"sim+{self.config.mutant}")  # it may declare another reading
        return target

    def stop(self) -> None:
        pass
