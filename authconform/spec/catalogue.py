"""The requirement catalogue: what each documented behaviour is (id, area, MUST or SHOULD,
documented or robustness, the profiles it holds in, the source passages it is bound to,
the interpretation where the documents read two ways), read from
``features/requirements.yml`` and any user catalogues beside it, and the ids retired
from it. Pure data and its validation: no pytest, no I/O beyond reading the YAML.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


LEVELS = ("MUST", "SHOULD")


DOCUMENTED = "documented"


ROBUSTNESS = "robustness"


KINDS = (DOCUMENTED, ROBUSTNESS)


REQUIREMENT_ID = re.compile(r"^REQ-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{2,}$")


NOT_APPLICABLE_PREFIX = "not-applicable:"


class ConfigurationError(Exception):
    """The catalogue or the waivers file is malformed or inconsistent (exit code 2)."""


@dataclass(frozen=True)
class Requirement:
    id: str
    area: str
    level: str
    profiles: tuple[str, ...]
    summary: str
    sources: tuple[Mapping[str, str], ...]
    interpretation: str | None = None
    kind: str = DOCUMENTED  # documented (the gate) or robustness (graded beside it)
    # "" for ours (features/requirements.yml); a user catalogue's file name for theirs
    catalogue: str = ""


def _entry_id(entry: Any, where: str, problems: list[str]) -> str | None:
    """The id of one catalogue entry, or ``None`` with the problem noted."""
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: expected a mapping")
        return None
    rid = entry.get("id")
    if not isinstance(rid, str) or not REQUIREMENT_ID.match(rid):
        problems.append(f"{where}: id {rid!r} does not look like REQ-AREA-NN")
        return None
    return rid


def parse_catalogue(data: Any, origin: str = "requirements catalogue") -> list[Requirement]:
    """Validate the parsed YAML of the catalogue; ``ConfigurationError`` names every
    problem found, not just the first."""
    if not isinstance(data, Mapping) or not isinstance(data.get("requirements"), list):
        raise ConfigurationError(f"{origin}: expected a top-level 'requirements:' list")
    problems: list[str] = []
    result: list[Requirement] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["requirements"]):
        rid = _entry_id(entry, f"{origin}: requirement #{index + 1}", problems)
        if rid is None:
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
        kind = entry.get("kind", DOCUMENTED)
        if kind not in KINDS:
            problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        result.append(Requirement(
            id=rid,
            area=str(entry.get("area", "")),
            level=str(level),
            profiles=tuple(str(p) for p in profiles),
            summary=summary.strip(),
            sources=tuple({str(k): str(v) for k, v in s.items()} for s in sources),
            interpretation=None if interpretation is None else str(interpretation).strip(),
            kind=str(kind),
        ))
    try:
        parse_retired(data, origin)
    except ConfigurationError as exc:
        problems.append(str(exc))
    if problems:
        raise ConfigurationError("; ".join(problems))
    return result


@dataclass(frozen=True)
class Retired:
    """An id taken out of the catalogue (never reused): where its checks went."""
    id: str
    replaced_by: tuple[str, ...]
    note: str

    def explain(self) -> str:
        return (f"{self.id} was retired; its checks are now "
                f"{' and '.join(self.replaced_by)}'s ({self.note})")


def parse_retired(data: Any, origin: str = "requirements catalogue") -> dict[str, Retired]:
    """The catalogue's optional ``retired:`` list, by id. A retired id must look like an
    id, not be in use again, and point only at requirements that exist."""
    if not isinstance(data, Mapping) or data.get("retired") is None:
        return {}
    entries = data["retired"]
    if not isinstance(entries, list):
        raise ConfigurationError(f"{origin}: 'retired' must be a list")
    active = {e.get("id") for e in data.get("requirements") or [] if isinstance(e, Mapping)}
    problems: list[str] = []
    result: dict[str, Retired] = {}
    for index, entry in enumerate(entries):
        rid = _entry_id(entry, f"{origin}: retired #{index + 1}", problems)
        if rid is None:
            continue
        where = f"{origin}: retired {rid}"
        replaced = entry.get("replaced_by")
        note = entry.get("note")
        if rid in active:
            problems.append(f"{where}: the id is also an active requirement")
        if rid in result:
            problems.append(f"{where}: retired twice")
        if (not isinstance(replaced, list) or not replaced
                or not all(isinstance(r, str) for r in replaced)):
            problems.append(f"{where}: 'replaced_by' must be a non-empty list of ids")
            continue
        missing = [r for r in replaced if r not in active]
        if missing:
            problems.append(f"{where}: replaced_by names no requirement: {', '.join(missing)}")
        if not isinstance(note, str) or not note.strip():
            problems.append(f"{where}: 'note' is missing")
            note = ""
        result[rid] = Retired(rid, tuple(replaced), note.strip())
    if problems:
        raise ConfigurationError("; ".join(problems))
    return result


def load_retired(path: str | Path) -> dict[str, Retired]:
    path = Path(path)
    return parse_retired(read_yaml(path, "requirements catalogue"), origin=str(path))


def read_yaml(path: Path, what: str) -> Any:
    """Parsed YAML, or a ConfigurationError naming ``what`` and the file."""
    return _parse_yaml(_read_text(path, what), what, str(path))


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{what} {path}: {exc}") from exc


def _parse_yaml(text: str, what: str, path: str) -> Any:
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{what} {path}: {exc}") from exc


def load_catalogue(path: str | Path, extra: Sequence[str | Path] | None = None
                   ) -> list[Requirement]:
    """The catalogue at ``path`` and, after it, the user catalogues ``extra`` (default:
    the files named by ``AUTHCONFORM_CATALOGUE``, which ``--catalogue FILE`` sets, so
    every process of a run -- plugin, xdist workers, report -- sees the same list)."""
    path = Path(path)
    ours = list(_parsed_catalogue(str(path), _read_text(path, "requirements catalogue")))
    if extra is None:
        extra = extra_catalogues()
    if not extra:
        return ours
    retired = load_retired(path)
    combined = list(ours)
    for name in extra:
        combined += load_user_catalogue(name, combined, retired)
    return combined


@functools.lru_cache(maxsize=16)
def _parsed_catalogue(path: str, text: str) -> tuple[Requirement, ...]:
    """A catalogue parsed once per process for the same text: a run's plugin, collector
    and Allure titles each ask for it. Keyed by content, not by modification time, so an
    edit is seen however coarse the file system's clock. Requirements are frozen; a
    failure is raised again on every call (lru_cache keeps only answers)."""
    data = _parse_yaml(text, "requirements catalogue", path)
    return tuple(parse_catalogue(data, origin=path))


CATALOGUE_ENV = "AUTHCONFORM_CATALOGUE"  # user catalogues, os.pathsep-separated


def extra_catalogues() -> list[Path]:
    return [Path(p) for p in os.environ.get(CATALOGUE_ENV, "").split(os.pathsep) if p]


def load_user_catalogue(path: str | Path, known: Sequence[Requirement],
                        retired: Mapping[str, Retired]) -> list[Requirement]:
    """A user's requirements beside ours: the same format as features/requirements.yml,
    ids that are not ours (nor retired), and every requirement bound to its own source:
    at least one ``{doc, section}`` naming the user's document (a product spec, a bug
    report) and where in it the behaviour is stated."""
    path = Path(path)
    data = read_yaml(path, "user requirements catalogue")
    requirements = parse_catalogue(data, origin=str(path))
    taken = {r.id for r in known}
    problems = []
    for r in requirements:
        if r.id in taken:
            problems.append(f"{path}: {r.id}: the id is already used by another catalogue")
        if r.id in retired:
            problems.append(f"{path}: {r.id}: {retired[r.id].explain()}; pick a new id")
        if not r.sources or not all(s.get("section") for s in r.sources):
            problems.append(f"{path}: {r.id}: bind it to its source: sources: "
                            "[{doc: <your document>, section: <where it says so>}]")
    if problems:
        raise ConfigurationError("; ".join(problems))
    return [dataclasses.replace(r, catalogue=path.name) for r in requirements]
