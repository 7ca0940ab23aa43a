"""From scenario results to the conformance document: the gate's rules, with no pytest.

Inputs are the requirement catalogue (``features/requirements.yml``), the waivers file
and one ``ScenarioResult`` per scenario; the output is the JSON-friendly document
described by ``authconform/schemas/conformance.schema.json``.

Requirement status, from the statuses of the scenarios tagged with it:

* ``failed``          -- at least one scenario failed (an assertion: non-conformance);
* ``error``           -- none failed but at least one errored (the target or the harness
                         broke, so nothing is known);
* ``passed``          -- at least one passed and none failed or errored;
* ``not-applicable``  -- every scenario was not-applicable (missing capabilities);
* ``uncovered``       -- no scenario ran for it at all, or every one was skipped (a skip
                         never counts as a pass);
* ``waived``          -- ``failed`` and a valid (unexpired) waiver covers it.

Verdict of the run:

* ``error`` if any scenario errored or the suite could not be collected;
* else ``non-conformant`` if a MUST requirement is ``failed`` (not waived), a MUST
  requirement is ``uncovered`` (see *selection*), a waiver has expired, or a waiver is
  stale (its requirement passes now: remove it);
* else ``conformant``.

SHOULD requirements that fail are reported (status, summary, totals) but never fail the
gate. Only requirements whose ``profiles`` contain the run's profile are judged.

Selection: a run restricted with ``-k``/``-m``/tags or node ids is *partial*. In a
partial run an uncovered MUST requirement fails the gate only if it had scenarios that
were selected but all skipped; requirements with no selected scenario are reported as
``uncovered`` and do not fail it. In a full run every uncovered MUST requirement fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

SCHEMA_VERSION = "1.0"

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not-applicable"
SKIPPED = "skipped"
ERROR = "error"
WAIVED = "waived"
UNCOVERED = "uncovered"

SCENARIO_STATUSES = (PASSED, FAILED, NOT_APPLICABLE, SKIPPED, ERROR)
REQUIREMENT_STATUSES = (PASSED, FAILED, ERROR, WAIVED, NOT_APPLICABLE, UNCOVERED)

CONFORMANT = "conformant"
NON_CONFORMANT = "non-conformant"
VERDICTS = (CONFORMANT, NON_CONFORMANT, ERROR)

LEVELS = ("MUST", "SHOULD")
REQUIREMENT_ID = re.compile(r"^REQ-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{2,}$")
NOT_APPLICABLE_PREFIX = "not-applicable:"


class ConfigurationError(Exception):
    """The catalogue or the waivers file is malformed or inconsistent (exit code 2)."""


# ---------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Requirement:
    id: str
    area: str
    level: str
    profiles: tuple[str, ...]
    summary: str
    sources: tuple[Mapping[str, str], ...]
    interpretation: str | None = None


def parse_catalogue(data: Any, origin: str = "requirements catalogue") -> list[Requirement]:
    """Validate the parsed YAML of the catalogue; ``ConfigurationError`` names every
    problem found, not just the first."""
    if not isinstance(data, Mapping) or not isinstance(data.get("requirements"), list):
        raise ConfigurationError(f"{origin}: expected a top-level 'requirements:' list")
    problems: list[str] = []
    result: list[Requirement] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["requirements"]):
        where = f"{origin}: requirement #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        rid = entry.get("id")
        if not isinstance(rid, str) or not REQUIREMENT_ID.match(rid):
            problems.append(f"{where}: id {rid!r} does not look like REQ-AREA-NN")
            continue
        where = f"{origin}: {rid}"
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        level = entry.get("level")
        if level not in LEVELS:
            problems.append(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
        profiles = entry.get("profiles")
        if (not isinstance(profiles, list) or not profiles
                or not all(isinstance(p, str | int) for p in profiles)):
            problems.append(f"{where}: 'profiles' must be a non-empty list")
            profiles = []
        summary = entry.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            problems.append(f"{where}: 'summary' is missing")
            summary = ""
        sources = entry.get("sources") or []
        if not isinstance(sources, list) or not all(
                isinstance(s, Mapping) and "doc" in s for s in sources):
            problems.append(f"{where}: 'sources' must be a list of {{doc, section}}")
            sources = []
        interpretation = entry.get("interpretation")
        result.append(Requirement(
            id=rid,
            area=str(entry.get("area", "")),
            level=str(level),
            profiles=tuple(str(p) for p in profiles),
            summary=summary.strip(),
            sources=tuple({str(k): str(v) for k, v in s.items()} for s in sources),
            interpretation=None if interpretation is None else str(interpretation).strip(),
        ))
    if problems:
        raise ConfigurationError("; ".join(problems))
    return result


def _read_yaml(path: Path, what: str) -> Any:
    """Parsed YAML, or a ConfigurationError naming ``what`` and the file."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} {path} does not exist") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{what} {path}: {exc}") from exc


