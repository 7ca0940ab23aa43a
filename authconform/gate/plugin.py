"""The pytest plugin: options, the target fixture, markers, and fail-closed statuses.

Loaded by the repository's conftest.py, so plain ``pytest`` and ``authconform run``
accept the same options.
"""

from __future__ import annotations

import copy
import functools
import gc
import hashlib
import os
import random
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from authconform import port
from authconform.adapters import (
    Adapter,
    AdapterLoadError,
    TargetConfig,
    load_adapter,
    read_options,
    versions,
)
from authconform.adapters.guard import GuardedTarget
from authconform.gate import results
from authconform.spec import catalogue as spec_catalogue
from authconform.spec import feature_files, readings
from authconform.spec.catalogue import ConfigurationError, Requirement

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "features" / "requirements.yml"
NOT_APPLICABLE = "not-applicable:"
PROFILE_TAGS = {"profile-current": "current", "profile-2019": "2019"}
# Tags the feature files may use besides requirement ids and area names.
FIXED_MARKERS = {
    "ios": "runs on an iPhone",
    "android": "runs on an Android phone",
    "negative": "checks that something is refused or absent",
    "fault": "injects a fault (network cut, store failure, restart)",
    "security": "checks a security property",
    "regression": "a counterexample found by model-based exploration",
    "exploratory": "checks no catalogued requirement yet: counted apart, never in coverage",
    "profile-current": "applies only to the current article (000)",
    "profile-2019": "applies only to the 2019 article (002)",
}
_ADAPTER = pytest.StashKey[Adapter]()
# (the port version the target declares, the verdict's note about it or None)
_CONFIG = pytest.StashKey[TargetConfig]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("authconform", "authconform conformance options")
    group.addoption("--sut", default="sim",
                    help="target adapter: a built-in name (sim, http), an entry point in "
                         "group authconform.adapters, or module:attribute (default: sim)")
    group.addoption("--profile", default="current", choices=["current", "2019"],
                    help="which document's behaviour to check (default: current)")
    group.addoption("--seed", type=int, default=None,
                    help="seed for every random choice (default: a new one, printed)")
    group.addoption("--mutant", default=None,
                    help="run against a deliberately faulty variant of the simulator")
    group.addoption("--sut-config", default=None,
                    help="adapter options file (TOML or YAML, [sut] table); "
                         "AUTHCONFORM_SUT_<KEY> environment variables override it")
    group.addoption("--op-timeout", type=float, default=10.0,
                    help="seconds an adapter operation may take before it is an error")
    group.addoption("--shard", dest="authconform_shard", type=parse_shard, default=None,
                    metavar="K/N",
                    help="run only slice K of N (stable hash of each scenario's id); "
                         "authconform merge combines the slices' reports")
    results.addoption(parser)


