"""An out-of-date backup (area STALE). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/stale_backup.feature")
