"""Running the explorer: against any adapter (optionally a mutant of the simulator), with
a printed seed so a run replays, and the shrunk counterexample written as a feature."""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test

from authconform import port
from authconform.adapters import TargetConfig, load_adapter, read_options
from authconform.adapters.guard import GuardedTarget
from authconform.gate.pytest_args import SUITE_PLUGIN_ARGS
from authconform.proof.explore.gherkin import feature_text, write_feature
from authconform.proof.explore.machine import Disagreement, Explorer, make_machine

REPO = Path(__file__).resolve().parents[3]
REGRESSIONS = REPO / "features" / "regressions"


# What the explorer's rules use beside the core of the port: a target without one is
# refused up front, naming it, rather than failing part-way through a program.
NEEDED = frozenset({
    port.Capability.CLOCK, port.Capability.NETWORK, port.Capability.SESSIONS,
    port.Capability.STORAGE_MANAGEMENT, port.Capability.STORE_INSPECTION,
    port.Capability.MESSAGES, port.Capability.ADMIN, port.Capability.TRAFFIC,
    port.Capability.DEVICE_INSPECTION})


class CannotExplore(Exception):
    """The target lacks what the explorer needs (a usage problem, exit 2)."""


@dataclass
class ExploreResult:
    adapter: str
    mutant: str | None
    seed: int
    max_examples: int
    step_count: int
    found: bool
    seconds: float
    variant: str | None = None  # a conforming variant of the simulator (adapter option)
    failure: str = ""  # the disagreement or error, as Hypothesis raised it
    requirements: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # the model's rules the target broke
    robustness: bool = False  # only robustness rules broken: not a documented failure
    # robustness rules the target answered otherwise, noted and followed: (rules, detail)
    notes: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    program: list[str] = field(default_factory=list)  # the shrunk steps, as Gherkin
    feature: str | None = None  # the .feature text
    feature_path: Path | None = None

    @property
    def target(self) -> str:
        return (self.adapter + (f"+{self.mutant}" if self.mutant else "")
                + (f" variant {self.variant}" if self.variant else ""))

    def summary(self) -> str:
        noted = (f"; robustness notes beside it: {len(self.notes)}" if self.notes else "")
        if not self.found:
            return (f"explore {self.target} seed={self.seed}: no disagreement in "
                    f"{self.max_examples} programs of up to {self.step_count} steps "
                    f"({self.seconds:.1f} s){noted}")
        what = ("robustness disagreement (a rule the harness adds; not a documented "
                "failure)" if self.robustness else "DISAGREEMENT")
        return (f"explore {self.target} seed={self.seed}: {what} after "
                f"{len(self.program)} steps ({self.seconds:.1f} s): {self.failure}{noted}")


def explore(adapter_name: str = "sim", mutant: str | None = None, seed: int = 0,
            max_examples: int = 200, *, step_count: int = 40, profile: str = "current",
            op_timeout: float = 10.0, write_to: Path | None = None,
            feature_name: str | None = None, shrink: bool = True,
            variant: str | None = None) -> ExploreResult:
    """Explore one target until the model and the target disagree or ``max_examples``
    programs have passed. On a disagreement the shrunk program is turned into a feature
    (written under ``write_to`` when given). ``shrink=False`` only answers whether a
    disagreement exists (much faster); its program is then the unshrunk one."""
    adapter = load_adapter(adapter_name)
    options = read_options(None)
    if variant is not None:
        options["variant"] = variant
    adapter.start(TargetConfig(seed=seed, profile=profile, mutant=mutant,
                               op_timeout=op_timeout, options=options))
    last: list[Explorer] = []

    def new_target() -> GuardedTarget:
        # one world seed for every program: a replayed program meets the same world
        return GuardedTarget(adapter.new_target(seed), op_timeout)

    probe = new_target()
    try:
        missing = NEEDED - frozenset(probe.info.capabilities)
    finally:
        probe.close()
    if missing:
        adapter.stop()
        raise CannotExplore(f"the target {probe.info.name!r} lacks the capabilities the "
                            f"explorer needs: {', '.join(sorted(c.value for c in missing))}")
    machine = make_machine(new_target, profile, on_new=last.append)
    hypothesis_seed(seed)(machine)
    config = settings(max_examples=max_examples, stateful_step_count=step_count,
                      deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                      phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink
                                                                 else []),
                      verbosity=Verbosity.quiet, print_blob=False)
    started = time.perf_counter()
    result = ExploreResult(adapter_name, mutant, seed, max_examples, step_count, False, 0.0,
                           variant=variant)
    try:
        run_state_machine_as_test(machine, settings=config)
    except (Disagreement, port.TargetError, AssertionError, Flaky) as exc:
        result.found = True
        result.failure = f"{type(exc).__name__}: {exc}".splitlines()[0]
        result.requirements = getattr(exc, "requirements", ())
        result.rules = tuple(r.name for r in getattr(exc, "rules", ()))
        result.robustness = bool(getattr(exc, "robustness", False))
        final = last[-1]  # Hypothesis replays the shrunk program last
        result.program = final.script.lines()
        result.feature = _feature(final, result, feature_name)
        if write_to is not None:
            result.feature_path = write_feature(write_to, _name(result, feature_name),
                                                result.feature)
    finally:
        adapter.stop()
        result.seconds = time.perf_counter() - started
        seen: set[tuple[tuple[str, ...], str]] = set()
        for rules, detail, _ in machine.notes:
            if (rules, detail) not in seen and len(seen) < 20:
                seen.add((rules, detail))
                result.notes.append((rules, detail))
    return result


