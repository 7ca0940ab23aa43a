"""The mutant registry: ``Mutant`` and the ``@mutant`` decorator each area module
registers its mutants with, into the one ``MUTANTS`` mapping (name -> mutant)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.world import World


@dataclass(frozen=True)
class Mutant:
    name: str
    requirement: str  # the REQ id this fault breaks
    description: str  # one line, what is wrong
    apply: Callable[[World], None]

    def __repr__(self) -> str:
        return f"Mutant({self.name!r}, {self.requirement})"


MUTANTS: dict[str, Mutant] = {}


def mutant(name: str, requirement: str, description: str
           ) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(apply: Callable[[World], None]) -> Callable[[World], None]:
        if name in MUTANTS:
            raise ValueError(f"duplicate mutant {name!r}")
        MUTANTS[name] = Mutant(name, requirement, description, apply)
        return apply

    return register
