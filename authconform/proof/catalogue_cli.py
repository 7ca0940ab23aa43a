"""The command line shared by ``authconform mutants`` and ``authconform variants``.

Both run the whole suite against each entry of a catalogue of simulator changes (faults
that must be caught, or conforming choices that must pass); they take the same options,
refuse the same bad input, print the same replay seed and write their report the same
way, so that part lives here once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CatalogueRun:
    names: list[str]  # the entries to run, in catalogue order unless --only says
    seeds: list[int]  # every entry runs the whole suite once per seed
    workers: int
    report_dir: Path
    suite: str
    extra: list[str]  # arguments after --, for pytest
    profile: str = "current"  # the document profile every run is judged under


def parse(args: Sequence[str] | None, *, noun: str, description: str,
          catalogue: Mapping[str, Any], columns: Callable[[Any], Sequence[str]],
          report_dir: Path, suite: str) -> CatalogueRun | int:
    """The run asked for, or an exit code: 0 after --list (one line per entry: its name,
    then ``columns(entry)``), 2 on a usage error."""
    parser = argparse.ArgumentParser(
        prog=f"authconform {noun}s",
        description=f"{description}; arguments after -- go to pytest")
    parser.add_argument("--list", action="store_true", help=f"list the {noun}s and exit")
    parser.add_argument("--only", nargs="+", metavar="NAME", help=f"run only these {noun}s")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="runs at once (default: the number of cores)")
    parser.add_argument("--report-dir", type=Path, default=report_dir,
                        help=f"where the JSON and Markdown results go (default: {report_dir})")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--seed", type=int, default=None,
                        help="seed of every run (default: random, printed)")
    chosen.add_argument("--seeds", metavar="A-B", default=None,
                        help=f"run every {noun} on every seed from A to B: its verdict must "
                             "not depend on the seed")
    parser.add_argument("--profile", choices=("current", "2019"), default="current",
                        help="document profile every run is judged under (default: current)")
    parser.add_argument("--suite", default=suite,
                        help=f"the scenarios to run, relative to the repository (default: "
                             f"{suite})")
    argv = list(args) if args is not None else sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    options = parser.parse_args(argv)
    if options.list:
        width = max(len(name) for name in catalogue)
        for name, entry in catalogue.items():
            print("  ".join([f"{name:<{width}}", *columns(entry)]))
        return 0
    names: list[str] = list(options.only or catalogue)
    unknown = [n for n in names if n not in catalogue]
    if unknown:
        print(f"unknown {noun}(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    if options.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    if options.seeds is not None:
        seeds = seed_range(options.seeds)
        if isinstance(seeds, str):
            print(seeds, file=sys.stderr)
            return 2
        replay = f"--seeds {options.seeds}"
    else:
        seeds = [options.seed if options.seed is not None
                 else random.SystemRandom().randrange(2**31)]
        replay = f"--seed {seeds[0]}"
    said = f"seed {seeds[0]}" if len(seeds) == 1 else f"{len(seeds)} seeds {seeds[0]}-{seeds[-1]}"
    print(f"authconform {noun}s: {len(names)} {noun}s, {options.workers} workers, {said}, "
          f"profile {options.profile} (replay with {replay})", flush=True)
    return CatalogueRun(names, seeds, options.workers, options.report_dir, options.suite,
                        extra, options.profile)


def seed_range(text: str) -> list[int] | str:
    """'1-30' -> [1, ..., 30]; '7' -> [7]. A message instead when the text is not a range
    of non-negative whole numbers, lowest first."""
    found = re.fullmatch(r"\s*(\d+)(?:-(\d+))?\s*", text)
    if found is None:
        return f"--seeds {text!r}: give a range of seeds as A-B, e.g. --seeds 1-30"
    first, last = int(found[1]), int(found[2] or found[1])
    if last < first:
        return f"--seeds {text!r}: A must be no more than B"
    return list(range(first, last + 1))


def run_and_write(asked: CatalogueRun, run: Callable[..., dict[str, Any]], stem: str,
                  render: Callable[[dict[str, Any]], str]
                  ) -> tuple[dict[str, Any], Path, Path]:
    """Run the entries asked for and write the reports: the document and both paths."""
    doc = run(asked.names, seeds=asked.seeds, workers=asked.workers, suite=asked.suite,
              extra=["--profile", asked.profile, *asked.extra])
    doc["profile"] = asked.profile
    return (doc, *write_reports(doc, asked.report_dir, stem, render))


def write_reports(doc: dict[str, Any], report_dir: Path, stem: str,
                  render: Callable[[dict[str, Any]], str]) -> tuple[Path, Path]:
    """``<stem>.json`` and ``<stem>.md`` in the report directory."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / f"{stem}.json", report_dir / f"{stem}.md"
    json_path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render(doc), encoding="utf-8")
    return json_path, md_path
