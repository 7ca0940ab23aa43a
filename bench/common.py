"""Shared plumbing: the repository, pytest command lines, subprocess timing, medians."""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
TIMING_ENV = "AUTHCONFORM_BENCH_TIMING"
# The same flags for every pytest run a figure compares: no cache, quiet, Allure off
# (its listener only runs with --alluredir, but this keeps the import out too), and our
# timing plugin, which costs a handful of hooks.
PYTEST_FLAGS: tuple[str, ...] = (
    "-q", "--strict-markers", "-p", "no:cacheprovider", "-p", "no:allure_pytest_bdd",
    "-p", "bench.timing_plugin",
)
# Exit codes of pytest that still give a timing worth having (0 passed, 1 some failed,
# 5 nothing collected is not worth having).
USABLE_EXIT = {0, 1}
_SUMMARY = re.compile(r"\bin (\d+(?:\.\d+)?)s\b")

T = TypeVar("T")


def median(values: Sequence[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def interleave(runners: Mapping[str, Callable[[], T]], repetitions: int,
               warmup: bool = True) -> dict[str, list[T]]:
    """Run each runner once per repetition, alternating A/B/A/B (the order rotates each
    round so that neither always goes first); an optional untimed warm-up round first."""
    names = list(runners)
    if warmup:
        for name in names:
            runners[name]()
    results: dict[str, list[T]] = {name: [] for name in names}
    for round_no in range(repetitions):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(runners[name]())
    return results


def paired_ratios(a: Sequence[float | None], b: Sequence[float | None]) -> list[float]:
    """a[i] / b[i] for each round: the two were measured moments apart."""
    return [x / y for x, y in zip(a, b, strict=False) if x is not None and y]


@dataclass
class PytestRun:
    """One pytest subprocess: wall clock, pytest's own figures, outcomes."""

    command: list[str]
    exit_code: int
    wall_s: float
    cpu_s: float  # user + system CPU of the process and the children it waited for
    session_s: float | None  # pytest_sessionstart -> pytest_sessionfinish
    summary_s: float | None  # the "in 1.23s" pytest prints
    collect_s: float | None  # session start -> collection finished
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> timing
    counts: dict[str, int] = field(default_factory=dict)
    output_tail: str = ""

    @property
    def usable(self) -> bool:
        return self.exit_code in USABLE_EXIT and bool(self.tests)

    def per_test_s(self, nodeids: Sequence[str] | None = None) -> float | None:
        ids = list(self.tests) if nodeids is None else [n for n in nodeids if n in self.tests]
        if not ids:
            return None
        return sum(self.tests[n]["duration"] for n in ids) / len(ids)


def project_plugin_flags(repo: Path = REPO) -> list[str]:
    """The ``-p NAME`` / ``-p no:NAME`` flags in the project's own pytest configuration
    (``pytest.ini``, ``pyproject.toml``, ``tox.ini`` or ``setup.cfg`` ``addopts``). The real
    suite gets them from its rootdir; the floor, generated elsewhere, is given them
    explicitly, so both sides load the same plugins."""
    import configparser
    import shlex
    import tomllib

    addopts: str | list[str] = ""
    ini = repo / "pytest.ini"
    pyproject = repo / "pyproject.toml"
    if ini.is_file():
        parser = configparser.ConfigParser()
        parser.read(ini, encoding="utf-8")
        addopts = parser.get("pytest", "addopts", fallback="")
    elif pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        addopts = data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get(
            "addopts", "")
    else:
        for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
            if (repo / name).is_file():
                parser = configparser.ConfigParser()
                parser.read(repo / name, encoding="utf-8")
                addopts = parser.get(section, "addopts", fallback="")
                break
    words = shlex.split(addopts) if isinstance(addopts, str) else list(addopts)
    flags: list[str] = []
    for index, word in enumerate(words):
        if word == "-p" and index + 1 < len(words):
            flags += ["-p", words[index + 1]]
        elif word.startswith("-p") and len(word) > 2:
            flags += ["-p", word[2:]]
    return flags


def python() -> str:
    return sys.executable


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # The timing plugin lives in bench/; every run imports it the same way.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("PYTEST_ADDOPTS", None)  # a developer's own flags would skew one side
    env.pop("PYTEST_XDIST_AUTO_NUM_WORKERS", None)
    env["PYTHONHASHSEED"] = "0"
    if extra:
        env.update(extra)
    return env


def run_pytest(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None,
               timeout: float = 1800, python_args: Sequence[str] = ()) -> PytestRun:
    """``python -m pytest <PYTEST_FLAGS> <args>`` in ``cwd``, timed from outside (wall
    clock, including interpreter start-up and plugin imports) and from inside."""
    fd, timing_path = tempfile.mkstemp(prefix="bench-timing-", suffix=".json")
    os.close(fd)
    command = [python(), *python_args, "-m", "pytest", *PYTEST_FLAGS, *args]
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=cwd, env=base_env({TIMING_ENV: timing_path,
                                                             **(env or {})}),
                              capture_output=True, text=True, timeout=timeout, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        try:
            timing = json.loads(Path(timing_path).read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            timing = {}
    finally:
        Path(timing_path).unlink(missing_ok=True)
    out = proc.stdout + proc.stderr
    found = _SUMMARY.findall(out.strip().splitlines()[-1]) if out.strip() else []
    return PytestRun(
        command=command, exit_code=proc.returncode, wall_s=wall, cpu_s=cpu,
        session_s=timing.get("session_s"), summary_s=float(found[-1]) if found else None,
        collect_s=timing.get("collect_s"), tests=timing.get("tests", {}),
        counts=timing.get("counts", {}), output_tail="\n".join(out.splitlines()[-15:]),
    )


def describe_failure(run: PytestRun) -> str:
    return (f"pytest exited {run.exit_code} ({' '.join(run.command[1:])}): "
            f"{run.output_tail[-600:]}")
