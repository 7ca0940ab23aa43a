"""The gate's exit code: from pytest's return code and the conformance document, the
number a CI job acts on and the one-line reason printed with it (the table is in
``authconform.cli``'s docstring). Fail closed: without a valid document it is never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from authconform.gate import verdict

# pytest's own exit codes
PYTEST_OK, PYTEST_FAILED, PYTEST_INTERRUPTED, PYTEST_INTERNAL, PYTEST_USAGE, PYTEST_NO_TESTS = (
    0, 1, 2, 3, 4, 5)


EXIT_CONFORMANT = 0


EXIT_NON_CONFORMANT = 1


EXIT_USAGE = 2


EXIT_HARNESS = 3


collection_error_headline = verdict.collection_error_headline  # where: what, one line


def collection_errors_line(errors: Sequence[str], shown: int = 3) -> str:
    """``N collection error(s): a; b; c and N more``, each naming its file and line."""
    heads = [collection_error_headline(e) for e in errors[:shown]]
    more = f" and {len(errors) - shown} more" if len(errors) > shown else ""
    return f"{len(errors)} collection error(s): {'; '.join(heads)}{more}"


def decide_exit_code(pytest_rc: int | None, doc: Mapping[str, Any] | None,
                     doc_problem: str | None = None) -> tuple[int, str]:
    """The gate's exit code and a one-line reason, from pytest's return code and the
    conformance document (``None`` when missing or invalid, ``doc_problem`` says why)."""
    if pytest_rc == PYTEST_USAGE:
        return EXIT_USAGE, "pytest reported a usage error (see above)"
    if doc is None and pytest_rc == PYTEST_INTERNAL:
        return EXIT_HARNESS, ("pytest stopped before any scenario ran (an internal error, "
                              "shown above); no conformance.json")
    if doc is None:
        return EXIT_HARNESS, f"no valid conformance.json: {doc_problem or 'missing'}"
    errors = doc.get("harness", {}).get("collection_errors") or []
    if errors:
        return EXIT_USAGE, collection_errors_line(errors)
    total = doc.get("totals", {}).get("scenarios", {}).get("total", 0)
    if pytest_rc == PYTEST_NO_TESTS or total == 0:
        return EXIT_USAGE, "no scenario was selected"
    if pytest_rc not in (PYTEST_OK, PYTEST_FAILED):
        return EXIT_HARNESS, f"pytest ended abnormally (exit {pytest_rc})"
    v = doc.get("verdict")
    scope = verdict.scope_prefix(doc)
    if v == verdict.ERROR:
        return EXIT_HARNESS, scope + (verdict.reasons_line(doc) or "error")
    if v in (verdict.NON_CONFORMANT, verdict.REVIEW):  # review: run --sources DIR
        return EXIT_NON_CONFORMANT, scope + verdict.reasons_line(doc)
    if v == verdict.CONFORMANT:
        # the label says "conformant": the line says what that covers, not the label again
        covered = verdict.coverage_line(doc) if "coverage" in doc else "all checks passed"
        found = verdict.readings_line(doc, inferred_only=True)  # an undeclared reading
        return EXIT_CONFORMANT, scope + covered + (f"; {found}" if found else "")
    return EXIT_HARNESS, f"unknown verdict {v!r}"
