"""A failing scenario in the user's words.

A QA lead reading a red run wants the Gherkin step that failed (its text), the feature
file and line, what the step expected and what the target answered -- not a pytest
traceback, not ``assert not True``, not ``<object at 0x7f...>``. This module turns the
failing step and its exception into that record:

    Then turning on backup is refused with "SIGN_IN_FAILED"
      at features/backup.feature:42, scenario "A wrong ... leaves backup off" (iPhone)
      expected: turning on backup is refused with "SIGN_IN_FAILED"
      answered: turning on backup was not refused: Outcome(ok=True, code=OK, ...)

``StepFailures`` is a pytest plugin (registered with the results collector): it notes
the failing step (``pytest_bdd_step_error``) and, unless ``--tb`` was given, prints the
record instead of the traceback. The results collector uses ``user_message`` for
conformance.json, junit.xml and summary.md; the Allure plugin for the report, where the
full traceback stays available as an attachment.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class FailedStep:
    keyword: str  # as written: Given, When, Then, And, But
    text: str  # the step's text with the example's values filled in
    feature_file: str  # relative to the repository root
    line: int
    scenario: str
    example: str | None = None  # an outline's Examples title
    # the requirement whose behaviour this (Given or When) step leans on, when it says
    # so (authconform.gate.preconditions): the failure is that requirement's
    owner: str | None = None

    @property
    def where(self) -> str:
        return f"{self.feature_file}:{self.line}"


FAILED_STEP = pytest.StashKey[tuple[FailedStep, BaseException]]()

# pytest's assertion rewriting appends its introspection after the step's own message:
# "msg\nassert not True\n +  where True = ...". The message is what the step meant.
_INTROSPECTION = re.compile(r"^(assert |\s*[+-]  ?where |\s*[+-] |\s*(At index|Full diff|Use -v))")
_ENUM_REPR = re.compile(r"<[\w.]+\.\w+: ('[^']*'|\"[^\"]*\"|-?\d+)>")
_OBJECT_REPR = re.compile(r"<(?:[\w.]+\.)?([A-Za-z_]\w*) object at 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# What the app answered (port.Outcome) as a reader says it: code and message, not the
# dataclass's repr. Fields added after ``message`` are left out of the words.
_OUTCOME_REPR = re.compile(
    r"Outcome\(ok=(?:True|False), code=([A-Z_]+), "
    r"message=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"(?:, (?:[^()]|\((?:[^()]|\([^()]*\))*\))*)?\)")


def _outcome_words(m: re.Match[str]) -> str:
    try:
        message = str(ast.literal_eval(m.group(2)))
    except (ValueError, SyntaxError):
        message = m.group(2)[1:-1]
    return f'the app answered {m.group(1)} ("{message}")' if message else (
        f"the app answered {m.group(1)} (no message)")


def plain(text: str) -> str:
    """Values as a reader knows them: ``<OutcomeCode.OK: 'OK'>`` -> ``OK``,
    ``Outcome(ok=True, code=OK, message='Backup is on.')`` -> ``the app answered OK
    ("Backup is on.")``, ``<x.GuardedTarget object at 0x7f..>`` -> ``GuardedTarget``,
    no memory addresses."""
    text = _ENUM_REPR.sub(lambda m: m.group(1).strip("'\""), text)
    text = _OUTCOME_REPR.sub(_outcome_words, text)
    text = _OBJECT_REPR.sub(lambda m: m.group(1), text)
    return _ADDRESS.sub("", text)


def answered(exc: BaseException) -> str:
    """What the target answered, from the exception a step raised."""
    if isinstance(exc, AssertionError):
        lines = str(exc).splitlines()
        said = []
        for line in lines:
            if _INTROSPECTION.match(line):
                break
            said.append(line.strip())
        if said and any(said):
            return plain(" ".join(s for s in said if s))
        check = lines[0].removeprefix("assert ").strip() if lines else ""
        return plain(f"the check `{check}` did not hold" if check else "the check did not hold")
    message = str(exc).strip()
    return plain(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def render(step: FailedStep, exc: BaseException) -> str:
    """The multi-line record; its first line is the failing step itself."""
    scenario = f'scenario "{step.scenario}"' + (f" ({step.example})" if step.example else "")
    lines = [f"{step.keyword} {step.text}", f"  at {step.where}, {scenario}"]
    if isinstance(exc, AssertionError):
        lines += [f"  expected: {step.text}", f"  answered: {answered(exc)}"]
        if step.owner:
            lines.append(f"  blocked by {step.owner}: a precondition that {step.owner} "
                         "documents failed; the failure counts against it, and this "
                         "scenario's own checks did not run")
    else:
        lines.append(f"  error: {answered(exc)}")
    return "\n".join(lines)


def user_message(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException] | None
                 ) -> str | None:
    """The record for the step that failed in ``item``; ``None`` when no step failed
    (a fixture or a hook broke), so the caller keeps its own message."""
    noted = _failed_step(item, excinfo)
    return None if noted is None else render(*noted)


def precondition_owner(item: pytest.Item,
                       excinfo: pytest.ExceptionInfo[BaseException] | None) -> str | None:
    """The requirement owning the failed precondition of ``item`` (its Given or When
    step leaned on it), or ``None``: the scenario's own failure."""
    noted = _failed_step(item, excinfo) if excinfo is not None else None
    return None if noted is None else noted[0].owner


def _failed_step(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException] | None
                 ) -> tuple[FailedStep, BaseException] | None:
    """The step noted as failed in ``item``, unless something else failed after it (a
    teardown: ``excinfo`` holds another exception)."""
    noted = item.stash.get(FAILED_STEP, None)
    if noted is None or (excinfo is not None and excinfo.value is not noted[1]):
        return None
    return noted


def relative_file(filename: str, rootpath: Path) -> str:
    path = Path(filename).resolve()
    try:
        return path.relative_to(rootpath.resolve()).as_posix()
    except ValueError:
        return path.name


class StepFailures:
    """Notes the failing Gherkin step; shows the record instead of pytest's traceback
    in the terminal unless the run asked for a traceback style (``--tb``)."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_bdd_step_error(self, request: pytest.FixtureRequest, feature: Any,
                              scenario: Any, step: Any, step_func: Any,
                              step_func_args: Any, exception: BaseException) -> None:
        from authconform.gate.items import example_title
        from authconform.gate.preconditions import owner_of

        item = request.node
        item.stash[FAILED_STEP] = (FailedStep(
            keyword=str(getattr(step, "keyword", "") or step.type).strip().capitalize(),
            text=str(step.name), line=int(step.line_number),
            feature_file=relative_file(str(feature.filename), Path(self.config.rootpath)),
            scenario=str(scenario.name), example=example_title(item),
            owner=owner_of(str(step.type), step_func, dict(step_func_args or {}), exception)),
            exception)

    # outermost wrapper: allure-pytest-bdd has already kept the full traceback
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Any:
        report = yield
        if (report.when == "call" and report.failed
                and getattr(self.config.option, "tbstyle", "auto") == "auto"):
            text = user_message(item, call.excinfo)
            if text is not None:
                report.longrepr = text
                # the section header: the scenario's title, not the test function's
                step = item.stash[FAILED_STEP][0]
                title = step.scenario + (f" — {step.example}" if step.example else "")
                report.location = (report.location[0], report.location[1], title)
        return report
