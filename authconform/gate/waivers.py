"""Waivers: a failed requirement the team has accepted for a while, with a reason, an
owner and an expiry date, read from a YAML file (``--waivers``, else
``waivers/<target>.yml``). The verdict applies them; an expired or stale waiver fails
the gate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authconform.spec.catalogue import ConfigurationError, Retired, read_yaml


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
                  origin: str = "waivers file",
                  retired: Mapping[str, Retired] | None = None) -> list[Waiver]:
    """A list of ``{requirement, reason, owner, expires}`` (or ``{waivers: [...]}``).
    With ``known_ids``, a waiver naming an unknown requirement is a configuration error
    (naming where a ``retired`` id's checks went); so is a second waiver for the same
    requirement."""
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
            if retired and rid in retired:
                problems.append(f"{where}: {retired[rid].explain()}; waive those instead")
            else:
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


def load_waivers(path: str | Path, known_ids: Iterable[str] | None = None,
                 retired: Mapping[str, Retired] | None = None) -> list[Waiver]:
    path = Path(path)
    return parse_waivers(read_yaml(path, "waivers file"), known_ids, origin=str(path),
                         retired=retired)


def default_waivers_path(root: str | Path, target_name: str) -> Path | None:
    """``waivers/<target>.yml`` under the repository root, if it exists."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", target_name)
    path = Path(root) / "waivers" / f"{safe}.yml"
    return path if path.is_file() else None


TODAY_ENV = "AUTHCONFORM_TODAY"  # YYYY-MM-DD, pins "today" for waiver expiry
