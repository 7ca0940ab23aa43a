"""The benchmark machinery (bench/, bench/cli.py). No timing assertions:
figures depend on the machine; these tests check that the machinery counts, generates,
runs and reports correctly."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bench import cli as bench_cli
from bench import common, floor, run, sim_cycles, whatif
from sim import qr
from sim.world import World

FEATURE = """\
@area-x
Feature: shapes

  Background:
    Given a phone

  @REQ-X-01
  Scenario: plain
    Given a person
    When something happens
    And something else happens
    Then it shows

  @REQ-X-02
  Scenario Outline: outline
    When <n> things happen
    Then <n> things show

    Examples:
      | n |
      | 1 |
      | 2 |

  @profile-2019
  Scenario: only under the 2019 profile
    Then nothing
"""

STEPS = """\
from pytest_bdd import given, parsers, step, then, when


@given("a phone")
def _():
    pass


@when(parsers.parse("{n:d} things happen"))
def _(n):
    pass


@then("it shows")
def _():
    pass


@step("anything")
def _():
    pass
"""


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "shapes.feature").write_text(FEATURE, encoding="utf-8")
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "common.py").write_text(STEPS, encoding="utf-8")
    return tmp_path


def test_shape_counts_scenarios_expanded_outlines_and_background_steps(small_repo: Path):
    shape = floor.suite_shape(small_repo)
    # plain: 1 background + 4; outline: 2 rows x (1 + 2); 2019-only: 1 + 1
    assert shape.scenarios == 4
    assert shape.steps == 5 + 3 + 3 + 2
    summary = shape.summary("current")
    assert summary["scenarios_selected"] == 3
    assert summary["steps_selected"] == 11
    assert shape.summary("2019")["scenarios_selected"] == 4
    assert shape.features[0].scenarios[0].step_types == (
        "given", "given", "when", "when", "then")
    assert {t for s in shape.features[0].scenarios for t in s.tags} >= {
        "REQ-X-01", "REQ-X-02", "profile-2019"}


def test_step_definitions_are_counted_by_keyword(small_repo: Path):
    counts = floor.count_step_definitions(small_repo / "steps")
    assert counts == {"given": 2, "when": 2, "then": 2}  # @step counts for each


@pytest.mark.parametrize("mirrored", [False, True])
def test_floor_has_the_same_shape_and_runs(small_repo: Path, tmp_path: Path, mirrored: bool):
    shape = floor.suite_shape(small_repo)
    out = tmp_path / "floor"
    written = floor.write_floor(shape, out, mirrored=mirrored)
    assert written["scenarios"] == shape.scenarios
    assert written["steps"] == shape.steps
    assert written["feature_files"] == 1
    assert written["step_definitions"] == (6 if mirrored else 3)
    # The floor parses back to the same shape (tags included).
    again = floor.parse_features(out / "features")
    assert [s.step_types for f in again for s in f.scenarios] == [
        s.step_types for f in shape.features for s in f.scenarios]
    components = tmp_path / "components.json"
    result = common.run_pytest(["-p", "bench.component_plugin", "-n", "0"], out,
                               env={"AUTHCONFORM_BENCH_COMPONENTS": str(components)})
    assert result.exit_code == 0, result.output_tail
    lookups = json.loads(components.read_text(encoding="utf-8"))["pytest-bdd step lookup"]
    assert lookups["calls"] == 11  # one per step of the three selected scenarios
    assert result.counts.get("passed") == 3
    assert result.counts.get("deselected") == 1  # the 2019-only scenario, as the plugin does
    assert result.session_s is not None and result.wall_s >= result.session_s
    assert result.summary_s is not None
    assert len(result.tests) == 3


def test_interleave_alternates_and_rotates():
    order: list[str] = []
    results = common.interleave({"a": lambda: order.append("a") or 1.0,
                                 "b": lambda: order.append("b") or 2.0}, 3, warmup=True)
    assert order == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert results == {"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]}
    assert common.median(common.paired_ratios(results["a"], results["b"])) == 0.5
    assert common.ratio(1.0, 0.0) is None


def test_project_plugin_flags_are_read_from_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.pytest.ini_options]
        addopts = "-q -p no:schemathesis -pno:anyio --strict-markers"
        """), encoding="utf-8")
    assert common.project_plugin_flags(tmp_path) == ["-p", "no:schemathesis", "-p", "no:anyio"]
    assert common.project_plugin_flags(tmp_path / "nowhere") == []


