"""The values a step parameter may take, declared where the step is defined.

A step that can only do something with a few known values (the places a network drop
can be armed, the names of the cloud stores) says so under its ``@given``/``@when``/
``@then``, and the pre-run check (``authconform.authoring.stepcheck``) refuses any other value
before a scenario runs, naming the file and line, instead of letting the step fail
half-way through a scenario with a ``KeyError``::

    @given(parsers.parse("the network will drop {moment}"))
    @allowed(moment=NETWORK_DROPS)
    def _(cast, moment): ...

A value is either a collection of words (a mapping's keys count) or a function that
raises ``ValueError`` or ``KeyError`` for a value it cannot use (its docstring's first
line says what it accepts). A rule for a parameter name that holds for every step (a
``{phone}`` must say which kind of phone it is) lives in a step module's
``ALLOWED_PARAMETERS`` mapping instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Rule = Collection[str] | Callable[[str], object]

_ATTR = "__authconform_allowed__"


def allowed(**rules: Rule) -> Callable[[F], F]:
    """Declare the values a step's parameters may take (put it under the pytest-bdd
    decorator, so the function pytest-bdd registers carries it)."""

    def mark(func: F) -> F:
        setattr(func, _ATTR, {**getattr(func, _ATTR, {}), **rules})
        return func

    return mark


def declared(func: Any) -> dict[str, Rule]:
    """What ``@allowed`` put on a step function (empty if nothing)."""
    return dict(getattr(func, _ATTR, {}))


def accepts(rule: Rule, value: str) -> bool:
    if callable(rule):
        try:
            rule(value)
        except (ValueError, KeyError):
            return False
        return True
    return value in rule


def describe(rule: Rule) -> str:
    """``one of: a, b, c`` or the first line of the checking function's docstring."""
    if callable(rule):
        doc = (getattr(rule, "__doc__", None) or "").strip().split("\n\n")[0]
        said = " ".join(line.strip() for line in doc.splitlines())
        return said or f"accepted by {getattr(rule, '__name__', 'a check')}"
    return "one of: " + ", ".join(sorted(str(v) for v in rule))


def choices(rule: Rule) -> list[str] | None:
    """The allowed values when they are a list (``None`` for a checking function)."""
    return None if callable(rule) else sorted(str(v) for v in rule)
