"""Recovery while accounts already exist (area EXISTING).

The documents read two ways (see REQ-EXISTING-01): any account blocks recovery, or only
the same account does. The simulator follows one reading per run, chosen with the
adapter option ``recovery_block`` (``any``, the default, or ``same``; e.g.
``AUTHCONFORM_SUT_RECOVERY_BLOCK=same``). A scenario written for the other reading is
not applicable to the run.
"""

import pytest
from pytest_bdd import given

from authconform.adapters import read_options
from authconform.plugin import NOT_APPLICABLE


def _needs_reading(config: pytest.Config, reading: str) -> None:
    chosen = read_options(config.getoption("--sut-config")).get("recovery_block", "any")
    if chosen != reading:
        pytest.skip(f"{NOT_APPLICABLE} the target follows the recovery_block={chosen!r} "
                    f"reading, this scenario the {reading!r} one")


@given("the app blocks recovery while it holds any account")
def _(request: pytest.FixtureRequest) -> None:
    _needs_reading(request.config, "any")


@given("the app blocks recovery only while it holds an account from the backup")
def _(request: pytest.FixtureRequest) -> None:
    _needs_reading(request.config, "same")
