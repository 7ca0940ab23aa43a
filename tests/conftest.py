"""The harness's own tests: the order their files start in.

``./harness test`` runs two xdist workers with ``--dist loadfile``: each file goes to one
worker, in collection order. A file that starts whole gate runs, sweeps or a browser
takes a minute; collected last (the files are alphabetical), it kept one worker busy
while the other had nothing left. The longest files therefore start first, and xdist is
told to keep that order (it would otherwise start the files with the most tests first,
however short). Only the order changes: every test still runs, and none depends on
another.

Every collected test must have a node id of its own: xdist tells tests apart by it, and
of several with one id it runs one and drops the others without a word.
"""

from __future__ import annotations

from collections import Counter

import pytest

# Longest first (``pytest --durations``, summed per file, on the 2-core machine).
LONGEST_FIRST = (
    "test_variants.py",
    "test_variants_second_half.py",
    "test_variants_2019.py",
    "test_bad_input.py",
    "test_report_render.py",
    "test_first_screen.py",
    "test_http_schemathesis.py",
    "test_merge.py",
    "test_gate_cli.py",
    "test_fault_security_mutants.py",
    "test_results_plugin.py",
    "test_explore_rules.py",
    "test_person_steps.py",
    "test_bench.py",
    "test_explore_mutants.py",
    "test_writing_scenarios.py",
    "test_explore.py",
    "test_versions.py",
    "test_http_service.py",
    "test_browser.py",
    "test_steps_catalogue.py",
    "test_cli.py",
    "test_blocked.py",
    "test_inference.py",
    "test_sources_run.py",
    "test_mutants_runner.py",
)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist's --no-loadscope-reorder
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    repeated = sorted(n for n, count in Counter(i.nodeid for i in items).items() if count > 1)
    if repeated:
        raise pytest.UsageError(
            f"{len(repeated)} node id(s) shared by several tests, of which xdist would run "
            f"one: {', '.join(repeated[:5])}")
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    # sorted() is stable: within a file, and among the files not listed, order is kept
    items[:] = sorted(items, key=lambda item: rank.get(item.path.name, len(rank)))
