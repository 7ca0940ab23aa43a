"""Instance-level patching: the only way a mutant may change a world.

Everything here sets attributes on one object (a world, one of its stores or providers,
one device, one ``Authenticator``), so two worlds never share a fault. ``sim`` classes
and module globals are never touched; where a property has to change, the object's own
class is swapped for a subclass made here.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from sim.app import Authenticator
from sim.refusals import Refusal
from sim.world import World

_MISSING = object()


def wrap(obj: Any, name: str, wrapper: Callable[..., Any]) -> None:
    """Replace ``obj.name`` by ``wrapper(original, *args, **kwargs)`` on this object only."""
    original = getattr(obj, name)

    def patched(*args: Any, **kwargs: Any) -> Any:
        return wrapper(original, *args, **kwargs)

    # The names and the way back, not functools.wraps: worlds hand out a new app per
    # call, each wrapped anew, and wraps' copying was a twentieth of a variants run.
    patched.__name__ = patched.__qualname__ = name
    patched.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(obj, name, patched)


@contextlib.contextmanager
def swapped(obj: Any, name: str, value: Any) -> Iterator[None]:
    """Set ``obj.name`` for the duration of a block, then put back what was there."""
    before = obj.__dict__.get(name, _MISSING)
    setattr(obj, name, value)
    try:
        yield
    finally:
        if before is _MISSING:
            delattr(obj, name)
        else:
            setattr(obj, name, before)


def on_each_app(world: World, patch: Callable[[Authenticator], None]) -> None:
    """Run ``patch`` on every ``Authenticator`` this world hands out. A world hands out a
    new one per call, a view of the phone's device and app state: the one patched for a
    phone is handed out again while that view is the same (patching anew at every call
    was most of a variant's own cost)."""
    make = world.app
    patched: dict[str, Authenticator] = {}

    def app(device_id: str) -> Authenticator:
        authenticator = make(device_id)
        known = patched.get(device_id)
        if (known is not None and known.state is authenticator.state
                and known.device is authenticator.device):
            return known
        patch(authenticator)
        patched[device_id] = authenticator
        return authenticator

    world.app = app  # type: ignore[method-assign]


def wrap_app(world: World, name: str,
             wrapper: Callable[..., Any]) -> None:
    """Wrap method ``name`` of every app: ``wrapper(app, original, *args, **kwargs)``."""
    on_each_app(world, lambda app: wrap(app, name, functools.partial(wrapper, app)))


def on_refusal(world: World, name: str, handler: Callable[..., Any]) -> None:
    """Send a refusal from method ``name`` of every app to
    ``handler(app, original, refusal, *args)``: it may answer instead (return a ``Done``),
    raise another refusal, or return ``None`` to let the refusal stand."""
    def wrapper(app: Authenticator, original: Callable[..., Any], *args: Any) -> Any:
        try:
            return original(*args)
        except Refusal as refusal:
            answer = handler(app, original, refusal, *args)
            if answer is None:
                raise
            return answer

    wrap_app(world, name, wrapper)


def override_app_property(world: World, name: str,
                          getter: Callable[[Authenticator, Any], Any]) -> None:
    """Give every app of this world a property ``name`` computed by
    ``getter(app, original_value)``: the app's class is swapped for a subclass made for
    this world alone."""
    subclasses: dict[type, type] = {}

    def patch(app: Authenticator) -> None:
        base = type(app)
        if base not in subclasses:
            original = getattr(base, name)
            subclasses[base] = type(f"Mutant{base.__name__}", (base,), {
                name: property(lambda self: getter(self, original.fget(self)))})
        app.__class__ = subclasses[base]

    on_each_app(world, patch)


def on_each_tenant(world: World, patch: Callable[[Any], None]) -> None:
    """Run ``patch`` on every tenant, those already made and those made later."""
    for tenant in world.tenants.values():
        patch(tenant)

    def create_tenant(original: Callable[[], Any]) -> Any:
        tenant = original()
        patch(tenant)
        return tenant

    wrap(world, "create_tenant", create_tenant)


def on_each_device(world: World, patch: Callable[[Any], None]) -> None:
    """Run ``patch`` on every device, those already made and those made later."""
    for device in world.devices.values():
        patch(device)

    def create_device(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        device = original(*args, **kwargs)
        patch(device)
        return device

    wrap(world, "create_device", create_device)