def load_catalogue(path: str | Path) -> list[Requirement]:
    path = Path(path)
    return parse_catalogue(_read_yaml(path, "requirements catalogue"), origin=str(path))


# ---------------------------------------------------------------- waivers


@dataclass(frozen=True)
class Waiver:
    requirement: str
    reason: str
    owner: str
    expires: dt.date

    def to_dict(self) -> dict[str, str]:
        return {"requirement": self.requirement, "reason": self.reason, "owner": self.owner,
                "expires": self.expires.isoformat()}


def parse_waivers(data: Any, known_ids: Iterable[str] | None = None,
                  origin: str = "waivers file") -> list[Waiver]:
    """A list of ``{requirement, reason, owner, expires}`` (or ``{waivers: [...]}``).
    With ``known_ids``, a waiver naming an unknown requirement is a configuration error;
    so is a second waiver for the same requirement."""
    if data is None:
        return []
    if isinstance(data, Mapping) and "waivers" in data:
        data = data["waivers"] or []
    if not isinstance(data, list):
        raise ConfigurationError(f"{origin}: expected a list of waivers")
    known = None if known_ids is None else set(known_ids)
    problems: list[str] = []
    waivers: list[Waiver] = []
    for index, entry in enumerate(data):
        where = f"{origin}: waiver #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        missing = [k for k in ("requirement", "reason", "owner", "expires")
                   if entry.get(k) in (None, "")]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        rid = str(entry["requirement"])
        expires = entry["expires"]
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            try:
                expires = dt.date.fromisoformat(str(expires))
            except ValueError:
                problems.append(f"{where} ({rid}): expires {entry['expires']!r} is not an "
                                "ISO date (YYYY-MM-DD)")
                continue
        if known is not None and rid not in known:
            problems.append(f"{where}: unknown requirement {rid!r}")
            continue
        if any(w.requirement == rid for w in waivers):
            problems.append(f"{where}: a second waiver for {rid}")
            continue
        waivers.append(Waiver(rid, str(entry["reason"]).strip(), str(entry["owner"]).strip(),
                              expires))
    if problems:
        raise ConfigurationError("; ".join(problems))
    return waivers


def load_waivers(path: str | Path, known_ids: Iterable[str] | None = None) -> list[Waiver]:
    path = Path(path)
    return parse_waivers(_read_yaml(path, "waivers file"), known_ids, origin=str(path))


def default_waivers_path(root: str | Path, target_name: str) -> Path | None:
    """``waivers/<target>.yml`` under the repository root, if it exists."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", target_name)
    path = Path(root) / "waivers" / f"{safe}.yml"
    return path if path.is_file() else None


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

    def __post_init__(self) -> None:
        if self.status not in SCENARIO_STATUSES:
            raise ValueError(f"unknown scenario status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "feature": self.feature, "name": self.name, "status": self.status,
            "requirements": list(self.requirements), "duration_s": round(self.duration_s, 6),
        }
        if self.message:
            d["message"] = self.message
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScenarioResult:
        return cls(id=d["id"], feature=d["feature"], name=d["name"], status=d["status"],
                   requirements=tuple(d.get("requirements", ())),
                   duration_s=float(d.get("duration_s", 0.0)), message=d.get("message"))


@dataclass(frozen=True)
class RunInfo:
    target_name: str
    target_version: str = "unknown"
    capabilities: tuple[str, ...] = ()
    mutant: str | None = None
    profile: str = "current"
    seed: int | None = None
    selection: str = "full"  # "full" or "partial"
    collection_errors: tuple[str, ...] = ()
    pytest_exit_status: int | None = None


@dataclass
class _Judged:
    requirement: Requirement
    scenarios: list[ScenarioResult] = field(default_factory=list)
    status: str = UNCOVERED
    waiver: dict[str, str] | None = None


def scenario_status_of_requirement(statuses: Sequence[str]) -> str:
    """The requirement status before waivers, from its scenarios' statuses."""
    if not statuses:
        return UNCOVERED
    if FAILED in statuses:
        return FAILED
    if ERROR in statuses:
        return ERROR
    if PASSED in statuses:
        return PASSED
    if all(s == NOT_APPLICABLE for s in statuses):
        return NOT_APPLICABLE
    return UNCOVERED  # skipped (perhaps with not-applicable ones): nothing verified


