"""Turning on cloud backup (area BACKUP). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/backup.feature")
