"""From scenario results to the conformance document: the gate's rules, with no pytest.

Inputs are the requirement catalogue (``features/requirements.yml``), the waivers file
and one ``ScenarioResult`` per scenario; the output is the JSON-friendly document
described by ``authconform/schemas/conformance.schema.json``.

Requirement status, from the statuses of the scenarios tagged with it:

* ``failed``          -- at least one scenario failed (an assertion: non-conformance),
                         or a scenario of another requirement failed in a precondition
                         step this requirement owns (see *Preconditions*);
* ``error``           -- none failed but at least one errored (the target or the harness
                         broke, so nothing is known);
* ``blocked``         -- none failed or errored, but a scenario could not reach its
                         checks because a precondition owned by another requirement
                         failed (``blocked_by`` names it): not verified;
* ``passed``          -- at least one passed and none failed, errored or was blocked;
* ``not-applicable``  -- every scenario was not-applicable (missing capabilities);
* ``uncovered``       -- no scenario ran for it at all, or every one was skipped (a skip
                         never counts as a pass);
* ``waived``          -- ``failed`` and a valid (unexpired) waiver covers it.

Levels: what decides the verdict. The conformance verdict comes from *documented*
behaviour only: a requirement of ``kind: documented`` (the default) describes what the
source documents say, at level MUST, or SHOULD where the documents hedge ("might",
"may") or only imply it. Expectations the harness adds on its own account -- every FAULT
and SECURITY requirement (injected faults, attacks) and others marked so -- are ``kind:
robustness``: graded and reported beside the verdict (``doc["robustness"]``, its own line
in the terminal and summary.md) but not part of the gate unless the run is *strict*
(``authconform run --strict``), when a failed or uncovered robustness MUST requirement
fails the gate like a documented one.

Verdict of the run (the *gated* requirements are the documented MUST ones, plus the
robustness MUST ones in a strict run):

* ``error`` if any scenario errored or the suite could not be collected;
* else ``non-conformant`` if a gated requirement is ``failed`` (not waived) or
  ``uncovered`` (see *selection*), a waiver has expired, a waiver is stale (its
  requirement passes now: remove it), or -- with *require all* (``--require-all``) -- a
  gated requirement was not verified (not-applicable, or not selected);
* else ``review`` if the run was given the source documents (``run --sources DIR``) and
  they no longer match the catalogue's bindings (``authconform.spec.sources``): a passage a
  requirement is bound to changed, moved or went, a paragraph is neither bound nor
  reasoned out, or a requirement has no bound passage. The target passed every gated
  check, but the checks may no longer say what the documents say: the affected
  requirements carry ``review`` (what changed) and ``doc["sources"]`` has the details.
  Exit code 1, like non-conformant: someone must re-read the passages;
* else ``conformant``.

Readings (authconform/gate/inference.py): before anything is judged, each documented
ambiguity the target did not declare (``RunInfo.readings``) is decided from the
scenarios' results. The scenarios written only for values the target was not found to
follow become not-applicable (keeping ``observed``); a target that follows no value
throughout gets a gate reason naming the contradiction. ``doc["readings"]`` says, per
ambiguity, what was declared or found.

Preconditions (authconform/gate/preconditions.py): a scenario whose Given or When step
failed in behaviour another requirement documents is ``blocked``, with ``blocked_by``
naming that requirement. The failure is charged to the owner (``failed``, its
``precondition_failures`` list the scenarios), and the scenario's own requirements are
``blocked``. So one broken behaviour fails one requirement, and one waiver covers it: a
blocked gated requirement fails the gate unless every requirement blocking it is
waived, already fails the gate itself (then one reason says it), or is a SHOULD: a
deviation the documents allow ("you may see a popup") never fails a MUST, directly or
through blocking; what it blocked is reported unverified because of it (``blocked by
REQ-X (a SHOULD deviation)``), a gate failure only with *require all*. An ungated
robustness blocker still fails the gate. An owner outside the run's profile moves
nothing: the scenario fails its own requirements (fail closed).

SHOULD requirements that fail are reported (status, summary, totals) but never fail the
gate. Only requirements whose ``profiles`` contain the run's profile are judged.

Coverage: ``doc["coverage"]`` says how many documented MUST requirements were verified
(passed, failed or waived: a scenario ran and checked them) and why the others were not
(the capability the target lacks, not selected, an error), so "conformant" never hides
what was not checked; the verdict line repeats it. A requirement that passed while some
of its scenarios could not run for a missing capability is *partly* verified
(``coverage.partly``): not counted as verified, and unverified under *require all*.

Selection: a run restricted with ``-k``/``-m``/tags or node ids is *partial*, and a run
of one shard (``--shard K/N``) covers only its slice. There an uncovered MUST requirement
fails the gate only if it had scenarios that were selected but all skipped; requirements
with no selected scenario are reported as ``uncovered`` and do not fail it. In a full
run every uncovered gated requirement fails. ``authconform merge`` judges the shards
together as one full run.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from authconform.gate import inference
from authconform.gate.waivers import Waiver
from authconform.port import Capability
from authconform.spec.catalogue import DOCUMENTED, NOT_APPLICABLE_PREFIX, ROBUSTNESS, Requirement

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

# 1.4: totals.exploratory, requirements[].catalogue; 1.5: target.port_version and
# target.port_note, readings (declared or found)
SCHEMA_VERSION = "1.6"

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not-applicable"
SKIPPED = "skipped"
ERROR = "error"
BLOCKED = "blocked"  # a precondition owned by another requirement failed
WAIVED = "waived"
UNCOVERED = "uncovered"

SCENARIO_STATUSES = (PASSED, FAILED, BLOCKED, NOT_APPLICABLE, SKIPPED, ERROR)
REQUIREMENT_STATUSES = (PASSED, FAILED, ERROR, BLOCKED, WAIVED, NOT_APPLICABLE, UNCOVERED)

CONFORMANT = "conformant"
NON_CONFORMANT = "non-conformant"
REVIEW = "review"  # conformant, but the source documents moved from the catalogue
VERDICTS = (CONFORMANT, NON_CONFORMANT, REVIEW, ERROR)

# A requirement counts as verified when a scenario ran and checked it.
VERIFIED = (PASSED, FAILED, WAIVED)




# ---------------------------------------------------------------- catalogue
























# ---------------------------------------------------------------- waivers










# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ScenarioResult:
    id: str
    feature: str
    name: str
    status: str
    requirements: tuple[str, ...] = ()
    duration_s: float = 0.0
    message: str | None = None
    title: str | None = None  # as the report shows it: "<name> — <outline example>"
    blocked_by: str | None = None  # status blocked: the requirement owning the precondition
    # the scenario's reading tags, {"second_pairing": ("refused",)} (authconform.gate.inference)
    readings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # made not-applicable by an inferred reading: the status, message and blocked_by it
    # ran with, from which `authconform merge` decides again
    observed: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.status not in SCENARIO_STATUSES:
            raise ValueError(f"unknown scenario status {self.status!r}")
        if (self.status == BLOCKED) != bool(self.blocked_by):
            raise ValueError("a blocked scenario, and only a blocked one, names blocked_by")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "feature": self.feature, "name": self.name, "status": self.status,
            "requirements": list(self.requirements), "duration_s": round(self.duration_s, 6),
        }
        if self.message:
            d["message"] = self.message
        if self.title and self.title != self.name:
            d["title"] = self.title
        if self.blocked_by:
            d["blocked_by"] = self.blocked_by
        if self.readings:
            d["readings"] = {r: list(vs) for r, vs in self.readings.items()}
        if self.observed is not None:
            d["observed"] = {k: v for k, v in self.observed.items() if v is not None}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScenarioResult:
        """The result as it ran: one made not-applicable by an inferred reading gets
        back what it observed, so the reading is decided again from raw results."""
        raw = d.get("observed") or d
        return cls(id=d["id"], feature=d["feature"], name=d["name"], status=raw["status"],
                   requirements=tuple(d.get("requirements", ())),
                   duration_s=float(d.get("duration_s", 0.0)), message=raw.get("message"),
                   title=d.get("title"), blocked_by=raw.get("blocked_by"),
                   readings={r: tuple(vs) for r, vs in d.get("readings", {}).items()})


@dataclass(frozen=True)
class RunInfo:
    target_name: str
    target_version: str = "unknown"
    capabilities: tuple[str, ...] = ()
    port_version: str = ""  # TargetInfo.port_version as the target declares it
    port_note: str | None = None  # versions.check: written for another minor, undeclared
    mutant: str | None = None
    profile: str = "current"
    seed: int | None = None
    selection: str = "full"  # "full" or "partial"
    collection_errors: tuple[str, ...] = ()
    pytest_exit_status: int | None = None
    strict: bool = False  # robustness requirements join the gate
    require_all: bool = False  # an unverified gated requirement fails the gate
    shard: tuple[int, int] | None = None  # (K, N): this run is slice K of N
    suite: Mapping[str, str] = field(default_factory=dict)  # fingerprints of the inputs
    # run --sources DIR: authconform.spec.sources.SourceCheck.to_dict() of the documents
    sources: Mapping[str, Any] | None = None
    # the readings the target declares (TargetInfo.readings); the others are inferred
    readings: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Judged:
    requirement: Requirement
    scenarios: list[ScenarioResult] = field(default_factory=list)
    status: str = UNCOVERED
    waiver: dict[str, str] | None = None
    # scenarios of other requirements that failed in a precondition this one owns
    precondition_failures: list[ScenarioResult] = field(default_factory=list)
    blocked_by: set[str] = field(default_factory=set)

    def evidence(self, owners: Iterable[str]) -> list[str]:
        """Its scenarios' statuses as they count for this requirement: a blocked
        scenario is a failure of its precondition's owner, and blocks the others -- but
        only when the owner is judged in this run (``owners``); otherwise the scenario
        fails its own requirements, as if it named no owner."""
        known = set(owners)
        out = []
        for s in self.scenarios:
            if s.status != BLOCKED:
                out.append(s.status)
            elif s.blocked_by == self.requirement.id or s.blocked_by not in known:
                out.append(FAILED)
            else:
                out.append(BLOCKED)
                self.blocked_by.add(str(s.blocked_by))
        return out + [FAILED] * len(self.precondition_failures)


def scenario_status_of_requirement(statuses: Sequence[str]) -> str:
    """The requirement status before waivers, from its scenarios' statuses (a blocked
    scenario already counted as failed or blocked for this requirement: _Judged)."""
    if not statuses:
        return UNCOVERED
    if FAILED in statuses:
        return FAILED
    if ERROR in statuses:
        return ERROR
    if BLOCKED in statuses:
        return BLOCKED
    if PASSED in statuses:
        return PASSED
    if all(s == NOT_APPLICABLE for s in statuses):
        return NOT_APPLICABLE
    return UNCOVERED  # skipped (perhaps with not-applicable ones): nothing verified


def missing_capability(message: str | None) -> str | None:
    """``"clock"`` from ``"not-applicable: clock (advance_clock)"`` or from
    ``"not-applicable: target lacks capability 'clock' (advance_clock)"``; ``None``
    when the reason is not a capability (a reading the target did not declare, ...)."""
    if not message or not message.startswith(NOT_APPLICABLE_PREFIX):
        return None
    rest = message[len(NOT_APPLICABLE_PREFIX):].strip()
    quoted = re.search(r"capability '([^']+)'", rest)
    if quoted:
        return quoted.group(1)
    first = rest.split()[0].strip("'\"(),") if rest else ""
    return first if first in _CAPABILITIES else None


_CAPABILITIES = frozenset(c.value for c in Capability)


def _missing(scenarios: Iterable[ScenarioResult]) -> list[str]:
    """The capabilities for lack of which some of these scenarios could not run."""
    return sorted({c for s in scenarios if s.status == NOT_APPLICABLE
                   if (c := missing_capability(s.message))})


def unverified_because(status: str, scenarios: Sequence[ScenarioResult],
                       selected_all: bool, not_selected: str = "not selected") -> list[str]:
    """Why a requirement with this status was not verified, in a few words each:
    the missing capabilities, ``reading <name>``, ``parameter <name>`` (undeclared),
    ``not selected``, ``no scenario``..."""
    if status == NOT_APPLICABLE:
        needs = []
        for s in scenarios:
            capability = missing_capability(s.message)
            if capability:
                needs.append(capability)
                continue
            text = s.message or ""
            reading = (re.search(r"reading[ '\"-]+([a-z_]+)", text)
                       or re.search(r"([a-z_]+)=\S+ reading", text))
            parameter = re.search(r"parameter[ '\"]+([a-z_]+)", text)
            needs.append(f"reading {reading.group(1)}" if reading
                         else f"parameter {parameter.group(1)}" if parameter
                         else "other reasons")
        return sorted(set(needs))
    if status == ERROR:
        return ["an error"]
    if status == UNCOVERED:
        if any(s.status == SKIPPED for s in scenarios):
            return ["skipped"]
        return ["no scenario"] if selected_all else [not_selected]
    return []


def build_document(
    catalogue: Sequence[Requirement],
    scenarios: Sequence[ScenarioResult],
    run: RunInfo,
    waivers: Sequence[Waiver] = (),
    *,
    today: dt.date,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    """The conformance document. ``today`` decides waiver expiry; both clocks are
    passed in so the same inputs always give the same document."""
    in_profile = [r for r in catalogue if run.profile in r.profiles]
    judged = {r.id: _Judged(r) for r in in_profile}
    # an undeclared reading is decided from the results, before anything is judged
    decisions = inference.decide(scenarios, run.readings,
                                 whole_run=run.selection == "full" and run.shard is None)
    scenarios = inference.apply(scenarios, decisions)
    for scenario in scenarios:
        for rid in scenario.requirements:
            if rid in judged:
                judged[rid].scenarios.append(scenario)
        owner = judged.get(scenario.blocked_by or "")
        if owner is not None and owner.requirement.id not in scenario.requirements:
            owner.precondition_failures.append(scenario)
    for j in judged.values():
        j.status = scenario_status_of_requirement(j.evidence(judged))

    reasons: list[str] = []
    applied: list[dict[str, str]] = []
    expired: list[dict[str, str]] = []
    stale: list[dict[str, str]] = []
    unused: list[dict[str, str]] = []
    for waiver in waivers:
        w = waiver.to_dict()
        covered = judged.get(waiver.requirement)
        if waiver.expires < today:
            expired.append(w)
            reasons.append(f"waiver for {waiver.requirement} expired on "
                           f"{waiver.expires.isoformat()} (owner {waiver.owner})")
            if covered is not None:
                covered.waiver = {**w, "state": "expired"}
        elif covered is None:
            unused.append(w)  # requirement not in this profile
        elif covered.status == FAILED:
            covered.status = WAIVED
            covered.waiver = {**w, "state": "applied"}
            applied.append(w)
        elif covered.status == PASSED:
            stale.append(w)
            covered.waiver = {**w, "state": "stale"}
            reasons.append(f"waiver for {waiver.requirement} is stale: the requirement passes "
                           "now; remove the waiver")
        else:
            unused.append(w)
            covered.waiver = {**w, "state": "unused"}

    errored = [s for s in scenarios if s.status == ERROR]
    selected_all = run.selection == "full" and run.shard is None
    gated = [j for j in judged.values() if is_gated(j.requirement, run.strict)]
    # pytest stops at a collection error: nothing ran, so nothing is "uncovered" -- the
    # broken file is the one reason, named by file and line
    stopped = bool(run.collection_errors) and not scenarios
    if not stopped:
        reasons += _gate_reasons(gated, selected_all, run.require_all, judged)
        reasons += inference.gate_reasons(decisions)

    if errored or run.collection_errors:
        verdict = ERROR
        if run.collection_errors:
            reasons[:0] = [f"collection error: {collection_error_headline(e)}"
                           for e in run.collection_errors]
        if errored:
            reasons.insert(0, f"{len(errored)} scenario(s) in error, the first "
                              f"{error_headline(errored[0])}")
    elif reasons:
        verdict = NON_CONFORMANT
    else:
        verdict = CONFORMANT
    drift = source_reasons(run.sources) if run.sources is not None else []
    if drift and verdict == CONFORMANT:
        verdict = REVIEW
    reasons += drift
    review = dict(run.sources.get("review", {})) if run.sources is not None else {}

    requirements_out = []
    for j in judged.values():
        r = j.requirement
        entry: dict[str, Any] = {
            "id": r.id, "area": r.area, "level": r.level, "kind": r.kind,
            "summary": r.summary, "sources": [dict(s) for s in r.sources], "status": j.status,
            "scenarios": [s.id for s in j.scenarios],
        }
        if r.catalogue:  # a user's requirement (run --catalogue FILE), judged as ours
            entry["catalogue"] = r.catalogue
        missing = _missing(j.scenarios)
        if missing:
            entry["missing_capabilities"] = missing
        if j.status == BLOCKED:
            because = [_blocked_because(judged[b]) for b in sorted(j.blocked_by)]
        else:
            because = (["not run (collection error)"] if stopped else unverified_because(
                j.status, j.scenarios, selected_all,
                "in other shards" if run.shard else "not selected"))
        if because:
            entry["unverified_because"] = because
        if j.blocked_by:
            entry["blocked_by"] = sorted(j.blocked_by)
        if j.precondition_failures:
            entry["precondition_failures"] = [s.id for s in j.precondition_failures]
        if j.waiver is not None:
            entry["waiver"] = j.waiver
        if r.id in review:
            entry["review"] = list(review[r.id])
        requirements_out.append(entry)

    target: dict[str, Any] = {"name": run.target_name, "version": run.target_version,
                              "capabilities": sorted(run.capabilities)}
    if run.mutant:
        target["mutant"] = run.mutant
    if run.port_version:
        target["port_version"] = run.port_version
    if run.port_note:
        target["port_note"] = run.port_note
    if run.readings:
        target["readings"] = dict(run.readings)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "target": target,
        "profile": run.profile,
        "seed": run.seed,
        "selection": run.selection,
        "gate": {"strict": run.strict, "require_all": run.require_all},
        "verdict": verdict,
        "reasons": reasons,
        "readings": {d.reading: d.to_dict() for d in decisions},
        "coverage": grade(requirements_out, DOCUMENTED),
        "robustness": {**grade(requirements_out, ROBUSTNESS), "gated": run.strict},
        "requirements": requirements_out,
        "scenarios": [s.to_dict() for s in scenarios],
        "unverified": [j.requirement.id for j in judged.values()
                       if j.status == NOT_APPLICABLE],
        "waivers": {"applied": applied, "expired": expired, "stale": stale, "unused": unused},
        "totals": {
            "scenarios": _count([s.status for s in scenarios], SCENARIO_STATUSES),
            "requirements": _count([j.status for j in judged.values()], REQUIREMENT_STATUSES),
            # @exploratory scenarios name no requirement (the gate refuses any other
            # scenario that names none): counted apart, never coverage
            "exploratory": sum(1 for s in scenarios if not s.requirements),
        },
        "harness": {
            "collection_errors": list(run.collection_errors),
            "pytest_exit_status": run.pytest_exit_status,
        },
    }
    if run.shard is not None:
        doc["shard"] = {"index": run.shard[0], "count": run.shard[1]}
    if run.suite:
        doc["suite"] = dict(run.suite)
    if run.sources is not None:
        doc["sources"] = {**run.sources, "review": {
            rid: list(changes) for rid, changes in review.items() if rid in judged}}
    return doc


def error_headline(scenario: ScenarioResult, limit: int = 240) -> str:
    """``at features/x.feature:12, scenario "...": TargetError: ...`` -- where a scenario
    in error is and what broke, in one line (the record of failures.render, else the
    scenario's id and its message's first line)."""
    lines = [line.strip() for line in (scenario.message or "").splitlines() if line.strip()]
    where = next((line for line in lines if line.startswith("at ")), None)
    what = next((line.removeprefix("error: ") for line in lines
                 if line.startswith("error: ")), lines[0] if lines else "no message")
    # Too long: shorten where it is before what broke (the adapter and operation are
    # the part a reader acts on; the scenario is named in full in conformance.json).
    what = _cut(what, limit // 2)
    where = where or scenario.id
    if len(where) + len(what) + 2 > limit:  # an outline's example row goes first
        where = re.sub(r" \(on [^()]*\)$", "", where)
    return f"{_cut(where, limit - len(what) - 2)}: {what}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _headline(report: str) -> str:
    """The line of a pytest error report that says what is wrong: the last ``E`` line
    (the exception), else the last non-empty line, never a traceback location."""
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    said = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (said[-1] if said else lines[-1]) if lines else "(no detail)"


def collection_error_headline(error: str) -> str:
    """``where: what`` in one line: the file and line first, so that a long message is
    cut after them, never before."""
    where, _, rest = error.partition(": ")
    if "\n" not in rest:
        return error
    return f"{where}: {_headline(rest)}"


SOURCE_REASON_PREFIXES = ("source passage changed: ", "source paragraph uncovered: ",
                          "sources: ")


def source_reasons(check: Mapping[str, Any]) -> list[str]:
    """What keeps a run given the source documents from being ``conformant``: changed
    passages (whoever is bound to them), uncovered paragraphs, catalogue problems."""
    out = [f"source passage changed: {c}" for c in check.get("changed", [])]
    out += [f"source paragraph uncovered: {u}" for d in check.get("documents", [])
            for u in d.get("uncovered", [])]
    out += [f"sources: {p}" for p in check.get("problems", [])]
    return out


def review_line(doc: Mapping[str, Any]) -> str:
    """``sources changed: 2 passages changed, 1 paragraph uncovered; 3 requirements to
    review: A, B, C`` -- empty when the run had no sources or they hold."""
    check = doc.get("sources")
    if not check:
        return ""
    parts = []
    changed = len(check.get("changed", []))
    uncovered = sum(len(d.get("uncovered", [])) for d in check.get("documents", []))
    problems = len(check.get("problems", []))
    if changed:
        parts.append(f"{changed} passage{'s' if changed > 1 else ''} changed")
    if uncovered:
        parts.append(f"{uncovered} paragraph{'s' if uncovered > 1 else ''} uncovered")
    if problems:
        parts.append(f"{problems} catalogue problem{'s' if problems > 1 else ''}")
    if not parts:
        return ""
    ids = sorted(check.get("review", {}))
    text = "source documents changed: " + ", ".join(parts)
    if ids:
        text += f"; {len(ids)} requirement{'s' if len(ids) > 1 else ''} to review: {_ids(ids)}"
    return text


def is_gated(requirement: Requirement, strict: bool) -> bool:
    """Whether the requirement decides the verdict: documented MUST always, robustness
    MUST only in a strict run; SHOULD never."""
    return requirement.level == "MUST" and (requirement.kind == DOCUMENTED or strict)


def _deviation_allowed(blocker: _Judged) -> bool:
    """A blocker whose failure the documents allow: a SHOULD requirement."""
    return blocker.requirement.level == "SHOULD"


def _blocked_because(blocker: _Judged) -> str:
    """``blocked by REQ-X``, saying when REQ-X is waived or a SHOULD deviation."""
    if blocker.status == WAIVED:
        return f"blocked by {blocker.requirement.id} (waived)"
    if _deviation_allowed(blocker):
        return f"blocked by {blocker.requirement.id} (a SHOULD deviation)"
    return f"blocked by {blocker.requirement.id}"


def _gate_reasons(gated: Sequence[_Judged], selected_all: bool, require_all: bool,
                  judged: Mapping[str, _Judged]) -> list[str]:
    reasons = []
    failing = {j.requirement.id for j in gated if j.status == FAILED}
    for j in gated:
        rid, kind = j.requirement.id, j.requirement.kind
        label = "MUST requirement" if kind == DOCUMENTED else "robustness MUST requirement"
        if j.status == FAILED:
            reasons.append(f"{label} {rid} failed")
        elif j.status == BLOCKED:
            # Waived blockers: the one broken behaviour is accepted. Blockers that fail
            # the gate already say so. A SHOULD blocker is a deviation the documents
            # allow ("may"): what it blocked is unverified because of it, never failed.
            # Any other blocker (an ungated robustness requirement) must not let the
            # blocked requirement go unchecked quietly.
            open_ = sorted(b for b in j.blocked_by
                           if judged[b].status != WAIVED and b not in failing
                           and not _deviation_allowed(judged[b]))
            if open_:
                reasons.append(f"{label} {rid} is blocked: its precondition "
                               f"{', '.join(open_)} failed")
            elif require_all:
                reasons.append(f"{label} {rid} is unverified (blocked by "
                               f"{', '.join(sorted(j.blocked_by))}; --require-all)")
        elif j.status == UNCOVERED and (selected_all or j.scenarios):
            reasons.append(f"{label} {rid} is uncovered")
        elif require_all and j.status in (NOT_APPLICABLE, UNCOVERED):
            because = ", ".join(unverified_because(j.status, j.scenarios, selected_all))
            reasons.append(f"{label} {rid} is unverified ({because}; --require-all)")
        elif require_all and j.status == PASSED and (needs := _missing(j.scenarios)):
            reasons.append(f"{label} {rid} is partly verified (needs "
                           f"{', '.join(needs)}; --require-all)")
    return reasons


def grade(requirements: Sequence[Mapping[str, Any]], kind: str) -> dict[str, Any]:
    """How the MUST requirements of one kind came out: how many were verified, which
    failed, which were not verified and why (``needs``: reason -> how many).

    A requirement that passed while some of its scenarios could not run for a capability
    the target lacks is *partly* verified: what ran passed, but its other checks (often
    the ones that show the behaviour happens at all) never ran. It is not counted as
    verified, and what it needs is counted with the unverified ones' needs."""
    must = [r for r in requirements if r["kind"] == kind and r["level"] == "MUST"]
    unverified = [r for r in must if r["status"] not in VERIFIED]
    partly = [r for r in must if is_partly_verified(r)]
    needs: dict[str, int] = {}
    for r in unverified:
        for because in r.get("unverified_because", ()):
            needs[because] = needs.get(because, 0) + 1
    for r in partly:
        for capability in r["missing_capabilities"]:
            needs[capability] = needs.get(capability, 0) + 1
    failed = [r["id"] for r in must if r["status"] == FAILED]
    errors = [r["id"] for r in must if r["status"] == ERROR]
    status = (FAILED if failed else ERROR if errors
              else "incomplete" if unverified or partly else PASSED)
    return {"status": status, "must": len(must),
            "verified": len(must) - len(unverified) - len(partly),
            "passed": sum(r["status"] == PASSED for r in must), "failed": failed,
            "unverified": [r["id"] for r in unverified],
            "partly": [r["id"] for r in partly],
            "needs": dict(sorted(needs.items(), key=lambda kv: (-kv[1], kv[0])))}


