"""Every conforming variant passes the suite under the 2019 profile too.

A variant may change only what 002 leaves open (no camera prompt there), and every
variant must hold under both documents. A file of its own, so that ``./harness test``'s
two workers run it beside the current profile's full run (tests/test_variants.py), not
after it.
"""

from __future__ import annotations

import json

import pytest

from tests.test_variants import _runner, every_variant_conformant


@pytest.fixture(scope="module")
def full_run_2019(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    report_dir = tmp_path_factory.mktemp("variants-2019")
    done = _runner("--workers", "1", "--seed", "4", "--profile", "2019",
                   "--report-dir", str(report_dir))
    assert (report_dir / "variants.json").exists(), done.stdout + done.stderr
    doc = json.loads((report_dir / "variants.json").read_text("utf-8"))
    return done.returncode, doc, done.stdout


def test_every_variant_is_conformant_under_2019_with_no_failed_scenario(
        full_run_2019: tuple[int, dict, str]) -> None:
    every_variant_conformant(full_run_2019, "2019")
