"""Every report made from the conformance document, in one call: ``junit.xml``,
``summary.md`` and, when the run collects Allure results, the files Allure reads beside
them. The live run calls this through the gate's hook (``report.plugin``); ``authconform
merge`` calls it on the merged document, so a merged run's reports are made the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from authconform.report.allure_files import write_allure_extras
from authconform.report.junit import write_junit
from authconform.report.summary import render_summary


def write_all(doc: Mapping[str, Any], report_dir: Path,
              alluredir: Path | None = None) -> list[Path]:
    """The reports of ``doc`` into ``report_dir`` (and ``alluredir``); the paths written."""
    report_dir.mkdir(parents=True, exist_ok=True)
    written = [write_junit(doc, report_dir / "junit.xml")]
    summary = report_dir / "summary.md"
    summary.write_text(render_summary(doc), encoding="utf-8")
    written.append(summary)
    if alluredir is not None:
        written += write_allure_extras(alluredir, doc)
    return written
