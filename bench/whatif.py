"""What-if experiments: what each proposed optimisation would save, measured, without
changing the code it concerns.

``python -m bench.whatif [--rounds 3] [--only qr_zxing,step_lookup_cache]`` runs
the suite against the simulator as it is ("baseline") and with each optimisation
applied by this module acting as a pytest plugin (``-p bench.whatif``, options from
``$AUTHCONFORM_BENCH_WHATIF``), plus all of them together, interleaved round by round.
It reports CPU seconds (robust on a busy machine), wall seconds, the mean scenario
duration, and whether every scenario's outcome matched the baseline's.

Options (each a patch applied in ``pytest_configure``, before any scenario runs):

* ``qr_zxing``: ``sim.qr.render`` drawn by zxing-cpp's writer (C++) and saved by pillow.
  (sim/qr.py has since adopted it, like the step-lookup, guard-hints, libyaml and
  shared-Faker patches: on the current code those measure a no-op.)
* ``step_lookup_cache``: pytest-bdd's ``find_fixturedefs_for_step`` memoised per
  (test module, step keyword, step text); the definitions visible to a module do not
  change during a run.
* ``guard_hints_cache``: the guard's per-call ``typing.get_type_hints`` on result
  dataclasses memoised (it is already memoised for the operations' signatures).
* ``yaml_c``: ``yaml.safe_load`` through libyaml's ``CSafeLoader``.
* ``faker_shared``: one Faker per process, pointed at each world's own
  ``random.Random(seed)`` on every use: the same names, without building a Faker
  (26 providers) per world.
* ``no_extra_plugins``: not a patch, pytest flags: ``-p no:schemathesis
  -p no:hypothesispytest -p no:anyio`` (plugins the suite does not use).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import json
import os
import random
import sys
import tempfile
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ENV = "AUTHCONFORM_BENCH_WHATIF"
PLUGIN_FLAGS = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio"]


# ---------------------------------------------------------------- the patches

def qr_zxing() -> None:
    import zxingcpp
    from PIL import Image

    from sim import qr

    @functools.lru_cache(maxsize=1024)
    def render(text: str) -> bytes:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        pixels: Any = barcode.to_image(scale=4, add_quiet_zones=True)
        image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    qr.render = render


def step_lookup_cache() -> None:
    import importlib

    scenario: Any = importlib.import_module("pytest_bdd.scenario")  # the module, not the function
    original = scenario.find_fixturedefs_for_step
    cache: dict[tuple[int, str, str, str], list[Any]] = {}

    def find(step: Any, fixturemanager: Any, node: Any) -> Any:
        key = (id(fixturemanager), node.nodeid.split("::", 1)[0], step.type, step.name)
        found = cache.get(key)
        if found is None:
            found = cache[key] = list(original(step, fixturemanager, node))
        return iter(found)

    scenario.find_fixturedefs_for_step = find


def guard_hints_cache() -> None:
    from authconform import port
    from authconform.adapters import guard

    real = typing.get_type_hints

    @functools.cache
    def dataclass_hints(cls: type) -> dict[str, Any]:
        return real(cls, vars(port))

    class Typing:
        def __getattr__(self, name: str) -> Any:
            return getattr(typing, name)

        @staticmethod
        def get_type_hints(obj: Any, globalns: Any = None, *args: Any, **kwargs: Any) -> Any:
            if isinstance(obj, type) and dataclasses.is_dataclass(obj):
                return dataclass_hints(obj)
            return real(obj, globalns, *args, **kwargs)

    guard.typing = Typing()  # type: ignore[assignment]


def yaml_c() -> None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    yaml.safe_load = lambda stream: yaml.load(stream, Loader=loader)


def faker_shared() -> None:
    from faker import Faker

    from sim import world as world_module

    shared: list[Any] = []

    def faker(self: Any) -> Any:
        if not shared:
            shared.append(Faker())
        rng = self.__dict__.get("_whatif_faker_random")
        if rng is None:
            rng = self.__dict__["_whatif_faker_random"] = random.Random(self.seed)
        shared[0].random = rng
        return shared[0]

    world_module.World.faker = property(faker)  # type: ignore[assignment,method-assign]


PATCHES: dict[str, Callable[[], None]] = {
    "qr_zxing": qr_zxing,
    "step_lookup_cache": step_lookup_cache,
    "guard_hints_cache": guard_hints_cache,
    "yaml_c": yaml_c,
    "faker_shared": faker_shared,
}
OPTIONS = (*PATCHES, "no_extra_plugins")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name in filter(None, os.environ.get(ENV, "").split(",")):
        if name in PATCHES:
            PATCHES[name]()


# ---------------------------------------------------------------- the experiment

def run(rounds: int, seed: int, options: list[str]) -> dict[str, Any]:
    from bench.common import (
        REPO,
        interleave,
        median,
        paired_ratios,
        project_plugin_flags,
        rounded,
        run_pytest,
    )
    from bench.floor import suite_shape, write_floor
    from bench.suite import suite_args

    combined = options
    variants: dict[str, list[str]] = {"baseline": [], **{o: [o] for o in options}}
    if len(options) > 1:
        variants["all"] = combined
    with tempfile.TemporaryDirectory(prefix="authconform-whatif-") as tmp:
        def runner(chosen: list[str]) -> Callable[[], Any]:
            flags = PLUGIN_FLAGS if "no_extra_plugins" in chosen else []
            patches = ",".join(c for c in chosen if c in PATCHES)
            return lambda: run_pytest(
                ["-p", "bench.whatif", *flags, *suite_args(seed, report_dir=Path(tmp))],
                REPO, env={ENV: patches})

        # The figure-1 floor, with and without the extra plugins, to project the ratio.
        floor_dir = Path(tmp) / "floor"
        write_floor(suite_shape(), floor_dir)
        base_flags = [*project_plugin_flags(), "-n", "0"]
        runners = {name: runner(chosen) for name, chosen in variants.items()}
        runners["floor"] = lambda: run_pytest(base_flags, floor_dir)
        if "no_extra_plugins" in options:
            runners["floor_no_extra_plugins"] = lambda: run_pytest(
                [*base_flags, *PLUGIN_FLAGS], floor_dir)
        runs = interleave(runners, rounds, warmup=True)
    base = runs["baseline"]
    outcomes = {n: t["outcome"] for n, t in base[0].tests.items()}
    out: dict[str, Any] = {"rounds": rounds, "seed": seed, "variants": {}}
    for name, rs in runs.items():
        if name.startswith("floor"):
            out[name] = {"wall_s": rounded(median([r.wall_s for r in rs]), 2),
                         "cpu_s": rounded(median([r.cpu_s for r in rs]), 2)}
            continue
        floor_runs = runs.get("floor_no_extra_plugins" if "no_extra_plugins" in variants[name]
                              else "floor", runs["floor"])
        same = all({n: t["outcome"] for n, t in r.tests.items()} == outcomes for r in rs)
        out["variants"][name] = {
            "options": variants[name],
            "exit_codes": [r.exit_code for r in rs],
            "cpu_s": rounded(median([r.cpu_s for r in rs]), 2),
            "wall_s": rounded(median([r.wall_s for r in rs]), 2),
            "per_scenario_ms": rounded(1000 * (median([r.per_test_s() for r in rs]) or 0), 2),
            "cpu_vs_baseline": rounded(median(paired_ratios([r.cpu_s for r in rs],
                                                            [r.cpu_s for r in base])), 3),
            "wall_vs_baseline": rounded(median(paired_ratios([r.wall_s for r in rs],
                                                             [r.wall_s for r in base])), 3),
            "per_scenario_vs_baseline": rounded(median(paired_ratios(
                [r.per_test_s() for r in rs], [r.per_test_s() for r in base])), 3),
            "same_outcomes_as_baseline": same,
            # suite_vs_floor_ratio if this variant were the code (the floor given the
            # same plugin flags)
            "suite_vs_floor_ratio": rounded(median(paired_ratios(
                [r.wall_s for r in rs], [r.wall_s for r in floor_runs])), 3),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.run import DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="python -m bench.whatif")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--only", default=",".join(OPTIONS))
    parser.add_argument("--report-dir", default="reports")
    args = parser.parse_args(argv)
    options = [o.strip() for o in args.only.split(",") if o.strip()]
    unknown = [o for o in options if o not in OPTIONS]
    if unknown:
        parser.error(f"unknown option(s) {unknown}; known: {', '.join(OPTIONS)}")
    doc = run(args.rounds, args.seed, options)
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-whatif.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    lines = ["| variant | CPU s | x baseline | wall s | x baseline | ms/scenario | x baseline "
             "| suite/floor | same outcomes |", "|---|---|---|---|---|---|---|---|---|"]
    for name, v in doc["variants"].items():
        lines.append(f"| {name} | {v['cpu_s']} | {v['cpu_vs_baseline']} | {v['wall_s']} | "
                     f"{v['wall_vs_baseline']} | {v['per_scenario_ms']} | "
                     f"{v['per_scenario_vs_baseline']} | {v['suite_vs_floor_ratio']} | "
                     f"{v['same_outcomes_as_baseline']} |")
    for name in ("floor", "floor_no_extra_plugins"):
        if name in doc:
            lines.append(f"| {name} | {doc[name]['cpu_s']} | | {doc[name]['wall_s']} | | | | | |")
    text = "# What-if: proposed optimisations\n\n" + "\n".join(lines) + "\n"
    (out / "bench-whatif.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
