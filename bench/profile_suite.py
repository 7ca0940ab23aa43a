"""Where the conformance suite's time goes (not a figure: a map for optimising).

``python -m bench.profile_suite [--report-dir reports] [--seed N]`` (or
``authconform bench --profile``) runs the suite against the simulator once under
cProfile, in a subprocess with the benchmarks' pytest flags, and splits the time:

* before the session (interpreter, plugin imports, ``pytest_configure``) from the wall
  clock minus the session the timing plugin saw;
* by component without a profiler (``component_plugin``: timed wrappers around a few
  functions), which gives the real proportions;
* by component under cProfile, *inclusive*: the time spent inside a group of functions counting what
  they call, entered from outside the group (so nested calls are not counted twice
  within a group; groups themselves nest: "world" includes "Faker"). Module bodies
  (imports) are left out of the library groups and reported as "imports";
* the guard's own cost, measured without the profiler: the same port calls through
  ``GuardedTarget`` and straight on the adapter's target, in microseconds per call.

cProfile inflates many small Python calls more than a few C calls, so read the shares,
not the absolute seconds, and the guard's micro-benchmark for its real per-call price.
"""

from __future__ import annotations

import argparse
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import REPO, run_pytest
from bench.run import DEFAULT_SEED
from bench.suite import suite_args

Func = tuple[str, int, str]  # pstats' (file, line, function)

# name -> predicate over (file, line, function). Order is the report's order.
GROUPS: dict[str, Callable[[Func], bool]] = {
    "collection (pytest + pytest-bdd)": lambda f: f[2] == "perform_collect",
    "run loop (all scenarios)": lambda f: f[2] == "pytest_runtestloop",
    "pytest-bdd step lookup": lambda f: f[2] in {"find_fixturedefs_for_step",
                                                  "inject_fixturedefs_for_step"},
    "authconform plugin configure (catalogue, adapter start)":
        lambda f: "authconform/gate/plugin.py" in f[0] and f[2] == "pytest_configure",
    "target fixture (new world + guard)":
        lambda f: "authconform/gate/plugin.py" in f[0] and f[2] == "target",
    "world creation (World.__init__)": lambda f: "sim/world.py" in f[0] and f[2] == "__init__",
    "guard (_Guarded._call incl. the adapter call)":
        lambda f: "adapters/guard.py" in f[0] and f[2] in {"_call", "__getattr__"},
    "guard result checking (check_value)":
        lambda f: "adapters/guard.py" in f[0] and f[2] == "check_value",
    "simulator (sim/*)": lambda f: "/sim/" in f[0] and f[2] != "<module>",
    "Faker": lambda f: "/faker/" in f[0] and f[2] != "<module>",
    "QR render": lambda f: "sim/qr.py" in f[0] and f[2] == "render",
    "QR decode (zxing-cpp, pillow)": lambda f: "sim/qr.py" in f[0] and f[2] == "decode",
    "keys and sealing (sim/crypto.py)": lambda f: "sim/crypto.py" in f[0] and f[2] != "<module>",
    "TOTP (pyotp)": lambda f: "/pyotp/" in f[0] and f[2] != "<module>",
    "report writing (authconform/gate/results.py)":
        lambda f: "authconform/gate/results.py" in f[0] and f[2] != "<module>",
    "verdict (authconform/gate/verdict.py)":
        lambda f: "authconform/gate/verdict.py" in f[0] and f[2] != "<module>",
    "YAML (catalogue, waivers)": lambda f: "/yaml/" in f[0] and f[2] != "<module>",
}


def inclusive(stats: pstats.Stats, member: Callable[[Func], bool]) -> tuple[float, int]:
    """(seconds, calls) spent in the group's functions, entered from outside the group."""
    table: dict[Func, Any] = stats.stats  # type: ignore[attr-defined]
    seconds, calls = 0.0, 0
    for func, (_cc, _nc, _tt, ct, callers) in table.items():
        if not member(func):
            continue
        if not callers:  # a root
            seconds += ct
            continue
        for caller, edge in callers.items():
            if not member(caller):
                seconds += edge[3]
                calls += edge[1]
    return seconds, calls


def guard_overhead(seed: int, repeat: int = 2000) -> dict[str, Any]:
    """Microseconds per port call through the guard and straight on the target."""
    from authconform.adapters.guard import GuardedTarget
    from authconform.adapters.inprocess import SimTarget

    inner = SimTarget(seed=seed)
    guarded = GuardedTarget(inner, 10.0)
    person = inner.world.create_person()
    msa = inner.world.create_microsoft_account(person.id)
    device = inner.world.create_device(person.id, "android", "6.8.0")  # type: ignore[arg-type]
    inner.app.add_personal_account(device, msa.username, msa.password)
    for index in range(3):
        site = inner.world.create_site_account(person.id, f"Site {index}")
        inner.app.enter_code_manually(device, site.issuer, site.username, site.secret)
    calls: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "app.screen": (lambda: inner.app.screen(device), lambda: guarded.app.screen(device)),
        "app.list_accounts (4 entries)": (lambda: inner.app.list_accounts(device),
                                          lambda: guarded.app.list_accounts(device)),
        "world.now": (inner.world.now, lambda: guarded.world.now()),
    }
    out: dict[str, Any] = {}
    for name, (direct, through) in calls.items():
        best = {"direct": float("inf"), "guarded": float("inf")}
        for _ in range(5):
            for label, fn in (("direct", direct), ("guarded", through)):
                started = time.perf_counter()
                for _ in range(repeat):
                    fn()
                best[label] = min(best[label], (time.perf_counter() - started) / repeat)
        out[name] = {"direct_us": round(best["direct"] * 1e6, 2),
                     "guarded_us": round(best["guarded"] * 1e6, 2),
                     "overhead_us": round((best["guarded"] - best["direct"]) * 1e6, 2)}
    return out


