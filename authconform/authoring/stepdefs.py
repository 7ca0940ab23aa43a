"""Every step the suite knows, read from the step definitions themselves.

``authconform steps`` prints this catalogue, ``docs/steps.md`` is generated from it (a
test keeps the file current), and ``authconform steps --format json`` is the source an
editor's step completion reads. Nothing here is hand-copied: the phrase is the parser's
own text, the parameters and their types come from its placeholders, the allowed values
from ``@allowed`` (``authconform.spec.allowed``) and ``ALLOWED_PARAMETERS``, the requirement
a Given leans on from ``@precondition``, the one-line description from the step
function's docstring, and the group from the step module (its docstring's first line).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authconform.gate import preconditions
from authconform.spec import allowed

KEYWORDS = {"given": "Given", "when": "When", "then": "Then", None: "Step"}
# parse's format types as a person reads them
TYPES = {"": "text", "w": "a word", "d": "a whole number", "g": "a number",
         "f": "a number", "n": "a whole number"}
PLACEHOLDER = re.compile(r"\{(\w*)(?::([^}]*))?\}")
# The order groups are listed in: the world before the actions before the checks.
GROUP_ORDER = ("people", "phones", "accounts", "organisation", "backup", "backup_contents",
               "inspection", "recovery", "existing_accounts", "verification", "codes",
               "camera", "labels", "troubleshooting", "declared", "faults", "security",
               "outcomes")


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "text", "a word", "a whole number", "a number"
    allowed: str | None = None  # what values it accepts, in words
    choices: tuple[str, ...] | None = None  # the accepted values, when they are a list

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.allowed:
            out["allowed"] = self.allowed
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


@dataclass
class StepDef:
    type: str | None  # given, when, then (None: any)
    text: str  # the phrase with {placeholders}, as the parser holds it
    params: tuple[Param, ...]
    group: str
    module: str
    path: str  # relative to the repository
    line: int
    summary: str
    leans_on: str | None
    target_fixture: str | None
    context: Any = field(repr=False, compare=False)  # pytest-bdd's StepFunctionContext
    rules: Mapping[str, allowed.Rule] = field(default_factory=dict, repr=False)
    example: str | None = None  # "features/x.feature:12: Given ..." (first use)

    @property
    def keyword(self) -> str:
        return KEYWORDS[self.type]

    @property
    def phrase(self) -> str:
        """The phrase with bare placeholders: ``{name} has the app on the "{phone}"``
        (the types are listed with the parameters)."""
        return PLACEHOLDER.sub(lambda m: "{" + (m.group(1) or "value") + "}", self.text)

    @property
    def typed(self) -> str:
        """As a person types it: ``Given {name} has the app on the "{phone}"``."""
        return f"{self.keyword} {self.phrase}"

    def matches(self, step_type: str, text: str) -> bool:
        return ((self.type is None or self.type == step_type)
                and bool(self.context.parser.is_matching(text)))

    def arguments(self, text: str) -> dict[str, Any]:
        return dict(self.context.parser.parse_arguments(text) or {})

    def to_dict(self) -> dict[str, Any]:
        return {"keyword": self.keyword, "type": self.type, "text": self.phrase,
                "parser": self.text, "snippet": _snippet(self.text), "group": self.group,
                "params": [p.to_dict() for p in self.params], "summary": self.summary,
                "leans_on": self.leans_on, "target_fixture": self.target_fixture,
                "defined_at": f"{self.path}:{self.line}", "example": self.example}


def _snippet(text: str) -> str:
    """An editor snippet: ``{name}`` -> ``${1:name}`` (TextMate/VS Code syntax)."""
    count = iter(range(1, 1000))
    return PLACEHOLDER.sub(lambda m: f"${{{next(count)}:{m.group(1) or 'value'}}}", text)


def _first_line(doc: str | None) -> str:
    lines = [line.strip() for line in (doc or "").strip().splitlines()]
    text = []
    for line in lines:  # the first sentence or paragraph, joined
        if not line:
            break
        text.append(line)
    return " ".join(text)


def _leans_on(func: Any) -> str | None:
    """The requirements a step charges its failures to: its ``@precondition`` owner and
    every ``owned_by(...)`` in its body or in the step-module helpers it calls, read
    from the source (``authconform.gate.preconditions``), so the list follows the code."""
    found = _owners_in(func, set())
    owner = preconditions.declared_owner(func)
    if isinstance(owner, str):
        found.add(owner)
    elif owner is not None:
        found |= _requirement_words(owner, func.__globals__)
    return ", ".join(sorted(found)) or None


REQ_WORD = re.compile(r"^REQ-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{2,}$")


def _resolve(node: ast.AST, names: Mapping[str, Any]) -> set[str]:
    """REQ ids an ``owned_by`` argument can be: a literal, a module constant, a lookup
    in a module-level mapping of ids (all of its values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} if REQ_WORD.match(node.value) else set()
    if isinstance(node, ast.Name):
        value = names.get(node.id)
        if isinstance(value, str) and REQ_WORD.match(value):
            return {value}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = names.get(node.value.id)
        if isinstance(table, Mapping):
            return {v for v in table.values() if isinstance(v, str) and REQ_WORD.match(v)}
    return set()


