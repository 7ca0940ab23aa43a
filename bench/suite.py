"""Figures 1 and 5: the conformance suite against the simulator, next to its pytest-bdd
floor and next to itself on two xdist workers.

All runs are ``python -m pytest`` subprocesses with the same flags (``common.PYTEST_FLAGS``
plus ``-n 0`` or ``-n 2``); only the suite runs get ``--sut sim --seed N``, which the
floor has no plugin to accept. The rounds are interleaved (suite, floor, mirrored floor,
suite on 2 workers; the order rotates each round) after one untimed warm-up round that
also writes the floor's byte-code caches, so both sides start warm.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    PytestRun,
    describe_failure,
    interleave,
    median,
    paired_ratios,
    project_plugin_flags,
    rounded,
    run_pytest,
)
from bench.floor import suite_shape, write_floor


def suite_args(seed: int, workers: int = 0, sut: str = "sim",
               report_dir: Path | None = None) -> list[str]:
    """The real suite's arguments. Its report files (conformance.json, junit.xml,
    summary.md: writing them is part of the cost) go to ``report_dir``, never over the
    repository's reports/."""
    args = ["features", "--sut", sut, "--seed", str(seed), "-n", str(workers)]
    if report_dir is not None:
        args += ["--authconform-report-dir", str(report_dir)]
    return args


def _summary(runs: list[PytestRun]) -> dict[str, Any]:
    return {
        "wall_s": [rounded(r.wall_s) for r in runs],
        "cpu_s": [rounded(r.cpu_s) for r in runs],
        "session_s": [rounded(r.session_s) for r in runs],
        "collect_s": [rounded(r.collect_s) for r in runs],
        "exit_codes": [r.exit_code for r in runs],
        "counts": runs[-1].counts if runs else {},
    }


def run(repetitions: int, seed: int, floor: bool = True, xdist: bool = True
        ) -> dict[str, Any]:
    shape = suite_shape()
    out: dict[str, Any] = {"shape": shape.summary()}
    with tempfile.TemporaryDirectory(prefix="authconform-floor-") as tmp:
        reports = Path(tmp) / "reports"
        runners: dict[str, Callable[[], PytestRun]] = {
            "suite": lambda: run_pytest(suite_args(seed, report_dir=reports), REPO)}
        if floor:
            minimal, mirrored = Path(tmp) / "minimal", Path(tmp) / "mirrored"
            out["floor_written"] = write_floor(shape, minimal)
            out["floor_mirrored_written"] = write_floor(shape, mirrored, mirrored=True)
            same_plugins = [*project_plugin_flags(), "-n", "0"]
            out["floor_extra_flags"] = same_plugins
            runners["floor"] = lambda: run_pytest(same_plugins, minimal)
            runners["floor_mirrored"] = lambda: run_pytest(same_plugins, mirrored)
        if xdist:
            runners["suite_workers_2"] = lambda: run_pytest(
                suite_args(seed, 2, report_dir=reports), REPO)
        runs = interleave(runners, repetitions, warmup=True)
    out["runs"] = {name: _summary(r) for name, r in runs.items()}
    suite = runs["suite"]
    broken = [r for name, rs in runs.items() for r in rs if not r.usable]
    if broken:
        out["error"] = describe_failure(broken[0])
    if not all(r.usable for r in suite):
        out["suite_usable"] = False
        return out
    out["suite_usable"] = True
    collected = sum(suite[-1].counts.values())  # including the deselected
    out["suite_collected"] = collected
    # Others may edit features/ while the benchmark runs; say so if the shape drifted.
    out["shape_matches_suite"] = collected == shape.scenarios
    out["suite_seconds"] = rounded(median([r.wall_s for r in suite]))
    out["suite_session_seconds"] = rounded(median([r.session_s for r in suite]))
    out["suite_outcomes"] = suite[-1].counts
    out["suite_wall_s_workers_1"] = out["suite_seconds"]
    if floor and all(r.usable for r in runs["floor"]):
        fl, mirrored_runs = runs["floor"], runs["floor_mirrored"]
        out["floor_seconds"] = rounded(median([r.wall_s for r in fl]))
        out["floor_session_seconds"] = rounded(median([r.session_s for r in fl]))
        out["floor_mirrored_seconds"] = rounded(median([r.wall_s for r in mirrored_runs]))
        out["floor_outcomes"] = fl[-1].counts
        out["suite_vs_floor_ratio"] = rounded(median(paired_ratios(
            [r.wall_s for r in suite], [r.wall_s for r in fl])), 3)
        out["suite_vs_floor_session_ratio"] = rounded(median(paired_ratios(
            [r.session_s for r in suite], [r.session_s for r in fl])), 3)
        out["suite_vs_floor_cpu_ratio"] = rounded(median(paired_ratios(
            [r.cpu_s for r in suite], [r.cpu_s for r in fl])), 3)
        out["suite_vs_mirrored_floor_ratio"] = rounded(median(paired_ratios(
            [r.wall_s for r in suite], [r.wall_s for r in mirrored_runs])), 3)
    if xdist and all(r.usable for r in runs["suite_workers_2"]):
        two = runs["suite_workers_2"]
        out["suite_wall_s_workers_2"] = rounded(median([r.wall_s for r in two]))
        out["suite_cpu_s_workers_1"] = rounded(median([r.cpu_s for r in suite]))
        out["suite_cpu_s_workers_2"] = rounded(median([r.cpu_s for r in two]))
        out["workers_2_speedup"] = rounded(median(paired_ratios(
            [r.wall_s for r in suite], [r.wall_s for r in two])), 3)
    return out
