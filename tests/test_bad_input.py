"""Bad input fails loudly: a clear message naming the problem, and the documented exit code.

Each case runs twice where it can: through plain pytest (``python -m pytest``, whose own
codes are 1 tests failed or errored, 2 collection interrupted, 4 usage error) and through
the gate (``authconform run``: 0 conformant, 1 non-conformant, 2 usage or configuration
error, 3 harness or adapter error). Misbehaving adapters and broken feature files are
written into ``tmp_path``; runs are kept small (one scenario, no HTML report).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from authconform.gate.pytest_args import SCENARIO_PLUGIN_ARGS

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / ".venv" / "bin" / "authconform"
# One short scenario that reaches begin_recovery, the operation the bad adapters spoil.
SCENARIO = "test_a_failed_recovery_does_not_touch_the_backup_it_was_reading"
NODE = f"features/faults.feature::{SCENARIO}"
# One of its examples: enough for an adapter that hangs, which costs a timeout each.
ONE_EXAMPLE = "fetched"  # "... the network will drop before the key is fetched"
# The runs here load only pytest-bdd: no other installed plugin (as a gate run), and
# neither xdist nor Allure, which they never use.
QUIET = list(SCENARIO_PLUGIN_ARGS)

PYTEST_FAILED, PYTEST_INTERRUPTED, PYTEST_USAGE = 1, 2, 4
GATE_USAGE, GATE_HARNESS = 2, 3

TINY_ADAPTERS = '''
"""Adapters that misbehave on purpose."""
import time

from authconform import port
from authconform.adapters.sim_adapter import SimAdapter


class _Spoilt(SimAdapter):
    def new_target(self, seed):
        target = super().new_target(seed)
        target.info = port.TargetInfo(self.name, "0", target.info.capabilities,
                                      target.info.profile)
        target.app.begin_recovery = self.begin_recovery
        return target


class CrashingAdapter(SimAdapter):
    name = "crashing"

    def new_target(self, seed):
        raise RuntimeError("the simulator would not start")


class RaisingAdapter(_Spoilt):
    name = "raising"

    def begin_recovery(self, *args, **kwargs):
        raise RuntimeError("the app crashed while recovering")


class HangingAdapter(_Spoilt):
    name = "hanging"

    def begin_recovery(self, *args, **kwargs):
        time.sleep(60)


class GarbageAdapter(_Spoilt):
    name = "garbage"

    def begin_recovery(self, *args, **kwargs):
        return {"ok": "sure, why not"}


NOT_AN_ADAPTER = object()
'''


# ---------------------------------------------------------------- running things


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHCONFORM_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO)])
    env["COLUMNS"] = "300"
    env.update(extra)
    return env


def run_pytest(tmp_path: Path, *args: str, cwd: Path = REPO,
               **env: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers",
           "-p", "no:allure_pytest_bdd", *QUIET, *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(tmp_path, **env), capture_output=True,
                          text=True, timeout=300, check=False)


def cli_command() -> list[str]:
    """The installed console script when there is one, else the module."""
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "authconform"]


def run_gate(tmp_path: Path, *args: str, html: bool = False, pytest_args: tuple[str, ...] = (),
             quiet: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    cmd = [*cli_command(), "run", "--report-dir", str(tmp_path / "reports"), *args]
    if not html:
        cmd.append("--no-html")
    cmd += ["--", *(QUIET if quiet else ()), *pytest_args]
    return subprocess.run(cmd, cwd=REPO, env=_env(tmp_path, **env), capture_output=True,
                          text=True, timeout=300, check=False)


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def gate_line(done: subprocess.CompletedProcess[str]) -> str:
    """The gate's own verdict line."""
    lines = [line for line in said(done).splitlines() if "(exit " in line]
    assert lines, said(done)[-3000:]
    return lines[-1]


@pytest.fixture
def adapters(tmp_path: Path) -> Path:
    (tmp_path / "tiny_adapters.py").write_text(TINY_ADAPTERS, encoding="utf-8")
    (tmp_path / "broken_adapter.py").write_text(
        "import a_module_that_does_not_exist  # noqa: F401\n", encoding="utf-8")
    return tmp_path


