"""How many mutants the explorer finds on its own: ``authconform explore`` (no shrinking,
so detection is what is measured) against every mutant of the catalogue, one fixed seed
and budget, and the reference simulator with the same budget (which must come out clean).

A kill counts when the explorer reports a disagreement. Those charged to a documented
rule (``documented``) and those found only by a robustness rule (``robustness``) are
counted apart: the explorer reports robustness disagreements beside its findings, never
as a documented failure. A crash of the target is counted as ``errors`` (an exception in
a mutant is a finding of sorts, but not the model's).

    python -m bench.explore_kills [--seed 7] [--max-examples 100] [--steps 30]
                                  [--only NAME ...] [--out FILE.json]

The figure is a count, not a time: it does not depend on the machine, only on the seed,
the budget and the catalogue (printed with it so it can be compared between runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_SEED = 7
DEFAULT_EXAMPLES = 100
DEFAULT_STEPS = 30


def _kind(result: Any) -> str:
    if not result.found:
        return "missed"
    if not result.failure.startswith("Disagreement"):
        return "error"
    return "robustness" if getattr(result, "robustness", False) else "documented"


def measure(seed: int = DEFAULT_SEED, max_examples: int = DEFAULT_EXAMPLES,
            steps: int = DEFAULT_STEPS, only: list[str] | None = None) -> dict[str, Any]:
    from authconform.alterations.mutants import MUTANTS
    from authconform.proof.explore import explore

    names = sorted(only or MUTANTS)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    reference = explore("sim", None, seed=seed, max_examples=max_examples, step_count=steps,
                        shrink=False)
    for name in names:
        result = explore("sim", name, seed=seed, max_examples=max_examples,
                         step_count=steps, shrink=False)
        rows.append({"mutant": name, "requirement": MUTANTS[name].requirement,
                     "kind": _kind(result), "charged_to": list(result.requirements),
                     "failure": result.failure[:200], "seconds": round(result.seconds, 2)})
        print(f"{name}: {rows[-1]['kind']} {result.failure[:100]}", file=sys.stderr,
              flush=True)
    count = {kind: sum(1 for r in rows if r["kind"] == kind)
             for kind in ("documented", "robustness", "error", "missed")}
    return {
        "seed": seed, "max_examples": max_examples, "steps": steps,
        "mutants": len(rows),
        "found": count["documented"] + count["robustness"],
        **count,
        "reference_clean": not reference.found,
        "reference_failure": reference.failure,
        "wall_s": round(time.perf_counter() - started, 1),
        "rows": rows,
    }


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explore_kills",
                                     description="mutants the explorer finds on its own")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(args)
    figures = measure(options.seed, options.max_examples, options.steps, options.only)
    text = json.dumps(figures, indent=2)
    if options.out is not None:
        options.out.write_text(text + "\n", encoding="utf-8")
    print(f"explorer found {figures['found']} of {figures['mutants']} mutants on its own "
          f"({figures['documented']} by documented rules, {figures['robustness']} by "
          f"robustness rules; {figures['error']} target errors, {figures['missed']} missed); "
          f"reference clean: {figures['reference_clean']}; seed={figures['seed']} "
          f"budget={figures['max_examples']}x{figures['steps']} ({figures['wall_s']} s)")
    return 0 if figures["reference_clean"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
