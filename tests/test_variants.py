"""``authconform variants``: every conforming variant of the simulator passes the suite.

A variant changes one thing the documents leave open (a value, words, a code of the
same family, a reading, a flow); a scenario that fails one is a false alarm. The whole
catalogue runs once here (forked workers, like the mutant run), in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from authconform.adapters.guard import GuardedTarget
from authconform.adapters.inprocess import SimTarget
from authconform.alterations.variants import VARIANTS
from authconform.port import Parameter, Platform, Reading

REPO = Path(__file__).resolve().parent.parent


def _runner(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = (f"import sys\n{prelude}\nfrom authconform.proof.variants import main\n"
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=900, check=False)


# The catalogue's whole-suite runs are this file's largest cost: the current profile's
# runs are split in two halves (the second in tests/test_variants_second_half.py) and
# the 2019 profile's are a file of their own, so that ./harness test's two workers share
# them instead of one waiting on all.
FIRST_HALF = list(VARIANTS)[:len(VARIANTS) // 2]
SECOND_HALF = list(VARIANTS)[len(VARIANTS) // 2:]


def whole_suite_runs(report_dir: Path, names: list[str], *profile: str
                     ) -> tuple[int, dict, str]:
    """Every named variant through the whole suite on seed 4: the runner's exit code, its
    variants.json and what it printed. One worker: ./harness test's own two workers
    already keep both cores busy (``sweep`` below runs forked workers)."""
    done = _runner("--only", *names, "--workers", "1", "--seed", "4", *profile,
                   "--report-dir", str(report_dir))
    assert (report_dir / "variants.json").exists(), done.stdout + done.stderr
    doc = json.loads((report_dir / "variants.json").read_text("utf-8"))
    return done.returncode, doc, done.stdout


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    return whole_suite_runs(tmp_path_factory.mktemp("variants"), FIRST_HALF)


def test_every_variant_is_conformant_with_no_failed_scenario(
        full_run: tuple[int, dict, str]) -> None:
    every_variant_conformant(full_run, "current", FIRST_HALF)


def test_the_halves_hold_every_variant_once() -> None:
    assert list(VARIANTS) == FIRST_HALF + SECOND_HALF and FIRST_HALF and SECOND_HALF


def every_variant_conformant(run: tuple[int, dict, str], profile: str,
                             names: list[str]) -> None:
    """No false alarm: every variant named passed every scenario it ran."""
    exit_code, doc, said = run
    wrong = {v["name"]: v["failed"] for v in doc["variants"]
             if v["verdict"] != "conformant" or v["failed"]}
    assert not wrong, f"false alarms: {wrong}"
    assert exit_code == 0, said
    assert doc["profile"] == profile
    assert [v["name"] for v in doc["variants"]] == names
    assert all(v["passed"] > 0 for v in doc["variants"])


def test_variants_json_has_the_documented_schema(full_run: tuple[int, dict, str]) -> None:
    _, doc, _ = full_run
    assert {"variants", "total", "conformant", "all_passed", "seed", "workers"} <= set(doc)
    for v in doc["variants"]:
        assert {"name", "description", "verdict", "failed"} <= set(v)
        assert isinstance(v["name"], str) and isinstance(v["description"], str)
        assert v["verdict"] in ("conformant", "non-conformant")
        assert isinstance(v["failed"], list)
    assert doc["total"] == len(FIRST_HALF) >= 8 and doc["seed"] == 4 and doc["seeds"] == [4]
    _follows_the_schema(doc)


def test_a_variant_the_suite_fails_is_reported_non_conformant(tmp_path: Path) -> None:
    # A mutant dressed as a variant: the runner must say so, name the scenario, exit 1.
    prelude = ("from authconform.alterations import variants as c\n"
               "from authconform.alterations.mutants import MUTANTS\n"
               "c.VARIANTS['no-red-dot'] = c.Variant('no-red-dot', 'never shows the red dot',"
               " MUTANTS['red_dot_never_shown'].apply)")
    done = _runner("--only", "no-red-dot", "--suite", "features/stale_backup.feature",
                   "--workers", "1", "--seed", "4", "--report-dir", str(tmp_path),
                   prelude=prelude)
    assert done.returncode == 1, done.stdout + done.stderr
    (broken,) = json.loads((tmp_path / "variants.json").read_text("utf-8"))["variants"]
    assert broken["verdict"] == "non-conformant"
    assert "REQ-STALE-02" in broken["failed_requirements"]
    assert any("stale_backup.feature" in n for n in broken["failed"])
    assert "no-red-dot: non-conformant; failed:" in done.stdout


# A plain app: it cannot rename an account, its backup keeps the accounts and their order
# but not the names they had, and it makes every third-party code with 6 digits, 30
# seconds and SHA1 whatever the site asked for. The documents never mention names,
# renaming or code parameters, so it is conformant; the harness's own expectations about
# those (REQ-STORED-05, REQ-CODES-04: robustness) are all it fails. Not in the
# catalogue, whose variants must pass the robustness checks too.
KEEPS_NO_NAMES = """
import dataclasses
from authconform.alterations import variants as c
from authconform.alterations.patching import wrap_app
from sim.refusals import Code, Refusal

