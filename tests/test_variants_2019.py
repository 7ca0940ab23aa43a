"""Every conforming variant passes the suite under the 2019 profile too.

A variant may change only what 002 leaves open (no camera prompt there), and every
variant must hold under both documents. A file of its own, so that ``./harness test``'s
two workers run it beside the current profile's runs (tests/test_variants.py and
tests/test_variants_second_half.py), not after them.
"""

from __future__ import annotations

import pytest

from authconform.alterations.variants import VARIANTS
from tests.test_variants import every_variant_conformant, whole_suite_runs


@pytest.fixture(scope="module")
def full_run_2019(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    return whole_suite_runs(tmp_path_factory.mktemp("variants-2019"), list(VARIANTS),
                            "--profile", "2019")


def test_every_variant_is_conformant_under_2019_with_no_failed_scenario(
        full_run_2019: tuple[int, dict, str]) -> None:
    every_variant_conformant(full_run_2019, "2019", list(VARIANTS))
