"""Additional verification of restored accounts (area VERIFY). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/verification.feature")