def _memoise_step_lookup() -> None:
    """pytest-bdd finds each step's definition by trying every fixture name visible to
    the test module (hundreds) for every step, then injects the matches as a temporary
    fixture and asks pytest for its value: the definition's context. The definitions a
    module sees do not change during a run, so list them once per module and keep each
    answer per (set of visible definitions, keyword, text): paid once per distinct step
    text in a run, not once per step. The answer is the one pytest-bdd would give: the
    matching definitions sorted by how close their conftest is, the closest last, and
    the last one wins (pytest's own override rule). ``inspect.signature`` of a step
    function, asked twice per step, is kept too: a function's signature never changes."""
    import importlib
    import inspect

    # Modules, not the ``scenario`` function pytest_bdd exports under the same name.
    bdd_scenario: Any = importlib.import_module("pytest_bdd.scenario")
    bdd_utils: Any = importlib.import_module("pytest_bdd.utils")
    compat: Any = importlib.import_module("pytest_bdd.compat")
    bdd_steps: Any = importlib.import_module("pytest_bdd.steps")
    if getattr(bdd_scenario.get_step_function, "memoised", False):
        return
    # Module -> the group of modules that see the same step definitions (all of them, when
    # every step is defined in the root conftest); answers are kept per group, so a step text
    # repeated across feature files is matched against the parsers once per run, not once per
    # feature file. A conftest that adds steps for some feature files makes a group of its own.
    visible: dict[tuple[int, str], tuple[int, list[tuple[Any, Any]]]] = {}
    groups: dict[tuple[int, ...], int] = {}
    Key = tuple[int, int, str, str]  # (fixture manager, group, keyword, text)
    answers: dict[Key, list[tuple[Any, Any]]] = {}  # the matching (fixturedef, context)
    chosen: dict[Key, Any] = {}  # the context that runs the step, or None

    def step_definitions(fixturemanager: Any, node: Any) -> tuple[int, list[tuple[Any, Any]]]:
        key = (id(fixturemanager), node.nodeid.split("::", 1)[0])
        found = visible.get(key)
        if found is None:
            defs: list[tuple[Any, Any]] = []
            for name in compat.get_fixture_names(fixturemanager=fixturemanager):
                for fixturedef in compat.getfixturedefs(fixturemanager, name, node) or []:
                    context = bdd_steps.step_function_context_registry.get(fixturedef.func)
                    if context is not None:
                        defs.append((fixturedef, context))
            signature = tuple(id(fixturedef) for fixturedef, _ in defs)
            group = groups.setdefault(signature, len(groups))
            found = visible[key] = (group, defs)
        return found

    def matching(step: Any, fixturemanager: Any, node: Any) -> tuple[Key, list[tuple[Any, Any]]]:
        group, defs = step_definitions(fixturemanager, node)
        key = (id(fixturemanager), group, str(step.type), step.name)
        found = answers.get(key)
        if found is None:
            found = answers[key] = [
                (fixturedef, context)
                for fixturedef, context in defs
                if (context.type is None or context.type == step.type)
                and context.parser.is_matching(step.name)
            ]
        return key, found

    def find(step: Any, fixturemanager: Any, node: Any) -> Any:
        return (fixturedef for fixturedef, _ in matching(step, fixturemanager, node)[1])

    def get_step_function(request: Any, step: Any) -> Any:
        key, found = matching(step, request._fixturemanager, request.node)
        if key not in chosen:
            closest_last = sorted(
                found, key=lambda pair: list(bdd_scenario.iterparentnodeids(pair[0].baseid)))
            chosen[key] = closest_last[-1][1] if closest_last else None
        return chosen[key]

    signature = functools.lru_cache(maxsize=None)(inspect.signature)
    find.memoised = True  # type: ignore[attr-defined]
    get_step_function.memoised = True  # type: ignore[attr-defined]
    bdd_scenario.find_fixturedefs_for_step = find
    bdd_scenario.get_step_function = get_step_function
    bdd_scenario.signature = signature
    bdd_utils.signature = signature


def load_catalogue(path: Path = CATALOGUE) -> list[Requirement]:
    """The requirement catalogue (read by verdict.py, the one place that parses it);
    a usage error naming the file if it is unusable."""
    try:
        return spec_catalogue.load_catalogue(path)
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from exc


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--sut", default=None) is None:
        return  # plugin loaded outside the conformance suite
    if gc.get_freeze_count():
        # An earlier run in this process (the proof runners run several) froze what it
        # left behind (pytest_unconfigure, pytest_collection_finish): back in the
        # collector's sight, and what is garbage now goes.
        gc.unfreeze()
        gc.collect()
    _memoise_step_lookup()
    for requirement in load_catalogue():
        config.addinivalue_line("markers", f"{requirement.id}: {requirement.summary}")
        config.addinivalue_line("markers", f"{requirement.area.lower()}: area tag")
    for name, text in (FIXED_MARKERS | readings.all_tags()).items():
        config.addinivalue_line("markers", f"{name}: {text}")
    seed = config.getoption("--seed")
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
        config.option.seed = seed
    if config.getoption("--op-timeout") < 0:
        raise pytest.UsageError("--op-timeout must be 0 (no limit) or more seconds")
    try:
        adapter = load_adapter(config.getoption("--sut"))
        target_config = TargetConfig(
            seed=seed, profile=config.getoption("--profile"),
            mutant=config.getoption("--mutant"), op_timeout=config.getoption("--op-timeout"),
            options=read_options(config.getoption("--sut-config")))
        adapter.start(target_config)
    except AdapterLoadError as exc:
        raise pytest.UsageError(str(exc)) from exc
    # Written for another major port version: refused now, not in every scenario.
    try:
        config.stash[results.PORT_VERSION_KEY] = versions.check_adapter(adapter, seed)
    except versions.VersionRefused as exc:
        adapter.stop()
        raise pytest.UsageError(str(exc)) from exc
    config.stash[_ADAPTER] = adapter
    config.stash[_CONFIG] = target_config
    results.register(config)
    gc.freeze()  # the plugins and steps just imported: see pytest_collection_finish


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    adapter = config.stash.get(_ADAPTER, None)
    if adapter is not None:
        adapter.stop()
        # The verdict is written and the target stopped; the process ends next. pytest's
        # own unconfigure then runs ten full collections (looking for exceptions raised
        # in finalizers) over everything the run made: a tenth of a second of a suite
        # run, for objects nobody reads again. Out of the collector's sight they cost
        # nothing; the run's results are decided and written before this.
        gc.freeze()


