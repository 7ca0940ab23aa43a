"""``authconform variants``: run the whole suite against every conforming variant.

The mirror of ``authconform mutants``: a mutant must be caught, a variant must pass.
Each variant (``authconform/alterations/variants.py``) changes one thing the documents
leave open, so a suite that fails one is raising a false alarm. The machinery is the
mutant runner's: one pytest session collects the scenarios once, its run loop is
replaced, and with ``--workers N`` the variants go to N worker processes forked from
the collected session. Unlike a mutant, a variant runs every scenario (no stopping at
the first failure): the report lists every scenario it failed.

A variant is *conformant* when no scenario of a documented requirement failed or
errored (the gate's rule, ``authconform/gate/verdict.py``); a failed robustness scenario is
listed too, so a false alarm in the robustness grade does not hide either.

With ``--seeds A-B`` every variant runs the whole suite once per seed; it is conformant
only if it is on every seed, and its entry lists the ``seeds`` it ran and its result on
each (``by_seed``). A variant conformant on one seed and not on another shows a check
that depends on the world's random choices (``seed_dependent``).

Writes ``variants.json`` (``{"variants": [{"name", "description", "verdict",
"failed": [...], "seeds": [...], "by_seed": [{"seed", "verdict", "failed", ...}],
...}], ...}``) and ``variants.md`` into the report directory. Exit 0 when every variant
is conformant with no failed scenario on every seed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

from authconform.alterations.variants import VARIANTS
from authconform.gate import inference, verdict
from authconform.proof import catalogue_cli
from authconform.proof.mutants import REPO, SUITE, MutationSession, run_session, seeds_said
from authconform.spec import readings
from authconform.spec.catalogue import DOCUMENTED, load_catalogue

CONFORMANT, NON_CONFORMANT = "conformant", "non-conformant"


@dataclass
class VariantResult:
    """One variant on one seed or, from ``combine``, on every seed of the run (then the
    lists are unions, the counts and seconds sums)."""

    name: str
    description: str
    verdict: str  # "conformant" or "non-conformant"
    failed: list[str] = field(default_factory=list)  # every scenario that failed or errored
    failed_requirements: list[str] = field(default_factory=list)  # documented ones
    robustness_failed: list[str] = field(default_factory=list)  # robustness ones
    failures: dict[str, str] = field(default_factory=dict)  # scenario -> end of its report
    passed: int = 0
    not_applicable: int = 0
    seconds: float = 0.0
    seed: int | None = None
    # each documented ambiguity: declared, or the reading the variant was found to follow
    readings: dict[str, str] = field(default_factory=dict)
    mixed: list[str] = field(default_factory=list)  # readings it follows none of throughout

    @classmethod
    def combine(cls, runs: list[VariantResult]) -> dict[str, Any]:
        """The report entry of one variant run on several seeds."""
        failures: dict[str, str] = {}
        for r in runs:
            for scenario, detail in r.failures.items():
                failures.setdefault(scenario, detail)
        entry = asdict(cls(
            runs[0].name, runs[0].description,
            CONFORMANT if all(r.verdict == CONFORMANT for r in runs) else NON_CONFORMANT,
            list(dict.fromkeys(n for r in runs for n in r.failed)),
            sorted({q for r in runs for q in r.failed_requirements}),
            sorted({q for r in runs for q in r.robustness_failed}), failures,
            sum(r.passed for r in runs), sum(r.not_applicable for r in runs),
            round(sum(r.seconds for r in runs), 2)))
        # readings: what each seed's run declared or found (a reading found differently
        # on two seeds shows in by_seed); mixed: every seed's contradictions
        entry["readings"] = {k: v for r in runs for k, v in r.readings.items()}
        entry["mixed"] = list(dict.fromkeys(m for r in runs for m in r.mixed))
        del entry["seed"]
        entry["seeds"] = [r.seed for r in runs]
        entry["failing_seeds"] = [r.seed for r in runs if r.verdict != CONFORMANT or r.failed]
        entry["by_seed"] = [{k: v for k, v in asdict(r).items()
                             if k not in ("name", "description", "failures")} for r in runs]
        return entry


_SESSION: VariantSession | None = None


class VariantSession(MutationSession):
    """The mutant run loop's plugin, running whole suites per variant instead."""

    def __init__(self, names: Sequence[str], workers: int, seeds: Sequence[int] = (0,)):
        super().__init__([], workers, seeds)
        self.variant_names = list(names)
        self.variant_results: list[list[VariantResult]] = []  # per variant, one per seed
        catalogue = load_catalogue(REPO / "features" / "requirements.yml")
        self.kinds = {r.id: r.kind for r in catalogue}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        global _SESSION
        self.begin(session)
        _SESSION = self
        # One job per variant and seed, so the workers share a long sweep evenly.
        jobs = [(name, seed) for name in self.variant_names for seed in self.seeds]
        done = self.map(_run_variant, jobs)
        step = len(self.seeds)
        self.variant_results = [done[i:i + step] for i in range(0, len(done), step)]
        return True

    @staticmethod
    def _judge(declared: Any, result: VariantResult,
               ran: Sequence[tuple[pytest.Item, str]]) -> list[verdict.ScenarioResult]:
        """The scenarios' statuses once the undeclared readings are decided
        (authconform.gate.inference); the readings go into the result."""
        status = {"passed": verdict.PASSED, "skipped": verdict.NOT_APPLICABLE,
                  "error": verdict.ERROR}
        records = [verdict.ScenarioResult(
            id=item.nodeid, feature="", name=item.nodeid,
            status=status.get(outcome, verdict.FAILED),
            message=None if outcome == "passed" else outcome,
            readings={r: tuple(v) for r, v in
                      readings.as_tags(m.name for m in item.iter_markers()).items()})
            for item, outcome in ran]
        decisions = inference.decide(records, dict(declared))
        result.readings = {d.reading: d.line() for d in decisions}
        result.mixed = inference.gate_reasons(decisions)
        return inference.apply(records, decisions)

    def _declared(self, ran: Sequence[tuple[pytest.Item, str, str]]) -> Any:
        """The readings the variant's targets declare, read off a target a scenario of
        this run used (a world made only to ask would be one more world per seed)."""
        from authconform.gate import plugin

        for item, _, _ in ran:
            guarded = item.stash.get(plugin._TARGET, None)
            if guarded is not None:
                return guarded.info.readings
        assert self.config is not None
        return self.config.stash[plugin._ADAPTER].new_target(0).info.readings

    def run_variant(self, name: str, seed: int) -> VariantResult:
        started = time.perf_counter()
        self._start(seed, options={"variant": name})
        result = VariantResult(name, VARIANTS[name].description, CONFORMANT, seed=seed)
        documented: set[str] = set()
        ran = [(item, *self._run(item)) for item in self.items]
        # judged like the gate: an undeclared reading is decided from the results
        judged = {s.id: s for s in self._judge(self._declared(ran), result,
                                               [(item, outcome) for item, outcome, _ in ran])}
        for item, _, detail in ran:
            status = judged[item.nodeid].status
            if status == verdict.PASSED:
                result.passed += 1
                continue
            if status == verdict.NOT_APPLICABLE:
                result.not_applicable += 1
                continue
            result.failed.append(item.nodeid)
            result.failures[item.nodeid] = detail
            for req in (m.name for m in item.iter_markers() if m.name.startswith("REQ-")):
                kind = self.kinds.get(req, DOCUMENTED)
                if kind == DOCUMENTED:
                    documented.add(req)
                elif req not in result.robustness_failed:
                    result.robustness_failed.append(req)
        result.failed_requirements = sorted(documented)
        if documented or result.passed == 0 or result.mixed:
            result.verdict = NON_CONFORMANT
        result.robustness_failed.sort()
        result.seconds = round(time.perf_counter() - started, 2)
        return result


