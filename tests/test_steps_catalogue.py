"""The step catalogue (authconform steps, docs/steps.md) and the pre-run check of feature
files (authconform.authoring.stepcheck): a typo, a value a step cannot use and an untraced scenario
stop the gate at their line before anything runs; the repository's own features pass."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from authconform import cli
from authconform.authoring import stepcheck, stepdefs
from authconform.spec import traceability
from authconform.spec.catalogue import (
    CATALOGUE_ENV,
    ConfigurationError,
    Requirement,
    load_catalogue,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def defs() -> list[stepdefs.StepDef]:
    return stepdefs.load(REPO)


def features(tmp_path: Path, text: str, name: str = "mine.feature") -> Path:
    folder = tmp_path / "features"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- the catalogue


def test_docs_steps_md_is_generated_from_the_current_steps(defs):
    stepcheck.first_uses(defs, REPO / "features", "features")
    titles = stepdefs.group_titles(sorted({d.module for d in defs}))
    expected = stepdefs.render_markdown(defs, titles)
    assert (REPO / "docs" / "steps.md").read_text(encoding="utf-8") == expected, (
        "docs/steps.md is out of date: authconform steps --format md > docs/steps.md")


def test_every_step_definition_is_in_the_catalogue_once(defs):
    from pytest_bdd.steps import step_function_context_registry

    ours = [c for c in step_function_context_registry.values()
            if c.step_func.__module__.startswith("steps.")
            and c.step_func.__globals__ is vars(sys.modules[c.step_func.__module__])]
    assert len(defs) == len(ours) > 100
    assert len({(d.type, d.text) for d in defs}) == len(defs)


def test_steps_are_grouped_by_what_they_speak_of(defs):
    groups = list(dict.fromkeys(d.group for d in defs))
    for group in ("people", "phones", "backup", "recovery", "verification", "codes",
                  "faults"):
        assert group in groups
    assert groups.index("people") < groups.index("backup") < groups.index("outcomes")


def test_a_step_shows_its_parameters_types_and_allowed_values(defs):
    step = next(d for d in defs if d.text == 'the network will drop {moment}')
    assert step.typed == "Given the network will drop {moment}"
    (moment,) = step.params
    assert moment.type == "text" and "during the upload" in (moment.choices or ())
    phone = next(p for d in defs for p in d.params if p.name == "phone")
    assert "iPhone" in (phone.allowed or "") and phone.choices is None  # a rule, not a list
    days = next(d for d in defs if d.text == "{days:d} days pass")
    assert days.typed == "When {days} days pass" and days.params[0].type == "a whole number"


def test_a_given_says_the_requirement_it_leans_on(defs):
    leaning = [d for d in defs if d.leans_on]
    assert any(d.type == "given" for d in leaning)
    for d in leaning:
        for rid in d.leans_on.split(", "):
            assert stepdefs.REQ_WORD.match(rid), (d.typed, d.leans_on)


def test_the_steps_command_greps_and_prints_json_for_editors(capsys):
    assert cli.main(["steps", "--root", str(REPO), "--grep", "network drop"]) == 0
    out = capsys.readouterr().out
    assert "Given the network will drop {moment}" in out
    assert "e.g. features/" in out and "1 step(s)" in out
    assert cli.main(["steps", "--root", str(REPO), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    steps = [s for g in data["groups"] for s in g["steps"]]
    drop = next(s for s in steps if s["text"] == "the network will drop {moment}")
    assert drop["keyword"] == "Given" and drop["snippet"] == "the network will drop ${1:moment}"
    assert drop["params"][0]["choices"] and drop["defined_at"].startswith("steps/faults.py:")
    assert cli.main(["steps", "--root", str(REPO), "--grep", "zebra crossing"]) == 1


# ---------------------------------------------------------------- the pre-run check


def test_the_repository_features_pass_the_pre_run_check():
    assert stepcheck.prerun(REPO) == []  # no false alarm on a correct suite


def test_a_typo_names_file_line_the_step_and_the_closest_known_steps(defs, tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-BACKUP-01
          Scenario: typo
            Given Alex has a personal Microsoft acount
            Then the app answers "OK"
        """)
    (problem,) = stepcheck.check(defs, folder)
    text = str(problem)
    assert text.startswith("features/mine.feature:4: no step definition matches: "
                           "Given Alex has a personal Microsoft acount; closest known: "
                           "Given {name} has a personal Microsoft account"), text