def profile(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="authconform-profile-") as tmp:
        prof = Path(tmp) / "suite.prof"
        components_path = Path(tmp) / "components.json"
        plain = run_pytest(["-p", "bench.component_plugin",
                            *suite_args(seed, report_dir=Path(tmp))], REPO,
                           env={"AUTHCONFORM_BENCH_COMPONENTS": str(components_path)})
        try:
            components = json.loads(components_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            components = {}
        profiled = run_pytest(suite_args(seed, report_dir=Path(tmp)), REPO,
                              python_args=["-m", "cProfile", "-o", str(prof)])
        if not prof.is_file():
            return {"error": f"no profile written: {profiled.output_tail[-600:]}"}
        stats = pstats.Stats(str(prof))
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    scenarios = max(1, len(plain.tests))
    groups = {}
    for name, member in GROUPS.items():
        seconds, calls = inclusive(stats, member)
        groups[name] = {"seconds": round(seconds, 3), "share": round(seconds / total, 3),
                        "per_scenario_ms": round(1000 * seconds / scenarios, 3),
                        "calls": calls}
    top = sorted(((f, v[2], v[1]) for f, v in stats.stats.items()),  # type: ignore[attr-defined]
                 key=lambda x: -x[1])[:25]
    return {
        "scenarios": len(plain.tests),
        "unprofiled": {"wall_s": round(plain.wall_s, 3),
                       "session_s": round(plain.session_s or 0, 3),
                       "before_session_s": round(plain.wall_s - (plain.session_s or 0), 3),
                       "collect_s": round(plain.collect_s or 0, 3),
                       "per_scenario_ms": round(1000 * (plain.per_test_s() or 0), 3)},
        "components": {
            name: {"seconds": round(c["seconds"], 3), "calls": c["calls"],
                   "per_scenario_ms": round(1000 * c["seconds"] / scenarios, 3),
                   "share_of_scenario_time": round(
                       c["seconds"] / max(1e-9, sum(t["duration"]
                                                    for t in plain.tests.values())), 3)}
            for name, c in sorted(components.items(), key=lambda kv: -kv[1]["seconds"])},
        "profiled_total_s": round(total, 3),
        "groups": groups,
        "top_own_time": [{"function": f"{Path(f[0]).name}:{f[1]}:{f[2]}",
                          "own_s": round(tt, 4), "calls": n} for f, tt, n in top],
        "guard_microbenchmark": guard_overhead(seed),
    }


def markdown(doc: dict[str, Any]) -> str:
    if "error" in doc:
        return f"# Suite profile\n\n{doc['error']}\n"
    u = doc["unprofiled"]
    lines = [
        "# Suite profile (sim)", "",
        f"{doc['scenarios']} scenarios. Without the profiler: {u['wall_s']} s wall, of which "
        f"{u['before_session_s']} s before the session (interpreter, plugin imports, "
        f"configure), {u['collect_s']} s collection, {u['per_scenario_ms']} ms per scenario "
        "(setup + call + teardown).", "",
        "Components, timed without a profiler (inclusive; the guard's own cost is the "
        "total minus the adapter part):", "",
        "| component | s | calls | ms/scenario | share of scenario time |", "|---|---|---|---|---|",
        *[f"| {name} | {c['seconds']} | {c['calls']} | {c['per_scenario_ms']} | "
          f"{100 * c['share_of_scenario_time']:.1f}% |" for name, c in doc["components"].items()],
        "",
        f"Under cProfile ({doc['profiled_total_s']} s total), inclusive times:", "",
        "| component | s | share | ms/scenario | calls |", "|---|---|---|---|---|",
    ]
    for name, g in doc["groups"].items():
        lines.append(f"| {name} | {g['seconds']} | {100 * g['share']:.1f}% | "
                     f"{g['per_scenario_ms']} | {g['calls']} |")
    lines += ["", "Guard, per call without the profiler:", "",
              "| call | direct µs | guarded µs | overhead µs |", "|---|---|---|---|"]
    for name, g in doc["guard_microbenchmark"].items():
        lines.append(f"| {name} | {g['direct_us']} | {g['guarded_us']} | {g['overhead_us']} |")
    lines += ["", "Top own time:", "", "| function | own s | calls |", "|---|---|---|"]
    for row in doc["top_own_time"][:15]:
        lines.append(f"| `{row['function']}` | {row['own_s']} | {row['calls']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_suite")
    parser.add_argument("--report-dir", default="reports")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    doc = profile(args.seed)
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-profile.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    text = markdown(doc)
    (out / "bench-profile.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if "error" not in doc else 1


if __name__ == "__main__":
    sys.exit(main())

