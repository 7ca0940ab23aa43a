"""Where the suite lives: the repository folder that holds ``features/`` (the scenarios
and the requirement catalogue) and ``steps/``. Every command that reads the suite finds
it here, from the working directory up, else beside this installed package.
"""

from __future__ import annotations

from pathlib import Path


def find_root(start: Path | None = None) -> Path | None:
    """The repository root: the nearest folder holding features/ and steps/, from the
    working directory up, else the one this package was installed from."""
    candidates = [start or Path.cwd()]
    candidates += list(candidates[0].resolve().parents)
    candidates.append(Path(__file__).resolve().parents[2])
    for c in candidates:
        if (c / "features").is_dir() and (c / "steps").is_dir():
            return c.resolve()
    return None
