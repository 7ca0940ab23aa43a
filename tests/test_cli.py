"""The ``authconform`` command (authconform.cli): exit codes, run, report, diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from authconform import cli
from authconform.report import allure_cli
from tests.test_results_plugin import isolate, write_suite

DOC_OK = {
    "verdict": "conformant", "reasons": [],
    "totals": {"scenarios": {"total": 3}}, "harness": {"collection_errors": []},
}


def doc(**changes):
    d = json.loads(json.dumps(DOC_OK))
    d.update(changes)
    return d


# ---------------------------------------------------------------- decide_exit_code


@pytest.mark.parametrize(("rc", "document", "expected"), [
    (0, DOC_OK, 0),
    (1, doc(verdict="non-conformant", reasons=["MUST requirement REQ-A-01 failed"]), 1),
    (0, doc(verdict="non-conformant", reasons=["MUST requirement REQ-A-01 is uncovered"]), 1),
    (1, DOC_OK, 0),  # a waived or SHOULD failure: pytest failed, the gate passes
    (1, doc(verdict="error", reasons=["1 scenario(s) in error"]), 3),
    (4, None, 2),  # usage error: unknown adapter, bad option, unknown waiver requirement
    (4, DOC_OK, 2),
    (2, doc(verdict="error", harness={"collection_errors": ["steps/x.py: bad tag"]}), 2),
    (5, doc(totals={"scenarios": {"total": 0}}), 2),
    (0, doc(totals={"scenarios": {"total": 0}}), 2),
    (3, DOC_OK, 3),  # pytest internal error
    (2, DOC_OK, 3),  # interrupted without collection errors
    (0, None, 3),  # conformance.json missing: never 0
    (1, None, 3),
    (None, None, 3),
    (0, doc(verdict="green"), 3),
])
def test_decide_exit_code(rc, document, expected):
    code, why = cli.decide_exit_code(rc, document, None if document else "missing")
    assert code == expected
    assert why


def test_read_document_fails_closed(tmp_path):
    path = tmp_path / "conformance.json"
    d, why = cli.read_document(path)
    assert d is None and "was not written" in why
    path.write_text("{not json")
    d, why = cli.read_document(path)
    assert d is None and why
    path.write_text(json.dumps(DOC_OK))  # valid JSON, but not the schema
    d, why = cli.read_document(path)
    assert d is None and "fails the schema" in why
    path.unlink()
    (tmp_path / "conformance.invalid.json").write_text("{}")
    d, why = cli.read_document(path)
    assert d is None and "failed its schema" in why


# ---------------------------------------------------------------- argument handling


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["run", *argv])


def test_run_builds_the_pytest_command(tmp_path):
    args = parse("--sut", "http", "--profile", "2019", "--seed", "9", "--mutant", "m1",
                 "-k", "backup", "-m", "negative", "--tags", "REQ-A-01", "--workers", "auto",
                 "--waivers", "w.yml", "--timeout", "2.5", "--", "-x", "--maxfail=2")
    cmd = cli.pytest_command(args, tmp_path, tmp_path / "rep")
    assert cmd[:4] == [sys.executable, "-m", "pytest", "features"]
    cmd = cmd[4:]
    for flag in ("--strict-markers", "--clean-alluredir"):
        assert flag in cmd
    assert cmd[cmd.index("-p") + 1] == "no:cacheprovider"
    assert cmd[cmd.index("--alluredir") + 1] == str(tmp_path / "rep" / "allure-results")
    assert cmd[cmd.index("--authconform-report-dir") + 1] == str(tmp_path / "rep")
    pairs = {"--sut": "http", "--profile": "2019", "--seed": "9", "--mutant": "m1",
             "-k": "backup", "-m": "(negative) and (REQ-A-01)", "-n": "auto",
             "--op-timeout": "2.5"}
    for flag, value in pairs.items():
        assert cmd[cmd.index(flag) + 1] == value, flag
    assert cmd[cmd.index("--waivers") + 1] == str(Path("w.yml").resolve())
    assert cmd[-2:] == ["-x", "--maxfail=2"]


def test_run_defaults_pass_only_the_target():
    cmd = cli.pytest_command(parse(), Path("."), Path("r"))[4:]
    assert cmd[cmd.index("--sut") + 1] == "sim"
    for flag in ("--profile", "--seed", "-k", "-m", "-n", "--waivers", "--op-timeout"):
        assert flag not in cmd


@pytest.mark.parametrize("argv", [
    ["run", "--workers", "many"], ["run", "--workers", "-1"], ["run", "--profile", "2020"],
    ["run", "--timeout", "-3"], ["run", "--seed", "x"], ["nonsense"], [],
])
def test_bad_options_are_usage_errors(argv, capsys):
    assert cli.main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_delegated_command_that_cannot_load_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(cli.DELEGATES, "bench", ("authconform.no_such_module", "main", "x"))
    assert cli.main(["bench", "--quick"]) == 2
    assert "not available" in capsys.readouterr().err


def test_delegated_command_gets_its_arguments(monkeypatch):
    seen = {}
    module = type(sys)("authconform_fake_selftest")
    module.main = lambda argv: seen.setdefault("argv", argv) and 5
    monkeypatch.setitem(sys.modules, "authconform_fake_selftest", module)
    monkeypatch.setitem(cli.DELEGATES, "self-test", ("authconform_fake_selftest", "main", "x"))
    assert cli.main(["self-test", "--sut", "sim", "-v"]) == 5
    assert seen["argv"] == ["--sut", "sim", "-v"]


# ---------------------------------------------------------------- diff


def scen(sid, status):
    return {"id": sid, "status": status}


def test_diff_names_new_fixed_and_still_failing(tmp_path, capsys):
    old = {"verdict": "non-conformant",
           "requirements": [scen("REQ-A-01", "failed"), scen("REQ-A-02", "failed"),
                            scen("REQ-A-03", "passed")],
           "scenarios": [scen("a::1", "failed"), scen("a::2", "error"), scen("a::3", "passed")]}
    new = {"verdict": "non-conformant",
           "requirements": [scen("REQ-A-01", "passed"), scen("REQ-A-02", "failed"),
                            scen("REQ-A-03", "failed")],
           "scenarios": [scen("a::1", "passed"), scen("a::2", "failed"), scen("a::3", "error"),
                         scen("a::4", "failed")]}
    result = cli.diff_documents(old, new)
    assert result["requirements"] == {"new_failures": ["REQ-A-03"], "fixed": ["REQ-A-01"],
                                      "still_failing": ["REQ-A-02"]}
    assert result["scenarios"] == {"new_failures": ["a::3", "a::4"], "fixed": ["a::1"],
                                   "still_failing": ["a::2"]}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert cli.main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    out = capsys.readouterr().out
    assert "requirements new failures: 1" in out and "  REQ-A-03" in out
    assert cli.main(["diff", str(tmp_path / "new.json"), str(tmp_path / "new.json"),
                     "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"]["still_failing"] == [
        "a::2", "a::3", "a::4"]
    assert cli.main(["diff", str(tmp_path / "nope.json"), str(tmp_path / "new.json")]) == 2


def test_a_waived_requirement_is_not_a_new_failure():
    old = {"requirements": [scen("REQ-A-01", "passed")], "scenarios": []}
    new = {"requirements": [scen("REQ-A-01", "waived")], "scenarios": []}
    assert cli.diff_documents(old, new)["requirements"]["new_failures"] == []


# ---------------------------------------------------------------- real runs


@pytest.fixture
def repo(tmp_path, monkeypatch):
    isolate(monkeypatch)
    return write_suite(tmp_path / "repo")


def run_cli(repo: Path, *argv: str) -> int:
    return cli.main(["run", "--root", str(repo), "--sut", "mini", "--no-html",
                     "--report-dir", str(repo / "out"), *argv])


def test_run_exit_codes_follow_the_verdict(repo, capsys):
    assert run_cli(repo, "-k", "backup_turns_on") == 0
    out = capsys.readouterr().out
    assert "authconform: conformant (exit 0)" in out
    assert str(repo / "out" / "conformance.json") in out
    assert run_cli(repo, "-k", "recovery_restores_nothing") == 1
    assert "non-conformant (exit 1)" in capsys.readouterr().out
    assert run_cli(repo, "-k", "store_breaks") == 3
    assert "error (exit 3)" in capsys.readouterr().out
    assert run_cli(repo, "-k", "matches_nothing_at_all") == 2
    assert "no scenario was selected" in capsys.readouterr().out


def test_run_usage_errors_exit_2(repo, capfd):
    assert cli.main(["run", "--root", str(repo), "--sut", "nope", "--no-html",
                     "--report-dir", str(repo / "out")]) == 2
    (repo / "w.yml").write_text(
        "- {requirement: REQ-NOPE-01, reason: r, owner: o, expires: 2999-01-01}\n")
    assert run_cli(repo, "--waivers", str(repo / "w.yml")) == 2
    captured = capfd.readouterr()
    assert "unknown requirement 'REQ-NOPE-01'" in captured.err  # pytest's own message
    assert "configuration error (exit 2)" in captured.out


def test_run_reports_a_malformed_feature_file_as_exit_2(repo):
    (repo / "features" / "demo.feature").write_text(
        "Feature: broken\n  Scenario: x\n    Given a phone\nFeature: again\n")
    assert run_cli(repo) == 2


def test_run_never_reuses_an_old_conformance_json(repo, monkeypatch):
    (repo / "out").mkdir()
    (repo / "out" / "conformance.json").write_text("stale")
    monkeypatch.setattr(cli.subprocess, "run",
                        lambda *a, **k: argparse.Namespace(returncode=0))  # pytest "passes"
    assert run_cli(repo) == 3
    assert not (repo / "out" / "conformance.json").exists()


def test_run_and_report_need_the_allure_cli(repo, monkeypatch, capsys):
    monkeypatch.setenv(allure_cli.ALLURE_ENV, str(repo / "no-allure-here"))
    assert cli.main(["run", "--root", str(repo), "--sut", "mini",
                     "--report-dir", str(repo / "out")]) == 2
    assert "Allure CLI not found: run `npm ci`" in capsys.readouterr().err
    assert not (repo / "out" / "conformance.json").exists(), "nothing ran"
    assert cli.main(["report", "--root", str(repo), "--report-dir", str(repo / "out")]) == 2


def test_report_without_results_is_a_usage_error(tmp_path, capsys):
    allure = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "allure"
    if not allure.exists():
        pytest.skip("node_modules/.bin/allure is missing: run `npm ci`")
    assert cli.main(["report", "--report-dir", str(tmp_path)]) == 2
    assert "run `authconform run` first" in capsys.readouterr().err


def test_allure_config_keeps_history_and_categories(tmp_path):
    config = cli.allure_config(tmp_path)
    assert config["historyPath"] == str(tmp_path.resolve() / "history.jsonl")
    assert config["output"] == str(tmp_path.resolve() / "allure-report")
    assert [c["name"] for c in config["categories"]][:2] == [
        "Blocked by a failed precondition", "Non-conformance"]
    assert "awesome" in config["plugins"]


def test_an_internal_error_before_any_scenario_says_so():
    code, why = cli.decide_exit_code(3, None, "reports/conformance.json was not written")
    assert code == 3
    assert why.startswith("pytest stopped before any scenario ran")


# ---------------------------------------------------------------- the command line itself


def _one_line_exit_2(capsys, code: int) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, captured
    assert len(lines) == 1 and "configuration error (exit 2)" in lines[0], captured.err
    assert "Traceback" not in captured.out + captured.err
    return lines[0]


def test_a_report_folder_on_a_file_is_exit_2_with_one_line(repo, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert "is a file" in _one_line_exit_2(capsys, cli.main(
        ["run", "--root", str(repo), "--sut", "mini", "--no-html",
         "--report-dir", str(blocker)]))
    assert "through a file" in _one_line_exit_2(capsys, cli.main(
        ["run", "--root", str(repo), "--sut", "mini", "--no-html",
         "--report-dir", str(blocker / "reports")]))
    assert "is a file" in _one_line_exit_2(capsys, cli.main(
        ["merge", str(tmp_path / "shard-1"), "--no-html", "--report-dir", str(blocker)]))


def test_a_report_folder_where_writing_is_refused_is_exit_2(tmp_path, monkeypatch, capsys):
    # root may write anywhere, so the refusal is the file system's answer, simulated
    (tmp_path / "allure-results").mkdir()
    real = Path.write_bytes

    def refuse(self, data):
        if self.name.startswith(".authconform-write-test"):
            raise PermissionError(13, "Permission denied")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    monkeypatch.setenv(allure_cli.ALLURE_ENV, sys.executable)  # found; never reached
    line = _one_line_exit_2(capsys, cli.main(["report", "--report-dir", str(tmp_path)]))
    assert "Permission denied" in line
    assert cli.unusable_report_dir(tmp_path / "elsewhere") is not None
    monkeypatch.undo()
    assert cli.unusable_report_dir(tmp_path / "fine") is None


def test_run_help_lists_the_exit_codes(capsys):
    assert cli.main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    for code, meaning in (("0", "conformant"), ("1", "non-conformant"),
                          ("2", "usage or configuration error"), ("3", "harness or adapter")):
        assert f"  {code}  {meaning}" in out, out


@pytest.mark.parametrize("argv", [["run", "--bogus"], ["report", "--bogus"],
                                  ["requirements", "--bogus"], ["diff", "a", "b", "--bogus"]])
def test_an_unknown_option_prints_its_subcommands_usage(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: authconform {argv[0]} "), err
    assert f"authconform {argv[0]}: error: unrecognized arguments: --bogus" in err


def test_every_option_of_every_subcommand_has_help(monkeypatch, capsys):
    missing = []
    add = argparse._ActionsContainer.add_argument

    def record(self, *args, **kwargs):
        action = add(self, *args, **kwargs)
        if action.help is None:
            missing.append((getattr(self, "prog", "?"), action.option_strings or action.dest))
        return action

    monkeypatch.setattr(argparse._ActionsContainer, "add_argument", record)
    cli.build_parser()
    for name in cli.DELEGATES:  # each builds its own parser, then prints its help
        assert cli.main([name, "--help"]) == 0, name
    capsys.readouterr()
    assert missing == []


class _Terminal:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_verdict_word_is_coloured_on_a_terminal_only():
    assert cli.coloured("non-conformant", _Terminal(True), {}) == (
        "\033[1;31mnon-conformant\033[0m")
    assert cli.coloured("conformant", _Terminal(True), {}).startswith("\033[1;32m")
    for env in ({"NO_COLOR": "1"}, {"CI": "true"}, {"TERM": "dumb"}):
        assert cli.coloured("non-conformant", _Terminal(True), env) == "non-conformant"
    assert cli.coloured("non-conformant", _Terminal(False), {}) == "non-conformant"


def test_the_verdict_line_is_plain_in_a_log(capsys, tmp_path):
    cli.print_verdict({"verdict": "non-conformant"}, 1, "1 MUST requirement failed: X",
                      tmp_path)
    out = capsys.readouterr().out  # captured: not a terminal
    assert "\033[" not in out
    assert "authconform: non-conformant (exit 1): 1 MUST requirement failed: X" in out