def _run_variant(job: tuple[str, int]) -> VariantResult:
    assert _SESSION is not None
    return _SESSION.run_variant(*job)


def run(names: Sequence[str], *, seeds: Sequence[int], workers: int, suite: str = SUITE,
        extra: Sequence[str] = ()) -> dict[str, Any]:
    """Collect once, run every variant on every seed, and return the report."""
    session = VariantSession(names, workers, seeds)
    exit_code, wall = run_session(session, suite=suite, seed=seeds[0], extra=extra)
    results = [VariantResult.combine(runs) for runs in session.variant_results]
    ok = (bool(results) and not session.collection_failed and exit_code in (0, 5)
          and all(r["verdict"] == CONFORMANT and not r["failed"] for r in results))
    return {
        "variants": results,
        "total": len(results),
        "conformant": sum(r["verdict"] == CONFORMANT for r in results),
        "all_passed": ok,
        # conformant on some seeds and not on others: a check that hangs on chance
        "seed_dependent": [r["name"] for r in results
                           if r["failing_seeds"] and len(r["failing_seeds"]) < len(r["seeds"])],
        "scenarios": len(session.items),
        "seed": seeds[0],
        "seeds": list(seeds),
        "workers": workers,
        "wall_seconds": wall,
        "pytest_exit_code": exit_code,
    }