def is_partly_verified(requirement: Mapping[str, Any]) -> bool:
    """Passed, with scenarios left out for capabilities the target lacks."""
    return requirement["status"] == PASSED and bool(requirement.get("missing_capabilities"))


# ---------------------------------------------------------------- the verdict line


def reading_words(name: str, entry: Mapping[str, Any]) -> str:
    """One reading as the reports tell it: declared, found to follow, mixed, undecided."""
    state = entry.get("state")
    if state == "declared":
        return f"{name} declared {entry['declared']!r}"
    if state == "inferred":
        also = [v for v in entry.get("holds", []) if v != entry["followed"]]
        return (f"{name} found to follow {entry['followed']!r}"
                + (f" (also consistent with {', '.join(map(repr, also))})" if also else "")
                + (" (none of its scenarios ran)" if entry.get("untested") else ""))
    if state == "mixed":
        return f"{name} mixed ({entry.get('contradiction', '')})"
    return f"{name} undecided"


def readings_line(doc: Mapping[str, Any], inferred_only: bool = False) -> str:
    """The readings of the documented ambiguities, e.g. ``second_pairing found to follow
    'each_keeps_own'; existing_accounts declared 'any'``; with ``inferred_only`` just the
    ones the run found (what the verdict line adds), "" when there are none."""
    entries = doc.get("readings", {})
    return "; ".join(reading_words(name, e) for name, e in entries.items()
                     if not inferred_only or e.get("state") == "inferred")