def test_a_step_under_the_wrong_keyword_says_which_keyword_it_is(defs, tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-FAULT-01
          Scenario: keyword
            When the network will drop during the upload
        """)
    (problem,) = stepcheck.check(defs, folder)
    assert "no When step reads like this (it is a Given step)" in str(problem)


@pytest.mark.parametrize(("step", "said"), [
    ('Given Alex has the app on the "old Nokia"', "phone 'old Nokia' is not allowed"),
    ("Given the network will drop at noon", "moment 'at noon' is not allowed (one of: "),
    ('Then the app answers "MAYBE"', "code 'MAYBE' is not allowed"),
    ("Then nothing is kept in Dropbox", "store_name 'Dropbox' is not allowed"),
])
def test_a_value_the_step_cannot_use_is_refused_at_its_line(defs, tmp_path, step, said):
    folder = features(tmp_path, f"""\
        Feature: mine
          @REQ-BACKUP-01
          Scenario: value
            {step}
        """)
    (problem,) = stepcheck.check(defs, folder)
    assert str(problem).startswith(f"features/mine.feature:4: {said}"), str(problem)


def test_outline_rows_are_checked_one_by_one(defs, tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-BACKUP-01
          Scenario Outline: rows
            Given Alex has the app on the "<phone>"

            Examples:
              | phone      |
              | old iPhone |
              | old Nokia  |
        """)
    (problem,) = stepcheck.check(defs, folder)
    assert "'old Nokia'" in str(problem) and "mine.feature:4:" in str(problem)


def test_allowed_values_that_are_accepted_pass(defs, tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-BACKUP-01
          Scenario: good values
            Given Alex has the app on the "new Android phone"
            And the network will drop during the upload
            Then nothing is kept in iCloud
            And the app answers "OK"
        """)
    assert stepcheck.check(defs, folder) == []


def test_a_step_two_definitions_match_is_refused_naming_both(defs, tmp_path):
    # a new module's phrase that an existing one also matches ({code} takes any text):
    # pytest-bdd would run one of the two, whichever the writer meant
    from pytest_bdd import parsers

    answers = next(d for d in defs if d.text == 'the app answers "{code}"')
    mine = dataclasses.replace(
        answers, text='the app answers "{code}" on the "{phone}"', path="steps/mine.py",
        line=3, rules={}, context=types.SimpleNamespace(
            parser=parsers.parse('the app answers "{code}" on the "{phone}"')))
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-BACKUP-01
          Scenario: two
            Then the app answers "OK" on the "old iPhone"
            And the app answers "OK"
        """)
    (problem,) = stepcheck.check([*defs, mine], folder)
    assert str(problem) == (
        f"features/mine.feature:4: 2 step definitions match (steps/mine.py:3, "
        f"{answers.path}:{answers.line}), and only one of them would run (make their "
        'phrases differ): Then the app answers "OK" on the "old iPhone"'), str(problem)
    # the same function under two phrases is one definition
    twice = dataclasses.replace(mine, path=answers.path, line=answers.line)
    assert stepcheck.check([*defs, twice], folder) == []


# ---------------------------------------------------------------- untraced scenarios

CATALOGUE = [Requirement("REQ-A-01", "A", "MUST", ("current",), "one", ())]


def matrix(folder: Path) -> traceability.Matrix:
    return traceability.build_matrix(CATALOGUE, traceability.parse_features(folder))


