"""The ``authconform`` command: run the conformance gate and work with its reports.

    authconform run [--sut NAME] [--profile current|2019] [--seed N] [--mutant NAME]
                    [-k EXPR] [-m EXPR | --tags EXPR] [--workers N|auto]
                    [--report-dir DIR] [--waivers PATH] [--timeout SECONDS] [--no-html]
                    [--sut-config FILE] [--shard K/N] [--strict] [--require-all]
                    [--sources DIR] [--sign KEY] [--requirement REQ-ID]...
                    [--feature FILE]... [--catalogue FILE]...
                    [-- PYTEST ARGS...]
    authconform requirements [--profile P] [--matrix] [--check] [--format text|json|md]
                             [--sources DIR [--passages]] [--catalogue FILE]...
    authconform steps [--grep WORDS] [--format text|md|json]
    authconform drift OLD_DIR NEW_DIR [--format text|json]
    authconform keygen [--out PREFIX]
    authconform verify ATTESTATION --key PUB [--report-dir DIR]
    authconform report [--report-dir DIR] [--sources DIR]
    authconform diff OLD.json NEW.json [--format text|json]
    authconform merge DIR... [--report-dir DIR] [--no-html]
    authconform self-test|mutants|variants|explore|bench ...

Exit codes of ``run`` (and the meaning every subcommand keeps):

    0  conformant
    1  non-conformant (a gated MUST requirement failed or is uncovered -- documented
       ones, plus robustness ones with --strict --, an unverified one with
       --require-all, an expired or stale waiver), or review (with --sources DIR: the
       documents changed under the catalogue's bindings); ``requirements --check``,
       ``requirements --sources``, ``diff`` and ``drift`` use 1 for "problems found"
    2  usage or configuration error: bad option, unknown adapter, malformed catalogue,
       waivers or feature file, collection errors, nothing selected, Allure CLI missing,
       shards that ``merge`` cannot combine, a report folder that cannot be created or
       written (``run``, ``merge``, ``report``)
    3  harness or adapter error: a scenario in status error, pytest crashed or was
       interrupted, conformance.json missing or invalid, the HTML report failed

Fail closed: without a valid conformance.json the answer is never 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from authconform.gate import merge, verdict
from authconform.gate.document import read_document, write_document
from authconform.gate.exit_codes import (
    EXIT_CONFORMANT,
    EXIT_HARNESS,
    EXIT_NON_CONFORMANT,
    EXIT_USAGE,
    decide_exit_code,
)
from authconform.gate.pytest_args import SUITE_PLUGIN_ARGS
from authconform.gate.waivers import TODAY_ENV
from authconform.report.allure_cli import ALLURE_MISSING, find_allure
from authconform.spec.catalogue import (
    CATALOGUE_ENV,
    ConfigurationError,
    Requirement,
    load_catalogue,
    load_retired,
)
from authconform.spec.suite import find_root

REPORT_FILES = ("conformance.json", "conformance.invalid.json", "junit.xml", "summary.md",
                "conformance.intoto.json")


# ---------------------------------------------------------------- locations


def _root_or_say(args: argparse.Namespace) -> Path | None:
    """``--root``, else the repository found from here; None (said on stderr) if none."""
    root = Path(args.root).resolve() if args.root else find_root()
    if root is None:
        print("authconform: cannot find the repository (features/ and steps/)",
              file=sys.stderr)
    return root








def unusable_report_dir(report_dir: Path) -> str | None:
    """Why reports cannot be written to ``report_dir`` (``None`` when they can): the
    folder is created, then a file written and removed in it. A path on a file, or a
    folder where writing is refused, is a configuration error (exit 2), said on one
    line before anything runs -- not a traceback with exit 1, which means
    non-conformant."""
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        probe = report_dir / f".authconform-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        allure_report = report_dir / "allure-report"  # emptied and rewritten by the HTML
        if allure_report.exists() and not os.access(allure_report, os.W_OK | os.X_OK):
            raise PermissionError(f"cannot write into {allure_report}")
    except FileExistsError:
        return f"the report folder {report_dir} is a file"
    except NotADirectoryError:
        return f"the report folder {report_dir} is on a path through a file"
    except OSError as exc:
        return f"cannot write the report folder {report_dir}: {exc.strerror or exc}"
    return None


def report_dir_error(report_dir: Path, who: str = "authconform") -> bool:
    """Print the one line of ``unusable_report_dir`` (to stderr); ``True`` if it failed."""
    why = unusable_report_dir(report_dir)
    if why is not None:
        print(f"{who}: configuration error (exit {EXIT_USAGE}): {why}", file=sys.stderr)
    return why is not None


# ---------------------------------------------------------------- HTML


def allure_config(report_dir: Path, name: str = "authconform conformance") -> dict[str, Any]:
    from authconform.report import html_report

    return html_report.allure_config(report_dir, name)


def build_html(report_dir: Path, allure: str, quiet: bool = False,
               root: Path | None = None, sources: str | None = None) -> tuple[bool, str]:
    """The single-file Allure report and the requirement pages, in an emptied
    <report-dir>/allure-report (authconform.report.html_report); ``sources`` is the folder of
    the documents quoted on the requirement pages (default ../shared/seeds if there)."""
    from authconform.report import html_report

    return html_report.build(report_dir, allure, root=root or find_root(),
                             sources=Path(sources).resolve() if sources else None)


# ---------------------------------------------------------------- run


def _workers(value: str) -> str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number or 'auto'") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return str(n)


def _shard(value: str) -> tuple[int, int]:
    from authconform.gate.plugin import parse_shard

    return parse_shard(value)


def _positive_float(value: str) -> float:
    try:
        f = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected seconds") from None
    if f < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return f


def uncompilable_python(root: Path) -> list[str]:
    """``steps/x.py:3: invalid syntax`` for each step module (and the root conftest.py)
    that does not compile: pytest would stop with an internal error before collecting,
    and a new step file with a typo deserves the same clear answer as a broken feature
    file -- the file and the line, exit 2."""
    broken = []
    for path in sorted([root / "conftest.py", *(root / "steps").rglob("*.py")]):
        if not path.is_file():
            continue
        try:
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            where = path.relative_to(root).as_posix()
            broken.append(f"{where}:{exc.lineno or 0}: {exc.msg}")
        except ValueError as exc:  # null bytes
            broken.append(f"{path.relative_to(root).as_posix()}:0: {exc}")
    return broken


def pytest_command(args: argparse.Namespace, root: Path, report_dir: Path) -> list[str]:
    chosen = [str(f) for f in getattr(args, "feature_files", None) or []] or ["features"]
    cmd = [sys.executable, "-m", "pytest", *chosen, "--strict-markers", "-p", "no:cacheprovider",
           *SUITE_PLUGIN_ARGS,
           "--alluredir", str(report_dir / "allure-results"), "--clean-alluredir",
           "--authconform-report-dir", str(report_dir), "--sut", args.sut,
           # pytest's short summary names test functions ("FAILED ...::test_a_[old
           # iPhone]"); the authconform section lists them by feature file and line
           "-rN",
           # what the target answered in full, not pytest's "['Microsoft',...b']"
           "-o", "verbosity_assertions=2"]
    if args.profile:
        cmd += ["--profile", args.profile]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    if args.mutant:
        cmd += ["--mutant", args.mutant]
    if args.waivers:
        cmd += ["--waivers", str(Path(args.waivers).resolve())]
    if args.timeout is not None:
        cmd += ["--op-timeout", str(args.timeout)]
    if args.sut_config:
        cmd += ["--sut-config", str(Path(args.sut_config).resolve())]
    if args.strict:
        cmd += ["--authconform-strict"]
    if args.require_all:
        cmd += ["--require-all"]
    if args.shard:
        cmd += ["--shard", f"{args.shard[0]}/{args.shard[1]}"]
    if args.sources:
        cmd += ["--authconform-sources", str(Path(args.sources).resolve())]
    if args.keyword:
        cmd += ["-k", args.keyword]
    wanted = getattr(args, "requirement", None) or []
    by_requirement = " or ".join(wanted)  # run --requirement: their tags, as -m does
    markexpr = " and ".join(f"({m})" for m in (args.markexpr, args.tags, by_requirement) if m)
    if markexpr:
        cmd += ["-m", markexpr]
    if args.workers and args.workers != "0":
        cmd += ["-n", args.workers]
    extra = list(args.pytest_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return cmd + extra


def cmd_run(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve() if args.root else find_root()
    if root is None or not (root / "steps").is_dir():
        print("authconform: cannot find the repository (a folder with features/ and "
              "steps/); run from it or pass --root", file=sys.stderr)
        return EXIT_USAGE
    allure = None
    if not args.no_html:
        allure = find_allure(root)
        if allure is None:
            print(f"authconform: {ALLURE_MISSING}", file=sys.stderr)
            return EXIT_USAGE
    broken = uncompilable_python(root)
    if broken:
        print(f"authconform: configuration error (exit {EXIT_USAGE}): "
              f"{len(broken)} Python file(s) of the suite do not compile: "
              f"{'; '.join(broken[:3])}" + (f" and {len(broken) - 3} more"
                                           if len(broken) > 3 else ""))
        return EXIT_USAGE
    problem = selection_problem(args, root)
    if problem:
        print(f"authconform: configuration error (exit {EXIT_USAGE}): {problem}")
        return EXIT_USAGE
    found = prerun_problems(root, args.feature_files)
    if found:
        print("\n".join(f"authconform: {p}" for p in found[:20]))
        print(f"authconform: configuration error (exit {EXIT_USAGE}): {len(found)} problem(s) "
              f"in the feature files before any scenario ran, the first: {found[0]}")
        return EXIT_USAGE
    if args.workers and args.workers != "0" and importlib.util.find_spec("xdist") is None:
        print("authconform: --workers needs pytest-xdist (pip install pytest-xdist)",
              file=sys.stderr)
        return EXIT_USAGE
    signing_key = load_signing_key(args.sign)
    if args.sign and signing_key is None:
        return EXIT_USAGE
    report_dir = Path(args.report_dir).resolve()
    if report_dir_error(report_dir):
        return EXIT_USAGE
    for name in REPORT_FILES:  # never judge an old run's files
        (report_dir / name).unlink(missing_ok=True)
    cmd = pytest_command(args, root, report_dir)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    try:
        rc: int | None = subprocess.run(cmd, cwd=root, env=env, check=False).returncode
    except OSError as exc:
        print(f"authconform: cannot start pytest: {exc}", file=sys.stderr)
        return EXIT_HARNESS
    doc, problem = read_document(report_dir / "conformance.json")
    code, why = decide_exit_code(rc, doc, problem)
    code, why = html_and_signature(report_dir, allure, code, why, doc, signing_key, root,
                                   sources=args.sources)
    print_verdict(doc, code, why, report_dir)
    return code


def use_catalogues(args: argparse.Namespace) -> str | None:
    """``--catalogue FILE``: user requirements beside ours, for this process and every
    process it starts (``CATALOGUE_ENV``); a missing file is the problem."""
    files = [Path(f).resolve() for f in getattr(args, "catalogue", None) or []]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        return f"user catalogue {missing[0]} does not exist"
    if files:
        os.environ[CATALOGUE_ENV] = os.pathsep.join(str(f) for f in files)
    return None


def selection_problem(args: argparse.Namespace, root: Path) -> str | None:
    """``--catalogue``, ``--feature`` and ``--requirement`` checked before the run: each
    file exists, each feature file is under features/, each id is in a catalogue."""
    problem = use_catalogues(args)
    if problem:
        return problem
    files = []
    features = (root / "features").resolve()
    for name in args.feature or []:
        path = Path(name) if Path(name).is_absolute() else Path.cwd() / name
        if not path.is_file() and (root / name).is_file():
            path = root / name
        path = path.resolve()
        if not path.is_file() or path.suffix != ".feature":
            return f"--feature {name}: no such feature file"
        if features not in path.parents:
            return f"--feature {name}: not under {features}"
        files.append(path)
    args.feature_files = files
    if args.requirement:
        try:
            catalogue_path = root / "features" / "requirements.yml"
            known = {r.id for r in load_catalogue(catalogue_path)}
            retired = load_retired(catalogue_path)
        except ConfigurationError as exc:
            return str(exc)
        for rid in args.requirement:
            if rid in retired:
                return f"--requirement {rid}: {retired[rid].explain()}"
            if rid not in known:
                return f"--requirement {rid}: no such requirement in the catalogue"
    return None


def prerun_problems(root: Path, only: Sequence[Path] | None) -> list[str]:
    """Unknown steps, disallowed values and untraced scenarios (authconform.authoring.stepcheck),
    before any scenario runs."""
    from authconform.authoring import stepcheck

    try:
        return stepcheck.prerun(root, only)
    except ConfigurationError:
        # a feature file or catalogue that cannot be read: the run reports it as it
        # always has (a collection or usage error at its file and line, exit 2)
        return []


def load_signing_key(path: str | None) -> Any:
    """``run --sign KEY``: the Ed25519 private key, read before the run so that a bad key
    fails at once (``None`` and a message when it cannot be used)."""
    if not path:
        return None
    from authconform.gate import attest

    try:
        return attest.load_private_key(path)
    except attest.AttestError as exc:
        print(f"authconform: {exc}", file=sys.stderr)
        return None


def sign_reports(report_dir: Path, key: Any, root: Path, code: int) -> int:
    """The signed attestation next to conformance.json (authconform.gate.attest); the exit
    code becomes 3 if it cannot be written."""
    from authconform.gate import attest

    try:
        where = attest.sign_report(report_dir, key, root)
    except (attest.AttestError, OSError) as exc:
        print(f"authconform: the attestation could not be written: {exc}", file=sys.stderr)
        return EXIT_HARNESS
    print(f"authconform: attestation {where}")
    return code


def html_and_signature(report_dir: Path, allure: str | None, code: int, why: str,
                       doc: Mapping[str, Any] | None, signing_key: Any, root: Path,
                       sources: str | None = None) -> tuple[int, str]:
    """After the verdict (run and merge alike): the HTML report from the Allure results,
    then the signed attestation; the exit code and reason they leave (3 when either
    cannot be made)."""
    if allure is not None and code != EXIT_USAGE and (report_dir / "allure-results").is_dir():
        ok, where = build_html(report_dir, allure, root=root, sources=sources)
        if ok:
            print(f"authconform: HTML report {where}")
        else:
            print(f"authconform: {where}", file=sys.stderr)
            if code in (EXIT_CONFORMANT, EXIT_NON_CONFORMANT):
                code, why = EXIT_HARNESS, "the HTML report could not be built"
    if signing_key is not None and doc is not None:
        code = sign_reports(report_dir, signing_key, root, code)
    return code, why


def print_verdict(doc: Mapping[str, Any] | None, code: int, why: str, report_dir: Path) -> None:
    """The robustness grade on a line of its own, then the gate's verdict line (last,
    where CI logs and people look), then where the document is."""
    if doc is not None and code != EXIT_USAGE and "robustness" in doc:
        print(f"authconform: {verdict.robustness_line(doc)}")
    if doc is not None and code != EXIT_USAGE and "sources" in doc:
        print(f"authconform: sources: {verdict.sources_line(doc)}")
    label = doc["verdict"] if doc is not None else "error"
    if code == EXIT_USAGE:
        label = "configuration error"
    print(f"authconform: {coloured(label, sys.stdout)} (exit {code}): {why}")
    if doc is not None:
        print(f"authconform: {report_dir / 'conformance.json'}")


# The verdict word's colour on a terminal: green only for conformant.
COLOURS = {verdict.CONFORMANT: "32", verdict.NON_CONFORMANT: "31", verdict.REVIEW: "33",
           verdict.ERROR: "35", "configuration error": "35"}


def use_colour(stream: Any, env: Mapping[str, str] | None = None) -> bool:
    """Colour on an interactive terminal only: never when NO_COLOR is set (no-color.org),
    in CI (``CI`` set) or on a dumb terminal, so logs stay plain text."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or env.get("CI") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def coloured(label: str, stream: Any, env: Mapping[str, str] | None = None) -> str:
    if not use_colour(stream, env):
        return label
    return f"\033[1;{COLOURS.get(label, '35')}m{label}\033[0m"


