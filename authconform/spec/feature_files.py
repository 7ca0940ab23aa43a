"""One parse of each feature file per process, shared by everything that reads them.

A gate run checks the feature files before any scenario runs: the traceability matrix
(``traceability.parse_features``) and the step check (``authoring.stepcheck``) each walk
every file. Parsing with pytest-bdd's Gherkin parser is most of what that check costs, so
a file is parsed once per content and the parse is kept: an edit is a new content, seen
however coarse the file system's clock. Nothing here changes a parse: callers only read
it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any


def parse(base: Path | str, rel: str) -> Any:
    """pytest-bdd's ``Feature`` for ``base/rel``; an unreadable or malformed file raises
    what the parser raises, every time (failures are not kept)."""
    with open(os.path.join(str(base), rel), "rb") as handle:
        content = handle.read()
    return _parse(str(base), rel, content)


@functools.lru_cache(maxsize=512)
def _parse(base: str, rel: str, content: bytes) -> Any:
    from pytest_bdd.parser import FeatureParser

    return FeatureParser(base, rel).parse()