def pytest_report_header(config: pytest.Config) -> list[str]:
    target_config = config.stash.get(_CONFIG, None)
    if target_config is None:
        return []
    return [f"authconform: sut={config.getoption('--sut')} profile={target_config.profile} "
            f"seed={target_config.seed} mutant={target_config.mutant or '-'} "
            f"(replay with --seed {target_config.seed})"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Scenarios tagged for one profile only are deselected under the other; with
    ``--shard K/N`` only slice K is kept. A reading tag that names no reading is a
    usage error (exit 2), not a scenario that quietly runs under every reading."""
    target_config = config.stash.get(_CONFIG, None)
    if target_config is None:
        return
    for item in items:
        try:
            readings.needed(m.name for m in item.iter_markers())
        except ValueError as exc:
            raise pytest.UsageError(f"{item.nodeid}: {exc}") from None
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    shard = config.getoption("authconform_shard", default=None)
    for item in items:
        profiles = {PROFILE_TAGS[m.name] for m in item.iter_markers() if m.name in PROFILE_TAGS}
        outside = bool(profiles) and target_config.profile not in profiles
        if shard is not None and not outside:
            outside = shard_of(item.nodeid, shard[1]) != shard[0]
        (drop if outside else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def parse_shard(value: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``: slice 2 of 4, counted from 1."""
    import argparse

    k, sep, n = value.partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        index = count = 0
    if not sep or count < 1 or not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, got {value!r}")
    return index, count


def shard_of(nodeid: str, count: int) -> int:
    """The slice (1..count) a scenario belongs to: a stable hash of its node id, so
    every machine splits alike whatever the order of collection, and a new scenario
    moves no other one."""
    digest = hashlib.sha256(nodeid.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


# ---------------------------------------------------------------- feature files


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Every ``.feature`` file under ``<rootdir>/features`` (at any depth) is collected
    as a test module of its own: a new feature file needs no test module, and a broken
    one is a collection error of its own instead of being silently left out."""
    if file_path.suffix != ".feature":
        return None
    features = Path(parent.config.rootpath).resolve() / "features"
    if features not in file_path.resolve().parents:
        return None
    collector: pytest.Collector = FeatureFile.from_parent(parent, path=file_path)
    return collector


def feature_location(path: Path, rootpath: Path) -> str:
    """``path`` relative to the rootdir (POSIX), or the path itself outside it."""
    try:
        return path.resolve().relative_to(rootpath.resolve()).as_posix()
    except ValueError:
        return str(path)


def parse_error_text(location: str, exc: Any) -> str:
    """One line naming the file, the line and what is wrong, e.g.
    ``features/x.feature:5: inconsistent cell count within the table (| three |)``."""
    said = [line.strip() for line in str(getattr(exc, "message", exc)).splitlines()
            if line.strip()]
    what = said[-1] if said else type(exc).__name__
    # the Gherkin parser's own "(line:column): " prefix repeats what we say first
    what = what.split("): ", 1)[1] if what.startswith("(") and "): " in what else what
    what = what.removeprefix("Unknown parsing error: ")
    content = str(getattr(exc, "line_content", "") or "").strip()
    return f"{location}:{getattr(exc, 'line', 0)}: {what}" + (f" ({content})" if content else "")


class FeatureFile(pytest.Module):
    """A ``.feature`` file as a module: pytest-bdd's ``scenarios()`` puts one test
    function per scenario into a fresh module namespace that belongs to this file."""

    def _getobj(self) -> types.ModuleType:
        from pytest_bdd import exceptions, feature, scenarios

        root = Path(self.config.rootpath)
        location = feature_location(self.path, root)
        module = types.ModuleType(f"features:{location}")
        module.__file__ = str(self.path)
        # scenarios() fills the namespace of the module that calls it, so it is called
        # from code compiled as this module's own.
        code = compile("scenarios(__file__)", str(self.path), "exec")
        namespace = vars(module)
        namespace["scenarios"] = scenarios
        full = os.path.abspath(self.path)
        try:
            if full not in feature.features:
                # pytest-bdd's own table of parsed files, filled from the one parse
                # of each file, which an earlier run may have remembered (feature_files)
                feature.features[full] = feature_files.parse(
                    self.path.parent, self.path.name, remember_in=root)
            exec(code, namespace)
        except exceptions.GherkinParseError as exc:
            raise self.CollectError(parse_error_text(location, exc)) from None
        except exceptions.NoScenariosFound:
            raise self.CollectError(
                f"{location}:1: no scenario in this feature file (a misspelt "
                "'Scenario:' line reads as description text)") from None
        return module


def scenario_seed(base: int, nodeid: str) -> int:
    """Each scenario's seed depends only on the run's seed and its own id, so a scenario
    replays alike alone, in any order, and on any xdist worker."""
    digest = hashlib.sha256(f"{base}:{nodeid}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[GuardedTarget]:
    """A fresh target (a new world) for one scenario, behind the fail-closed guard."""
    config = request.config
    adapter, target_config = config.stash[_ADAPTER], config.stash[_CONFIG]
    try:
        inner = adapter.new_target(scenario_seed(target_config.seed, request.node.nodeid))
    except port.TargetError:
        raise
    except Exception as exc:
        raise port.TargetError(adapter.name, "new_target",
                               f"raised {type(exc).__name__}: {exc}") from exc
    guarded = GuardedTarget(inner, target_config.op_timeout)
    request.node.stash[_TARGET] = guarded
    # A scenario written for another reading than the target declares: not-applicable.
    other_reading = readings.mismatch(guarded.info,
                                      (m.name for m in request.node.iter_markers()))
    if other_reading:
        guarded.close()
        pytest.skip(other_reading)
    yield guarded
    guarded.close()


_TARGET = pytest.StashKey[GuardedTarget]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> pytest.TestReport | None:
    """A missing capability is not-applicable: neither a pass nor a failure. Its report
    is made here, as a skip, before pytest's own hook would format the traceback of a
    failure (it parses every source file on the way: 0.1 s a scenario) only for it to
    be thrown away. The wrappers (results, failures, Allure) see the same call."""
    excinfo = call.excinfo
    if excinfo is None or not isinstance(excinfo.value, port.CapabilityMissing):
        return None
    quiet = copy.copy(call)
    quiet.excinfo = None
    report = pytest.TestReport.from_item_and_call(item, quiet)
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] or 0,
                       f"{NOT_APPLICABLE} {excinfo.value}")
    return report


# (a second implementation of the same hook in this module, hence its own name)
@pytest.hookimpl(wrapper=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_snapshot(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed and call.when == "call":
        guarded = item.stash.get(_TARGET, None)
        if guarded is not None:
            _attach_snapshot(guarded)
    return report


def _attach_snapshot(guarded: GuardedTarget) -> None:
    """On failure, the world as it stood goes into the report (where allure runs)."""
    try:
        from authconform.gate.allure_live import attach_json

        attach_json("world state at failure", guarded.inner.world.snapshot())
    except Exception:  # a report attachment must never change the verdict
        pass


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything alive once the scenarios are collected (pytest, the plugins, the steps,
    the parsed feature files: most of the heap) lives until the run ends. Moving it out
    of the collector's sight spares each full collection during the run, and pytest's own
    at the end, from walking it again; scenarios' garbage is collected as before."""
    gc.freeze()
