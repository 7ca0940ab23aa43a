"""Port versions: the comparison, the changelog it cites, and the check at the start of
a run (an older major version refused with exit 2 naming what changed, an older minor
run with a note in the verdict)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from authconform import port
from authconform.adapters import TargetConfig, versions
from authconform.adapters.sim_adapter import SimAdapter
from authconform.gate.verdict import RunInfo, build_document, validate_document
from tests.test_bad_input import NODE, SCENARIO, gate_line, run_gate, said

REPO = Path(__file__).resolve().parent.parent
CHANGELOG = REPO / "docs" / "port-changelog.md"

OLD_ADAPTERS = '''
from authconform.adapters.sim_adapter import SimAdapter


class Declaring(SimAdapter):
    version = ""

    def new_target(self, seed):
        target = super().new_target(seed)
        info = target.info
        target.info = type(info)(info.name, info.version, info.capabilities, info.profile,
                                 info.parameters, info.readings, self.version)
        return target


class OldMajor(Declaring):
    version = "1.3.0"


class OldMinor(Declaring):
    version = "2.0.0"
'''


def test_the_same_version_needs_no_note_whatever_its_patch() -> None:
    assert versions.check(port.PORT_VERSION, "t") is None
    current = versions.CURRENT
    assert versions.check(f"{current.major}.{current.minor}.{current.patch + 7}", "t") is None


def test_an_older_or_newer_minor_version_runs_with_a_note() -> None:
    older = versions.check("2.0.0", "target 'acme'")
    assert older is not None and "written for port version 2.0.0" in older
    newer = versions.check(f"{versions.CURRENT.major}.{versions.CURRENT.minor + 1}.0", "t")
    assert newer is not None and "newer than this harness" in newer


def test_an_undeclared_version_is_taken_as_the_last_undeclared_one() -> None:
    note = versions.check("", "target 'acme'")
    assert note is not None and "declares no port version" in note
    assert versions.UNDECLARED in note and port.PORT_VERSION in note


@pytest.mark.parametrize("declared", ["1.3.0", "1.0.0"])
def test_an_older_major_version_is_refused_naming_every_breaking_change(declared: str) -> None:
    with pytest.raises(versions.VersionRefused) as caught:
        versions.check(declared, "target 'acme'")
    message = str(caught.value)
    assert f"written for port version {declared}" in message
    for change in versions.BREAKING[2]:
        assert change in message


@pytest.mark.parametrize(("declared", "complaint"), [
    (f"{versions.CURRENT.major + 1}.0.0", "upgrade authconform"),
    ("2.1", "is not MAJOR.MINOR.PATCH"),
    ("v2.1.0", "is not MAJOR.MINOR.PATCH"),
])
def test_a_newer_major_or_a_malformed_version_is_refused(declared: str, complaint: str) -> None:
    with pytest.raises(versions.VersionRefused, match=complaint):
        versions.check(declared, "t")


@pytest.mark.parametrize("suffix", ["-rc.1", "+build.7", "-alpha.1+20261208", "-0.3.7"])
def test_a_semver_suffix_is_shown_but_not_compared(suffix: str) -> None:
    declared = port.PORT_VERSION + suffix
    parsed = versions.Version.parse(declared)
    assert parsed == versions.CURRENT and str(parsed) == declared
    note = versions.check(declared, "t", "/v1/info protocol")
    assert note is not None and declared in note and "not compared" in note
    older = versions.check(f"{versions.CURRENT.major}.0.0{suffix}", "t")
    assert older is not None and f"written for port version 2.0.0{suffix}" in older


@pytest.mark.parametrize("declared", ["2.3.1-", "2.3.1+", "2.3.1-rc..1", "2.3.1 rc1"])
def test_a_broken_suffix_is_still_refused(declared: str) -> None:
    with pytest.raises(versions.VersionRefused, match=r"is not MAJOR\.MINOR\.PATCH"):
        versions.check(declared, "t")


def _changelog_versions() -> list[tuple[str, str]]:
    text = CHANGELOG.read_text(encoding="utf-8")
    return re.findall(r"^## (\d+\.\d+\.\d+) — (.*)$", text, flags=re.MULTILINE)


def test_the_changelog_lists_every_version_newest_first_ending_at_this_one() -> None:
    listed = _changelog_versions()
    numbers = [versions.Version.parse(v) for v, _ in listed]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    assert str(numbers[0]) == port.PORT_VERSION
    assert str(numbers[-1]) == "1.0.0"


def test_each_major_version_of_the_changelog_is_marked_breaking_and_in_breaking() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    for number, rest in _changelog_versions():
        version = versions.Version.parse(number)
        if version.major > 1 and version.minor == 0 and version.patch == 0:
            assert "(breaking)" in rest and version.major in versions.BREAKING
    for major, changes in versions.BREAKING.items():
        section = text.split(f"## {major}.0.0", 1)[1].split("\n## ", 1)[0]
        # the refusal's wording names the operations and members the changelog names
        for change in changes:
            names = re.findall(r"[A-Za-z]+\.[a-z_]+", change)
            assert names and all(name in section for name in names), (change, names)


def test_the_simulator_declares_this_version() -> None:
    adapter = SimAdapter()
    adapter.start(TargetConfig())
    assert versions.check_adapter(adapter, 1) == (port.PORT_VERSION, None)


def test_the_note_goes_into_a_valid_conformance_document() -> None:
    run = RunInfo(target_name="acme", port_version="2.0.0",
                  port_note="target 'acme' was written for port version 2.0.0")
    document = build_document([], [], run, [], today=dt.date(2026, 12, 7),
                              generated_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC))
    assert document["target"]["port_version"] == "2.0.0"
    assert "2.0.0" in document["target"]["port_note"]
    assert validate_document(document) == []


# ---------------------------------------------------------------- a real start


@pytest.fixture
def old_adapters(tmp_path: Path) -> Path:
    (tmp_path / "old_adapters.py").write_text(OLD_ADAPTERS, encoding="utf-8")
    return tmp_path


def test_a_run_refuses_an_adapter_of_an_older_major_version_at_once(old_adapters: Path) -> None:
    done = run_gate(old_adapters, "--sut", "old_adapters:OldMajor", pytest_args=(NODE,))
    assert done.returncode == 2, said(done)[-2000:]
    text = said(done)
    assert "written for port version 1.3.0" in text
    assert "Screen.alerts holds Alert objects" in text
    assert not (old_adapters / "reports" / "conformance.json").exists()  # nothing ran


def test_a_run_of_an_older_minor_version_carries_a_note_in_the_verdict(
        old_adapters: Path) -> None:
    done = run_gate(old_adapters, "--sut", "old_adapters:OldMinor", "-k", SCENARIO)
    assert "(exit 0)" in gate_line(done), said(done)[-2000:]
    document = json.loads((old_adapters / "reports" / "conformance.json").read_text())
    assert document["target"]["port_version"] == "2.0.0"
    assert "written for port version 2.0.0" in document["target"]["port_note"]
    summary = (old_adapters / "reports" / "summary.md").read_text()
    assert "**Port version:**" in summary
    assert "port version: target" in said(done)