def _suite(tmp_path: Path, feature: str, name: str = "bad.feature",
           folder: Path | None = None) -> Path:
    """A repository of its own with one feature file, the repository's step modules and
    no test module: every feature file under features/ is collected by the plugin."""
    root = folder or tmp_path / "suite"
    (root / "features").mkdir(parents=True, exist_ok=True)
    (root / "steps").mkdir(exist_ok=True)  # where the repository root is recognised
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (root / "conftest.py").write_text(
        "from steps import step_modules\n\n"
        'pytest_plugins = ["authconform.gate.plugin", "authconform.report.plugin",'
        ' *step_modules()]\n', encoding="utf-8")
    shutil.copy(REPO / "features" / "requirements.yml", root / "features")
    path = root / "features" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(feature), encoding="utf-8")
    return root


def run_suite_gate(tmp_path: Path, root: Path,
                   *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [*cli_command(), "run", "--root", str(root), "--no-html",
           "--report-dir", str(tmp_path / "reports"), *args, "--", *QUIET]
    return subprocess.run(cmd, cwd=root, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=300, check=False)


# ---------------------------------------------------------------- feature files

RAGGED = """\
    Feature: A feature the parser cannot read
      Scenario: A table with ragged rows
        Given a phone
          | one   | two |
          | three |
    """
UNKNOWN_STEP = """\
    Feature: A feature with a step nobody defined
      Scenario: An unknown step
        Given a step that no module defines
    """


def test_malformed_feature_file_is_a_collection_error_naming_file_and_line(
        tmp_path: Path) -> None:
    root = _suite(tmp_path, RAGGED)
    done = run_pytest(tmp_path, "features", cwd=root)
    assert done.returncode == PYTEST_INTERRUPTED, said(done)
    assert "features/bad.feature:5: inconsistent cell count within the table" in said(done)


def test_gate_exits_2_on_a_malformed_feature_file(tmp_path: Path) -> None:
    done = run_suite_gate(tmp_path, _suite(tmp_path, RAGGED))
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert "collection error" in gate_line(done)
    assert "inconsistent cell count" in said(done)


def test_gate_verdict_line_names_the_parse_error(tmp_path: Path) -> None:
    done = run_suite_gate(tmp_path, _suite(tmp_path, RAGGED))
    line = gate_line(done)
    assert line.startswith("authconform: configuration error (exit 2): "), line
    assert "features/bad.feature:5: inconsistent cell count within the table" in line, line
    assert str(tmp_path) not in line  # relative to the root, wherever the root is
    # summary.md and conformance.json give the same reason; nothing ran, so no
    # requirement is blamed as uncovered and none as having "no scenario"
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert doc["reasons"] == ["collection error: features/bad.feature:5: inconsistent cell "
                              "count within the table (| three |)"]
    assert set(doc["coverage"]["needs"]) == {"not run (collection error)"}
    summary = (tmp_path / "reports" / "summary.md").read_text()
    assert "- collection error: features/bad.feature:5: inconsistent cell count" in summary
    assert "is uncovered" not in summary and "no scenario" not in summary


def test_the_parse_error_is_named_whatever_the_path_length(tmp_path: Path) -> None:
    """A deep temporary folder must not push the file name out of the verdict line."""
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name-" + "x" * 40] * 4), "suite")
    done = run_suite_gate(tmp_path, _suite(tmp_path, RAGGED, folder=deep))
    assert len(str(deep)) > 200
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert "features/bad.feature:5: inconsistent cell count" in gate_line(done)


MISSPELT_KEYWORD = """\
    Feature: A step keyword misspelt
      Scenario: A typo
        Given Alex has the app on the "old iPhone"
        Thenn the app answers "OK"
    """
GOOD = """\
    Feature: A new feature with no test module
      @backup @REQ-BACKUP-01
      Scenario: Alex installs the app
        Given Alex has the app on the "old iPhone"
    """


def test_a_new_feature_file_runs_without_a_test_module(tmp_path: Path) -> None:
    root = _suite(tmp_path, GOOD, name="new.feature")
    done = run_pytest(tmp_path, "features", "--seed", "1", cwd=root)
    assert done.returncode == 0, said(done)[-3000:]
    assert "features/new.feature::test_alex_installs_the_app PASSED" in said(done) or (
        "1 passed" in said(done)), said(done)[-3000:]


def test_every_malformed_feature_file_is_named_even_in_a_subfolder(tmp_path: Path) -> None:
    root = _suite(tmp_path, GOOD, name="new.feature")
    _suite(tmp_path, MISSPELT_KEYWORD, name="regressions/typo.feature", folder=root)
    _suite(tmp_path, "Feature: Nothing in it\n  Scenari: misspelt\n",
           name="empty.feature", folder=root)
    done = run_suite_gate(tmp_path, root)
    line = gate_line(done)
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert line.startswith("authconform: configuration error (exit 2): 2 collection error"), line
    assert "features/regressions/typo.feature:4: " in line, line
    assert "features/empty.feature:1: no scenario" in line, line
    assert "Line: " not in line


def test_a_scenario_name_used_twice_in_a_file_is_exit_2_at_the_second(tmp_path: Path) -> None:
    # a copied scenario not yet renamed: pytest-bdd would run only one of the two
    twice = GOOD + GOOD.split("\n", 1)[1].replace('"old iPhone"', '"new iPhone"')
    done = run_suite_gate(tmp_path, _suite(tmp_path, twice, name="new.feature"))
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert ("features/new.feature:6: a second scenario named 'Alex installs the app' "
            "(the first is at line 3)") in gate_line(done)


def test_a_step_module_that_does_not_compile_is_exit_2_naming_file_and_line(
        tmp_path: Path) -> None:
    root = _suite(tmp_path, GOOD, name="new.feature")
    (root / "steps" / "new_steps.py").write_text(
        "from pytest_bdd import given\n\n\n@given('a thing')\ndef _(:\n    pass\n",
        encoding="utf-8")
    done = run_suite_gate(tmp_path, root)
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    line = gate_line(done)
    assert line.startswith("authconform: configuration error (exit 2): 1 Python file(s) of "
                           "the suite do not compile: steps/new_steps.py:5: "), line
    assert str(tmp_path) not in line


def test_unknown_step_names_the_step(tmp_path: Path) -> None:
    root = _suite(tmp_path, UNKNOWN_STEP)
    done = run_pytest(tmp_path, "features", cwd=root)
    assert done.returncode == PYTEST_FAILED, said(done)
    assert "StepDefinitionNotFoundError" in said(done)
    assert 'Given "a step that no module defines"' in said(done)


def test_gate_exits_2_on_an_unknown_step_before_any_scenario_runs(tmp_path: Path) -> None:
    # A typo in a feature file is the writer's configuration error, named at its line
    # (authconform.authoring.stepcheck), not a harness error half-way through the run.
    done = run_suite_gate(tmp_path, _suite(tmp_path, UNKNOWN_STEP))
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert ("configuration error (exit 2): 2 problem(s) in the feature files before any "
            "scenario ran, the first: features/bad.feature:3: no step definition matches: "
            "Given a step that no module defines") in gate_line(done)
    assert not (tmp_path / "reports" / "conformance.json").exists()  # nothing ran


# ---------------------------------------------------------------- choosing an adapter


@pytest.mark.parametrize(("sut", "message"), [
    ("nope", "unknown adapter 'nope'; known: "),
    ("broken_adapter:Adapter",
     "importing 'broken_adapter' failed: ModuleNotFoundError: "
     "No module named 'a_module_that_does_not_exist'"),
    ("tiny_adapters:NoSuchThing", "'tiny_adapters' has no 'NoSuchThing'"),
    ("tiny_adapters:NOT_AN_ADAPTER", "is not an adapter"),
    ("tiny_adapters", "unknown adapter 'tiny_adapters'"),
], ids=["unknown", "import-error", "missing-attribute", "not-an-adapter", "no-colon"])
def test_an_adapter_that_cannot_be_loaded_is_a_usage_error(
        adapters: Path, sut: str, message: str) -> None:
    done = run_pytest(adapters, NODE, "--sut", sut)
    assert done.returncode == PYTEST_USAGE, said(done)
    assert message in said(done)


@pytest.mark.parametrize(("sut", "message"), [
    ("nope", "unknown adapter 'nope'"),
    ("broken_adapter:Adapter", "No module named 'a_module_that_does_not_exist'"),
], ids=["unknown", "import-error"])
def test_gate_exits_2_when_the_adapter_cannot_be_loaded(
        adapters: Path, sut: str, message: str) -> None:
    done = run_gate(adapters, "--sut", sut, "-k", SCENARIO)
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert message in said(done)
    assert "configuration error" in gate_line(done)


# ---------------------------------------------------------------- adapters that misbehave

MISBEHAVING = [
    ("tiny_adapters:CrashingAdapter",
     "adapter 'crashing' failed in new_target: raised RuntimeError: "
     "the simulator would not start"),
    ("tiny_adapters:RaisingAdapter",
     "adapter 'raising' failed in begin_recovery: raised RuntimeError: "
     "the app crashed while recovering"),
    ("tiny_adapters:HangingAdapter",
     "adapter 'hanging' failed in begin_recovery: no answer within 1 s"),
    ("tiny_adapters:GarbageAdapter",
     "adapter 'garbage' failed in begin_recovery: malformed answer: "
     "begin_recovery: expected Outcome, got dict"),
]
MISBEHAVING_IDS = ["crashes-on-start", "raises", "hangs", "answers-garbage"]


@pytest.mark.parametrize(("sut", "message"), MISBEHAVING, ids=MISBEHAVING_IDS)
def test_a_misbehaving_adapter_errors_the_scenario_never_passes_it(
        adapters: Path, sut: str, message: str) -> None:
    done = run_pytest(adapters, NODE, "--sut", sut, "--op-timeout", "1", "-rfE",
                      "-k", ONE_EXAMPLE)
    assert done.returncode == PYTEST_FAILED, said(done)
    assert message in said(done)
    assert " passed" not in said(done).splitlines()[-1]


@pytest.mark.parametrize(("sut", "message"), MISBEHAVING, ids=MISBEHAVING_IDS)
def test_gate_exits_3_when_the_adapter_misbehaves(
        adapters: Path, sut: str, message: str) -> None:
    done = run_gate(adapters, "--sut", sut, "--timeout", "1", "-k",
                    f"{SCENARIO} and {ONE_EXAMPLE}")
    assert done.returncode == GATE_HARNESS, said(done)[-3000:]
    assert message in said(done)
    assert gate_line(done).startswith("authconform: error (exit 3)")
    # the verdict line says which scenario broke and which adapter operation broke it
    assert "A failed recovery does not touch the backup it was reading" in gate_line(done)
    assert message.split(":")[0] in gate_line(done), gate_line(done)


# ---------------------------------------------------------------- option values


@pytest.mark.parametrize(("args", "message"), [
    (("--profile", "nope"), "argument --profile: invalid choice: 'nope'"),
    (("--op-timeout", "-1"), "--op-timeout must be 0 (no limit) or more seconds"),
    (("--op-timeout", "soon"), "argument --op-timeout: invalid float value: 'soon'"),
    (("--seed", "lucky"), "argument --seed: invalid int value: 'lucky'"),
    (("--mutant", "nope"), "unknown mutant 'nope'"),
], ids=["profile", "negative-timeout", "timeout-not-a-number", "seed", "mutant"])
def test_a_bad_option_value_is_a_usage_error(
        tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run_pytest(tmp_path, NODE, *args)
    assert done.returncode == PYTEST_USAGE, said(done)
    assert message in said(done)


@pytest.mark.parametrize(("args", "pytest_args", "message"), [
    (("--profile", "nope"), (), "argument --profile: invalid choice: 'nope'"),
    (("--timeout", "-1"), (), "argument --timeout: must be 0 (no limit) or more"),
    ((), ("--op-timeout", "-1"), "--op-timeout must be 0 (no limit) or more seconds"),
    (("--seed", "lucky"), (), "argument --seed: invalid int value: 'lucky'"),
    (("--workers", "-2"), (), "argument --workers: must be 0 or more"),
    (("--mutant", "nope"), (), "unknown mutant 'nope'"),
], ids=["profile", "negative-timeout", "negative-op-timeout", "seed", "workers", "mutant"])
def test_gate_exits_2_on_a_bad_option_value(
        tmp_path: Path, args: tuple[str, ...], pytest_args: tuple[str, ...],
        message: str) -> None:
    done = run_gate(tmp_path, *args, "-k", SCENARIO, pytest_args=pytest_args)
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert message in said(done)


def _sut_configs(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (path, what the message must say)."""
    files = {
        "broken.toml": ("[sut\nrecovery_block = 'any'\n", "broken.toml"),
        "list.yaml": ("- one\n- two\n", "expected a table"),
        "sideways.toml": ("[sut]\nrecovery_block = 'sideways'\n",
                          "sim option recovery_block='sideways': choose 'any' or 'same'"),
    }
    out = {"missing.toml": (str(tmp_path / "missing.toml"), "does not exist")}
    for name, (text, message) in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        out[name] = (str(tmp_path / name), message)
    return out


@pytest.mark.parametrize("config", ["missing.toml", "broken.toml", "list.yaml",
                                    "sideways.toml"])
def test_a_bad_sut_config_file_is_a_usage_error(tmp_path: Path, config: str) -> None:
    path, message = _sut_configs(tmp_path)[config]
    done = run_pytest(tmp_path, NODE, "--sut-config", path)
    assert done.returncode == PYTEST_USAGE, said(done)
    assert "adapter config file" in said(done) or "sim option" in said(done)
    assert message in said(done)


@pytest.mark.parametrize("config", ["missing.toml", "sideways.toml"])
def test_gate_exits_2_on_a_bad_sut_config_file(tmp_path: Path, config: str) -> None:
    path, message = _sut_configs(tmp_path)[config]
    done = run_gate(tmp_path, "-k", SCENARIO, pytest_args=("--sut-config", path))
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert message in said(done)


# ---------------------------------------------------------------- the Allure CLI


def test_gate_exits_2_when_the_allure_cli_is_missing(tmp_path: Path) -> None:
    done = run_gate(tmp_path, "-k", SCENARIO, html=True,
                    AUTHCONFORM_ALLURE_CLI=str(tmp_path / "no" / "allure"))
    assert done.returncode == GATE_USAGE, said(done)[-3000:]
    assert "Allure CLI not found" in said(done)
    assert "--no-html" in said(done)
    assert not (tmp_path / "reports" / "conformance.json").exists()


def test_report_exits_2_when_the_allure_cli_is_missing(tmp_path: Path) -> None:
    (tmp_path / "reports" / "allure-results").mkdir(parents=True)
    cmd = [*cli_command(), "report", "--report-dir", str(tmp_path / "reports")]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False, env=_env(tmp_path, AUTHCONFORM_ALLURE_CLI=str(
                              tmp_path / "no" / "allure")))
    assert done.returncode == GATE_USAGE, said(done)
    assert "Allure CLI not found" in said(done)


# ---------------------------------------------------------------- plugins nobody named

STRAY_PLUGIN = '''
"""Installed beside the harness: turns every failed scenario into a pass."""
import os
from pathlib import Path

import pytest

Path(os.environ["STRAY_MARK"]).write_text("loaded")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
'''


def test_a_plugin_installed_beside_the_harness_does_not_join_a_gate_run(tmp_path: Path) -> None:
    # an installed package with a pytest11 entry point: plain pytest loads it by itself
    (tmp_path / "stray_plugin.py").write_text(STRAY_PLUGIN, encoding="utf-8")
    dist = tmp_path / "stray_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stray-plugin\nVersion: 1.0\n",
                                   encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pytest11]\nstray = stray_plugin\n",
                                           encoding="utf-8")
    mark = tmp_path / "mark"
    plain = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p",
                            "no:cacheprovider", NODE], cwd=REPO, capture_output=True,
                           text=True, timeout=300, check=False,
                           env=_env(tmp_path, STRAY_MARK=str(mark)))
    assert mark.read_text() == "loaded", said(plain)[-3000:]
    mark.unlink()
    # the gate loads the plugins it names: a mutant's failure stays a failure
    done = run_gate(tmp_path, "--mutant", "red_dot_never_shown", "-k",
                    "lapsed_signin_marks_the_backup_out_of_date", quiet=False,
                    STRAY_MARK=str(mark))  # only the gate's own choice of plugins
    assert not mark.exists(), said(done)[-3000:]
    assert done.returncode == 1, said(done)[-3000:]