def test_an_untagged_scenario_is_a_tag_problem_at_its_line(tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @REQ-A-01
          Scenario: tagged
            Given something

          Scenario: forgotten
            Given something
        """)
    m = matrix(folder)
    assert m.tag_problems() == [
        'features/mine.feature:6: scenario "forgotten" names no requirement: tag it '
        "@REQ-... (the requirement it checks) or @exploratory"]


def test_an_exploratory_scenario_is_counted_apart_and_never_covers(tmp_path):
    folder = features(tmp_path, """\
        Feature: mine
          @exploratory @REQ-A-01
          Scenario: chasing a bug
            Given something
        """)
    m = matrix(folder)
    assert m.tag_problems() == [] and [s.name for s in m.exploratory] == ["chasing a bug"]
    assert m.rows[0].scenarios == []  # never in coverage
    assert "REQ-A-01: no scenario" in m.problems()
    assert "exploratory (counted apart" in traceability.render_text(m)


def test_requirements_check_is_exit_2_for_an_untagged_scenario(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "steps").mkdir(parents=True)
    shutil.copytree(REPO / "features", root / "features")
    assert cli.main(["requirements", "--check", "--root", str(root)]) == 0
    capsys.readouterr()
    features(root, """\
        Feature: mine
          Scenario: forgotten
            Given Alex has a personal Microsoft account
        """)
    assert cli.main(["requirements", "--check", "--root", str(root)]) == 2
    assert "features/mine.feature:2: scenario \"forgotten\" names no requirement" in (
        capsys.readouterr().err)


# ---------------------------------------------------------------- the gate


def gate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(CATALOGUE_ENV, None)
    return subprocess.run([sys.executable, "-m", "authconform", "run", "--no-html",
                           "--report-dir", str(root / "out"), *args],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("features", "steps"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def test_the_gate_stops_at_a_typo_and_an_untagged_scenario_before_anything_runs(copy):
    features(copy, """\
        Feature: mine
          @REQ-BACKUP-01
          Scenario: typo
            Given Alex has a personal Microsoft acount

          Scenario: untagged
            Given Alex has a personal Microsoft account
        """)
    done = gate(copy)
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "authconform: features/mine.feature:4: no step definition matches" in out
    assert "closest known: Given {name} has a personal Microsoft account" in out
    assert 'features/mine.feature:6: scenario "untagged" names no requirement' in out
    assert out.splitlines()[-1].startswith(
        "authconform: configuration error (exit 2): 2 problem(s) in the feature files")
    assert not (copy / "out" / "conformance.json").exists()


def test_a_retired_or_unknown_requirement_is_refused_by_run_requirement(copy):
    done = gate(copy, "--requirement", "REQ-PRIVACY-04")
    assert done.returncode == 2 and "REQ-PRIVACY-04 was retired" in done.stdout
    done = gate(copy, "--requirement", "REQ-NOPE-01")
    assert done.returncode == 2 and "no such requirement" in done.stdout
    done = gate(copy, "--feature", "features/nope.feature")
    assert done.returncode == 2 and "no such feature file" in done.stdout


def test_run_requirement_and_feature_build_a_partial_selection(copy):
    args = cli.build_parser().parse_args(
        ["run", "--requirement", "REQ-BACKUP-01", "--requirement", "REQ-BACKUP-02",
         "-m", "ios", "--feature", str(copy / "features" / "backup.feature")])
    assert cli.selection_problem(args, copy) is None
    cmd = cli.pytest_command(args, copy, copy / "out")
    assert cmd[3] == str((copy / "features" / "backup.feature").resolve())
    assert "features" not in cmd
    assert cmd[len(cmd) - 1 - cmd[::-1].index("-m") + 1] == (
        "(ios) and (REQ-BACKUP-01 or REQ-BACKUP-02)")


# ---------------------------------------------------------------- user catalogues

USER = """\
requirements:
  - id: REQ-ACME-01
    area: ACME
    level: MUST
    profiles: [current, "2019"]
    summary: "Renaming keeps the codes."
    sources:
      - {doc: acme-notes.md, section: "Renaming"}
"""


def test_a_user_catalogue_adds_requirements_beside_ours(tmp_path):
    path = tmp_path / "acme.yml"
    path.write_text(USER, encoding="utf-8")
    both = load_catalogue(REPO / "features" / "requirements.yml", [path])
    acme = both[-1]
    assert acme.id == "REQ-ACME-01" and acme.catalogue == "acme.yml"
    assert all(r.catalogue == "" for r in both[:-1])


@pytest.mark.parametrize(("change", "said"), [
    (("REQ-ACME-01", "REQ-BACKUP-01"), "already used by another catalogue"),
    (("REQ-ACME-01", "REQ-PRIVACY-04"), "REQ-PRIVACY-04 was retired"),
    (('section: "Renaming"', 'section: ""'), "bind it to its source"),
])
def test_a_user_requirement_needs_a_new_id_and_its_own_source(tmp_path, change, said):
    path = tmp_path / "acme.yml"
    path.write_text(USER.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=said):
        load_catalogue(REPO / "features" / "requirements.yml", [path])


def test_user_requirements_are_not_checked_against_our_documents(tmp_path):
    from authconform.spec import sources, sources_cli

    path = tmp_path / "acme.yml"
    path.write_text(USER, encoding="utf-8")
    seeds = sources_cli.default_sources_dir(REPO)
    if seeds is None or not Path(seeds).is_dir():
        pytest.skip("the source documents are not here")
    both = load_catalogue(REPO / "features" / "requirements.yml", [path])
    check = sources.check_folder(both, REPO / "features" / "sources.yml", seeds)
    assert not [p for p in check.problems if "ACME" in p]
