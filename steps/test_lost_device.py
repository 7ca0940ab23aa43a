"""A lost phone (area LOST). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/lost_device.feature")
