"""Figure 4: wall seconds for the whole mutant run, serial and with parallel workers.

Placeholder until ``authconform.mutants.runner`` exists; see ``run``.
"""

from __future__ import annotations

import importlib.util
from typing import Any


def available() -> str | None:
    try:
        if importlib.util.find_spec("authconform.mutants.runner") is None:
            return "authconform/mutants/runner.py is not there yet"
    except (ImportError, ValueError) as exc:
        return f"authconform.mutants.runner: {exc}"
    return None


def run(repetitions: int, seed: int, workers: int) -> dict[str, Any]:
    why = available()
    if why is not None:
        return {"error": why}
    return {"error": "not written yet"}
