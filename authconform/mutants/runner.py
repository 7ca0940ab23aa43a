"""``authconform mutants``: run the conformance suite against every mutant.

The reference simulator runs once and must pass in full. Each mutant then runs in its
own forked process (the parent has already imported pytest, pytest-bdd and the
simulator, so a worker starts in milliseconds): first only the scenarios tagged with
the mutant's requirement, then, if none of those failed, the rest; both stop at the
first failure (``-x``). A mutant is *killed* when a scenario fails on an assertion; a
scenario that only *errors* (the target broke) does not count, so a mutant that merely
crashes the harness is reported as ``error``, not as caught.

Writes ``mutants.json`` and ``mutants.md`` into the report directory; exit 0 when the
reference passes and every mutant is killed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from authconform.mutants.catalogue import MUTANTS, Mutant

REPO = Path(__file__).resolve().parents[2]
SUITE = "steps"


@dataclass
class SuiteRun:
    """One pytest run in a worker: what failed, what errored, how long it took."""

    exit_code: int
    failed: list[str] = field(default_factory=list)  # assertion failures (call phase)
    errored: list[str] = field(default_factory=list)  # anything else that went wrong
    passed: int = 0
    seconds: float = 0.0


@dataclass
class MutantResult:
    name: str
    requirement: str
    description: str
    killed: bool
    killing_scenarios: list[str]
    seconds: float
    status: str  # "killed", "survived" or "error"
    errored_scenarios: list[str] = field(default_factory=list)
    by_requirement_tag: bool = False  # killed by a scenario tagged with its requirement


class _Collector:
    """A pytest plugin object: sorts failing scenarios into failures and errors."""

    def __init__(self) -> None:
        self.run = SuiteRun(exit_code=-1)

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees the final report
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Iterator[Any]:
        report = yield
        if report.passed and call.when == "call":
            self.run.passed += 1
        elif report.failed:
            assertion = (call.when == "call" and call.excinfo is not None
                         and call.excinfo.errisinstance(AssertionError))
            bucket = self.run.failed if assertion else self.run.errored
            if item.nodeid not in bucket:
                bucket.append(item.nodeid)
        return report


def _pytest_args(seed: int, mutant: str | None, marker: str | None, stop_first: bool,
                 extra: Sequence[str]) -> list[str]:
    args = [SUITE, "-q", "-p", "no:cacheprovider", "--sut", "sim", "--seed", str(seed)]
    if mutant:
        args += ["--mutant", mutant]
    if marker:
        args += ["-m", marker]
    if stop_first:
        args.append("-x")
    return args + list(extra)


def run_suite(args: list[str], log: Path | None) -> SuiteRun:
    """Run pytest in this process (a forked worker), output to ``log``."""
    os.chdir(REPO)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    collector = _Collector()
    started = time.perf_counter()
    collector.run.exit_code = int(pytest.main(args, plugins=[collector]))
    collector.run.seconds = time.perf_counter() - started
    sys.stdout.flush()
    return collector.run


def _mutant_job(job: tuple[str, int, str | None, list[str]]) -> MutantResult:
    name, seed, log_dir, extra = job
    mutant = MUTANTS[name]
    started = time.perf_counter()
    log = Path(log_dir) / f"{name}.log" if log_dir else None
    first = run_suite(_pytest_args(seed, name, mutant.requirement, True, extra), log)
    runs = [first]
    if not first.failed:
        log2 = log.with_suffix(".rest.log") if log else None
        runs.append(run_suite(_pytest_args(seed, name, f"not {mutant.requirement}", True,
                                           extra), log2))
    failed = [n for r in runs for n in r.failed]
    errored = [n for r in runs for n in r.errored]
    status = "killed" if failed else ("error" if errored else "survived")
    return MutantResult(name, mutant.requirement, mutant.description, bool(failed), failed,
                        round(time.perf_counter() - started, 2), status, errored,
                        by_requirement_tag=bool(first.failed))


def _reference_job(job: tuple[int, str | None, list[str]]) -> SuiteRun:
    seed, log_dir, extra = job
    log = Path(log_dir) / "reference.log" if log_dir else None
    return run_suite(_pytest_args(seed, None, None, False, extra), log)


def _preload() -> None:
    """Import what every worker needs once, before forking."""
    import pytest_bdd  # noqa: F401

    import authconform.plugin  # noqa: F401
    import sim.world  # noqa: F401
    from sim import qr

    qr.decode(qr.render("warm-up"))


def run(names: Sequence[str], *, seed: int, workers: int, report_dir: Path,
        extra: Sequence[str] = ()) -> dict[str, Any]:
    """The whole run: the reference alongside the mutants in one pool of forked
    workers (one task per process, so no pytest state carries over)."""
    _preload()
    log_dir = str(report_dir / "mutants")
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(processes=workers, maxtasksperchild=1) as pool:
        reference_async = pool.apply_async(_reference_job, ((seed, log_dir, list(extra)),))
        jobs = [(name, seed, log_dir, list(extra)) for name in names]
        results = pool.map(_mutant_job, jobs, chunksize=1)
        reference = reference_async.get()
    wall = time.perf_counter() - started
    reference_passed = (reference.exit_code == 0 and not reference.failed
                        and not reference.errored and reference.passed > 0)
    survivors = [r.name for r in results if not r.killed]
    return {
        "total": len(results),
        "killed": sum(r.killed for r in results),
        "survivors": survivors,
        "errors": [r.name for r in results if r.status == "error"],
        "reference_passed": reference_passed,
        "reference": {"exit_code": reference.exit_code, "passed": reference.passed,
                      "failed": reference.failed, "errored": reference.errored,
                      "seconds": round(reference.seconds, 2)},
        "seed": seed,
        "workers": workers,
        "wall_seconds": round(wall, 2),
        "mutants": [asdict(r) for r in results],
    }


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# Mutant run",
        "",
        f"- reference: {'passed' if doc['reference_passed'] else 'FAILED'} "
        f"({doc['reference']['passed']} scenarios, {doc['reference']['seconds']} s)",
        f"- killed: {doc['killed']} of {doc['total']}",
        f"- survivors: {', '.join(doc['survivors']) or 'none'}",
        f"- seed: {doc['seed']}; workers: {doc['workers']}; wall time: "
        f"{doc['wall_seconds']} s",
        "",
        "| mutant | requirement | status | killed by | seconds | description |",
        "|---|---|---|---|---|---|",
    ]
    for m in doc["mutants"]:
        killer = m["killing_scenarios"][0] if m["killing_scenarios"] else (
            f"(errors: {m['errored_scenarios'][0]})" if m["errored_scenarios"] else "-")
        lines.append(f"| {m['name']} | {m['requirement']} | {m['status']} | "
                     f"`{killer}` | {m['seconds']} | {m['description']} |")
    return "\n".join(lines) + "\n"


def write_reports(doc: dict[str, Any], report_dir: Path) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / "mutants.json", report_dir / "mutants.md"
    json_path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(doc), encoding="utf-8")
    return json_path, md_path


def _list(out: Any = None) -> None:
    out = out or sys.stdout
    width = max(len(n) for n in MUTANTS)
    for mutant in MUTANTS.values():
        print(f"{mutant.name:<{width}}  {mutant.requirement:<17}  {mutant.description}",
              file=out)


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="authconform mutants",
        description="run the conformance scenarios against every mutant of the simulator")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutants")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report-dir", type=Path, default=REPO / "reports")
    parser.add_argument("--seed", type=int, default=None)
    options, extra = parser.parse_known_args(list(args) if args is not None else None)
    if options.list:
        _list()
        return 0
    names: list[str] = list(options.only or MUTANTS)
    unknown = [n for n in names if n not in MUTANTS]
    if unknown:
        print(f"unknown mutant(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    if options.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    print(f"authconform mutants: {len(names)} mutants, {options.workers} workers, seed {seed} "
          f"(replay with --seed {seed})", flush=True)
    doc = run(names, seed=seed, workers=options.workers, report_dir=options.report_dir,
              extra=extra)
    json_path, md_path = write_reports(doc, options.report_dir)
    print(f"reference {'passed' if doc['reference_passed'] else 'FAILED'}; killed "
          f"{doc['killed']}/{doc['total']} in {doc['wall_seconds']} s")
    for name in doc["survivors"]:
        mutant: Mutant = MUTANTS[name]
        print(f"  survived: {name} ({mutant.requirement}): {mutant.description}")
    print(f"wrote {json_path} and {md_path}")
    return 0 if doc["reference_passed"] and not doc["survivors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
