"""Parsed feature files, remembered between runs.

pytest-bdd parses every feature file of a run with the Gherkin parser, run after run,
though the files rarely change: about 0.15 s of each whole-suite run, and as much in
every run a proof or a test starts. pytest-bdd keeps what it parsed for the life of
the process (``pytest_bdd.feature.features``, by absolute path); this module fills that
same table from ``<root>/.authconform/features/`` before pytest-bdd looks, and saves
what it parsed afterwards. pytest-bdd then finds the file parsed and does the rest as
ever: the scenarios, their examples and their steps come from its own objects.

A file is remembered under a hash of its bytes, its absolute path and the installed
pytest-bdd and Gherkin parser: any change to either means parsing again. A file that
does not parse is never remembered (the parse error is named every time). A remembered
entry that cannot be read, a folder that cannot be written: parsing as if nothing were
remembered. ``AUTHCONFORM_CACHE=off`` parses every time.

The entries are pickles that this module wrote, in the project's own folder: trusted as
the byte-code in ``__pycache__`` beside them is.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
from pathlib import Path
from typing import Any

FOLDER = Path(".authconform") / "features"
KEPT = 256  # remembered files; the oldest go first
VERSION = b"authconform feature cache 1\n"


def enabled() -> bool:
    return os.environ.get("AUTHCONFORM_CACHE", "").strip().lower() not in ("off", "0", "no")


@functools.cache
def _parsers() -> bytes:
    said = []
    for name in ("pytest-bdd", "gherkin-official"):
        try:
            said.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            said.append(f"{name} none")
    return ("\0".join(said) + "\0" + sys.version + "\0").encode()


def _table() -> dict[str, Any]:
    from pytest_bdd import feature

    table: dict[str, Any] = feature.features
    return table


def key(path: Path) -> str | None:
    """The entry's name for the feature file at ``path``, None if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(VERSION + _parsers())
    digest.update(os.path.abspath(path).encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def prime(path: Path, root: Path) -> str | None:
    """Put the remembered parse of ``path`` where pytest-bdd looks for it; the key to
    ``keep`` it under once parsed, or None when nothing is to be remembered."""
    if not enabled():
        return None
    name = key(path)
    if name is None:
        return None
    full = os.path.abspath(path)
    table = _table()
    if full in table:
        return None  # parsed in this process already
    entry = root / FOLDER / name
    try:
        with entry.open("rb") as file:
            parsed = pickle.load(file)
    except FileNotFoundError:
        return name
    except Exception:  # unreadable or from elsewhere: parse, and write it anew
        return name
    if type(parsed).__name__ != "Feature" or getattr(parsed, "filename", None) != full:
        return name
    table[full] = parsed
    return None


def keep(path: Path, root: Path, name: str) -> None:
    """Remember what pytest-bdd parsed from ``path``; silently nothing if it cannot."""
    parsed = _table().get(os.path.abspath(path))
    if parsed is None:
        return
    folder = root / FOLDER
    partial = folder / f"{name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as file:
            pickle.dump(parsed, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, folder / name)  # whole or not at all, for parallel runs
        kept = sorted((p for p in folder.iterdir() if not p.name.endswith(".tmp")),
                      key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-KEPT]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
