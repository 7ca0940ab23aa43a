"""Writing and reading the one conformance document (``conformance.json``), which
every report is made from. A document that fails its schema is never written as
``conformance.json``: it goes to ``conformance.invalid.json`` with its problems, so a
reader that finds no valid document fails closed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from authconform.gate import verdict

DOCUMENT = "conformance.json"
INVALID = "conformance.invalid.json"


def write_document(doc: dict[str, Any], out: Path) -> Path:
    """``conformance.json`` in ``out``, or ``conformance.invalid.json`` (with
    ``schema_errors``) when the document fails its schema; the path written."""
    out.mkdir(parents=True, exist_ok=True)
    problems = verdict.validate_document(doc)
    target = out / DOCUMENT
    if problems:  # fail closed: no conformance.json means exit code 3
        target.unlink(missing_ok=True)
        target = out / INVALID
        doc = {**doc, "schema_errors": problems}
    else:
        (out / INVALID).unlink(missing_ok=True)
    target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return target


def read_document(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The conformance document if it exists and is valid, else ``(None, why)``."""
    if not path.is_file():
        invalid = path.with_name("conformance.invalid.json")
        if invalid.is_file():
            return None, f"the document failed its schema (see {invalid})"
        return None, f"{path} was not written"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"{path}: {exc}"
    problems = verdict.validate_document(doc)
    if problems:
        return None, f"{path} fails the schema: {problems[0]}"
    return doc, None
