"""The pytest side of the reports: implements the gate's ``pytest_authconform_document``
hook, so a run writes its reports from the document the gate has just written. Loaded
by the root ``conftest.py`` beside the gate's plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from authconform.gate import hooks
from authconform.report.writers import write_all


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    hooks.add_to(pluginmanager)  # the gate's hook, whichever plugin pytest loads first


@pytest.hookimpl
def pytest_authconform_document(config: pytest.Config, document: dict[str, Any],
                                report_dir: Path, alluredir: Path | None) -> list[Path]:
    return write_all(document, report_dir, alluredir)
