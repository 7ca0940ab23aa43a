"""``authconform mutants``: run the conformance suite against every mutant.

One pytest session collects the scenarios once. Its run loop is then replaced: the
reference simulator runs every scenario (and must pass them all), and each mutant runs
the scenarios tagged with its requirement first, then the rest, stopping at the first
failure. With ``--workers N`` the jobs go to N worker processes forked from the
collected session (copy-on-write: no re-import, no re-collection), which take the next
job as they finish.

A mutant is *killed* when a scenario fails on an assertion. A scenario that only errors
(the target broke, a step is missing) does not count: such a mutant is reported with
status ``error`` and is not counted as caught.

With ``--seeds A-B`` the reference and every mutant run once per seed (each job on its
own seed, so the workers share them all). A mutant counts as killed only when it is
killed on every seed, and the reference must pass on every seed: a verdict that flips
with the seed is a fault of the suite, and the report names the seeds it flipped on
(``survived_on`` of each mutant, ``seed_dependent``).

Writes ``mutants.json`` and ``mutants.md`` into the report directory. Exit 0 when the
reference passes and every mutant is killed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from authconform.alterations.mutants import MUTANTS
from authconform.gate.pytest_args import SUITE_PLUGIN_ARGS
from authconform.proof import catalogue_cli

T = TypeVar("T")
R = TypeVar("R")

REPO = Path(__file__).resolve().parents[2]
SUITE = "features"


@dataclass
class MutantResult:
    """One mutant on one seed or, from ``combine``, on every seed of the run."""

    name: str
    requirement: str
    description: str
    killed: bool
    killing_scenarios: list[str]
    seconds: float
    status: str  # "killed", "survived" or "error"
    scenarios_run: int = 0
    errored_scenarios: list[str] = field(default_factory=list)
    by_requirement_tag: bool = False  # killed by a scenario tagged with its requirement
    failure: str = ""  # the first lines of the killing failure
    seed: int | None = None  # the seed of this run (None once combined)

    @classmethod
    def combine(cls, runs: list[MutantResult]) -> dict[str, Any]:
        """The report entry of one mutant run on several seeds: killed only if killed on
        every one; ``seeds`` and ``by_seed`` (each seed's own result), and
        ``survived_on`` (the seeds it was not killed on)."""
        first = runs[0]
        killed_runs = [r for r in runs if r.killed]
        missed = [r for r in runs if not r.killed]
        status = ("killed" if not missed else
                  "survived" if any(r.status == "survived" for r in missed) else "error")
        entry = asdict(cls(
            first.name, first.requirement, first.description, not missed,
            _unique(n for r in killed_runs for n in r.killing_scenarios),
            round(sum(r.seconds for r in runs), 2), status,
            sum(r.scenarios_run for r in runs),
            _unique(n for r in runs for n in r.errored_scenarios),
            bool(killed_runs) and all(r.by_requirement_tag for r in killed_runs),
            killed_runs[0].failure if killed_runs else ""))
        del entry["seed"]
        entry["seeds"] = [r.seed for r in runs]
        entry["survived_on"] = [r.seed for r in missed]
        entry["by_seed"] = [{k: v for k, v in asdict(r).items()
                             if k not in ("name", "requirement", "description")}
                            for r in runs]
        return entry


def _unique(names: Iterable[str]) -> list[str]:
    """Each name once, in the order first seen."""
    return list(dict.fromkeys(names))


@dataclass
class ReferenceResult:
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    errored: list[str] = field(default_factory=list)
    not_applicable: int = 0
    seconds: float = 0.0
    seed: int | None = None

    @property
    def ok(self) -> bool:
        return self.passed > 0 and not self.failed and not self.errored

    @classmethod
    def merge(cls, parts: list[ReferenceResult]) -> ReferenceResult:
        """One result from the slices of the reference run (seconds: their sum)."""
        seeds = {p.seed for p in parts}
        return cls(sum(p.passed for p in parts), [n for p in parts for n in p.failed],
                   [n for p in parts for n in p.errored],
                   sum(p.not_applicable for p in parts),
                   round(sum(p.seconds for p in parts), 2),
                   seeds.pop() if len(seeds) == 1 else None)


# The collected session, seen by forked workers (set before the pool forks).
_SESSION: MutationSession | None = None


def _classify(reports: list[pytest.TestReport]) -> tuple[str, str]:
    """'passed', 'failed' (an assertion), 'error' or 'skipped', and a short detail."""
    outcome, detail = "passed", ""
    for report in reports:
        if report.failed:
            assertion = report.when == "call" and getattr(report, "authconform_assertion",
                                                          False)
            text = str(report.longrepr).strip().splitlines()
            detail = "\n".join(text[-3:])[:500]
            return ("failed" if assertion else "error"), detail
        if report.skipped:
            outcome = "skipped"
    return outcome, detail


class MutationSession:
    """A pytest plugin object that replaces the run loop with the mutation run."""

    def __init__(self, names: Sequence[str], workers: int, seeds: Sequence[int] = (0,)):
        self.names = list(names)
        self.workers = workers
        self.seeds = list(seeds)
        self.items: list[pytest.Item] = []
        self.config: pytest.Config | None = None
        self.base: Any = None  # the session's TargetConfig; each job sets its own seed
        self.reference: ReferenceResult | None = None
        self.references: list[ReferenceResult] = []  # one per seed
        self.results: list[list[MutantResult]] = []  # per mutant, one per seed
        self.collection_failed = False

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees the final report
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Iterator[Any]:
        report: Any = yield
        report.authconform_assertion = (call.excinfo is not None
                                        and call.excinfo.errisinstance(AssertionError))
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.begin(session)
        # The reference is the longest job: it goes first, in slices, so that every
        # worker shares it; the mutants (mostly one or two scenarios each) follow.
        slices = max(1, self.workers * 2) if self.workers > 1 else 1
        jobs: list[tuple[str | None, int, int, int]] = [
            (None, seed, i, slices) for seed in self.seeds for i in range(slices)]
        jobs += [(name, seed, 0, 1) for name in self.names for seed in self.seeds]
        outcomes = self.map(_run_job, jobs)
        parts = len(self.seeds) * slices
        self.references = [ReferenceResult.merge(outcomes[i:i + slices])  # type: ignore[arg-type]
                           for i in range(0, parts, slices)]
        self.reference = ReferenceResult.merge(self.references)
        per_mutant = len(self.seeds)
        self.results = [outcomes[i:i + per_mutant]  # type: ignore[misc]
                        for i in range(parts, len(outcomes), per_mutant)]
        return True

    def begin(self, session: pytest.Session) -> None:
        """Keep what the jobs need of the collected session (before any worker forks)."""
        global _SESSION
        from authconform.gate import plugin

        self.config = session.config
        self.items = list(session.items)
        self.collection_failed = bool(session.testsfailed)
        self.base = self.config.stash[plugin._CONFIG]
        _SESSION = self

    def map(self, function: Callable[[T], R], jobs: Sequence[T]) -> list[R]:
        """``function`` over ``jobs``, in order: here, or in worker processes forked from
        this collected session (so no worker collects the scenarios again)."""
        if self.workers <= 1 or len(jobs) <= 1:
            return [function(job) for job in jobs]
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=self.workers) as pool:
            return list(pool.imap(function, jobs, chunksize=1))

    # ---------------------------------------------------------------- one job
    def _start(self, seed: int, mutant: str | None = None,
               options: dict[str, Any] | None = None) -> None:
        """Point the adapter, and the target fixture's scenario seeds, at this job."""
        from authconform.gate import plugin

        assert self.config is not None
        adapter = self.config.stash[plugin._ADAPTER]
        config = dataclasses.replace(self.base, seed=seed, mutant=mutant,
                                     options={**self.base.options, **(options or {})})
        self.config.stash[plugin._CONFIG] = config
        adapter.start(config)

    def _run(self, item: pytest.Item) -> tuple[str, str]:
        from _pytest.runner import runtestprotocol

        return _classify(runtestprotocol(item, log=False, nextitem=None))

    def run_reference(self, seed: int, part: int = 0, parts: int = 1) -> ReferenceResult:
        started = time.perf_counter()
        self._start(seed)
        result = ReferenceResult(seed=seed)
        for item in self.items[part::parts]:
            outcome, _ = self._run(item)
            if outcome == "passed":
                result.passed += 1
            elif outcome == "failed":
                result.failed.append(item.nodeid)
            elif outcome == "error":
                result.errored.append(item.nodeid)
            else:
                result.not_applicable += 1
        result.seconds = round(time.perf_counter() - started, 2)
        return result

    def run_mutant(self, name: str, seed: int) -> MutantResult:
        started = time.perf_counter()
        mutant = MUTANTS[name]
        self._start(seed, name)
        tagged = [i for i in self.items
                  if any(m.name == mutant.requirement for m in i.iter_markers())]
        rest = [i for i in self.items if i not in tagged]
        errored: list[str] = []
        run = 0
        for group, item in [(True, i) for i in tagged] + [(False, i) for i in rest]:
            run += 1
            outcome, detail = self._run(item)
            if outcome == "failed":
                return MutantResult(name, mutant.requirement, mutant.description, True,
                                    [item.nodeid], round(time.perf_counter() - started, 2),
                                    "killed", run, errored, group, detail, seed)
            if outcome == "error":
                errored.append(item.nodeid)
        return MutantResult(name, mutant.requirement, mutant.description, False, [],
                            round(time.perf_counter() - started, 2),
                            "error" if errored else "survived", run, errored, seed=seed)


def _run_job(job: tuple[str | None, int, int, int]) -> MutantResult | ReferenceResult:
    assert _SESSION is not None
    name, seed, part, parts = job
    if name is None:
        return _SESSION.run_reference(seed, part, parts)
    return _SESSION.run_mutant(name, seed)


def run_session(session: MutationSession, *, suite: str, seed: int,
                extra: Sequence[str]) -> tuple[int, float]:
    """One quiet pytest session over the simulator from the repository root, with
    ``session`` taking over its run loop: pytest's exit code and the wall time. ``seed``
    is the session's; each job then runs on the seed it names."""
    # The jobs read each scenario's outcome and its assertion text only: output capture
    # and log capture per test phase (a tenth of a scenario's cost) keep nothing read.
    args = [suite, "-qq", "-p", "no:cacheprovider", *SUITE_PLUGIN_ARGS, "--no-header",
            "--no-summary", "--capture=no", "-p", "no:logging", "--sut", "sim",
            "--seed", str(seed), *extra]
    started = time.perf_counter()
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        exit_code = int(pytest.main(args, plugins=[session]))
    finally:
        os.chdir(cwd)
    return exit_code, round(time.perf_counter() - started, 2)


def run(names: Sequence[str], *, seeds: Sequence[int], workers: int, suite: str = SUITE,
        extra: Sequence[str] = ()) -> dict[str, Any]:
    """Collect once, run the reference and every mutant on every seed, and return the
    report."""
    session = MutationSession(names, workers, seeds)
    exit_code, wall = run_session(session, suite=suite, seed=seeds[0], extra=extra)
    reference = session.reference or ReferenceResult()
    mutants = [MutantResult.combine(runs) for runs in session.results]
    reference_passed = (bool(session.references) and all(r.ok for r in session.references)
                        and not session.collection_failed and exit_code in (0, 5))
    return {
        "total": len(mutants),
        "killed": sum(m["killed"] for m in mutants),
        "survivors": [m["name"] for m in mutants if not m["killed"]],
        "errors": [m["name"] for m in mutants if m["status"] == "error"],
        # killed on some seeds and not on others: the suite's fault, never the mutant's
        "seed_dependent": [m["name"] for m in mutants
                           if m["survived_on"] and len(m["survived_on"]) < len(m["seeds"])],
        "reference_passed": reference_passed,
        "reference": ({k: v for k, v in asdict(reference).items() if k != "seed"}
                      | {"scenarios": len(session.items)}),
        "reference_by_seed": [asdict(r) for r in session.references],
        "seed": seeds[0],
        "seeds": list(seeds),
        "workers": workers,
        "wall_seconds": wall,
        "pytest_exit_code": exit_code,
        "mutants": mutants,
    }


def seeds_said(seeds: Sequence[int]) -> str:
    """'seed: 4', or 'seeds: 1-30 (30)' for a sweep."""
    if len(seeds) == 1:
        return f"seed: {seeds[0]}"
    return f"seeds: {seeds[0]}-{seeds[-1]} ({len(seeds)})"


def render_markdown(doc: dict[str, Any]) -> str:
    ref = doc["reference"]
    lines = [
        "# Mutant run",
        "",
        f"- reference: {'passed' if doc['reference_passed'] else 'FAILED'} "
        f"({ref['passed']} passed, {len(ref['failed'])} failed, {len(ref['errored'])} "
        f"errors, {ref['not_applicable']} not applicable; {ref['seconds']} s)",
        f"- killed: {doc['killed']} of {doc['total']}",
        f"- survivors: {', '.join(doc['survivors']) or 'none'}",
        f"- seed-dependent: {', '.join(doc['seed_dependent']) or 'none'}",
        f"- {seeds_said(doc['seeds'])}; workers: {doc['workers']}; wall time: "
        f"{doc['wall_seconds']} s",
    ]
    for r in doc["reference_by_seed"]:
        if r["failed"] or r["errored"]:
            lines.append(f"- reference on seed {r['seed']}: failed "
                         f"{', '.join(f'`{n}`' for n in r['failed'] + r['errored'])}")
    lines += [
        "",
        "| mutant | requirement | status | not killed on seeds | killed by | scenarios run "
        "| seconds | description |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in doc["mutants"]:
        killer = m["killing_scenarios"][0] if m["killing_scenarios"] else (
            f"(errors: {m['errored_scenarios'][0]})" if m["errored_scenarios"] else "-")
        missed = ", ".join(str(s) for s in m["survived_on"]) or "-"
        lines.append(f"| {m['name']} | {m['requirement']} | {m['status']} | {missed} | "
                     f"`{killer}` | {m['scenarios_run']} | {m['seconds']} | "
                     f"{m['description']} |")
    return "\n".join(lines) + "\n"


def main(args: Sequence[str] | None = None) -> int:
    asked = catalogue_cli.parse(
        args, noun="mutant", catalogue=MUTANTS,
        columns=lambda m: (f"{m.requirement:<17}", m.description), report_dir=REPO / "reports",
        suite=SUITE, description="run the conformance scenarios against every mutant of "
                                 "the simulator")
    if isinstance(asked, int):
        return asked
    doc, json_path, md_path = catalogue_cli.run_and_write(asked, run, "mutants",
                                                          render_markdown)
    ref = doc["reference"]
    print(f"reference {'passed' if doc['reference_passed'] else 'FAILED'} "
          f"({ref['passed']} scenarios); killed {doc['killed']}/{doc['total']} in "
          f"{doc['wall_seconds']} s")
    for failed in ref["failed"] + ref["errored"]:
        print(f"  reference did not pass: {failed}")
    for result in doc["mutants"]:
        if not result["killed"]:
            seeds = ("" if len(result["seeds"]) == 1 else
                     f" on seeds {', '.join(str(s) for s in result['survived_on'])}")
            print(f"  {result['status']}{seeds}: {result['name']} ({result['requirement']}): "
                  f"{result['description']}")
    print(f"wrote {json_path} and {md_path}")
    return 0 if doc["reference_passed"] and not doc["survivors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
