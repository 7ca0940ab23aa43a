"""Which reading of a documented ambiguity a target follows, found from its results.

An ambiguity is not a default (``port.Reading``). A target that declares its reading is
judged under that reading only: the scenarios written for the others never run
(``readings.mismatch``). A target that declares none runs the scenarios of *every*
reading, and this module decides afterwards, from the results alone:

* a reading value *holds* when at least one of its scenarios passed and none failed or
  was blocked (a scenario tagged with several values counts for each);
* the target is *found to follow* the first value that holds (``READINGS`` order); the
  scenarios written only for the other values become not-applicable, naming the value
  found and keeping what they observed (``observed``), so ``authconform merge`` can
  decide again from the raw results of every shard;
* when no value holds although some scenario failed, but in a *whole* run (not a
  selection, not one shard) a value has no scenario at all (its profile deselects them:
  the narrow existing-accounts reading has scenarios under ``current`` only), or in any
  run every scenario of a value was not-applicable (the restore-sign-in red dot needs
  the ``faults`` capability), nothing contradicts that value: the target is found to
  follow it, marked ``untested`` -- the footing of a target that declares it, whose
  other values' scenarios never run;
* else, when no value holds although some scenario failed, the target *mixes*
  readings: the scenarios keep their statuses (their requirements fail) and the gate
  names, for each value, a scenario that contradicted it;
* when no scenario of the reading passed or failed (not selected, not-applicable), the
  reading is *undecided* and nothing changes.

No pytest and no verdict imports: verdict.build_document calls ``decide`` and ``apply``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from authconform.port import READINGS, Reading

# the scenario statuses of authconform.gate.verdict (not imported: verdict imports us)
_PASSED, _FAILED, _BLOCKED, _ERROR = "passed", "failed", "blocked", "error"
_NOT_APPLICABLE = "not-applicable"
_AGAINST = (_FAILED, _BLOCKED)


class _Scenario(Protocol):
    """What a decision reads of a result (verdict.ScenarioResult has it)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def readings(self) -> Mapping[str, Sequence[str]]: ...


@dataclass(frozen=True)
class Decision:
    """One reading: declared, found to follow, mixed or undecided."""

    reading: str
    declared: str | None = None
    followed: str | None = None
    holds: tuple[str, ...] = ()  # every value whose scenarios all passed
    contradiction: str | None = None  # mixed: what contradicted what
    untested: bool = False  # followed, but none of its scenarios ran in this run
    # per value: the ids of its scenarios that passed and that failed or were blocked
    evidence: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.declared is not None:
            return "declared"
        if self.followed is not None:
            return "inferred"
        return "mixed" if self.contradiction else "undecided"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"state": self.state, "values": list(READINGS[Reading(self.reading)])}
        if self.declared is not None:
            d["declared"] = self.declared
            return d
        d["followed"] = self.followed
        d["holds"] = list(self.holds)
        if self.untested:
            d["untested"] = True
        if self.contradiction:
            d["contradiction"] = self.contradiction
        d["evidence"] = {v: {k: list(ids) for k, ids in e.items()}
                         for v, e in self.evidence.items()}
        return d

    def line(self) -> str:
        """``second_pairing: declared 'refused'`` / ``found to follow ...`` / ``mixed``."""
        if self.declared is not None:
            return f"{self.reading}: declared {self.declared!r}"
        if self.followed is not None:
            also = [v for v in self.holds if v != self.followed]
            return (f"{self.reading}: found to follow {self.followed!r}"
                    + (f" (also consistent with {', '.join(map(repr, also))})" if also else "")
                    + (" (none of its scenarios ran)" if self.untested else ""))
        if self.contradiction:
            return f"{self.reading}: mixed -- {self.contradiction}"
        return f"{self.reading}: undecided (no scenario of it passed or failed)"


def _quoted(scenario: _Scenario) -> str:
    return f'"{scenario.title or scenario.name}"'


def decide(scenarios: Sequence[_Scenario], declared: Mapping[str, str],
           whole_run: bool = True) -> list[Decision]:
    """One decision per documented ambiguity, in ``port.Reading`` order. ``whole_run``:
    every scenario of the profile was selected, so a value with none in the results has
    none in this profile (in a selection or a shard it may just be elsewhere)."""
    out = []
    for reading in Reading:
        name = reading.value
        if name in declared:
            out.append(Decision(name, declared=declared[name]))
            continue
        tagged = [s for s in scenarios if name in s.readings]
        evidence: dict[str, dict[str, list[str]]] = {}
        holds = []
        said: list[str] = []
        for value in READINGS[reading]:
            mine = [s for s in tagged if value in s.readings[name]]
            passed = [s for s in mine if s.status == _PASSED]
            against = [s for s in mine if s.status in _AGAINST]
            evidence[value] = {"passed": [s.id for s in passed],
                               "failed": [s.id for s in against]}
            if passed and not against:
                holds.append(value)
            elif against:
                said.append(f"{value!r}: " + (f"{_quoted(passed[0])} passed but " if passed
                                              else "") + f"{_quoted(against[0])} failed")
            else:
                said.append(f"{value!r}: no scenario of it passed")
        absent = [v for v in READINGS[reading]
                  if not any(v in s.readings[name] for s in tagged)]
        # every scenario of the value was not-applicable (a capability the target lacks):
        # it could not run here, nor in any shard of this target, so nothing contradicts it
        untried = [v for v in READINGS[reading] if v not in absent
                   and all(s.status == _NOT_APPLICABLE for s in tagged
                           if v in s.readings[name])]
        open_ = [v for v in READINGS[reading]
                 if v in untried or (v in absent and whole_run)]
        failed = any(e["failed"] for e in evidence.values())
        if holds:
            out.append(Decision(name, followed=holds[0], holds=tuple(holds), evidence=evidence))
        elif failed and open_:
            out.append(Decision(name, followed=open_[0], untested=True, evidence=evidence))
        else:
            out.append(Decision(name, contradiction="; ".join(said) if failed else None,
                                evidence=evidence))
    return out


def apply(scenarios: Sequence[Any], decisions: Sequence[Decision]) -> list[Any]:
    """The scenarios as judged: those written only for a value the target was not found
    to follow are not-applicable, with what they observed kept beside."""
    followed = {d.reading: d.followed for d in decisions
                if d.declared is None and d.followed is not None}
    out = []
    for s in scenarios:
        other = next(((r, vs) for r, vs in sorted(s.readings.items())
                      if r in followed and followed[r] not in vs), None)
        if other is None or s.status == _ERROR:  # a target that broke is never excused
            out.append(s)
            continue
        reading, values = other
        wanted = " or ".join(repr(v) for v in sorted(values))
        message = (f"not-applicable: reading {reading!r}: the target was found to follow "
                   f"{followed[reading]!r}, this scenario is written for {wanted} "
                   f"(it {s.status})")
        observed = {"status": s.status, "message": s.message, "blocked_by": s.blocked_by}
        out.append(dataclasses.replace(s, status=_NOT_APPLICABLE, message=message,
                                       blocked_by=None, observed=observed))
    return out


def gate_reasons(decisions: Sequence[Decision]) -> list[str]:
    """A target that mixes readings fails the gate, naming the contradiction."""
    return [f"reading {d.reading}: the target follows no one reading throughout -- "
            f"{d.contradiction}" for d in decisions if d.state == "mixed"]
