"""``authconform requirements --sources DIR``: check that every paragraph of the source
documents in DIR is bound to a requirement or listed as carrying no behaviour, that
every binding still holds, and print each document's coverage (``authconform.spec.sources``
has the rules). Exit 0 when all holds, 1 when something does not (a requirement to
review, an uncovered paragraph, a requirement without a bound passage), 2 on bad input.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from authconform.spec import sources
from authconform.spec.catalogue import Requirement

SOURCES_ENV = "AUTHCONFORM_SOURCES"


def sources_file_path(root: Path) -> Path:
    return root / "features" / "sources.yml"


def default_sources_dir(root: Path) -> Path | None:
    """``$AUTHCONFORM_SOURCES``, else ``../shared/seeds`` beside the repository, if it
    exists (where the documents sit on the development machines)."""
    given = os.environ.get(SOURCES_ENV)
    if given:
        return Path(given)
    candidate = root.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def main(catalogue: Sequence[Requirement], root: Path, folder: str, *,
         passages: bool = False, fmt: str = "text") -> int:
    try:
        sources_file = sources.load_sources_file(sources_file_path(root))
        if not Path(folder).is_dir():
            raise sources.BindingError(f"sources folder {folder} does not exist")
    except sources.BindingError as exc:
        print(f"authconform: {exc}")
        return 2
    found, missing = sources.read_documents(folder, sources_file.documents)
    result = sources.check(catalogue, sources_file, found, missing)
    if passages:
        print("\n".join(sources.passages_table(found, result, catalogue, sources_file)))
    elif fmt == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        for line in sources.coverage_lines(result):
            print(line)
        for finding in result.findings():
            print(f"problem: {finding}")
    if not result.ok:
        print(f"authconform: sources check failed: {len(result.findings())} problem(s)")
        return 1
    return 0
