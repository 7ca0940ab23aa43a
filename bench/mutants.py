"""Figure 4: wall seconds for the whole mutant run, serial and with parallel workers.

``python -m authconform.proof.mutants --workers 1`` and ``--workers N``, interleaved,
each in a fresh interpreter with its reports in a temporary directory, the same seed for
both. The figure is the subprocess wall clock (what someone running
``authconform mutants`` waits for, interpreter start-up included); the runner's own
``wall_seconds`` and the kill counts go into the details.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, base_env, interleave, median, paired_ratios, python, rounded


def available() -> str | None:
    try:
        if importlib.util.find_spec("authconform.proof.mutants") is None:
            return "authconform/proof/mutants.py is not there yet"
    except (ImportError, ValueError) as exc:
        return f"authconform.proof.mutants: {exc}"
    return None


def run_once(workers: int, seed: int, timeout: float = 3600) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="authconform-bench-mutants-") as tmp:
        command = [python(), "-m", "authconform.proof.mutants", "--workers", str(workers),
                   "--seed", str(seed), "--report-dir", tmp,
                   # the scenario reports of its pytest session: not over reports/
                   "--", "--authconform-report-dir", str(Path(tmp) / "session")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=REPO, env=base_env(), capture_output=True,
                              text=True, timeout=timeout, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            doc = json.loads((Path(tmp) / "mutants.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
    result: dict[str, Any] = {
        "workers": workers, "exit_code": proc.returncode, "wall_s": round(wall, 3),
        "cpu_s": round((after.ru_utime - before.ru_utime)
                       + (after.ru_stime - before.ru_stime), 3),
        "runner_wall_s": doc.get("wall_seconds"), "total": doc.get("total"),
        "killed": doc.get("killed"), "reference_passed": doc.get("reference_passed"),
        "survivors": doc.get("survivors"),
    }
    if not doc:
        result["error"] = (f"runner exited {proc.returncode} without mutants.json: "
                           f"{(proc.stdout + proc.stderr)[-600:]}")
    return result


def run(repetitions: int, seed: int, workers: int) -> dict[str, Any]:
    why = available()
    if why is not None:
        return {"error": why}
    runs = interleave({"serial": lambda: run_once(1, seed),
                       "parallel": lambda: run_once(workers, seed)},
                      repetitions, warmup=False)
    out: dict[str, Any] = {"runs": runs, "parallel_workers": workers}
    broken = [r for rs in runs.values() for r in rs if r.get("error")]
    if broken:
        out["error"] = broken[0]["error"]
        return out
    serial = [r["wall_s"] for r in runs["serial"]]
    parallel = [r["wall_s"] for r in runs["parallel"]]
    out["mutants_wall_s_serial"] = rounded(median(serial), 2)
    out["mutants_wall_s_parallel"] = rounded(median(parallel), 2)
    out["parallel_speedup"] = rounded(median(paired_ratios(serial, parallel)), 3)
    out["mutants"] = runs["parallel"][-1]["total"]
    out["killed"] = runs["parallel"][-1]["killed"]
    return out