def _tree(func: Any) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(func))))
    except (OSError, TypeError, SyntaxError):
        return None


def _requirement_words(func: Any, names: Mapping[str, Any]) -> set[str]:
    tree = _tree(func)
    if tree is None:
        return set()
    return {r for node in ast.walk(tree) for r in _resolve(node, names)}


def _port_calls(func: Any, seen: set[int], depth: int = 3) -> list[str]:
    """``app.turn_on_backup``, ``world.create_device``...: the port operations a step
    (or a step-module helper it calls) makes, in the order they first appear."""
    tree = _tree(func)
    if tree is None or id(func) in seen or depth == 0:
        return []
    seen.add(id(func))
    names = getattr(func, "__globals__", {})
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if (isinstance(called, ast.Attribute) and isinstance(called.value, ast.Attribute)
                and called.value.attr in ("app", "world")):
            found.append(f"{called.value.attr}.{called.attr}")
        elif (isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name)
              and called.value.id in ("app", "world")):  # world = cast.target.world
            found.append(f"{called.value.id}.{called.attr}")
        elif isinstance(called, ast.Name):
            helper = names.get(called.id)
            if inspect.isfunction(helper) and helper.__module__.split(".")[0] == "steps":
                found += _port_calls(helper, seen, depth - 1)
        elif (isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name)
              and called.value.id == "cast"):  # the Cast's own look-ups (steps/cast.py)
            method = getattr(names.get("Cast"), called.attr, None)
            if inspect.isfunction(method):
                found += _port_calls(method, seen, depth - 1)
    return list(dict.fromkeys(found))


def _port_summary(step_type: str | None, func: Any) -> str:
    """For a step with no docstring: the port operations it makes, from its code."""
    calls = _port_calls(func, set())
    if not calls:
        return ""
    said = ", ".join(calls)
    return f"checks through {said}" if step_type == "then" else f"calls {said}"


def _owners_in(func: Any, seen: set[int], depth: int = 3) -> set[str]:
    tree = _tree(func)
    if tree is None or id(func) in seen or depth == 0:
        return set()
    seen.add(id(func))
    names = getattr(func, "__globals__", {})
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id == "owned_by" and node.args:
            found |= _resolve(node.args[0], names)
            continue
        helper = names.get(node.func.id)
        if inspect.isfunction(helper) and helper.__module__.split(".")[0] == "steps":
            found |= _owners_in(helper, seen, depth - 1)
    return found


