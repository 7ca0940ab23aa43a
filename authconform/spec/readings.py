"""Scenarios written for one reading of a documented ambiguity.

Where the documents read more than one way (``port.Reading``), a scenario that only
holds under one reading is tagged ``@reading-<name>-<value>`` (e.g.
``@reading-existing_accounts-same``). Against a target that *declares* another reading
(``TargetInfo.readings``) such a scenario is *not-applicable*, with a reason naming the
reading -- never a pass, never a failure. Against a target that declares no reading the
scenario runs, and the gate decides afterwards which reading the target follows
(authconform.gate.inference). An untagged scenario must hold under every reading.
"""

from __future__ import annotations

from collections.abc import Iterable

from authconform.port import READINGS, Reading, TargetInfo
from authconform.spec.catalogue import NOT_APPLICABLE_PREFIX as NOT_APPLICABLE

TAG_PREFIX = "reading-"


def tag(reading: Reading, value: str) -> str:
    return f"{TAG_PREFIX}{reading.value}-{value}"


def all_tags() -> dict[str, str]:
    """Every valid reading tag, with the text pytest shows for its marker."""
    return {tag(reading, value): f"only for targets that declare {reading.value}={value}"
            for reading, values in READINGS.items() for value in values}


def parse(name: str) -> tuple[Reading, str] | None:
    """``(Reading.SECOND_PAIRING, "refused")`` from ``reading-second_pairing-refused``;
    None for a tag that is not a reading tag; ValueError naming the valid tags for a
    reading tag that names no reading or no value of it (a typo must not quietly run
    the scenario under every reading)."""
    if not name.startswith(TAG_PREFIX):
        return None
    reading_name, _, value = name[len(TAG_PREFIX):].partition("-")
    try:
        reading = Reading(reading_name)
    except ValueError:
        reading = None
    if reading is None or value not in READINGS[reading]:
        raise ValueError(f"unknown reading tag @{name}; known: "
                         + ", ".join(f"@{t}" for t in sorted(all_tags())))
    return reading, value


def needed(tags: Iterable[str]) -> dict[Reading, set[str]]:
    """The readings a scenario's tags ask for (more than one value of one reading
    means the scenario holds under each of them)."""
    wanted: dict[Reading, set[str]] = {}
    for name in tags:
        parsed = parse(name)
        if parsed is not None:
            wanted.setdefault(parsed[0], set()).add(parsed[1])
    return wanted


def mismatch(info: TargetInfo, tags: Iterable[str]) -> str | None:
    """The not-applicable reason when the target declares another reading than the
    scenario is written for, else None (an undeclared reading is inferred, so every
    scenario of it runs)."""
    for reading, values in sorted(needed(tags).items()):
        declared = info.declared(reading)
        if declared is not None and declared not in values:
            return (f"{NOT_APPLICABLE} reading {reading.value!r}: the target declares "
                    f"{declared!r}, {written_for(values)}")
    return None


def written_for(values: Iterable[str]) -> str:
    return "this scenario is written for " + " or ".join(repr(v) for v in sorted(values))


def as_tags(tags: Iterable[str]) -> dict[str, list[str]]:
    """A scenario's reading tags as plain data (``{"second_pairing": ["refused"]}``),
    recorded with its result so the gate can infer an undeclared reading later."""
    return {reading.value: sorted(values) for reading, values in sorted(needed(tags).items())}
