"""The mutant catalogue: one deliberate fault per entry, each breaking one requirement.

``MUTANTS[name].apply(world)`` is called by the sim adapter on every new ``sim.World``
when a run says ``--mutant name``. A mutant only patches that world instance (see
``authconform.alterations.patching``), so it never leaks into another scenario. The
requirement ids are those of ``features/requirements.yml``; a test holds them to that
file. One module per feature area holds that area's mutants (named as the feature
file); importing them here fills ``MUTANTS`` (``registry``); helpers more than one area
uses are in ``shared``.
"""

from authconform.alterations.mutants import (  # noqa: F401 - each module registers its mutants
    backup,
    camera,
    codes,
    existing_accounts,
    faults,
    lost_device,
    privacy,
    recovery,
    recovery_account,
    security,
    stale_backup,
    stored,
    troubleshooting,
    verification,
    versions,
)
from authconform.alterations.mutants.registry import MUTANTS, Mutant, mutant
from authconform.alterations.patching import on_each_app

__all__ = ["MUTANTS", "Mutant", "mutant", "on_each_app"]