def keeps_no_names(world):
    def default(a):
        return f"{a.issuer}: {a.username}" if a.kind == "third_party" else a.username

    def payload(app, original):
        made = original()
        return dataclasses.replace(made, accounts=tuple(
            dataclasses.replace(a, display_name=default(a)) for a in made.accounts))

    wrap_app(world, "_payload", payload)

    def no_rename(app, original, *args):
        raise Refusal(Code.INVALID_ENTRY, "Accounts keep the name they came with.")

    wrap_app(world, "rename_account", no_rename)

    def plain_codes(app, original, issuer, username, params):
        return original(issuer, username, dataclasses.replace(
            params, digits=6, period=30, algorithm="SHA1"))

    wrap_app(world, "_add_third_party", plain_codes)

c.VARIANTS["keeps-no-names"] = c.Variant("keeps-no-names", "no names in the backup",
                                         keeps_no_names)
"""


def test_a_plain_app_fails_only_the_harness_expectations(
        tmp_path: Path) -> None:
    done = _runner("--only", "keeps-no-names", "--workers", "1", "--seed", "4",
                   "--report-dir", str(tmp_path), prelude=KEEPS_NO_NAMES)
    (result,) = json.loads((tmp_path / "variants.json").read_text("utf-8"))["variants"]
    assert result["verdict"] == "conformant", result["failures"]
    assert result["failed_requirements"] == []
    assert result["robustness_failed"] == ["REQ-CODES-04", "REQ-STORED-05"], result["failures"]
    assert done.returncode == 1, done.stdout + done.stderr  # a scenario did fail


def test_the_variant_ignoring_unprompted_camera_answers_passes_the_2019_profile(
        tmp_path: Path) -> None:
    """The full run above is the current profile; this variant (an app that asks at the
    first scan and ignores an answer to a prompt that is not showing) must pass the 2019
    one as well, where nothing may depend on a camera prompt."""
    done = _runner("--only", "camera-answer-needs-prompt", "--workers", "1", "--seed", "4",
                   "--report-dir", str(tmp_path), "--", "--profile", "2019")
    (result,) = json.loads((tmp_path / "variants.json").read_text("utf-8"))["variants"]
    assert result["verdict"] == "conformant" and not result["failed"], result["failures"]
    assert result["passed"] > 0 and done.returncode == 0, done.stdout + done.stderr


def test_an_unknown_variant_is_a_usage_error() -> None:
    done = _runner("--only", "seven-digit-codes")
    assert done.returncode == 2 and "unknown variant(s): seven-digit-codes" in done.stderr


# ---------------------------------------------------------------- really different


def _target(variant: str) -> GuardedTarget:
    inner = SimTarget(seed=3)
    VARIANTS[variant].apply(inner.world_model)
    return GuardedTarget(inner, 10.0)


def _msa_code(target: GuardedTarget) -> str | None:
    w = target.world
    person = w.create_person()
    msa = w.create_microsoft_account(person.id)
    phone = w.create_device(person.id, Platform.ANDROID, "6.8.0")
    assert target.app.add_personal_account(phone, msa.username, msa.password).ok
    return target.app.current_code(phone, target.app.list_accounts(phone)[0].id)


def test_six_digit_codes_are_really_shown() -> None:
    assert len(_msa_code(_target("six-digit-codes")) or "") == 6
    assert len(_msa_code(GuardedTarget(SimTarget(seed=3), 10.0)) or "") == 8


def test_the_sim_adapter_declares_what_a_variant_changed() -> None:
    from authconform.adapters import TargetConfig
    from authconform.adapters.sim_adapter import SimAdapter

    adapter = SimAdapter()
    adapter.start(TargetConfig(options={"variant": "six-digit-codes"}))
    info = adapter.new_target(1).info
    assert info.parameter(Parameter.MSA_CODE_DIGITS) == 6 and info.name == "sim~six-digit-codes"
    adapter.start(TargetConfig(options={"variant": "second-pairing-refused"}))
    assert adapter.new_target(1).info.reading(Reading.SECOND_PAIRING) == "refused"


def test_other_wording_changes_every_message() -> None:
    target = _target("other-wording")
    person = target.world.create_person()
    msa = target.world.create_microsoft_account(person.id)
    phone = target.world.create_device(person.id, Platform.ANDROID, "6.8.0")
    outcome = target.app.begin_recovery(phone, msa.username, msa.password)
    assert not outcome.ok and outcome.message.startswith("Sorry, that did not work")


# ---------------------------------------------------------------- a sweep over seeds


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, list[str]]:
    """Two variants on two seeds over one feature; a third variant that changes nothing
    writes down the seed of every world it is given, to show each job's seed reaches the
    worlds (one line per scenario)."""
    report_dir = tmp_path_factory.mktemp("sweep")
    seen = report_dir / "world-seeds.txt"
    prelude = ("from authconform.alterations import variants as c\n"
               "def _note(world):\n"
               f"    with open({str(seen)!r}, 'a') as out: out.write(f'{{world.seed}}\\n')\n"
               "c.VARIANTS['note-seed'] = c.Variant('note-seed', 'changes nothing', _note)")
    done = _runner("--only", "one-user-name-everywhere", "note-seed", "--seeds", "1-2",
                   "--suite", "features/stale_backup.feature", "--workers", "2",
                   "--report-dir", str(report_dir), prelude=prelude)
    assert (report_dir / "variants.json").exists(), done.stdout + done.stderr
    doc = json.loads((report_dir / "variants.json").read_text("utf-8"))
    return done.returncode, doc, seen.read_text("utf-8").split()


def _follows_the_schema(doc: dict) -> None:
    schema = json.loads((REPO / "authconform/schemas/variants.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_a_sweep_runs_every_variant_on_every_seed(sweep: tuple[int, dict, list[str]]) -> None:
    exit_code, doc, _ = sweep
    _follows_the_schema(doc)
    assert exit_code == 0, doc
    assert doc["seeds"] == [1, 2] and doc["seed_dependent"] == []
    for v in doc["variants"]:
        assert v["seeds"] == [1, 2] and v["failing_seeds"] == []
        assert [(r["seed"], r["verdict"]) for r in v["by_seed"]] == [
            (1, "conformant"), (2, "conformant")]
        assert v["passed"] == sum(r["passed"] for r in v["by_seed"]) > 0


def test_each_seed_of_a_sweep_reaches_the_worlds(sweep: tuple[int, dict, list[str]]) -> None:
    _, doc, seen = sweep
    (noted,) = [v for v in doc["variants"] if v["name"] == "note-seed"]
    per_seed = noted["by_seed"][0]["passed"] + noted["by_seed"][0]["not_applicable"]
    # A world per scenario per seed, and no world seed twice: the two runs differ.
    assert len(seen) == 2 * per_seed > 0
    assert len(set(seen)) == len(seen)


def test_a_variant_failing_on_one_seed_only_lists_that_seed() -> None:
    from authconform.proof.variants import CONFORMANT, NON_CONFORMANT, VariantResult

    runs = [VariantResult("v", "d", CONFORMANT, passed=3, seed=1),
            VariantResult("v", "d", NON_CONFORMANT, ["s"], ["REQ-X-01"], [], {"s": "boom"},
                          passed=2, seed=2)]
    entry = VariantResult.combine(runs)
    assert entry["verdict"] == NON_CONFORMANT and entry["failing_seeds"] == [2]
    assert entry["seeds"] == [1, 2] and entry["failed"] == ["s"]
    assert [r["verdict"] for r in entry["by_seed"]] == [CONFORMANT, NON_CONFORMANT]
