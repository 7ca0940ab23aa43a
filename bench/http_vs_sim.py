"""Figure 2: what one scenario costs through the HTTP adapter vs in-process.

The same suite, the same seed, ``--sut http`` and ``--sut sim`` interleaved. The
per-scenario figure is the mean of setup + call + teardown over the scenarios that
passed in every run of both (so a scenario the HTTP target cannot do does not make it
look cheap), taken from each run's own reports: the server's start-up, which happens in
``pytest_configure``, is outside it. Start-up is timed on its own, in fresh
interpreters: importing the adapter, ``start()`` (the server up and answering) and
``stop()``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    PytestRun,
    base_env,
    describe_failure,
    interleave,
    median,
    paired_ratios,
    python,
    rounded,
    run_pytest,
)
from bench.suite import suite_args

_STARTUP = """
import json, time
t0 = time.perf_counter()
from authconform.adapters import TargetConfig, load_adapter
adapter = load_adapter({sut!r})
t1 = time.perf_counter()
adapter.start(TargetConfig(seed={seed}))
t2 = time.perf_counter()
target = adapter.new_target(1)
t3 = time.perf_counter()
target.close()
adapter.stop()
t4 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "start_s": t2 - t1, "first_target_s": t3 - t2,
                  "stop_s": t4 - t3}}))
"""


def available() -> str | None:
    """None if the HTTP adapter can be imported, else why not."""
    try:
        if importlib.util.find_spec("authconform.adapters.http") is None:
            return "authconform/adapters/http.py is not there yet"
    except (ImportError, ValueError) as exc:
        return f"authconform.adapters.http: {exc}"
    return None


def startup(sut: str, seed: int) -> dict[str, float] | None:
    proc = subprocess.run([python(), "-c", _STARTUP.format(sut=sut, seed=seed)], cwd=REPO,
                          env=base_env(), capture_output=True, text=True, timeout=300,
                          check=False)
    if proc.returncode != 0:
        return None
    try:
        return dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return None


def run(repetitions: int, seed: int) -> dict[str, Any]:
    why = available()
    if why is not None:
        return {"error": why}
    with tempfile.TemporaryDirectory(prefix="authconform-bench-") as tmp:
        reports = Path(tmp)
        runs = interleave(
            {"sim": lambda: run_pytest(suite_args(seed, sut="sim", report_dir=reports), REPO),
             "http": lambda: run_pytest(suite_args(seed, sut="http", report_dir=reports),
                                        REPO),
             # the same service without its SQLite state file: what persistence costs
             "http_state_off": lambda: run_pytest(
                 suite_args(seed, sut="http", report_dir=reports), REPO,
                 env={"AUTHCONFORM_SUT_STATE": "off"})},
            repetitions, warmup=True)
    starts = interleave({"sim": lambda: startup("sim", seed),
                         "http": lambda: startup("http", seed)},
                        repetitions, warmup=False)
    out: dict[str, Any] = {
        "runs": {name: {"wall_s": [rounded(r.wall_s) for r in rs],
                        "cpu_s": [rounded(r.cpu_s) for r in rs],
                        "session_s": [rounded(r.session_s) for r in rs],
                        "exit_codes": [r.exit_code for r in rs],
                        "counts": rs[-1].counts} for name, rs in runs.items()},
        "startup": starts,
    }
    broken = [r for name in ("sim", "http") for r in runs[name] if not r.usable]
    if broken:
        out["error"] = describe_failure(broken[0])
        return out
    common = _passed_everywhere([*runs["sim"], *runs["http"]])
    out["scenarios_compared"] = len(common)
    out["scenarios_not_compared"] = sorted(
        (set(runs["sim"][0].tests) | set(runs["http"][0].tests)) - set(common))[:50]
    if not common:
        out["error"] = "no scenario passed in every run of both targets"
        return out
    sim_each = [r.per_test_s(common) for r in runs["sim"]]
    http_each = [r.per_test_s(common) for r in runs["http"]]
    out["inprocess_per_scenario_ms"] = rounded(1000 * (median(sim_each) or 0), 3)
    out["http_per_scenario_ms"] = rounded(1000 * (median(http_each) or 0), 3)
    out["http_vs_inprocess_ratio"] = rounded(median(paired_ratios(http_each, sim_each)), 3)
    if not all(r.usable for r in runs["http_state_off"]):
        out["http_state_off_error"] = describe_failure(
            next(r for r in runs["http_state_off"] if not r.usable))
        return _with_startup(out, starts)
    # its own comparison set: without a state file the service cannot restart
    common_off = _passed_everywhere([*runs["sim"], *runs["http_state_off"]])
    off_each = [r.per_test_s(common_off) for r in runs["http_state_off"]]
    sim_off = [r.per_test_s(common_off) for r in runs["sim"]]
    out["http_state_off_scenarios_compared"] = len(common_off)
    out["http_state_off_per_scenario_ms"] = rounded(1000 * (median(off_each) or 0), 3)
    out["http_state_off_vs_inprocess_ratio"] = rounded(
        median(paired_ratios(off_each, sim_off)), 3)
    return _with_startup(out, starts)


def _with_startup(out: dict[str, Any], starts: dict[str, list[Any]]) -> dict[str, Any]:
    http_starts = [s for s in starts["http"] if s]
    if http_starts:
        out["http_startup_s"] = rounded(median(
            [s["import_s"] + s["start_s"] for s in http_starts]))
        out["http_startup_parts_s"] = {k: rounded(median([s[k] for s in http_starts]))
                                       for k in http_starts[0]}
    sim_starts = [s for s in starts["sim"] if s]
    if sim_starts:
        out["sim_startup_s"] = rounded(median([s["import_s"] + s["start_s"]
                                               for s in sim_starts]))
    return out


def _passed_everywhere(runs: list[PytestRun]) -> list[str]:
    ids = [n for n, t in runs[0].tests.items() if t["outcome"] == "passed"]
    return [n for n in ids
            if all(r.tests.get(n, {}).get("outcome") == "passed" for r in runs[1:])]