# ---------------------------------------------------------------- requirements


def cmd_requirements(args: argparse.Namespace) -> int:
    from authconform.spec import traceability

    root = _root_or_say(args)
    if root is None:
        return EXIT_USAGE
    problem = use_catalogues(args)
    if problem:
        print(f"authconform: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        catalogue = load_catalogue(root / "features" / "requirements.yml")
        if args.sources:  # the source documents' coverage (authconform.spec.sources_cli)
            from authconform.spec import sources_cli

            return sources_cli.main(catalogue, root, args.sources, passages=args.passages,
                                    fmt=args.format)
        if not (args.matrix or args.check):
            chosen = [r for r in catalogue if args.profile is None or args.profile in r.profiles]
            print(_render_catalogue(chosen, args.format))
            return 0
        matrix = traceability.build_matrix(
            catalogue, traceability.parse_features(root / "features"), args.profile,
            retired=load_retired(root / "features" / "requirements.yml"))
    except ConfigurationError as exc:
        print(f"authconform: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(matrix.to_dict(), indent=2))
    elif args.format == "md":
        print(traceability.render_markdown(matrix))
    else:
        print(traceability.render_text(matrix))
    if args.check and matrix.tag_problems():
        # a scenario that checks nothing the catalogue knows: the feature file is wrong
        print(f"authconform: traceability check failed (exit {EXIT_USAGE}): "
              f"{len(matrix.tag_problems())} scenario tag problem(s), the first: "
              f"{matrix.tag_problems()[0]}", file=sys.stderr)
        return EXIT_USAGE
    if args.check and matrix.problems():
        print(f"authconform: traceability check failed: {len(matrix.problems())} problem(s)",
              file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- steps


def cmd_steps(args: argparse.Namespace) -> int:
    """Every step the suite knows (authconform.authoring.stepdefs), grouped, with a first use."""
    from authconform.authoring import stepcheck, stepdefs

    root = _root_or_say(args)
    if root is None:
        return EXIT_USAGE
    try:
        defs = stepdefs.load(root)
        stepcheck.first_uses(defs, root / "features", "features")
    except Exception as exc:  # a step module that does not import, a broken feature file
        print(f"authconform: cannot read the steps: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_USAGE
    titles = stepdefs.group_titles(sorted({d.module for d in defs}))
    chosen = stepdefs.grep(defs, args.grep)
    if args.format == "json":
        print(json.dumps(stepdefs.to_json(chosen, titles), indent=2))
    elif args.format == "md":
        print(stepdefs.render_markdown(chosen, titles), end="")
    else:
        print(stepdefs.render_text(chosen, titles))
    if args.grep and not chosen:
        print(f"authconform: no step mentions {args.grep!r}", file=sys.stderr)
        return 1
    return 0


def _render_catalogue(catalogue: Sequence[Requirement], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{"id": r.id, "area": r.area, "level": r.level, "kind": r.kind,
                            "profiles": list(r.profiles), "summary": r.summary,
                            "sources": [dict(s) for s in r.sources],
                            "interpretation": r.interpretation} for r in catalogue], indent=2)
    if fmt == "md":
        lines = ["| Requirement | Level | Kind | Profiles | Summary |", "|---|---|---|---|---|"]
        lines += [f"| {r.id} | {r.level} | {r.kind} | {', '.join(r.profiles)} | "
                  f"{r.summary.replace('|', chr(92) + '|')} |" for r in catalogue]
        return "\n".join(lines)
    return "\n".join(f"{r.id:<18} {r.level:<6} {','.join(r.profiles):<14} {r.summary}"
                     for r in catalogue)


# ---------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve() if args.root else find_root()
    allure = find_allure(root)
    if allure is None:
        print(f"authconform: {ALLURE_MISSING}", file=sys.stderr)
        return EXIT_USAGE
    report_dir = Path(args.report_dir)
    if not (report_dir / "allure-results").is_dir():
        print(f"authconform: {report_dir / 'allure-results'} does not exist: run "
              "`authconform run` first", file=sys.stderr)
        return EXIT_USAGE
    if report_dir_error(report_dir.resolve()):
        return EXIT_USAGE
    ok, where = build_html(report_dir, allure, root=root, sources=args.sources)
    if not ok:
        print(f"authconform: {where}", file=sys.stderr)
        return EXIT_HARNESS
    print(f"authconform: HTML report {where}")
    return 0


# ---------------------------------------------------------------- diff

FAILING = {verdict.FAILED, verdict.BLOCKED, verdict.ERROR}


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """New failures, fixed and still failing, for requirements and scenarios. A waived
    requirement is not failing; an error counts as failing."""
    out: dict[str, Any] = {}
    for kind in ("requirements", "scenarios"):
        before = {x["id"]: x["status"] for x in old.get(kind, [])}
        after = {x["id"]: x["status"] for x in new.get(kind, [])}
        out[kind] = {
            "new_failures": sorted(i for i, s in after.items()
                                   if s in FAILING and before.get(i) not in FAILING),
            "fixed": sorted(i for i, s in before.items()
                            if s in FAILING and after.get(i) == verdict.PASSED),
            "still_failing": sorted(i for i, s in after.items()
                                    if s in FAILING and before.get(i) in FAILING),
        }
    out["verdict"] = {"old": old.get("verdict"), "new": new.get("verdict")}
    return out


def cmd_diff(args: argparse.Namespace) -> int:
    docs = []
    for name in (args.old, args.new):
        try:
            docs.append(json.loads(Path(name).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"authconform: cannot read {name}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    result = diff_documents(docs[0], docs[1])
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(f"verdict: {result['verdict']['old']} -> {result['verdict']['new']}")
        for kind in ("requirements", "scenarios"):
            for key, title in (("new_failures", "new failures"), ("fixed", "fixed"),
                               ("still_failing", "still failing")):
                items = result[kind][key]
                print(f"{kind} {title}: {len(items)}")
                for i in items:
                    print(f"  {i}")
    new = result["requirements"]["new_failures"] or result["scenarios"]["new_failures"]
    return 1 if new else 0


# ---------------------------------------------------------------- merge


def write_merged_reports(doc: dict[str, Any], dirs: Sequence[Path], out: Path) -> Path:
    """The merged document, then every report made from it, as a run writes them."""
    out.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (out / name).unlink(missing_ok=True)
    written = write_document(doc, out)
    from authconform.report import writers  # Allure and the writers: only when merging

    writers.write_all(doc, out, merge.copy_allure_results(dirs, out))
    return written


def merge_main(argv: Sequence[str] | None = None) -> int:
    """``authconform merge DIR...`` (authconform.gate.merge judges the shards as one run)."""
    parser = argparse.ArgumentParser(
        prog="authconform merge",
        description="Combine the report folders of `authconform run --shard K/N` into one "
                    "verdict, conformance.json, junit.xml, summary.md and Allure report.")
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="a shard's report folder")
    parser.add_argument("--report-dir", default="reports",
                        help="where the merged reports go (default: reports)")
    parser.add_argument("--no-html", action="store_true", help="skip the Allure HTML report")
    parser.add_argument("--sign", default=None, metavar="KEY",
                        help="write a signed attestation of the merged verdict (run --sign)")
    args = parser.parse_args(argv)
    signing_key = load_signing_key(args.sign)
    if args.sign and signing_key is None:
        return EXIT_USAGE
    dirs = [Path(d).resolve() for d in args.dirs]
    out = Path(args.report_dir).resolve()
    if out in dirs:
        print("authconform merge: --report-dir must not be one of the shards' folders",
              file=sys.stderr)
        return EXIT_USAGE
    if report_dir_error(out, "authconform merge"):
        return EXIT_USAGE
    allure = None
    if not args.no_html:
        allure = find_allure(find_root())
        if allure is None:
            print(f"authconform merge: {ALLURE_MISSING}", file=sys.stderr)
            return EXIT_USAGE
    try:
        docs = merge.read_shards(dirs)
    except merge.MergeError as exc:
        print(f"authconform merge: cannot merge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    today_text = os.environ.get(TODAY_ENV)
    doc = merge.merged_document(
        docs, today=dt.date.fromisoformat(today_text) if today_text else dt.date.today(),
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0))
    write_merged_reports(doc, dirs, out)
    written, problem = read_document(out / "conformance.json")
    code, why = decide_exit_code(doc["harness"]["pytest_exit_status"], written, problem)
    code, why = html_and_signature(out, allure, code, why, written, signing_key,
                                   find_root() or Path.cwd())
    print(f"authconform merge: {len(docs)} shards, {len(doc['scenarios'])} scenarios")
    print_verdict(written, code, why, out)
    return code


# ---------------------------------------------------------------- delegated

DELEGATES = {
    "self-test": ("authconform.adapters.selftest", "main",
                  "check an adapter's wiring and capabilities"),
    "explore": ("authconform.proof.explore.run", "main",
                "model-based exploration; counterexamples written as .feature files"),
    "mutants": ("authconform.proof.mutants", "main", "run the suite against each mutant"),
    "variants": ("authconform.proof.variants", "main",
                 "run the suite against each conforming variant (each must pass)"),
    "bench": ("bench.cli", "main", "benchmarks of the simulator and the suite"),
    "merge": ("authconform.cli", "merge_main",
              "combine the report folders of `run --shard K/N` into one verdict and report"),
    "drift": ("authconform.spec.drift", "main",
              "changed, new, removed and moved passages between two copies of the documents"),
    "verify": ("authconform.gate.attest", "verify_main",
               "check a signed attestation's signature and every digest"),
    "keygen": ("authconform.gate.attest", "keygen_main", "make a key pair for run --sign"),
}


def cmd_delegate(args: argparse.Namespace) -> int:
    module_name, function, _ = DELEGATES[args.command]
    try:
        module = importlib.import_module(module_name)
        entry = getattr(module, function)
    except (ImportError, AttributeError) as exc:
        print(f"authconform {args.command}: not available ({module_name}:{function} cannot "
              f"be loaded: {exc})", file=sys.stderr)
        return EXIT_USAGE
    try:
        rc = entry(list(args.args))
    except SystemExit as exc:  # their own argparse
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    return int(rc or 0)


# ---------------------------------------------------------------- parser


RUN_EXIT_CODES = """\
exit codes:
  0  conformant: every gated MUST requirement passed (the verdict line says what
     that covers)
  1  non-conformant (a gated MUST requirement failed, is uncovered or blocked; an
     expired or stale waiver), or review (--sources: the documents changed)
  2  usage or configuration error: bad option, unknown adapter, malformed
     catalogue, waivers or feature file, nothing selected, a report folder that
     cannot be written, Allure CLI missing
  3  harness or adapter error: a scenario in status error, pytest crashed,
     conformance.json missing or invalid, the HTML report failed"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authconform",
        description="Conformance gate for authenticator-app cloud backup and recovery.",
        epilog="exit codes: 0 conformant, 1 non-conformant, 2 usage/configuration error, "
               "3 harness or adapter error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the conformance suite and decide the gate",
                         description="Run the conformance suite (steps/) against a target, "
                                     "write reports/ and exit with the gate's verdict.",
                         epilog=RUN_EXIT_CODES,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--sut", default="sim", help="target adapter (default: sim)")
    run.add_argument("--profile", choices=["current", "2019"], default=None,
                     help="document profile (default: current)")
    run.add_argument("--seed", type=int, default=None, help="seed (default: random, recorded)")
    run.add_argument("--mutant", default=None, help="a deliberately faulty simulator variant")
    run.add_argument("-k", dest="keyword", default=None, metavar="EXPR",
                     help="only scenarios matching this pytest -k expression (partial run)")
    run.add_argument("-m", dest="markexpr", default=None, metavar="MARKEXPR",
                     help="only scenarios whose tags match (partial run)")
    run.add_argument("--tags", default=None, metavar="EXPR", help="alias for -m")
    run.add_argument("--workers", type=_workers, default=None, metavar="N|auto",
                     help="run in parallel with pytest-xdist")
    run.add_argument("--report-dir", default="reports", help="where reports go (default: reports)")
    run.add_argument("--waivers", default=None, metavar="PATH",
                     help="waivers file (default: waivers/<sut>.yml if present)")
    run.add_argument("--timeout", type=_positive_float, default=None, metavar="SECONDS",
                     help="seconds one adapter operation may take (0: no limit)")
    run.add_argument("--sut-config", default=None, metavar="FILE",
                     help="adapter options file (TOML or YAML, [sut] table); "
                          "AUTHCONFORM_SUT_<KEY> environment variables override it")
    run.add_argument("--strict", action="store_true",
                     help="robustness requirements (harness-added faults and attacks) "
                          "join the gate")
    run.add_argument("--require-all", action="store_true",
                     help="fail the gate when a gated MUST requirement was not verified "
                          "(missing capability, not selected)")
    run.add_argument("--shard", type=_shard, default=None, metavar="K/N",
                     help="run only slice K of N of the scenarios (stable hash of each id); "
                          "combine the slices' report dirs with `authconform merge`")
    run.add_argument("--sources", default=None, metavar="DIR",
                     help="check the catalogue's bindings against the source documents in "
                          "DIR: requirements whose passages changed are marked review; "
                          "the requirement pages quote DIR's passages (without it they "
                          "quote ../shared/seeds when it exists, and nothing is checked)")
    run.add_argument("--sign", default=None, metavar="KEY",
                     help="write a signed in-toto attestation (conformance.intoto.json) "
                          "with this Ed25519 private key (authconform keygen)")
    run.add_argument("--requirement", action="append", default=[], metavar="REQ-ID",
                     help="only the scenarios tagged with this requirement (repeatable; "
                          "partial run)")
    run.add_argument("--feature", action="append", default=[], metavar="FILE",
                     help="only this feature file (repeatable; partial run)")
    run.add_argument("--catalogue", action="append", default=[], metavar="FILE",
                     help="user requirements beside ours (repeatable; same format as "
                          "features/requirements.yml)")
    run.add_argument("--no-html", action="store_true", help="skip the Allure HTML report")
    run.add_argument("--root", default=None, help=argparse.SUPPRESS)
    run.add_argument("pytest_args", nargs=argparse.REMAINDER,
                     help="after --: extra arguments for pytest")
    run.set_defaults(func=cmd_run)

    req = sub.add_parser("requirements", help="print the requirement catalogue or matrix")
    req.add_argument("--profile", choices=["current", "2019"], default=None,
                     help="only the requirements of this document profile (default: all)")
    req.add_argument("--matrix", action="store_true",
                     help="requirement -> scenario matrix from the feature files' tags")
    req.add_argument("--check", action="store_true",
                     help="exit 1 if a requirement has no scenario; exit 2 if a scenario "
                          "names no requirement (nor @exploratory) or an unknown or "
                          "retired one")
    req.add_argument("--catalogue", action="append", default=[], metavar="FILE",
                     help="user requirements beside ours (repeatable)")
    req.add_argument("--format", choices=["text", "json", "md"], default="text",
                     help="output format (default: text)")
    req.add_argument("--sources", default=None, metavar="DIR",
                     help="check every paragraph of the documents in DIR is bound to a "
                          "requirement or reasoned out; print document coverage")
    req.add_argument("--passages", action="store_true",
                     help="with --sources: list every paragraph's locator, fingerprint "
                          "and who it is bound to")
    req.add_argument("--root", default=None, help=argparse.SUPPRESS)
    req.set_defaults(func=cmd_requirements)

    stp = sub.add_parser("steps", help="every step the suite knows, grouped",
                         description="Every step the feature files may use: the phrase, its "
                                     "parameters and allowed values, what it does, the "
                                     "requirement a Given leans on and a first use. "
                                     "--format json is the source for editor completion.")
    stp.add_argument("--grep", default=None, metavar="WORDS",
                     help="only steps mentioning every one of these words")
    stp.add_argument("--format", choices=["text", "md", "json"], default="text",
                     help="output format (default: text)")
    stp.add_argument("--root", default=None, help=argparse.SUPPRESS)
    stp.set_defaults(func=cmd_steps)

    rep = sub.add_parser("report", help="build the Allure HTML report")
    rep.add_argument("--report-dir", default="reports",
                     help="the run's report folder, holding allure-results/ (default: "
                          "reports)")
    rep.add_argument("--sources", default=None, metavar="DIR",
                     help="quote the documents in DIR on each requirement page (default: "
                          "../shared/seeds beside the repository, when it exists)")
    rep.add_argument("--root", default=None, help=argparse.SUPPRESS)
    rep.set_defaults(func=cmd_report)

    dif = sub.add_parser("diff", help="compare two conformance.json files")
    dif.add_argument("old", help="the earlier run's conformance.json")
    dif.add_argument("new", help="the later run's conformance.json")
    dif.add_argument("--format", choices=["text", "json"], default="text",
                     help="output format (default: text)")
    dif.set_defaults(func=cmd_diff)

    for name, (_, _, text) in DELEGATES.items():
        d = sub.add_parser(name, help=text, add_help=False, prefix_chars="\x00")
        d.add_argument("args", nargs=argparse.REMAINDER,
                       help=f"options of {name} (authconform {name} --help)")
        d.set_defaults(func=cmd_delegate)
    return parser


def subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name, parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        # an option the subcommand does not know is told with that subcommand's usage,
        # not the top-level one (argparse leaves the subcommand's extras to the top)
        args, extras = parser.parse_known_args(argv)
        if extras:
            subcommand_parser(parser, args.command).error(
                f"unrecognized arguments: {' '.join(extras)}")
    except SystemExit as exc:  # argparse: 2 for usage errors, 0 for --help
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("authconform: interrupted", file=sys.stderr)
        return EXIT_HARNESS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