def missing_capability(message: str | None) -> str | None:
    """``"clock"`` from ``"not-applicable: clock (advance_clock)"`` or from
    ``"not-applicable: target lacks capability 'clock' (advance_clock)"``."""
    if not message or not message.startswith(NOT_APPLICABLE_PREFIX):
        return None
    rest = message[len(NOT_APPLICABLE_PREFIX):].strip()
    quoted = re.search(r"capability '([^']+)'", rest)
    if quoted:
        return quoted.group(1)
    return rest.split()[0].strip("'\"(),") if rest else None


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
    for scenario in scenarios:
        for rid in scenario.requirements:
            if rid in judged:
                judged[rid].scenarios.append(scenario)
    for j in judged.values():
        j.status = scenario_status_of_requirement([s.status for s in j.scenarios])

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
    for j in judged.values():
        if j.requirement.level != "MUST":
            continue
        if j.status == FAILED:
            reasons.append(f"MUST requirement {j.requirement.id} failed")
        elif j.status == UNCOVERED and (run.selection == "full" or j.scenarios):
            reasons.append(f"MUST requirement {j.requirement.id} is uncovered")

    if errored or run.collection_errors:
        verdict = ERROR
        if run.collection_errors:
            reasons.insert(0, f"{len(run.collection_errors)} collection error(s)")
        if errored:
            reasons.insert(0, f"{len(errored)} scenario(s) in error")
    elif reasons:
        verdict = NON_CONFORMANT
    else:
        verdict = CONFORMANT

    requirements_out = []
    for j in judged.values():
        r = j.requirement
        entry: dict[str, Any] = {
            "id": r.id, "area": r.area, "level": r.level, "summary": r.summary,
            "sources": [dict(s) for s in r.sources], "status": j.status,
            "scenarios": [s.id for s in j.scenarios],
        }
        missing = sorted({c for s in j.scenarios if s.status == NOT_APPLICABLE
                          if (c := missing_capability(s.message))})
        if missing:
            entry["missing_capabilities"] = missing
        if j.waiver is not None:
            entry["waiver"] = j.waiver
        requirements_out.append(entry)

    target: dict[str, Any] = {"name": run.target_name, "version": run.target_version,
                              "capabilities": sorted(run.capabilities)}
    if run.mutant:
        target["mutant"] = run.mutant
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "target": target,
        "profile": run.profile,
        "seed": run.seed,
        "selection": run.selection,
        "verdict": verdict,
        "reasons": reasons,
        "requirements": requirements_out,
        "scenarios": [s.to_dict() for s in scenarios],
        "unverified": [j.requirement.id for j in judged.values()
                       if j.status == NOT_APPLICABLE],
        "waivers": {"applied": applied, "expired": expired, "stale": stale, "unused": unused},
        "totals": {
            "scenarios": _count([s.status for s in scenarios], SCENARIO_STATUSES),
            "requirements": _count([j.status for j in judged.values()], REQUIREMENT_STATUSES),
        },
        "harness": {
            "collection_errors": list(run.collection_errors),
            "pytest_exit_status": run.pytest_exit_status,
        },
    }
    return doc


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


def validate_document(doc: Mapping[str, Any]) -> list[str]:
    """Schema violations of ``doc`` (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
