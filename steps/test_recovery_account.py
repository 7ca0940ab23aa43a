"""The recovery account (area RECOVACCT). All steps are shared."""

from pytest_bdd import scenarios

scenarios("../features/recovery_account.feature")
