"""A pytest plugin (``-p bench.timing_plugin``) that reports a run's own timings.

When ``AUTHCONFORM_BENCH_TIMING`` names a file, the run writes there: the session's
duration (``pytest_sessionstart`` to ``pytest_sessionfinish``), how long collection
took, and per test the summed setup + call + teardown duration and the outcome. Under
xdist only the controller writes (it receives every worker's reports).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

_state: dict[str, Any] = {"tests": {}, "deselected": 0}


def _enabled(config: pytest.Config) -> bool:
    return bool(os.environ.get("AUTHCONFORM_BENCH_TIMING")) and not hasattr(
        config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    _state["start"] = time.perf_counter()


def pytest_collection_finish(session: pytest.Session) -> None:
    _state["collected"] = time.perf_counter()


def pytest_deselected(items: list[pytest.Item]) -> None:
    _state["deselected"] += len(items)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    test = _state["tests"].setdefault(report.nodeid, {"duration": 0.0, "outcome": "passed"})
    test["duration"] += report.duration
    if report.failed:
        test["outcome"] = "error" if report.when != "call" else "failed"
    elif report.skipped and test["outcome"] == "passed":
        test["outcome"] = "skipped"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _enabled(session.config):
        return
    end = time.perf_counter()
    start = _state.get("start", end)
    counts: dict[str, int] = {"deselected": _state["deselected"]}
    for test in _state["tests"].values():
        counts[test["outcome"]] = counts.get(test["outcome"], 0) + 1
    doc = {
        "session_s": end - start,
        "collect_s": _state["collected"] - start if "collected" in _state else None,
        "tests": _state["tests"],
        "counts": counts,
        "exitstatus": int(exitstatus),
    }
    Path(os.environ["AUTHCONFORM_BENCH_TIMING"]).write_text(json.dumps(doc), encoding="utf-8")