def _ids(ids: Sequence[str], shown: int = 3) -> str:
    """``A, B, C and 4 more``."""
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def coverage_line(doc: Mapping[str, Any]) -> str:
    """``40 of 68 documented MUST requirements verified (1 failed); 28 unverified: needs
    clock (12), network (9), ...`` -- what a "conformant" covers and what it does not."""
    c = doc["coverage"]
    if c["must"] and c["verified"] == c["must"]:
        text = f"all {c['must']} documented MUST requirements verified"
    else:
        text = f"{c['verified']} of {c['must']} documented MUST requirements verified"
    if c.get("failed"):  # "verified" counts the failed ones: say how many those are
        text += f" ({len(c['failed'])} failed)"
    if c.get("partly"):
        text += f"; {len(c['partly'])} partly verified ({_ids(c['partly'])})"
    if c["unverified"] or c.get("partly"):
        text += (f"; {len(c['unverified'])} unverified" if c["unverified"] else "")
        text += _needs_text(c["needs"])
    return text


def _needs_text(needs: Mapping[str, int]) -> str:
    """``: needs clock (12), network (9) and 3 more; not selected (24)``."""
    capabilities = [f"{k} ({v})" for k, v in needs.items() if k in _CAPABILITIES]
    others = [f"{k} ({v})" for k, v in needs.items() if k not in _CAPABILITIES]
    parts = ([f"needs {_ids(capabilities, 4)}"] if capabilities else []) + others
    return f": {'; '.join(parts)}" if parts else ""


