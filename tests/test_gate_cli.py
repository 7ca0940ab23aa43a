"""The gate's command line, through the installed command: --sut-config as an option,
the verdict line (coverage, partial runs, no repetition), --require-all and --strict."""

from __future__ import annotations

import json
import re
from pathlib import Path

from authconform.port import Capability
from tests.test_bad_input import (
    GOOD,
    REPO,
    _suite,
    gate_line,
    run_gate,
    run_suite_gate,
    said,
)
from tests.test_readme_figures import readme_sample_lines

MINIMAL = "minimal_adapter:MinimalAdapter"  # examples/: the core port, few capabilities
# A mutant that breaks only a robustness requirement (REQ-SECURITY-03).
ROBUSTNESS_MUTANT = "stale_sign_in_releases_key"


def _examples(tmp_path: Path) -> Path:
    (tmp_path / "minimal_adapter.py").write_text(
        (REPO / "examples" / "minimal_adapter.py").read_text(encoding="utf-8"),
        encoding="utf-8")
    return tmp_path


def test_sut_config_is_an_option_of_run(tmp_path: Path) -> None:
    config = tmp_path / "same.toml"
    config.write_text("[sut]\nrecovery_block = 'same'\n", encoding="utf-8")
    done = run_gate(tmp_path, "--sut-config", str(config), "--seed", "3",
                    "-k", "an_account_from_the_backup_already_in_the_app_blocks_recovery")
    assert done.returncode == 0, said(done)[-3000:]
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert {s["status"] for s in doc["scenarios"]} == {"passed"}  # the 'same' reading ran
    bad = tmp_path / "sideways.toml"
    bad.write_text("[sut]\nrecovery_block = 'sideways'\n", encoding="utf-8")
    done = run_gate(tmp_path, "--sut-config", str(bad), "-k", "backup")
    assert done.returncode == 2, said(done)[-3000:]
    assert "choose 'any' or 'same'" in said(done)


def test_a_partial_run_says_it_is_partial_and_the_line_does_not_repeat(tmp_path: Path) -> None:
    done = run_gate(tmp_path, "-k", "turns_on_backup", "--seed", "3")
    line = gate_line(done)
    assert done.returncode == 0, said(done)[-3000:]
    assert line.startswith("authconform: conformant (exit 0): partial run"), line
    assert line.count("conformant") == 1, line
    assert re.search(r"\d+ of \d+ documented MUST requirements verified; \d+ unverified: "
                     r"not selected \(\d+\)", line), line


def test_few_capabilities_conformant_says_what_was_not_checked(tmp_path: Path) -> None:
    examples = _examples(tmp_path)
    done = run_gate(examples, "--sut", MINIMAL, "--seed", "3")
    line = gate_line(done)
    assert done.returncode == 0, said(done)[-3000:]
    m = re.search(r"conformant \(exit 0\): (\d+) of (\d+) documented MUST requirements "
                  r"verified; (\d+) partly verified \(REQ-[^)]*\); (\d+) unverified: "
                  r"needs [a-z_]+ \(\d+\)", line)
    assert m, line
    verified, total, partly, unverified = map(int, m.groups())
    assert verified + partly + unverified == total and unverified > 0 and partly > 0
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert doc["coverage"]["verified"] == verified
    # partly: passed, with scenarios left out for a capability the minimal target lacks
    for r in doc["requirements"]:
        if r["id"] in doc["coverage"]["partly"]:
            assert r["status"] == "passed" and r["missing_capabilities"], r
    summary = (tmp_path / "reports" / "summary.md").read_text()
    assert f"{verified} of {total} documented MUST requirements verified" in summary
    # the README shows this run's lines: they stay true as the catalogue grows
    robustness = next(x for x in said(done).splitlines()
                      if x.startswith("authconform: robustness"))
    assert readme_sample_lines() == [robustness, line]
    capabilities = {c.value for c in Capability}
    for r in doc["requirements"]:  # capability names only (was ["the"] for a reading)
        assert set(r.get("missing_capabilities", ())) <= capabilities, r
    strict = run_gate(examples, "--sut", MINIMAL, "--seed", "3", "--require-all")
    assert strict.returncode == 1, said(strict)[-3000:]
    assert f"{unverified} MUST requirements unverified: REQ-" in gate_line(strict)
    assert f"{partly} MUST requirements partly verified: REQ-" in gate_line(strict)
    assert re.search(r"REQ-[A-Z]+-\d+ and \d+ more", gate_line(strict)), gate_line(strict)
    assert "<property name=\"coverage\" value=\"" in (
        tmp_path / "reports" / "junit.xml").read_text()


def test_a_long_list_of_uncovered_requirements_ends_with_and_n_more(tmp_path: Path) -> None:
    """A suite with one feature file for a whole catalogue: nearly everything uncovered."""
    root = _suite(tmp_path, GOOD, name="new.feature")
    done = run_suite_gate(tmp_path, root, "--seed", "1")
    line = gate_line(done)
    assert done.returncode == 1, said(done)[-3000:]
    m = re.search(r"non-conformant \(exit 1\): (\d+) MUST requirements uncovered: "
                  r"REQ-[A-Z]+-\d+, REQ-[A-Z]+-\d+, REQ-[A-Z]+-\d+ and (\d+) more$", line)
    assert m and int(m.group(1)) == int(m.group(2)) + 3, line


def test_robustness_has_its_own_line_and_joins_the_gate_with_strict(tmp_path: Path) -> None:
    args = ("--mutant", ROBUSTNESS_MUTANT, "--seed", "3", "-m", "security")
    done = run_gate(tmp_path, *args)
    assert done.returncode == 0, said(done)[-3000:]
    robustness = [line for line in said(done).splitlines()
                  if line.startswith("authconform: robustness failed")]
    assert robustness and "REQ-SECURITY-03" in robustness[0], said(done)[-2000:]
    assert "not gated" in robustness[0]
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert doc["robustness"]["failed"] == ["REQ-SECURITY-03"]
    assert "**Robustness**" in (tmp_path / "reports" / "summary.md").read_text()
    allure = tmp_path / "reports" / "allure-results"
    assert "robustness=robustness failed" in (allure / "environment.properties").read_text()
    tags = [label["value"] for path in allure.glob("*-result.json")
            for label in json.loads(path.read_text())["labels"] if label["name"] == "tag"]
    assert "robustness" in tags
    strict = run_gate(tmp_path, *args, "--strict")
    assert strict.returncode == 1, said(strict)[-3000:]
    assert "robustness MUST requirement failed: REQ-SECURITY-03" in gate_line(strict)
