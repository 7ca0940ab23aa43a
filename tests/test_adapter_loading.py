"""Choosing a target: built-in names, ``module:attribute``, the entry point group, and
adapter options from a config file and the environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from authconform.adapters import AdapterLoadError, TargetConfig, load_adapter, read_options
from authconform.adapters.sim_adapter import SimAdapter

REPO = Path(__file__).resolve().parent.parent
ADAPTER_SOURCE = """
from authconform.adapters.inprocess import SimTarget

class {name}:
    name = "{label}"
    def start(self, config): self.config = config
    def new_target(self, seed): return SimTarget(seed=seed)
    def stop(self): pass
"""


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, source: str) -> None:
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(module, None)


def test_built_in_names_load_their_adapters() -> None:
    assert isinstance(load_adapter("sim"), SimAdapter)
    assert type(load_adapter("http")).__name__ == "HttpAdapter"


def test_an_unknown_name_says_which_names_are_known() -> None:
    with pytest.raises(AdapterLoadError) as caught:
        load_adapter("emulator")
    message = str(caught.value)
    assert "unknown adapter 'emulator'" in message
    assert "http, sim" in message and "module:attribute" in message


def test_module_attribute_from_outside_the_repository(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _module(tmp_path, monkeypatch, "acme_outside",
            ADAPTER_SOURCE.format(name="AcmeAdapter", label="acme"))
    adapter = load_adapter("acme_outside:AcmeAdapter")
    assert adapter.name == "acme"
    assert sys.modules["acme_outside"].__file__ == str(tmp_path / "acme_outside.py")
    adapter.start(TargetConfig())
    assert adapter.new_target(3).info.name == "sim"


def test_an_instance_or_factory_is_accepted(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _module(tmp_path, monkeypatch, "acme_factory",
            ADAPTER_SOURCE.format(name="Acme", label="acme") + "\nINSTANCE = Acme()\n"
            "def make(): return Acme()\n")
    assert load_adapter("acme_factory:INSTANCE") is sys.modules["acme_factory"].INSTANCE
    assert load_adapter("acme_factory:make").name == "acme"


def test_an_import_error_names_the_module_and_the_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _module(tmp_path, monkeypatch, "acme_broken", "import no_such_dependency_here\n")
    with pytest.raises(AdapterLoadError) as caught:
        load_adapter("acme_broken:Adapter")
    assert "importing 'acme_broken' failed" in str(caught.value)
    assert "ModuleNotFoundError" in str(caught.value)
    assert "no_such_dependency_here" in str(caught.value)


@pytest.mark.parametrize(("spec", "message"), [
    ("acme_shapes:Missing", "has no 'Missing'"),
    ("acme_shapes:NOT_AN_ADAPTER", "is not an adapter"),
    ("acme_shapes:", "expected 'module:attribute'"),
    (":Acme", "expected 'module:attribute'"),
    ("no_such_module_anywhere:Adapter", "importing 'no_such_module_anywhere' failed"),
])
def test_a_wrong_spec_is_a_load_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      spec: str, message: str) -> None:
    _module(tmp_path, monkeypatch, "acme_shapes", "NOT_AN_ADAPTER = object()\n")
    with pytest.raises(AdapterLoadError, match=message):
        load_adapter(spec)


def _distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    info = tmp_path / "acme_authconform-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-authconform\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[authconform.adapters]\n{entry}\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_an_entry_point_in_the_group_is_found_by_name(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _module(tmp_path, monkeypatch, "acme_plugin",
            ADAPTER_SOURCE.format(name="PluginAdapter", label="acme-phone"))
    _distribution(tmp_path, monkeypatch, "acme-phone = acme_plugin:PluginAdapter")
    assert load_adapter("acme-phone").name == "acme-phone"
    with pytest.raises(AdapterLoadError) as caught:
        load_adapter("acme-tablet")
    assert "acme-phone" in str(caught.value)  # listed among the known names


def test_a_broken_entry_point_is_a_load_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _distribution(tmp_path, monkeypatch, "acme-gone = acme_vanished:Adapter")
    with pytest.raises(AdapterLoadError, match="loading its entry point failed"):
        load_adapter("acme-gone")


# ---------------------------------------------------------------- options


def test_options_come_from_the_sut_table_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "sut.toml"
    config.write_text('[sut]\nurl = "http://127.0.0.1:9"\nstart_timeout = 5\n'
                      'recovery_block = "same"\n', encoding="utf-8")
    options = read_options(str(config), environ={
        "AUTHCONFORM_SUT_URL": "http://127.0.0.1:8765", "AUTHCONFORM_SUT_STATE": "off",
        "UNRELATED": "x"})
    assert options == {"url": "http://127.0.0.1:8765", "start_timeout": "5",
                       "recovery_block": "same", "state": "off"}


def test_a_yaml_file_may_hold_the_options_at_top_level(tmp_path: Path) -> None:
    config = tmp_path / "sut.yml"
    config.write_text("url: http://127.0.0.1:8765\nstate: 'off'\n", encoding="utf-8")
    assert read_options(str(config), environ={}) == {"url": "http://127.0.0.1:8765",
                                                     "state": "off"}


@pytest.mark.parametrize(("name", "text", "message"), [
    ("sut.toml", "[sut\nurl = 1", "sut.toml"),
    ("sut.toml", "sut = 3\n", "[sut] is not a table"),
    ("sut.yml", "- a\n- b\n", "expected a table"),
    ("sut.yml", "url: [unclosed\n", "sut.yml"),
])
def test_a_bad_config_file_is_a_load_error(tmp_path: Path, name: str, text: str,
                                           message: str) -> None:
    config = tmp_path / name
    config.write_text(text, encoding="utf-8")
    with pytest.raises(AdapterLoadError, match=message.replace("[", r"\[")):
        read_options(str(config), environ={})


def test_a_missing_config_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(AdapterLoadError, match="does not exist"):
        read_options(str(tmp_path / "nowhere.toml"), environ={})


def test_a_bad_option_value_is_refused_at_start() -> None:
    with pytest.raises(AdapterLoadError, match="recovery_block"):
        SimAdapter().start(TargetConfig(options={"recovery_block": "sometimes"}))


# ---------------------------------------------------------------- the suite, end to end


def _pytest(*args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})})


def test_an_unknown_adapter_stops_the_suite_with_a_usage_error(tmp_path: Path) -> None:
    run = _pytest("features", "--sut", "emulator", "--authconform-report-dir", str(tmp_path))
    assert run.returncode == 4  # pytest's usage error
    assert "unknown adapter 'emulator'" in run.stderr + run.stdout


def test_the_minimal_example_runs_the_suite_from_outside_the_repository(tmp_path: Path) -> None:
    package = tmp_path / "acme_adapters"
    package.mkdir()
    shutil.copy(REPO / "examples" / "minimal_adapter.py", package / "minimal_adapter.py")
    features = sorted((REPO / "features").glob("*.feature"))
    assert features, "no scenarios to run"
    run = _pytest(*(str(f) for f in features[:3]),
                  "--sut", "acme_adapters.minimal_adapter:MinimalAdapter", "--seed", "5",
                  "--authconform-report-dir", str(tmp_path / "reports"),
                  env={"PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])})
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
    # The example declares no reading, so the scenarios of every reading run and pytest
    # counts those of the readings it does not follow as failed; the gate's document
    # is what says whether any scenario failed (authconform.gate.inference).
    doc = json.loads((tmp_path / "reports" / "conformance.json").read_text("utf-8"))
    bad = [s["id"] for s in doc["scenarios"] if s["status"] in ("failed", "error", "blocked")]
    assert not bad, bad
    assert doc["readings"]["other_phone_code"]["followed"] == "refused"
    # scenarios needing what the minimal target lacks come out not-applicable, not passed
    assert "not-applicable: target lacks capability" in run.stdout


# ---------------------------------------------------------------- the guide


def test_the_adapter_guide_documents_every_operation_value_and_capability() -> None:
    import dataclasses

    from authconform import port

    guide = (REPO / "docs" / "adapters.md").read_text(encoding="utf-8")
    operations = [name for protocol in (port.AppPort, port.WorldPort)
                  for name in vars(protocol) if not name.startswith("_")]
    assert operations
    for name in operations:
        assert f"| `{name}` |" in guide, f"docs/adapters.md lacks a row for {name}"
    for capability in port.Capability:
        assert f"| `{capability.value}` |" in guide, capability
    values = [obj for obj in vars(port).values()
              if isinstance(obj, type) and dataclasses.is_dataclass(obj)]
    for value in values:
        assert f"| `{value.__name__}` |" in guide, value.__name__
    for code in port.OutcomeCode:
        assert f"| `{code.value}` |" in guide, code.value
    for point in port.FAULT_POINTS:
        assert f"`{point}`" in guide, point