def _params(text: str, rules: Mapping[str, allowed.Rule]) -> tuple[Param, ...]:
    out = []
    for m in PLACEHOLDER.finditer(text):
        name, fmt = m.group(1), m.group(2) or ""
        rule = rules.get(name)
        out.append(Param(
            name, TYPES.get(fmt, f"format {fmt}"),
            allowed.describe(rule) if rule is not None else None,
            tuple(c) if rule is not None and (c := allowed.choices(rule)) is not None
            else None))
    return tuple(out)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def load(root: Path, modules: Sequence[str] | None = None, *,
         described: bool = True) -> list[StepDef]:
    """Every step definition of the suite in ``root`` (importing ``steps``' modules),
    in group order, then by where they are defined. ``described=False`` leaves out what
    only the catalogue shows (the summary and the requirements a step leans on, read from
    the source): the pre-run check needs the phrases and the allowed values only."""
    saved = list(sys.path)  # the root goes first only while its modules are imported
    try:
        if modules is None:
            modules = module_names(root)
        _import_from(root, modules)
        loaded = {name: importlib.import_module(name) for name in modules}
    finally:
        sys.path[:] = saved
    return _definitions(root, loaded, described)


def _definitions(root: Path, loaded: Mapping[str, Any], described: bool = True
                 ) -> list[StepDef]:
    from pytest_bdd.steps import step_function_context_registry

    everywhere: dict[str, allowed.Rule] = {}
    for module in loaded.values():
        everywhere.update(getattr(module, "ALLOWED_PARAMETERS", {}))
    found: list[StepDef] = []
    for context in list(step_function_context_registry.values()):
        func = context.step_func
        module_name = getattr(func, "__module__", "")
        module = loaded.get(module_name)
        if module is None or getattr(func, "__globals__", None) is not vars(module):
            continue  # another test's or plugin's steps, or an older import of a module
        rules = {**everywhere, **allowed.declared(func)}
        code = inspect.unwrap(func).__code__
        text = str(context.parser.name)
        found.append(StepDef(
            type=context.type, text=text, params=_params(text, rules),
            group=module_name.rsplit(".", 1)[-1], module=module_name,
            path=_relative(code.co_filename, root), line=code.co_firstlineno,
            summary=(_first_line(func.__doc__) or _port_summary(context.type, func)
                     if described else ""),
            leans_on=_leans_on(func) if described else None,
            target_fixture=context.target_fixture, context=context, rules=rules))
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    # A step function with two decorators is two steps; Given before When before Then.
    kind = {"given": 0, "when": 1, "then": 2, None: 3}
    found.sort(key=lambda d: (order.get(d.group, len(order)), d.group, d.line, kind[d.type]))
    return found


def module_names(root: Path) -> list[str]:
    """The step modules pytest loads for ``root``: the literal ``pytest_plugins`` list of
    its conftest.py if it has one, else ``steps.step_modules()`` (ours), with ``steps``
    imported from ``root`` when it is there and from the Python path otherwise."""
    conftest = root / "conftest.py"
    tree = ast.parse(conftest.read_text(encoding="utf-8")) if conftest.is_file() else None
    for node in ast.walk(tree) if tree is not None else ():
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and
                                                 t.id == "pytest_plugins" for t in node.targets)):
            try:
                return [str(n) for n in ast.literal_eval(node.value)]
            except ValueError:
                break  # built at import time, as ours is
    _import_from(root, ["steps"])
    from steps import step_modules

    return list(step_modules())


def _import_from(root: Path, modules: Iterable[str]) -> None:
    """Make ``modules`` import from ``root`` when it holds them, forgetting copies
    imported from another folder (a test's copy of the repository, say)."""
    where = str(root.resolve())
    if sys.path[:1] != [where]:
        if where in sys.path:
            sys.path.remove(where)
        sys.path.insert(0, where)
    packages = {name.split(".", 1)[0] for name in modules}
    packages = {p for p in packages if (root / p / "__init__.py").is_file()
                or (root / f"{p}.py").is_file()}
    for name in [n for n in sys.modules if n.split(".", 1)[0] in packages]:
        file = getattr(sys.modules[name], "__file__", None)
        if file and not Path(file).resolve().is_relative_to(root.resolve()):
            del sys.modules[name]


