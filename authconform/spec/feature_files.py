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

A file with two scenarios of the same name does not parse here: pytest-bdd keeps a
feature's scenarios by name, so the second would take the first one's place and the
first would never run, without a word. It is a parse error at the second one's line.
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
VERSION = b"authconform feature cache 2\n"  # 2: repeated names are refused


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
    if remember_in is None or remembered.turned_off():
        return _checked_parse(base, rel)
    folder, name = remember_in / FOLDER, key(base, rel, content)
    try:
        parsed = pickle.loads((folder / name).read_bytes())
    except Exception:  # none yet, unreadable, or from elsewhere: parse, write it anew
        parsed = None
    if type(parsed).__name__ == "Feature" and parsed.filename == os.path.abspath(
            os.path.join(base, rel)):
        return parsed
    parsed = _checked_parse(base, rel)
    try:
        data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return parsed
    remembered.store(folder, name, data, KEPT)
    return parsed


def _checked_parse(base: str, rel: str) -> Any:
    """pytest-bdd's parse of the file, refused (its ``ScenarioError``, at the line)
    when two scenarios share a name."""
    import linecache

    from pytest_bdd.exceptions import ScenarioError
    from pytest_bdd.parser import FeatureParser

    class NotingParser(FeatureParser):
        """Notes each scenario it reads, before the feature's table keyed by name
        keeps only the last of a name."""

        def parse_scenario(self, scenario_data: Any, feature: Any, rule: Any = None) -> Any:
            read.append((scenario_data.name, scenario_data.location.line))
            return super().parse_scenario(scenario_data, feature, rule)

    read: list[tuple[str, int]] = []
    parser = NotingParser(base, rel)
    feature = parser.parse()
    first: dict[str, int] = {}
    for name, line in read:
        if name in first:
            raise ScenarioError(
                f"a second scenario named {name!r} (the first is at line {first[name]}): "
                "each scenario of a file needs a name of its own, or one of them never "
                "runs", line, linecache.getline(parser.abs_filename, line).strip(),
                parser.abs_filename)
        first[name] = line
    return feature


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
