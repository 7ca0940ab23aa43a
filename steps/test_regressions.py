"""Counterexamples found by model-based exploration (authconform explore), kept as
regression scenarios. All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/regressions")