def test_simulator_cycles_for_tiny_sizes():
    for n in (1, 3, 5):
        bed = sim_cycles.Bed.make(n, seed=3)
        personal = sum(e.kind == "personal" for e in bed.world.apps[bed.device_id].entries)
        assert personal == max(1, -(-n // 4))
        bed.cycle()  # raises unless every account came back
        bed.cycle()
    result = sim_cycles.run(1, seed=3, min_seconds=0.0, sizes=(1, 2), memory_cycles=1)
    assert set(result["cycles_per_second"]) == {"1", "2"}
    assert all(v > 0 for v in result["cycles_per_second"].values())
    assert all(v > 0 for v in result["peak_memory_mib"].values())
    assert result["cycle_100_vs_10_ratio"] is None  # sizes 10 and 100 were not run


def test_quick_run_of_the_cheap_figure_writes_every_key(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]):
    rc = bench_cli.main(["--quick", "--only", "sim", "--sizes", "1,10",
                         "--report-dir", str(tmp_path)])
    assert rc == 0
    doc = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert {"schema_version", "generated_at", "machine", "seed", "figures",
            "targets"} <= set(doc)
    assert {"cpus", "python"} <= set(doc["machine"])
    assert set(run.FIGURE_KEYS) <= set(doc["figures"])
    assert doc["figures"]["cycles_per_second"]["10"] > 0
    assert doc["figures"]["suite_vs_floor_ratio"] is None  # not selected
    for key in ("suite_vs_floor_ratio", "http_vs_inprocess_ratio", "cycle_100_vs_10_ratio",
                "mutants_wall_s_parallel"):
        assert {"target", "value", "met"} <= set(doc["targets"][key])
    assert doc["targets"]["suite_vs_floor_ratio"]["met"] is None
    md = (tmp_path / "bench.md").read_text(encoding="utf-8")
    assert md.startswith("# Benchmarks") and "| figure |" in md
    assert "# Benchmarks" in capsys.readouterr().out


def test_cli_usage_errors():
    assert bench_cli.main(["--only", "nonsense"]) == 2
    assert bench_cli.main(["--sizes", "0"]) == 2
    assert bench_cli.main(["--no-such-option"]) == 2


def test_targets_compare_as_documented():
    by_key = {t.key: t for t in run.TARGETS}
    assert by_key["suite_vs_floor_ratio"].met(1.2) is True
    assert by_key["suite_vs_floor_ratio"].met(1.21) is False
    assert by_key["http_vs_inprocess_ratio"].met(2.0) is True
    assert by_key["http_vs_inprocess_ratio"].met(2.01) is False
    assert by_key["cycle_100_vs_10_ratio"].met(12.0) is False
    assert by_key["http_vs_inprocess_ratio"].met(None) is None


def test_every_target_has_a_bound_a_description_and_a_figure():
    # What a target promises, not whether this machine meets it (no timing here).
    assert run.TARGETS
    for target in run.TARGETS:
        assert target.op in ("<=", "<"), target
        assert isinstance(target.bound, int | float) and target.bound > 0, target
        assert target.note.strip(), f"{target.key} has no description"
        assert target.key in run.FIGURE_KEYS, f"{target.key} is filled by no figure"
    assert len({t.key for t in run.TARGETS}) == len(run.TARGETS)


def test_markdown_says_met_or_not_for_every_target():
    figures = dict.fromkeys(run.FIGURE_KEYS)
    figures.update(suite_vs_floor_ratio=1.1, http_vs_inprocess_ratio=2.5)
    targets = {t.key: {"target": f"{t.op} {t.bound:g}", "bound": t.bound,
                       "value": figures[t.key], "met": t.met(figures[t.key]), "what": t.note}
               for t in run.TARGETS}
    doc = {"figures": figures, "targets": targets, "notes": {}, "seed": 1, "quick": True,
           "generated_at": "-", "machine": {"cpus": 2, "python": "3.11"}}
    lines = run.markdown(doc).splitlines()
    assert "- suite_vs_floor_ratio <= 1.2: 1.1 -> met (suite wall clock / pytest-bdd floor)" \
        in lines
    assert any(line.startswith("- http_vs_inprocess_ratio <= 2: 2.5 -> NOT MET")
               for line in lines)
    assert any(line.startswith("- cycle_100_vs_10_ratio < 12: n/a -> not measured")
               for line in lines)


def test_whatif_patches_keep_behaviour(monkeypatch: pytest.MonkeyPatch):
    def people(seeds: range) -> list[list[str | None]]:
        out = []
        for seed in seeds:
            world = World(seed=seed)
            person, name = world.create_person()
            msa = world.create_msa(person)
            out.append([name, msa.username, msa.password, msa.alternate_phone,
                        world.create_tenant().name])
        return out

    before = people(range(5))
    monkeypatch.setattr(World, "faker", World.__dict__["faker"])  # restored afterwards
    whatif.faker_shared()
    assert people(range(5)) == before
    text = "otpauth://totp/Site:ann?secret=JBSWY3DPEHPK3PXP&issuer=Site"
    for patch in (whatif.qr_zxing,):
        monkeypatch.setattr(qr, "render", qr.render)
        patch()
        assert qr.decode(qr.render(text)) == text


def test_bench_readme_states_the_targets_the_code_checks():
    """bench/README.md's table of figures names each target's key with the bound
    ``run.TARGETS`` holds: the page a reader trusts says what bench checks."""
    text = (Path(__file__).resolve().parent.parent / "bench" / "README.md").read_text("utf-8")
    for target in run.TARGETS:
        rows = [line for line in text.splitlines() if f"`{target.key}`" in line
                and line.startswith("|")]
        assert rows, f"{target.key} is not in bench/README.md's table"
        bound = rows[0].strip().strip("|").split("|")[-1].strip()  # the last cell
        assert bound.split(" ")[:2] == [target.op, f"{target.bound:g}"], rows[0]