def robustness_line(doc: Mapping[str, Any]) -> str:
    """The robustness grade in one line: whether it gates, then how it came out."""
    r = doc["robustness"]
    where = "in the gate, --strict" if r["gated"] else "beside the verdict, not gated"
    if not r["must"]:
        return f"robustness ({where}): no robustness MUST requirement in this profile"
    text = f"robustness {r['status']} ({where}): {r['passed']} of {r['must']} MUST passed"
    if r["failed"]:
        text += f"; failed: {_ids(r['failed'])}"
    if r.get("partly"):
        text += f"; {len(r['partly'])} partly verified"
    if r["unverified"] or r.get("partly"):
        text += (f"; {len(r['unverified'])} unverified" if r["unverified"] else "")
        text += _needs_text(r["needs"])
    return text


def reasons_line(doc: Mapping[str, Any]) -> str:
    """The reasons, grouped and short: ``2 MUST requirements failed: A, B; 40 uncovered:
    C, D, E and 37 more; ...``."""
    groups: dict[tuple[str, str], list[str]] = {}
    other: list[str] = []
    pattern = re.compile(r"^((?:robustness )?MUST requirement) (\S+) (failed|is uncovered|"
                         r"is unverified|is partly verified|is blocked)")
    for reason in doc.get("reasons", []):
        if reason.startswith(SOURCE_REASON_PREFIXES):
            continue  # said once, at the end (review_line)
        m = pattern.match(reason)
        if m:
            groups.setdefault((m.group(1), m.group(3).removeprefix("is ")),
                              []).append(m.group(2))
        else:
            other.append(reason)
    # errors and waiver problems first: they say the most about the run
    parts = other[:3] + ([f"and {len(other) - 3} more reasons"] if len(other) > 3 else [])
    parts += [f"{len(ids)} {what}{'s' if len(ids) > 1 else ''} {how}: {_ids(ids)}"
              for (what, how), ids in groups.items()]
    review = review_line(doc)
    if review:
        parts.append(review)
    return "; ".join(parts)