def _name(result: ExploreResult, feature_name: str | None) -> str:
    return feature_name or f"{result.mutant or result.adapter}_seed_{result.seed}"


def _feature(final: Explorer, result: ExploreResult, feature_name: str | None) -> str:
    from authconform.alterations.mutants import MUTANTS

    tags = list(result.requirements)
    tags += sorted({r.split("-")[1].lower() for r in tags if r.count("-") == 2})
    if result.robustness:
        tags.append("robustness")
    found_in = result.adapter
    if result.mutant:
        found_in += f" with mutant {result.mutant}"
        mutant = MUTANTS.get(result.mutant)
        if mutant is not None and mutant.requirement not in tags:
            tags.insert(0, mutant.requirement)
    if not any(t.startswith("REQ-") for t in tags):
        # the gate refuses a scenario that names no requirement: one the explorer cannot
        # attribute is kept, counted apart, until a person tags it (traceability.py)
        tags.append("exploratory")
    steps = final.script.steps
    checks = [s.text for s in steps if s.keyword == "Then"]
    actions = [s.text for s in steps if s.keyword == "When"]
    if checks and checks[-1].startswith("the app answers") and actions:
        title = f"Counterexample: when {actions[-1]}, {checks[-1]}"
    elif checks:
        title = f"Counterexample: {checks[-1]}"
    else:
        title = f"Counterexample: {result.failure.split(': ', 1)[-1][:80]}"
    command = (f"authconform explore --sut {result.adapter}"
               + (f" --mutant {result.mutant}" if result.mutant else "")
               + f" --seed {result.seed}")
    description = [
        f"Found against {found_in} by `{command}`,",
        "then shrunk by Hypothesis. The steps are the explorer's program; each Then is what",
        "the reference model expects at that point.",
        f"What went wrong: {result.failure.split(': ', 1)[-1][:100]}",
        f"Model rules broken: {', '.join(result.rules) or '-'} "
        "(authconform/proof/explore/rules.py).",
    ]
    if result.robustness:
        description.insert(0, "ROBUSTNESS, NOT A DOCUMENTED FAILURE: the rule broken is one "
                           "the harness adds; the documents do not say this.")
    return feature_text(final.script, title=title, tags=tags, description=description)