def render_markdown(doc: dict[str, Any]) -> str:
    lines = ["# Variant run", "",
             f"- conformant: {doc['conformant']} of {doc['total']} "
             f"({doc['scenarios']} scenarios each)",
             f"- seed-dependent: {', '.join(doc['seed_dependent']) or 'none'}",
             f"- {seeds_said(doc['seeds'])}; workers: {doc['workers']}; wall time: "
             f"{doc['wall_seconds']} s", "",
             "| variant | verdict | failing seeds | failed | not-applicable | passed "
             "| description |",
             "|---|---|---|---|---|---|---|"]
    for v in doc["variants"]:
        failed = ", ".join(f"`{n}`" for n in v["failed"]) or "-"
        seeds = ", ".join(str(s) for s in v["failing_seeds"]) or "-"
        lines.append(f"| {v['name']} | {v['verdict']} | {seeds} | {failed} | "
                     f"{v['not_applicable']} | {v['passed']} | {v['description']} |")
    found = [(v["name"], said) for v in doc["variants"]
             for said in [*v.get("readings", {}).values(), *v.get("mixed", [])]
             if "declared" not in said]
    if found:  # variants that declare no reading: what the run found them to follow
        lines += ["", "Readings found (undeclared):", ""]
        lines += [f"- {name}: {said}" for name, said in found]
    return "\n".join(lines) + "\n"


def main(args: Sequence[str] | None = None) -> int:
    asked = catalogue_cli.parse(
        args, noun="variant", catalogue=VARIANTS, columns=lambda v: (v.description,),
        report_dir=REPO / "reports",
        suite=SUITE, description="run the conformance scenarios against every conforming "
                                 "variant of the simulator (each must pass)")
    if isinstance(asked, int):
        return asked
    doc, json_path, md_path = catalogue_cli.run_and_write(asked, run, "variants",
                                                          render_markdown)
    for v in doc["variants"]:
        said = f"{v['verdict']}" + (f"; failed: {', '.join(v['failed'])}" if v["failed"] else "")
        if len(v["seeds"]) > 1 and v["failing_seeds"]:
            said += f"; on seeds {', '.join(str(s) for s in v['failing_seeds'])}"
        print(f"  {v['name']}: {said}")
    print(f"{doc['conformant']} of {doc['total']} variants conformant in "
          f"{doc['wall_seconds']} s; wrote {json_path} and {md_path}")
    return 0 if doc["all_passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
