"""Run the figures, compare them with the targets, write bench.json and bench.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
DEFAULT_SEED = 20260101
FIGURES = ("suite", "http", "sim", "mutants", "xdist")
FIGURE_TITLES = {
    "suite": "1. suite vs pytest-bdd floor",
    "http": "2. HTTP adapter vs in-process, per scenario",
    "sim": "3. simulator backup + recovery cycles",
    "mutants": "4. mutant run",
    "xdist": "5. suite on 1 and 2 xdist workers",
}
# Every key bench.json promises under "figures", with the figure that fills it.
FIGURE_KEYS: dict[str, str] = {
    "suite_vs_floor_ratio": "suite", "suite_seconds": "suite", "floor_seconds": "suite",
    "scenarios": "suite", "steps": "suite",
    "http_vs_inprocess_ratio": "http", "http_per_scenario_ms": "http",
    "inprocess_per_scenario_ms": "http", "http_startup_s": "http",
    "cycles_per_second": "sim", "cycle_100_vs_10_ratio": "sim", "peak_memory_mib": "sim",
    "mutants_wall_s_serial": "mutants", "mutants_wall_s_parallel": "mutants",
    "suite_wall_s_workers_1": "xdist", "suite_wall_s_workers_2": "xdist",
}


@dataclass(frozen=True)
class Target:
    key: str
    op: str  # "<=" or "<"
    bound: float
    note: str

    def met(self, value: Any) -> bool | None:
        if not isinstance(value, int | float):
            return None
        return value <= self.bound if self.op == "<=" else value < self.bound


# Issue 24: step resolution paid once per distinct step text brings the suite near the
# 3-definition floor; HTTP per scenario within twice the in-process cost.
TARGETS = (
    Target("suite_vs_floor_ratio", "<=", 1.2, "suite wall clock / pytest-bdd floor"),
    Target("http_vs_inprocess_ratio", "<=", 2.0, "per-scenario cost, HTTP / in-process"),
    Target("cycle_100_vs_10_ratio", "<", 12.0, "time per cycle, 100 accounts / 10"),
    Target("mutants_wall_s_parallel", "<", 60.0, "all mutants, parallel workers, wall s"),
)


@dataclass(frozen=True)
class Settings:
    quick: bool = False
    seed: int = DEFAULT_SEED
    figures: tuple[str, ...] = FIGURES
    sizes: tuple[int, ...] = (1, 10, 100)
    mutant_workers: int = 2

    @property
    def suite_rounds(self) -> int:
        return 2 if self.quick else 5

    @property
    def http_rounds(self) -> int:
        return 2 if self.quick else 4

    @property
    def sim_rounds(self) -> int:
        return 2 if self.quick else 5

    @property
    def sim_seconds(self) -> float:
        return 0.3 if self.quick else 1.5

    @property
    def mutant_rounds(self) -> int:
        return 1 if self.quick else 2


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_figures(settings: Settings, log: Callable[[str], None] = _log) -> dict[str, Any]:
    """Run the selected figures; returns the bench.json document."""
    figures: dict[str, Any] = dict.fromkeys(FIGURE_KEYS)
    details: dict[str, Any] = {}
    notes: dict[str, str] = {}
    chosen = set(settings.figures)

    def timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        log(f"figure {FIGURE_TITLES.get(name, name)} ...")
        started = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:  # one broken figure must not lose the others
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result["bench_seconds"] = round(time.perf_counter() - started, 2)
        log(f"  done in {result['bench_seconds']} s"
            + (f" ({result['error'][:200]})" if result.get("error") else ""))
        return result

    if chosen & {"suite", "xdist"}:
        from bench import suite

        result = timed("suite", lambda: suite.run(
            settings.suite_rounds, settings.seed,
            floor="suite" in chosen, xdist="xdist" in chosen))
        details["suite"] = result
        shape = result.get("shape", {})
        if "suite" in chosen:
            figures["scenarios"] = shape.get("scenarios")
            figures["steps"] = shape.get("steps")
            for key in ("suite_vs_floor_ratio", "suite_seconds", "floor_seconds",
                        "suite_vs_floor_cpu_ratio", "suite_vs_mirrored_floor_ratio"):
                figures[key] = result.get(key)
        if "xdist" in chosen:
            figures["suite_wall_s_workers_1"] = result.get("suite_wall_s_workers_1")
            figures["suite_wall_s_workers_2"] = result.get("suite_wall_s_workers_2")
    if "http" in chosen:
        from bench import http_vs_sim

        result = timed("http", lambda: http_vs_sim.run(settings.http_rounds, settings.seed))
        details["http"] = result
        for key in ("http_vs_inprocess_ratio", "http_per_scenario_ms",
                    "inprocess_per_scenario_ms", "http_startup_s",
                    "http_state_off_vs_inprocess_ratio"):
            figures[key] = result.get(key)
    if "sim" in chosen:
        from bench import sim_cycles

        result = timed("sim", lambda: sim_cycles.run(
            settings.sim_rounds, settings.seed, settings.sim_seconds, settings.sizes,
            memory_cycles=3 if settings.quick else 10))
        details["sim"] = result
        for key in ("cycles_per_second", "cycle_100_vs_10_ratio", "peak_memory_mib"):
            figures[key] = result.get(key)
    if "mutants" in chosen:
        from bench import mutants

        result = timed("mutants", lambda: mutants.run(
            settings.mutant_rounds, settings.seed, settings.mutant_workers))
        details["mutants"] = result
        for key in ("mutants_wall_s_serial", "mutants_wall_s_parallel"):
            figures[key] = result.get(key)

    for name in FIGURES:
        if name not in chosen:
            notes[name] = "not run (not selected)"
        elif details.get(name if name != "xdist" else "suite", {}).get("error"):
            notes[name] = str(details[name if name != "xdist" else "suite"]["error"])[:500]
    targets = {
        t.key: {"target": f"{t.op} {t.bound:g}", "bound": t.bound, "value": figures[t.key],
                "met": t.met(figures[t.key]), "what": t.note}
        for t in TARGETS
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "implementation": platform.python_implementation(),
                    "platform": platform.platform()},
        "seed": settings.seed,
        "quick": settings.quick,
        "figures": figures,
        "targets": targets,
        "notes": notes,
        "details": details,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def markdown(doc: dict[str, Any]) -> str:
    f, t = doc["figures"], doc["targets"]
    mark = {True: "met", False: "**missed**", None: "n/a"}

    def target_cell(key: str) -> str:
        return f"{t[key]['target']} ({mark[t[key]['met']]})" if key in t else ""

    rows = [
        ("suite / pytest-bdd floor (wall)", "suite_vs_floor_ratio",
         f"{_fmt(f['suite_seconds'])} s vs {_fmt(f['floor_seconds'])} s; "
         f"{_fmt(f['scenarios'])} scenarios, {_fmt(f['steps'])} steps; CPU ratio "
         f"{_fmt(f.get('suite_vs_floor_cpu_ratio'))}; vs a floor with as many step "
         f"definitions {_fmt(f.get('suite_vs_mirrored_floor_ratio'))}"),
        ("HTTP / in-process per scenario", "http_vs_inprocess_ratio",
         f"{_fmt(f['http_per_scenario_ms'])} ms vs {_fmt(f['inprocess_per_scenario_ms'])} ms;"
         f" server start-up {_fmt(f['http_startup_s'])} s; without its state file "
         f"{_fmt(f.get('http_state_off_vs_inprocess_ratio'))}"),
        ("cycle time, 100 / 10 accounts", "cycle_100_vs_10_ratio",
         f"cycles/s {_fmt(f['cycles_per_second'])}; peak MiB {_fmt(f['peak_memory_mib'])}"),
        ("mutant run, parallel (s)", "mutants_wall_s_parallel",
         f"serial {_fmt(f['mutants_wall_s_serial'])} s"),
        ("suite on 1 / 2 xdist workers (s)", "",
         f"{_fmt(f['suite_wall_s_workers_1'])} / {_fmt(f['suite_wall_s_workers_2'])}"),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"{doc['generated_at']} · {doc['machine']['cpus']} CPUs · Python "
        f"{doc['machine']['python']} · seed {doc['seed']}"
        + (" · quick" if doc.get("quick") else ""),
        "",
        "| figure | value | target | detail |",
        "|---|---|---|---|",
    ]
    for title, key, detail in rows:
        value = _fmt(f.get(key)) if key else ""
        lines.append(f"| {title} | {value} | {target_cell(key)} | {detail} |")
    # Every target, whether or not its figure has a row above, with met / not met.
    lines += ["", "Targets:", ""]
    for key, target in t.items():
        state = {True: "met", False: "NOT MET", None: "not measured"}[target["met"]]
        lines.append(f"- {key} {target['target']}: {_fmt(target['value'])} -> {state}"
                     f" ({target['what']})")
    if doc.get("notes"):
        lines += ["", "Not measured: " + "; ".join(
            f"{FIGURE_TITLES[k]}: {v}" for k, v in doc["notes"].items())]
    return "\n".join(lines) + "\n"


def write_reports(doc: dict[str, Any], report_dir: Path) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / "bench.json", report_dir / "bench.md"
    json_path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(doc), encoding="utf-8")
    return json_path, md_path


def parse_figures(text: str | None) -> tuple[str, ...]:
    if not text:
        return FIGURES
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    return names


def main(quick: bool, report_dir: Path, seed: int = DEFAULT_SEED,
         figures: Sequence[str] = FIGURES, sizes: Sequence[int] = (1, 10, 100),
         mutant_workers: int = 2) -> dict[str, Any]:
    settings = Settings(quick=quick, seed=seed, figures=tuple(figures), sizes=tuple(sizes),
                        mutant_workers=mutant_workers)
    doc = run_figures(settings)
    json_path, md_path = write_reports(doc, report_dir)
    _log(f"wrote {json_path} and {md_path}")
    return doc
