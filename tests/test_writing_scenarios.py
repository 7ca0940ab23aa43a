"""docs/writing-scenarios.md runs as written: its files are written into a copy of the
repository and its commands run there, each with the exit code the guide gives."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "writing-scenarios.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(GUIDE.read_text())]


def copy_repository(into: Path) -> Path:
    root = into / "repo"
    root.mkdir()
    for name in ("features", "steps"):
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def test_the_guide_has_files_and_commands_to_run():
    infos = [info for info, _ in blocks()]
    assert sum("file=" in i for i in infos) == 4, infos
    assert sum(i.startswith("sh run") for i in infos) == 2, infos


def test_the_worked_example_runs_as_written(tmp_path):
    root = copy_repository(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(  # the guide's --catalogue, not the caller's
        "AUTHCONFORM_CATALOGUE", None)
    ran = []
    # Each run builds its HTML report as the guide's reader's does; only the last one's
    # is read here, so the runs before it skip that build (--no-html): the same
    # commands, minus two Allure builds.
    runs_in_guide = sum(shlex.split(line)[1:2] == ["run"] for info, body in blocks()
                        if info.startswith("sh run") for line in body.splitlines())
    for info, body in blocks():
        if "file=" in info:
            path = root / info.split("file=", 1)[1].split()[0]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
        elif info.startswith("sh run"):
            expected = int(info.split("exit=", 1)[1]) if "exit=" in info else 0
            for line in body.splitlines():
                argv = shlex.split(line)
                assert argv[0] == "authconform", line
                runs_before = sum(a[1] == "run" for a, _, _ in ran)
                quiet = (["--no-html"] if argv[1] == "run" and runs_before < runs_in_guide - 1
                         and "--" not in argv else [])
                done = subprocess.run([sys.executable, "-m", "authconform", *argv[1:], *quiet],
                                      cwd=root, env=env, capture_output=True, text=True,
                                      timeout=600, check=False)
                said = done.stdout + done.stderr
                assert done.returncode == expected, f"{line}\n{said[-3000:]}"
                report = root / "reports" / "conformance.json"
                doc = json.loads(report.read_text()) if argv[1] == "run" else None
                ran.append((argv, said, doc))
    runs = [(said, doc) for argv, said, doc in ran if argv[1] == "run"]
    assert len(runs) == 3

    def acme(doc: dict) -> dict:
        return next(r for r in doc["requirements"] if r["id"] == "REQ-ACME-01")

    for said, doc in runs[:2]:  # green, partial, REQ-ACME-01 checked and passed
        assert "conformant (exit 0): partial run" in said, said[-2000:]
        assert acme(doc)["status"] == "passed", acme(doc)
        assert doc["totals"]["scenarios"]["passed"] == 2
    said, doc = runs[2]  # the mutant: the new check fails
    assert acme(doc)["status"] == "failed", acme(doc)
    assert "non-conformant (exit 1)" in said and "REQ-ACME-01" in said
    assert (root / "reports" / "allure-report" / "index.html").is_file()
    listed = next(said for argv, said, _ in ran if argv[1] == "steps")
    assert 'is listed as "{shown}"' in listed