def seeds_of(text: str) -> list[int]:
    """``"1-20"``, ``"3"`` or ``"1,4,9"``; a clear error for anything else."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            seeds += range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must look like 1-20 or 1,4,9, not {text!r}"
                                         ) from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"no seed in {text!r}")
    return seeds


def sweep(variants: list[str], seeds: list[int], max_examples: int = 50,
          step_count: int = 30, profile: str = "current",
          report: Callable[[ExploreResult], None] | None = None) -> list[ExploreResult]:
    """The explorer against each conforming variant of the simulator for each seed
    (no shrinking: whether a disagreement exists is the question). A conforming variant
    changes only what the documents leave open, so any disagreement is the model's own
    false alarm."""
    results = []
    for name in variants:
        for seed in seeds:
            result = explore("sim", None, seed, max_examples, step_count=step_count,
                             profile=profile, shrink=False, variant=name)
            results.append(result)
            if report is not None:
                report(result)
    return results


def _sweep_main(options: argparse.Namespace) -> int:
    from authconform.alterations.variants import VARIANTS

    names = options.variants or sorted(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"authconform explore: unknown variant(s) {', '.join(unknown)}; known: "
              f"{', '.join(sorted(VARIANTS))}", file=sys.stderr)
        return 2
    print(f"authconform explore: {len(names)} conforming variant(s) x seeds {options.seeds[0]}"
          f"..{options.seeds[-1]} ({len(options.seeds)}), {options.max_examples} programs "
          f"of up to {options.steps} steps each")
    results = sweep(names, options.seeds, options.max_examples, options.steps,
                    options.profile, report=lambda r: print(r.summary(), flush=True))
    bad = [r for r in results if r.found]
    print(f"authconform explore: {len(results) - len(bad)} of {len(results)} runs clean; "
          + ("every variant passes" if not bad else
             "false alarms: " + "; ".join(f"{r.variant} seed {r.seed}" for r in bad)))
    return 1 if bad else 0


def main(args: list[str] | None = None) -> int:
    """``authconform explore [--sut sim] [--mutant NAME | --variant NAME] [--seed N]
    [--max-examples N] [--steps N] [--profile P] [--write-regression]
    [--regressions-dir DIR]``, or the sweep over conforming variants:
    ``authconform explore --variants [NAME ...] [--seeds 1-20]``.

    Exit 0 when no disagreement was found, 1 when one was (and printed), 2 on usage."""
    parser = argparse.ArgumentParser(prog="authconform explore",
                                     description="model-based exploration of a target")
    parser.add_argument("--sut", default="sim", help="target adapter (default: sim)")
    parser.add_argument("--mutant", default=None,
                        help="explore a deliberately faulty simulator variant")
    parser.add_argument("--variant", default=None,
                        help="a conforming variant of the simulator (authconform variants)")
    parser.add_argument("--variants", nargs="*", default=None, metavar="NAME",
                        help="sweep: every conforming variant (or those named) for --seeds")
    parser.add_argument("--seeds", type=seeds_of, default=seeds_of("1-20"),
                        help="the sweep's seeds, e.g. 1-20 (the default) or 1,4,9")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed (default: random, printed)")
    parser.add_argument("--max-examples", type=int, default=200,
                        help="how many action sequences to try (default: 200)")
    parser.add_argument("--steps", type=int, default=40,
                        help="most actions in one sequence (default: 40)")
    parser.add_argument("--profile", default="current", choices=["current", "2019"],
                        help="document profile (default: current)")
    parser.add_argument("--no-shrink", action="store_true",
                        help="stop at the first disagreement without shrinking it")
    parser.add_argument("--write-regression", action="store_true",
                        help="write the counterexample under --regressions-dir")
    parser.add_argument("--regressions-dir", type=Path, default=REGRESSIONS,
                        help="where --write-regression puts the .feature file")
    options = parser.parse_args(args)
    if options.variants is not None:
        if options.mutant or options.variant or options.sut != "sim":
            parser.error("--variants sweeps the simulator's variants: no --mutant, "
                         "--variant or --sut with it")
        if "--max-examples" not in (args if args is not None else sys.argv):
            options.max_examples = 50
        return _sweep_main(options)
    if options.mutant and options.variant:
        parser.error("--mutant and --variant cannot be combined")
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    print(f"authconform explore: sut={options.sut} mutant={options.mutant or '-'} "
          f"variant={options.variant or '-'} seed={seed} (replay with --seed {seed})")
    try:
        result = explore(options.sut, options.mutant, seed, options.max_examples,
                         step_count=options.steps, profile=options.profile,
                         write_to=options.regressions_dir if options.write_regression
                         else None, shrink=not options.no_shrink, variant=options.variant)
    except CannotExplore as exc:
        print(f"authconform explore: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    for rules, detail in result.notes:
        print(f"  robustness note (beside the findings) [{', '.join(rules)}]: {detail}")
    if result.found:
        print(result.feature)
        if result.feature_path:
            print(f"written to {result.feature_path}")
    return 1 if result.found else 0


def conformance_plugins() -> list[str]:
    """The plugins and shared step modules the root conftest.py loads for every feature."""
    if str(REPO) not in sys.path:  # the step modules live in the repository, not the package
        sys.path.insert(0, str(REPO))
    from steps import step_modules

    return ["authconform.gate.plugin", *step_modules()]


def replay_feature(feature: Path | str, *, mutant: str | None = None, seed: int = 0,
                   timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    """Run one .feature (a path or its text) with the shared steps, in a fresh pytest
    process outside the repository's own suite, against the simulator or a mutant."""
    with tempfile.TemporaryDirectory(prefix="authconform-replay-") as tmp:
        folder = Path(tmp)
        text = feature.read_text("utf-8") if isinstance(feature, Path) else feature
        (folder / "replayed.feature").write_text(text, encoding="utf-8")
        (folder / "test_replayed.py").write_text(
            'from pytest_bdd import scenarios\n\nscenarios("replayed.feature")\n',
            encoding="utf-8")
        args = [sys.executable, "-m", "pytest", "test_replayed.py", "-q", "-p",
                "no:cacheprovider", *SUITE_PLUGIN_ARGS, "--rootdir", tmp, "--sut", "sim",
                "--seed", str(seed)]
        for plugin in conformance_plugins():
            args += ["-p", plugin]
        if mutant:
            args += ["--mutant", mutant]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
        return subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
