"""One broken behaviour, one failing requirement: measured over the mutant catalogue.

A mutant breaks one documented behaviour (``authconform/alterations/mutants/`` names its
``requirement``). When the whole conformance suite runs against it, that requirement
should be the only one that fails: scenarios that merely lean on the broken behaviour
(a Given or When step, see ``authconform/gate/preconditions.py``) are *blocked* by it, not
failed. Then one waiver, for the mutant's own requirement, is enough to waive it.

For each mutant (all of them, or the names given) this runs the full suite once,

    python -m authconform.cli run --mutant NAME --no-html --seed 7 --report-dir DIR/NAME \
        --waivers DIR/NAME.waivers.yml

with a waiver for the mutant's own requirement only, and reads ``DIR/NAME/conformance.json``:

* ``failed``: the requirements whose status is ``failed``, plus the own requirement if it
  is ``waived`` (a waiver only applies to a failed requirement). The target is
  ``failed == [own]`` ("exact").
* ``blocked``: the requirements whose status is ``blocked`` (if the plugin reports that
  status), for information.
* ``verdict``: with that one waiver, ``non-conformant`` means the waiver was not enough
  (another gated requirement failed, a blocked one has a blocker left unwaived, or the
  waiver is stale because the own requirement did not fail). The target is any other
  verdict ("waivable").

Usage (from the repository root; several mutants in parallel with ``--workers``, but
the machines have 2 cores and a full run takes 30-60 s)::

    .venv/bin/python -m bench.one_failure                      # every mutant
    .venv/bin/python -m bench.one_failure order_lost no_auto_upload --workers 2
    .venv/bin/python -m bench.one_failure --report-dir /tmp/one --json /tmp/one.json
    .venv/bin/python -m bench.one_failure --from-dir /tmp/one  # re-read, run nothing

One line per mutant as it finishes, then the two counts and how many requirements a
mutant fails: the mean and the worst over the mutants that ran (targets: mean <= 1.3,
worst <= 2; the figures are in the README). ``--json`` writes every
mutant's record. The seed is fixed (``--seed``, default 7) and printed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WAIVER = """- requirement: {requirement}
  reason: "bench.one_failure: the mutant {name} breaks this requirement on purpose"
  owner: bench
  expires: 2099-01-01
"""


@dataclass
class Record:
    name: str
    own: str
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    verdict: str | None = None
    reasons: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.error is None and self.failed == [self.own]

    @property
    def waivable(self) -> bool:
        return self.error is None and self.verdict not in (None, "non-conformant")

    def line(self) -> str:
        if self.error:
            return f"{self.name:44} {self.own:18} ERROR {self.error}"
        extra = [r for r in self.failed if r != self.own]
        mark = "ok " if self.exact else ("OWN-NOT-FAILED" if self.own not in self.failed
                                         else "extra")
        return (f"{self.name:44} {self.own:18} {mark:5} verdict={self.verdict} "
                f"extra={extra} blocked={len(self.blocked)}")


def read(name: str, own: str, report_dir: Path) -> Record:
    record = Record(name, own)
    path = report_dir / "conformance.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        record.error = f"no readable {path}: {exc}"
        return record
    for req in doc.get("requirements", []):
        status = req.get("status")
        if status == "failed" or (status == "waived" and req.get("id") == own):
            record.failed.append(req["id"])
        elif status == "blocked":
            record.blocked.append(req["id"])
    record.failed.sort()
    record.blocked.sort()
    record.verdict = doc.get("verdict")
    record.reasons = list(doc.get("reasons", []))
    return record


def run_one(name: str, own: str, out: Path, seed: int, waive: bool) -> Record:
    report_dir = out / name
    # The interpreter running this bench, on this checkout (not an installed script, which
    # may import another tree).
    command = [sys.executable, "-m", "authconform.cli", "run", "--mutant", name,
               "--no-html", "--seed", str(seed), "--report-dir", str(report_dir)]
    if waive:
        waivers = out / f"{name}.waivers.yml"
        waivers.write_text(WAIVER.format(requirement=own, name=name), encoding="utf-8")
        command += ["--waivers", str(waivers)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False,
                          env=env)
    record = read(name, own, report_dir)
    if record.error and proc.returncode not in (0, 1):
        record.error = f"exit {proc.returncode}: {(proc.stdout + proc.stderr)[-400:]}"
    return record


def summary(records: list[Record]) -> dict[str, Any]:
    done = [r for r in records if r.error is None]
    counts = [len(r.failed) for r in done]
    return {"mutants": len(records), "errors": len(records) - len(done),
            "mean_failed": round(sum(counts) / len(counts), 3) if counts else None,
            "worst_failed": max(counts, default=None),
            "worst": sorted(r.name for r in done if counts and len(r.failed) == max(counts)),
            "exact": sum(r.exact for r in records),
            "waivable": sum(r.waivable for r in records),
            "not_exact": sorted(r.name for r in done if not r.exact),
            "not_waivable": sorted(r.name for r in done if not r.waivable)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.one_failure",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report-dir", type=Path, default=None,
                        help="where each mutant's reports go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="write the records here")
    parser.add_argument("--no-waiver", action="store_true",
                        help="run without the waiver (the 'waivable' count is then moot)")
    parser.add_argument("--from-dir", type=Path, default=None,
                        help="read the reports already in this folder; run nothing")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from authconform.alterations.mutants import MUTANTS

    unknown = [n for n in args.names if n not in MUTANTS]
    if unknown:
        parser.error(f"unknown mutant(s) {unknown}; `authconform mutants --list` names them")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    names = args.names or sorted(MUTANTS)
    records: list[Record] = []
    if args.from_dir is not None:
        records = [read(n, MUTANTS[n].requirement, args.from_dir / n) for n in names]
        for record in records:
            print(record.line(), flush=True)
    else:
        out = args.report_dir or Path(tempfile.mkdtemp(prefix="authconform-one-failure-"))
        out.mkdir(parents=True, exist_ok=True)
        print(f"seed {args.seed}; reports in {out}", flush=True)
        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            futures = [pool.submit(run_one, n, MUTANTS[n].requirement, out, args.seed,
                                   not args.no_waiver) for n in names]
            for future in concurrent.futures.as_completed(futures):
                records.append(future.result())
                print(records[-1].line(), flush=True)
        records.sort(key=lambda r: r.name)
    totals = summary(records)
    print(f"exact (failed == [own]): {totals['exact']}/{totals['mutants']}; "
          f"waivable (one waiver, verdict not non-conformant): "
          f"{totals['waivable']}/{totals['mutants']}; errors: {totals['errors']}")
    print(f"requirements failed per mutant: mean {totals['mean_failed']}, worst "
          f"{totals['worst_failed']} ({', '.join(totals['worst'])})")
    if args.json is not None:
        args.json.write_text(json.dumps({"seed": args.seed, "summary": totals, "mutants": [
            {**asdict(r), "exact": r.exact, "waivable": r.waivable} for r in records]},
            indent=1) + "\n", encoding="utf-8")
    return 0 if totals["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
