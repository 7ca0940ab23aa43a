"""``junit.xml``: every scenario of the conformance document as a JUnit testcase, for CI
systems that read JUnit. Made from the document alone.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from authconform.gate import verdict


def write_junit(doc: Mapping[str, Any], path: Path) -> Path:
    """Every scenario as a testcase: failed -> <failure>, blocked -> <failure
    type="blocked"> naming the requirement charged with it, error -> <error>,
    not-applicable and skipped -> <skipped message=...>."""
    scenarios = doc["scenarios"]
    totals = doc["totals"]["scenarios"]
    suite = ET.Element("testsuite", {
        "name": f"authconform {doc['target']['name']} ({doc['profile']})",
        "tests": str(totals["total"]),
        "failures": str(totals["failed"] + totals["blocked"]),
        "errors": str(totals["error"]),
        "skipped": str(totals["skipped"] + totals["not-applicable"]),
        "time": f"{sum(s['duration_s'] for s in scenarios):.3f}",
        "timestamp": doc["generated_at"],
    })
    props = ET.SubElement(suite, "properties")
    for key, value in (("verdict", doc["verdict"]), ("target", doc["target"]["name"]),
                       ("target.version", doc["target"]["version"]),
                       ("profile", doc["profile"]), ("seed", doc["seed"]),
                       ("selection", doc["selection"]),
                       ("coverage", verdict.coverage_line(doc)),
                       ("robustness", verdict.robustness_line(doc)),
                       ("readings", verdict.readings_line(doc)),
                       *((("sources", verdict.sources_line(doc)),) if "sources" in doc else ())):
        ET.SubElement(props, "property", {"name": key, "value": str(value)})
    for s in scenarios:
        case = ET.SubElement(suite, "testcase", {
            "classname": s["id"].split("::", 1)[0], "name": s["id"].split("::", 1)[-1],
            "time": f"{s['duration_s']:.3f}"})
        if s["requirements"]:
            cprops = ET.SubElement(case, "properties")
            for rid in s["requirements"]:
                ET.SubElement(cprops, "property", {"name": "requirement", "value": rid})
        message = s.get("message", "")
        first = message.splitlines()[0] if message else ""
        if s["status"] == verdict.FAILED:
            ET.SubElement(case, "failure", {"message": first, "type": "non-conformance"}
                          ).text = message
        elif s["status"] == verdict.BLOCKED:  # it did fail, in another's precondition
            ET.SubElement(case, "failure", {"message": f"blocked by {s['blocked_by']}: {first}",
                                            "type": "blocked"}).text = message
        elif s["status"] == verdict.ERROR:
            ET.SubElement(case, "error", {"message": first, "type": "error"}).text = message
        elif s["status"] == verdict.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", {"message": message, "type": "not-applicable"})
        elif s["status"] == verdict.SKIPPED:
            ET.SubElement(case, "skipped", {"message": message, "type": "skipped"})
    root = ET.Element("testsuites", {"name": "authconform"})
    root.append(suite)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