def sources_line(doc: Mapping[str, Any]) -> str:
    """``000.txt 36/36, 002.txt 40/40 paragraphs accounted for; current`` or what
    changed (verdict.review_line)."""
    check = doc["sources"]
    cover = ", ".join(f"{d['doc']} {d['paragraphs'] - len(d['uncovered'])}/{d['paragraphs']}"
                      for d in check["documents"])
    state = review_line(doc) or "the catalogue's bindings hold"
    return f"{cover} paragraphs accounted for; {state}"


def scope_prefix(doc: Mapping[str, Any]) -> str:
    """``partial run (-k/-m): `` or ``shard 2 of 4: `` -- a verdict on less than the
    whole suite says so first."""
    shard = doc.get("shard")
    if shard:
        return f"shard {shard['index']} of {shard['count']} (merge for the verdict): "
    # -k/-m, --requirement (a tag selection) or --feature: which one is in the command
    return "partial run (a selection of scenarios): " if doc.get("selection") == "partial" else ""


def _count(statuses: Sequence[str], keys: Sequence[str]) -> dict[str, int]:
    counts = {k: 0 for k in keys}
    for s in statuses:
        counts[s] += 1
    counts["total"] = len(statuses)
    return counts


# ---------------------------------------------------------------- schema


def load_schema() -> dict[str, Any]:
    text = resources.files("authconform").joinpath(
        "schemas/conformance.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Any:
    # jsonschema-rs (Rust): the same Draft 2020-12, formats asserted, in a thousandth of
    # the time jsonschema takes on a whole suite's document -- which every gate run
    # validates twice (written, then read by the command line). tests/test_verdict.py
    # holds it to jsonschema's answers.
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(load_schema(), validate_formats=True)


def validate_document(doc: Mapping[str, Any]) -> list[str]:
    """Schema violations of ``doc`` (empty when valid), each ``path: message``."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: [
        (0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.instance_path])
    return [f"{'/'.join(str(p) for p in e.instance_path) or '<root>'}: {e.message}"
            for e in errors]


NOT_PASSING = (FAILED, BLOCKED, ERROR)  # listed one by one


def status_words(scenario: Mapping[str, Any]) -> str:
    """``failed``, ``error`` or ``blocked by REQ-X``."""
    if scenario["status"] == BLOCKED:
        return f"blocked by {scenario['blocked_by']}"
    return str(scenario["status"])


def scenario_where(scenario: Mapping[str, Any]) -> str:
    """``features/backup.feature:41, scenario "..." (iPhone)`` from a failure told in
    the user's words (failures.render), else the scenario's id."""
    for line in str(scenario.get("message") or "").splitlines()[1:2]:
        if line.startswith("  at "):
            return line.removeprefix("  at ")
    return str(scenario["id"])
