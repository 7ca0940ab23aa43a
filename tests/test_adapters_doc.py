"""docs/adapters.md keeps up with the port: every field of every value type in the
values table, and every declared parameter, reading, refusal family, alert code and
fault point under 'What the suite assumes'."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from authconform import port
from authconform.spec.families import FAMILIES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "adapters.md").read_text("utf-8")


def _section(title: str) -> str:
    start = DOC.index(f"## {title}\n")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end > 0 else None]


def test_the_values_table_lists_every_field_of_every_port_value() -> None:
    table = _section("The values")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| (.*) \|$", table,
                                                         re.MULTILINE)}
    values = [obj for obj in vars(port).values()
              if isinstance(obj, type) and dataclasses.is_dataclass(obj)
              and obj.__module__ == port.__name__]
    assert values
    for value in values:
        assert value.__name__ in rows, f"{value.__name__} is missing from the values table"
        for f in dataclasses.fields(value):
            assert f"`{f.name}" in rows[value.__name__], (
                f"{value.__name__}.{f.name} is missing from the values table")


def test_what_the_suite_assumes_names_every_declaration_family_alert_and_fault() -> None:
    assumed = _section("What the suite assumes")
    names = ([p.value for p in port.Parameter] + [r.value for r in port.Reading]
             + list(FAMILIES) + [a.value for a in port.AlertCode] + list(port.FAULT_POINTS))
    missing = [n for n in names if f"`{n}`" not in assumed]
    assert not missing, f"not in docs/adapters.md 'What the suite assumes': {missing}"
    for reading, values in port.READINGS.items():
        assert all(f"`{v}`" in assumed for v in values), reading
