"""Who can see a backup (area PRIVACY). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/privacy.feature")
