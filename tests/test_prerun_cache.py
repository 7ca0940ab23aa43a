"""The pre-run check remembers only clean suites, and only while nothing it reads changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from authconform.authoring import prerun_cache, stepcheck

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    root = tmp_path / "suite"
    shutil.copytree(REPO / "features", root / "features")
    shutil.copytree(REPO / "steps", root / "steps",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "conftest.py", root / "conftest.py")
    return root


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = stepcheck._problems

    def counted(root: Path, only: object) -> list[str]:
        calls.append(1)
        return real(root, only)  # type: ignore[arg-type]

    monkeypatch.setattr(stepcheck, "_problems", counted)
    return calls


def test_a_clean_suite_is_checked_once_until_a_file_changes(suite, monkeypatch) -> None:
    calls = _count_checks(monkeypatch)
    assert stepcheck.prerun(suite) == [] and stepcheck.prerun(suite) == []
    assert len(calls) == 1
    assert len(list((suite / prerun_cache.FOLDER).iterdir())) == 1
    feature = next((suite / "features").glob("*.feature"))
    feature.write_text(feature.read_text() + "\n# a comment\n")
    assert stepcheck.prerun(suite) == [] and len(calls) == 2
    step_module = suite / "steps" / "people.py"
    step_module.write_text(step_module.read_text() + "\n")
    assert stepcheck.prerun(suite) == [] and len(calls) == 3
    only = [next((suite / "features").glob("*.feature"))]
    assert stepcheck.prerun(suite, only) == [] and len(calls) == 4  # another selection


def test_problems_are_found_every_time(suite, monkeypatch) -> None:
    feature = next((suite / "features").glob("*.feature"))
    feature.write_text(feature.read_text().replace("Given ", "Given a typo that ", 1))
    calls = _count_checks(monkeypatch)
    first, second = stepcheck.prerun(suite), stepcheck.prerun(suite)
    assert first and first == second and len(calls) == 2
    assert not (suite / prerun_cache.FOLDER).exists()


def test_off_checks_every_time_and_an_unwritable_folder_only_means_no_memory(
        suite, monkeypatch) -> None:
    calls = _count_checks(monkeypatch)
    monkeypatch.setenv("AUTHCONFORM_PRERUN_CACHE", "off")
    stepcheck.prerun(suite), stepcheck.prerun(suite)
    assert len(calls) == 2
    monkeypatch.delenv("AUTHCONFORM_PRERUN_CACHE")
    monkeypatch.setenv("AUTHCONFORM_CACHE", "off")  # every cache off, this one too
    stepcheck.prerun(suite), stepcheck.prerun(suite)
    assert len(calls) == 4 and not (suite / prerun_cache.FOLDER).exists()
    monkeypatch.delenv("AUTHCONFORM_CACHE")
    (suite / ".authconform").write_text("a file where the folder would go")
    assert stepcheck.prerun(suite) == [] and stepcheck.prerun(suite) == []
    assert len(calls) == 6


def test_the_key_follows_the_user_catalogues(suite, tmp_path) -> None:
    extra = tmp_path / "mine.yml"
    extra.write_text("requirements: []\n")
    before = prerun_cache.key(suite, None, [extra])
    assert prerun_cache.key(suite, None, []) != before
    extra.write_text("requirements: [] # changed\n")
    assert prerun_cache.key(suite, None, [extra]) != before
