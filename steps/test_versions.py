"""Which app versions have backup (area VERSION). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/versions.feature")