def group_titles(modules: Iterable[str]) -> dict[str, str]:
    """Each step module's group: its name and its docstring's first line."""
    out = {}
    for name in modules:
        module = sys.modules.get(name) or importlib.import_module(name)
        out[name.rsplit(".", 1)[-1]] = _first_line(module.__doc__)
    return out


def grep(defs: Sequence[StepDef], words: str | None) -> list[StepDef]:
    """The steps whose phrase, group, description or parameters hold every word."""
    if not words:
        return list(defs)
    wanted = words.lower().split()

    def haystack(d: StepDef) -> str:
        return " ".join([d.typed, d.group, d.summary, d.leans_on or "",
                         *(f"{p.name} {p.allowed or ''}" for p in d.params)]).lower()

    return [d for d in defs if all(w in haystack(d) for w in wanted)]


# ---------------------------------------------------------------- rendering


def _grouped(defs: Sequence[StepDef]) -> dict[str, list[StepDef]]:
    groups: dict[str, list[StepDef]] = {}
    for d in defs:
        groups.setdefault(d.group, []).append(d)
    return groups


def _param_words(p: Param) -> str:
    return f"{p.name}: {p.type}" + (f" ({p.allowed})" if p.allowed else "")


def render_text(defs: Sequence[StepDef], titles: Mapping[str, str]) -> str:
    lines: list[str] = []
    for group, items in _grouped(defs).items():
        lines += [f"== {group}: {titles.get(group, '')}".rstrip(": "), ""]
        for d in items:
            lines.append(f"  {d.typed}")
            if d.summary:
                lines.append(f"      {d.summary}")
            lines += [f"      - {_param_words(p)}" for p in d.params]
            if d.leans_on:
                lines.append(f"      leans on {d.leans_on}")
            if d.example:
                lines.append(f"      e.g. {d.example}")
        lines.append("")
    lines.append(f"{len(defs)} step(s)")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(defs: Sequence[StepDef], titles: Mapping[str, str]) -> str:
    lines = ["# Steps the suite knows", "",
             "Generated by `authconform steps --format md > docs/steps.md` from the step "
             "definitions in `steps/`; `tests/test_steps_catalogue.py` fails when this file "
             "is out of date. `{name}` is a parameter: its type, and the values it accepts "
             "where they are known, follow the step. A Given or When that *leans on* a "
             "requirement charges its failure to that requirement (the scenario is "
             "blocked). `authconform steps --format json` gives the same list for editor "
             "step completion.", ""]
    groups = _grouped(defs)
    lines += ["Groups: " + ", ".join(f"[{g}](#{g.replace('_', '-')})" for g in groups), ""]
    for group, items in groups.items():
        lines += [f"## {group}", ""]
        if titles.get(group):
            lines += [titles[group], ""]
        for d in items:
            lines.append(f"- `{d.typed}`" + (f" — {_md(d.summary)}" if d.summary else ""))
            lines += [f"  - `{p.name}`: {p.type}" + (f" ({_md(p.allowed)})" if p.allowed else "")
                      for p in d.params]
            if d.leans_on:
                lines.append(f"  - leans on {d.leans_on}")
            if d.example:  # without the line number, which moves with every edit
                where, _, typed = d.example.partition(": ")
                lines.append(f"  - e.g. `{typed}` ({where.rsplit(':', 1)[0]})")
        lines.append("")
    lines.append(f"{len(defs)} steps.")
    return "\n".join(lines) + "\n"


def to_json(defs: Sequence[StepDef], titles: Mapping[str, str]) -> dict[str, Any]:
    return {"schema": 1,
            "groups": [{"name": g, "title": titles.get(g, ""),
                        "steps": [d.to_dict() for d in items]}
                       for g, items in _grouped(defs).items()]}
