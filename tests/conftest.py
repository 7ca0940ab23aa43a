"""The harness's own tests: the order their files start in.

``./harness test`` runs two xdist workers with ``--dist loadfile``: each file goes to one
worker, in collection order. A file that starts whole gate runs, sweeps or a browser
takes a minute; collected last (the files are alphabetical), it kept one worker busy
while the other had nothing left. The longest files therefore start first. Only the
order changes: every test still runs, and none depends on another.
"""

from __future__ import annotations

import pytest

# Longest first (``pytest --durations``, summed per file, on the 2-core machine).
LONGEST_FIRST = (
    "test_report_render.py",
    "test_bad_input.py",
    "test_variants.py",
    "test_first_screen.py",
    "test_merge.py",
    "test_person_steps.py",
    "test_gate_cli.py",
    "test_results_plugin.py",
    "test_explore_mutants.py",
    "test_explore_rules.py",
    "test_writing_scenarios.py",
    "test_versions.py",
    "test_fault_security_mutants.py",
    "test_sources_run.py",
    "test_mutants_runner.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    # sorted() is stable: within a file, and among the files not listed, order is kept
    items[:] = sorted(items, key=lambda item: rank.get(item.path.name, len(rank)))
