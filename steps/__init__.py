"""Step definitions, one module per thing the features speak of; every one is loaded
for every feature file (the root conftest.py lists them with ``step_modules()``)."""

from pathlib import Path


def step_modules() -> list[str]:
    """Every step module here, by name. ``test_*.py`` files are left out: a module that
    calls ``scenarios()`` is not needed (the plugin collects every feature file)."""
    here = Path(__file__).parent
    return [f"steps.{path.stem}" for path in sorted(here.glob("*.py"))
            if path.stem != "__init__" and not path.stem.startswith("test_")]
