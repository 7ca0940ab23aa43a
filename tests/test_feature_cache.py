"""Parsed feature files are remembered between runs, and only while the file and the
parsers stay the same (authconform/spec/feature_files.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_bdd import parser as bdd_parser

from authconform.gate.pytest_args import SCENARIO_PLUGIN_ARGS
from authconform.spec import feature_files

REPO = Path(__file__).resolve().parent.parent

FEATURE = """\
Feature: Codes
  Scenario Outline: A code for <who>
    Given a phone
    Then it shows a code for <who>

    Examples:
      | who   |
      | Alice |
      | Bob   |
"""


@pytest.fixture
def table() -> Iterator[None]:
    """A new run: nothing parsed in this process, before and after."""
    feature_files._parse.cache_clear()
    yield
    feature_files._parse.cache_clear()


def _parse(path: Path, root: Path) -> object:
    """What the plugin asks for one feature file of the suite at ``root``."""
    return feature_files.parse(path.parent, path.name, remember_in=root)


def _outline(parsed: object) -> list[tuple[str, list[str], list[tuple[list[str], list]]]]:
    """What the scenarios are made of: names, steps, and examples with their rows."""
    return [(name, [f"{s.keyword} {s.name}" for s in template.steps],
             [(e.example_params, [list(row) for row in e.examples]) for e in template.examples])
            for name, template in parsed.scenarios.items()]  # type: ignore[attr-defined]


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object) -> None:
        raise AssertionError("parsed although remembered")
    monkeypatch.setattr(bdd_parser.FeatureParser, "parse", refuse)


def test_an_unchanged_file_is_parsed_once(tmp_path: Path, table: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "features" / "codes.feature"
    path.parent.mkdir()
    path.write_text(FEATURE, encoding="utf-8")
    first = _parse(path, tmp_path)
    assert len(list((tmp_path / feature_files.FOLDER).iterdir())) == 1
    feature_files._parse.cache_clear()  # a new run: nothing parsed in this process yet
    with monkeypatch.context() as m:
        _no_parsing(m)
        second = _parse(path, tmp_path)
    assert second is not first and _outline(second) == _outline(first)
    assert second.filename == first.filename and second.rel_filename == first.rel_filename
    assert [t.name for t in second.scenarios.values()] == ["A code for <who>"]


def test_a_changed_file_is_parsed_again(tmp_path: Path, table: None) -> None:
    path = tmp_path / "codes.feature"
    path.write_text(FEATURE, encoding="utf-8")
    _parse(path, tmp_path)
    feature_files._parse.cache_clear()
    path.write_text(FEATURE.replace("A code for", "One code for"), encoding="utf-8")
    again = _parse(path, tmp_path)
    assert list(again.scenarios) == ["One code for <who>"]
    assert len(list((tmp_path / feature_files.FOLDER).iterdir())) == 2


def test_a_broken_entry_means_parsing_again_and_writing_it_anew(tmp_path: Path,
                                                                table: None) -> None:
    path = tmp_path / "codes.feature"
    path.write_text(FEATURE, encoding="utf-8")
    _parse(path, tmp_path)
    (entry,) = (tmp_path / feature_files.FOLDER).iterdir()
    entry.write_bytes(b"not a pickle")
    feature_files._parse.cache_clear()
    assert list(_parse(path, tmp_path).scenarios) == ["A code for <who>"]
    assert entry.read_bytes() != b"not a pickle"


def test_a_file_that_does_not_parse_is_never_remembered(tmp_path: Path, table: None) -> None:
    path = tmp_path / "broken.feature"
    path.write_text(FEATURE.replace("| Bob   |", "| Bob | extra |"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(Exception, match="inconsistent cell count"):
            _parse(path, tmp_path)
    assert not (tmp_path / feature_files.FOLDER).exists()


def test_off_remembers_nothing_and_an_unwritable_folder_is_no_error(
        tmp_path: Path, table: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "codes.feature"
    path.write_text(FEATURE, encoding="utf-8")
    monkeypatch.setenv("AUTHCONFORM_CACHE", "off")
    _parse(path, tmp_path)
    assert not (tmp_path / feature_files.FOLDER).exists()
    monkeypatch.delenv("AUTHCONFORM_CACHE")
    feature_files._parse.cache_clear()
    (tmp_path / ".authconform").write_text("a file where the folder would go")
    assert list(_parse(path, tmp_path).scenarios) == ["A code for <who>"]


def test_a_run_collects_the_same_scenarios_from_remembered_files(tmp_path: Path) -> None:
    """The suite collected twice in fresh processes: the second from what the first
    remembered, the same items in the same order."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AUTHCONFORM_CACHE", None)
    cmd = [sys.executable, "-m", "pytest", "features", "--collect-only", "-q",
           "-p", "no:cacheprovider", *SCENARIO_PLUGIN_ARGS,
           "--sut", "sim", "--seed", "1", "--rootdir", str(REPO),
           "-o", f"cache_dir={tmp_path}"]

    def collected() -> list[str]:
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return [line for line in done.stdout.splitlines() if "::" in line]

    first, second = collected(), collected()
    off = subprocess.run(cmd, cwd=REPO, env={**env, "AUTHCONFORM_CACHE": "off"},
                         capture_output=True, text=True, timeout=300, check=False)
    assert first == second == [line for line in off.stdout.splitlines() if "::" in line]
    assert len(first) > 200
    remembered = {p.name for p in (REPO / feature_files.FOLDER).iterdir()}
    for path in (REPO / "features").rglob("*.feature"):
        assert feature_files.key(str(path.parent), path.name, path.read_bytes()) in remembered, path


REPEATED = """\
Feature: Codes
  Scenario: A code
    Given a phone

  Rule: Later
    Scenario: A code
      Given another phone
"""


@pytest.mark.parametrize("remembered", [True, False], ids=["remembered", "not-remembered"])
def test_two_scenarios_of_one_name_are_a_parse_error_at_the_second(
        tmp_path: Path, table: None, monkeypatch: pytest.MonkeyPatch, remembered: bool) -> None:
    # pytest-bdd keeps a feature's scenarios by name: the first would silently never run
    from pytest_bdd.exceptions import GherkinParseError

    if not remembered:
        monkeypatch.setenv("AUTHCONFORM_CACHE", "off")
    path = tmp_path / "codes.feature"
    path.write_text(REPEATED, encoding="utf-8")
    with pytest.raises(GherkinParseError) as raised:
        _parse(path, tmp_path)
    assert raised.value.line == 6
    assert raised.value.message.startswith(
        "a second scenario named 'A code' (the first is at line 2)")
    assert not (tmp_path / feature_files.FOLDER).exists(), "an error is never remembered"
    path.write_text(REPEATED.replace("    Scenario: A code\n      Given another",
                                     "    Scenario: Another code\n      Given another"))
    assert list(_parse(path, tmp_path).scenarios) == ["A code", "Another code"]
