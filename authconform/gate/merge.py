"""``authconform merge DIR...``: combine the report folders of a sharded run.

Each folder comes from ``authconform run --shard K/N`` on one machine. The merge
checks that they are the slices of one run -- same seed, profile, target, selection, gate
options, requirement catalogue and feature files, every slice 1..N exactly once and no
scenario twice -- then judges all scenarios together with the same rules as one run
(``verdict.build_document``) and writes one conformance.json, junit.xml, summary.md,
Allure results and the Allure HTML report. A scenario's seed depends only on the run's
seed and its id, so the merged document equals an unsharded run's in verdict and in
every scenario's status.

Exit codes are those of ``authconform run``; shards that cannot be merged are exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# What must be the same in every shard, by where it sits in conformance.json.
from authconform.gate import exit_codes, verdict
from authconform.gate.document import read_document
from authconform.gate.waivers import Waiver
from authconform.spec.catalogue import Requirement

SAME_IN_EVERY_SHARD: dict[str, Any] = {
    "seed": lambda d: d["seed"],
    "profile": lambda d: d["profile"],
    "target": lambda d: d["target"],
    "selection": lambda d: d["selection"],
    "gate options (--strict, --require-all)": lambda d: d["gate"],
    "requirement catalogue": lambda d: d.get("suite", {}).get("catalogue_sha256"),
    "feature files": lambda d: d.get("suite", {}).get("features_sha256"),
    "requirements": lambda d: [(r["id"], r["level"], r["kind"]) for r in d["requirements"]],
    "waivers": lambda d: sorted(json.dumps(w, sort_keys=True)
                                for ws in d["waivers"].values() for w in ws),
    # the folder's path may differ between machines; what was found in it may not
    "source documents (run --sources)": lambda d: {
        k: v for k, v in d["sources"].items() if k != "dir"} if "sources" in d else None,
}


class MergeError(Exception):
    """The folders are not the slices of one run (exit code 2)."""


def read_shards(dirs: Sequence[Path]) -> list[dict[str, Any]]:
    """The shards' documents, checked to be the slices of one run."""
    docs: list[dict[str, Any]] = []
    for folder in dirs:
        doc, problem = read_document(folder / "conformance.json")
        if doc is None:
            raise MergeError(f"{folder}: no valid conformance.json ({problem})")
        if "shard" not in doc:
            raise MergeError(f"{folder}: not a shard (run with --shard K/N)")
        docs.append(doc)
    check_slices(docs, dirs)
    return docs


def check_slices(docs: Sequence[Mapping[str, Any]], dirs: Sequence[Path]) -> None:
    for what, value in SAME_IN_EVERY_SHARD.items():
        first = value(docs[0])
        for doc, folder in zip(docs[1:], dirs[1:], strict=True):
            if value(doc) != first:
                raise MergeError(f"the shards differ in {what}: {dirs[0]} has "
                                 f"{_short(first)}, {folder} has {_short(value(doc))}")
    counts = {doc["shard"]["count"] for doc in docs}
    if len(counts) > 1:
        raise MergeError(f"the shards were cut in different numbers of slices: "
                         f"{sorted(counts)}")
    count = counts.pop()
    seen: dict[int, Path] = {}
    for doc, folder in zip(docs, dirs, strict=True):
        index = doc["shard"]["index"]
        if index in seen:
            raise MergeError(f"shard {index} of {count} given twice: {seen[index]} and {folder}")
        seen[index] = folder
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise MergeError(f"missing shard(s) {', '.join(map(str, missing))} of {count}")
    owner: dict[str, Path] = {}
    for doc, folder in zip(docs, dirs, strict=True):
        for scenario in doc["scenarios"]:
            if scenario["id"] in owner:
                raise MergeError(f"scenario {scenario['id']!r} is in two shards: "
                                 f"{owner[scenario['id']]} and {folder}")
            owner[scenario["id"]] = folder


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:119] + "…"


def merged_document(docs: Sequence[Mapping[str, Any]], *, today: dt.date,
                    generated_at: dt.datetime) -> dict[str, Any]:
    """One document for all shards, judged by the same rules as one run."""
    first = docs[0]
    catalogue = [Requirement(
        id=r["id"], area=r.get("area", ""), level=r["level"], profiles=(first["profile"],),
        summary=r["summary"], sources=tuple(r["sources"]), kind=r["kind"])
        for r in first["requirements"]]
    scenarios = sorted((verdict.ScenarioResult.from_dict(s) for d in docs for s in d["scenarios"]),
                       key=lambda s: s.id)
    waivers = [Waiver(w["requirement"], w["reason"], w["owner"],
                              dt.date.fromisoformat(w["expires"]))
               for ws in first["waivers"].values() for w in ws]
    target = first["target"]
    run = verdict.RunInfo(
        target_name=target["name"], target_version=target["version"],
        capabilities=tuple(target["capabilities"]), mutant=target.get("mutant"),
        profile=first["profile"], seed=first["seed"], selection=first["selection"],
        # every shard collects every file: one broken file is one error, not N
        collection_errors=tuple(dict.fromkeys(
            e for d in docs for e in d["harness"]["collection_errors"])),
        pytest_exit_status=merged_exit_status(docs),
        strict=first["gate"]["strict"], require_all=first["gate"]["require_all"],
        suite=first.get("suite", {}), sources=first.get("sources"),
        readings=target.get("readings", {}),
        port_version=target.get("port_version", ""), port_note=target.get("port_note"))
    return verdict.build_document(catalogue, scenarios, run, sorted(
        waivers, key=lambda w: w.requirement), today=today, generated_at=generated_at)


def merged_exit_status(docs: Sequence[Mapping[str, Any]]) -> int | None:
    """pytest's exit status for the whole run: the worst shard's. A shard that selected
    nothing (5) is normal when there are more shards than scenarios in a selection."""
    order = [exit_codes.PYTEST_USAGE, exit_codes.PYTEST_INTERNAL,
             exit_codes.PYTEST_INTERRUPTED, exit_codes.PYTEST_FAILED, exit_codes.PYTEST_OK]
    statuses = [d["harness"]["pytest_exit_status"] for d in docs]
    if any(s is None for s in statuses):
        return None
    for status in order:
        if status in statuses:
            return status
    if all(s == exit_codes.PYTEST_NO_TESTS for s in statuses):
        return exit_codes.PYTEST_OK
    return statuses[0]


def copy_allure_results(dirs: Sequence[Path], out: Path) -> Path:
    """Every shard's Allure results in one emptied folder (file names are unique ids);
    categories and environment are written once for the merged run."""
    target = out / "allure-results"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for folder in dirs:
        source = folder / "allure-results"
        if not source.is_dir():
            continue
        for path in source.iterdir():
            if path.is_file() and path.name not in ("categories.json",
                                                     "environment.properties"):
                shutil.copy2(path, target / path.name)
    return target
