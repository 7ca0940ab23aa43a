"""What a backup holds (area STORED). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/stored.feature")
