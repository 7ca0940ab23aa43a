"""The second half of the conforming variants through the whole suite (current profile).

The first half runs in tests/test_variants.py; split so that ./harness test's two
workers each take one.
"""

from __future__ import annotations

import pytest

from tests.test_variants import SECOND_HALF, every_variant_conformant, whole_suite_runs


@pytest.fixture(scope="module")
def second_half(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    return whole_suite_runs(tmp_path_factory.mktemp("variants-second-half"), SECOND_HALF)


def test_every_variant_of_the_second_half_is_conformant_with_no_failed_scenario(
        second_half: tuple[int, dict, str]) -> None:
    every_variant_conformant(second_half, "current", SECOND_HALF)
