"""Remembering which suites passed the pre-run check, so an unchanged suite is not
checked again.

The pre-run check (``stepcheck.prerun``) parses every feature file and matches every step
against every definition: about 0.4 s of each ``authconform run``, spent again on the
same files run after run. A clean answer is remembered under a key that hashes
everything it depends on -- the bytes of the feature files, the step modules, the root
conftest, the user catalogues and of authconform itself, which files the run narrowed
to, and the installed pytest-bdd, Gherkin parser and ``parse`` (their files' sizes and
times) -- as an empty file in ``<root>/.authconform/prerun/``. Any change gives a new key
and a full check. Problems are never remembered: a suite with a problem is checked every
time and the problem named every time. A folder that cannot be written only means no
remembering. ``AUTHCONFORM_PRERUN_CACHE=off`` (or ``AUTHCONFORM_CACHE=off``, which turns
off the parsed-feature cache too) checks every time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from authconform.spec import remembered
from authconform.spec.catalogue import extra_catalogues

FOLDER = remembered.FOLDER / "prerun"
KEPT = 64  # remembered keys per suite; the oldest go first
VERSION = b"authconform prerun cache 1\n"
# What the check's answer depends on outside the suite, besides authconform itself.
PARSERS = ("pytest_bdd", "gherkin", "parse")


def _package_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    if origin.name != "__init__.py":  # a single module
        return [origin]
    return sorted(origin.parent.rglob("*.py"))


def _add_bytes(digest: Any, base: Path, files: Iterable[Path]) -> None:
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def key(root: Path, only: Sequence[Path] | None, catalogues: Sequence[Path]) -> str:
    """The hash of everything ``prerun(root, only)`` reads, under the user catalogues
    ``catalogues``. OSError if a file cannot be read."""
    digest = hashlib.sha256(VERSION)
    digest.update(sys.version.encode() + b"\0")
    features, steps = root / "features", root / "steps"
    _add_bytes(digest, root, sorted(p for p in features.rglob("*") if p.is_file()))
    _add_bytes(digest, root, sorted(steps.rglob("*.py")))
    if (root / "conftest.py").is_file():
        _add_bytes(digest, root, [root / "conftest.py"])
    own = Path(__file__).resolve().parents[1]  # the authconform package
    _add_bytes(digest, own, sorted(own.rglob("*.py")))
    for path in catalogues:
        digest.update(b"catalogue " + str(path.resolve()).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in PARSERS:
        for path in _package_files(name):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for chosen in sorted(str(Path(p).resolve()) for p in only or ()):
        digest.update(b"only " + chosen.encode() + b"\0")
    return digest.hexdigest()


def key_for(root: Path, only: Sequence[Path] | None) -> str | None:
    """``key`` under the run's user catalogues (``AUTHCONFORM_CATALOGUE``), or None when
    nothing is to be remembered: ``AUTHCONFORM_PRERUN_CACHE=off``, or a file that cannot
    be read (the check itself then says which)."""
    if remembered.turned_off("AUTHCONFORM_PRERUN_CACHE"):
        return None
    try:
        return key(root, only, extra_catalogues())
    except OSError:
        return None


def known_clean(root: Path, digest: str) -> bool:
    return (root / FOLDER / digest).is_file()


def remember_clean(root: Path, digest: str) -> None:
    """Mark ``digest`` clean; silently nothing if the folder cannot be written."""
    remembered.store(root / FOLDER, digest, b"", KEPT)
