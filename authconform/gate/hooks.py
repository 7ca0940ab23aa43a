"""The hook the gate calls once the conformance document is written, so that the
reports made from it are written in the same run without the gate knowing them.

The gate owns the decision and the one document; ``authconform.report`` implements this
hook (its ``plugin``) and writes every other file from that document. Data flows one
way: the gate never imports a report module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

hookspec = pytest.hookspec  # pluggy's marker, as pytest exposes it


@hookspec
def pytest_authconform_document(config: pytest.Config, document: dict[str, Any],
                                report_dir: Path, alluredir: Path | None) -> list[Path]:
    """Called on the controller after ``conformance.json`` (or
    ``conformance.invalid.json``) is written to ``report_dir``, with the document as
    written; ``alluredir`` is the Allure results folder when the run collects one.
    Returns the paths the implementation wrote (listed at the end of the run)."""
    raise NotImplementedError("a hook specification: pytest calls the implementations")


def add_to(pluginmanager: Any) -> None:
    """Declare the hook once: the reports' plugin declares it before its implementation
    is checked, the collector before it calls it (a run without the reports' plugin)."""
    caller = getattr(pluginmanager.hook, "pytest_authconform_document", None)
    if caller is None or caller.spec is None:
        pluginmanager.add_hookspecs(sys.modules[__name__])
