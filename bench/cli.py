"""``authconform bench [--quick] [--report-dir reports]``: the benchmarks under bench/.

Writes ``<report-dir>/bench.json`` and ``<report-dir>/bench.md`` (and, with
``--profile``, ``bench-profile.md`` and ``bench-profile.json``). Exit 0 when the
figures were written (a missed target is reported, not failed, unless ``--check``),
1 with ``--check`` when a measured target was missed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authconform bench",
        description="Run the benchmarks under bench/ and write bench.json and bench.md.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (a smoke run, not figures to quote)")
    parser.add_argument("--report-dir", default="reports",
                        help="where bench.json and bench.md go (default: reports)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for the suite runs and the simulator (default: fixed)")
    parser.add_argument("--only", default=None, metavar="FIGURES",
                        help="comma-separated subset of: suite, http, sim, mutants, xdist")
    parser.add_argument("--sizes", default="1,10,100",
                        help="accounts per device for the simulator figure (default: 1,10,100)")
    parser.add_argument("--mutant-workers", type=int, default=2,
                        help="workers for the parallel mutant run (default: 2)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the suite (bench-profile.md, bench-profile.json)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a measured figure misses its target")
    return parser


def _import_bench() -> Any:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench import run

    return run


def main(args: Sequence[str] | argparse.Namespace | None = None) -> int:
    parser = build_parser()
    if isinstance(args, argparse.Namespace):
        # Called with the top-level CLI's parsed options: take what we know, default the rest.
        ns = parser.parse_args([])
        for key, value in vars(args).items():
            if hasattr(ns, key) and value is not None:
                setattr(ns, key, value)
    else:
        try:
            ns = parser.parse_args(list(args) if args is not None else None)
        except SystemExit as exc:
            return int(exc.code or 0) if exc.code in (0, None) else 2
    run = _import_bench()
    try:
        figures = run.parse_figures(ns.only)
        sizes = tuple(int(s) for s in str(ns.sizes).split(",") if s.strip())
        if not sizes or min(sizes) < 1:
            raise ValueError("--sizes needs whole numbers of 1 or more")
    except ValueError as exc:
        print(f"authconform bench: {exc}", file=sys.stderr)
        return 2
    doc = run.main(quick=bool(ns.quick), report_dir=Path(ns.report_dir),
                   seed=ns.seed if ns.seed is not None else run.DEFAULT_SEED,
                   figures=figures, sizes=sizes, mutant_workers=int(ns.mutant_workers))
    sys.stdout.write(run.markdown(doc))
    if ns.profile:
        from bench import profile_suite

        profile_suite.main(["--report-dir", str(ns.report_dir), "--seed", str(doc["seed"])])
    if ns.check and any(t["met"] is False for t in doc["targets"].values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
