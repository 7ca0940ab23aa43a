"""One parse of each feature file per process, shared by everything that reads them,
and remembered between runs.

A gate run checks the feature files before any scenario runs: the traceability matrix
(``traceability.parse_features``) and the step check (``authoring.stepcheck``) each walk
every file, and then pytest-bdd collects them (``gate.plugin`` hands it this parse).
Parsing with pytest-bdd's Gherkin parser is most of what that check costs, so a file is
parsed once per content and the parse is kept: an edit is a new content, seen however
coarse the file system's clock. Nothing here changes a parse: callers only read it.

A caller that names a suite root (``remember_in``) also finds the parse of an earlier
run there, in ``<root>/.authconform/features/``: about 0.15 s of each whole-suite run.
An entry is named by a hash of the file's bytes, where it is parsed from and the
installed pytest-bdd and Gherkin parser, so any change to either means parsing again;
a file that does not parse is never remembered (its error is named every time).
Entries are pickles this module wrote, in the project's own folder: trusted as the
byte-code in ``__pycache__`` beside them is. ``AUTHCONFORM_CACHE=off`` parses every
time (``remembered``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from authconform.spec import remembered

FOLDER = remembered.FOLDER / "features"
KEPT = 256  # remembered parses; the oldest go first
VERSION = b"authconform feature cache 1\n"


def parse(base: Path | str, rel: str, remember_in: Path | None = None) -> Any:
    """pytest-bdd's ``Feature`` for ``base/rel`` (as ``FeatureParser(base, rel)`` makes
    it); an unreadable or malformed file raises what the parser raises, every time
    (failures are not kept). ``remember_in``: the suite root whose remembered parses
    to read and add to."""
    with open(os.path.join(str(base), rel), "rb") as handle:
        content = handle.read()
    return _parse(str(base), rel, content, remember_in)


@functools.lru_cache(maxsize=512)
def _parse(base: str, rel: str, content: bytes, remember_in: Path | None) -> Any:
    from pytest_bdd.parser import FeatureParser

    if remember_in is None or remembered.turned_off():
        return FeatureParser(base, rel).parse()
    folder, name = remember_in / FOLDER, key(base, rel, content)
    try:
        parsed = pickle.loads((folder / name).read_bytes())
    except Exception:  # none yet, unreadable, or from elsewhere: parse, write it anew
        parsed = None
    if type(parsed).__name__ == "Feature" and parsed.filename == os.path.abspath(
            os.path.join(base, rel)):
        return parsed
    parsed = FeatureParser(base, rel).parse()
    try:
        data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return parsed
    remembered.store(folder, name, data, KEPT)
    return parsed


def key(base: str, rel: str, content: bytes) -> str:
    """The name of the remembered parse of ``content`` as ``base/rel``."""
    digest = hashlib.sha256(VERSION + _parsers())
    digest.update(f"{os.path.abspath(base)}\0{rel}\0".encode())
    digest.update(content)
    return digest.hexdigest()


@functools.cache
def _parsers() -> bytes:
    said = []
    for name in ("pytest-bdd", "gherkin-official"):
        try:
            said.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            said.append(f"{name} none")
    return ("\0".join(said) + "\0" + sys.version + "\0").encode()
