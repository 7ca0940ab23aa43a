"""Which requirement a failed precondition belongs to.

A scenario checks its own requirements in its Then steps. Its Given and When steps only
bring the world to the point of the check, and they lean on behaviour that other
requirements document: a personal account cannot be verified on the way unless the code
is sent (REQ-VERIFY-03). When such a step fails, the scenario learned nothing about its
own requirements; what it did learn is that the behaviour it leaned on is broken. So the
failure is charged to the requirement that owns the step, and the scenario's own
requirements are *blocked* (not verified), not failed. One broken behaviour then fails
one requirement, and one waiver covers it (verdict.py: a blocked requirement fails the
gate unless every requirement blocking it is waived).

Steps name the owner in one of two ways:

* ``@precondition("REQ-X")`` under ``@given``/``@when``: any assertion the step raises
  belongs to REQ-X. The owner may be a function of the step's arguments (the
  requirement differs per platform, say), returning ``None`` where it cannot say.
* ``with owned_by("REQ-X"): ...`` around the part of a step that leans on REQ-X; the
  innermost block wins, and it applies in a Then step too (a check that needs an
  account the recovery should have brought, before it can check anything else).

An assertion in a step with no owner is the scenario's own failure, as before: when in
doubt, the failure is not moved anywhere (fail closed). The ids are checked against the
catalogue by the harness's tests, and at run time an owner outside the run's profile
counts as no owner (verdict.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Owner = str | Callable[..., str | None]

_OWNER_ATTR = "__authconform_owner__"  # on an AssertionError: the block that owns it
_STEP_ATTR = "__authconform_precondition__"  # on a step function: its declared owner


def precondition(owner: Owner) -> Callable[[F], F]:
    """Declare the requirement a Given or When step leans on (see the module doc).
    Put it *under* the pytest-bdd decorator, so the function pytest-bdd registers
    carries it."""

    def mark(func: F) -> F:
        setattr(func, _STEP_ATTR, owner)
        return func

    return mark


@contextmanager
def owned_by(requirement: str) -> Iterator[None]:
    """Charge an assertion raised inside the block to ``requirement``."""
    try:
        yield
    except AssertionError as exc:
        if getattr(exc, _OWNER_ATTR, None) is None:  # the innermost block wins
            setattr(exc, _OWNER_ATTR, requirement)
        raise


def declared_owner(step_func: Any) -> Owner | None:
    """What ``@precondition`` put on a step function, if anything."""
    return getattr(step_func, _STEP_ATTR, None)


def owner_of(step_type: str, step_func: Any, step_args: dict[str, Any],
             exception: BaseException) -> str | None:
    """The requirement a failed step's assertion belongs to, or ``None`` (the scenario's
    own failure). Only assertions move: an error is an error wherever it happens."""
    if not isinstance(exception, AssertionError):
        return None
    explicit = getattr(exception, _OWNER_ATTR, None)
    if explicit is not None:
        return str(explicit)
    if step_type not in ("given", "when"):
        return None
    owner = declared_owner(step_func)
    if owner is None:
        return None
    if isinstance(owner, str):
        return owner
    try:
        named = owner(**step_args)
    except Exception:  # an owner that cannot be worked out moves nothing
        return None
    return None if named is None else str(named)
