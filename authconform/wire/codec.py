"""Port values <-> JSON, driven by the port's type hints. Used by both ends of the wire.

The JSON form: dataclasses are objects with one member per field, enums their string
value, bytes standard base64 (with padding), tuples and frozensets arrays, ``None``
``null``. ``decode`` (the adapter's, for answers) is strict where a guess could change a
verdict: a missing member that has no default and cannot be null, a wrong type, a
fraction where an integer belongs, bad base64 or an unknown enum value raises
``Malformed`` naming where -- a target that answers garbage is broken, and the harness
must say so rather than guess. It is liberal where that costs nothing: a member with a
default may be left out, and so may one that can be null (JSON encoders such as Swift's
Codable leave out a nil); it then reads as its default or as null, and
``omitted_members`` tells who asks which members were left out. An integral number
(``6.0``) reads as an integer (JSON Schema counts it as one). An unknown member is
ignored -- a service of a newer minor version may add members with defaults -- and
``unknown_members`` tells who asks which ones were. (Requests are the service's to
check, with pydantic models that refuse unknown members: ``schema``.)
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

from authconform import port

Converter = Callable[[Any, str], Any]


class Malformed(ValueError):
    """A JSON value does not have the shape the port promises."""


# Members left out of the answers decoded inside ``omitted_members()``.
_OMITTED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "authconform_codec_omitted", default=None)


# Members of answers decoded inside ``unknown_members()`` that the port does not know.
_UNKNOWN: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "authconform_codec_unknown", default=None)


@contextlib.contextmanager
def _collecting(into: contextvars.ContextVar[set[str] | None]) -> Iterator[set[str]]:
    found: set[str] = set()
    token = into.set(found)
    try:
        yield found
    finally:
        into.reset(token)


def omitted_members() -> contextlib.AbstractContextManager[set[str]]:
    """Collect ``"Class.member"`` for each member an answer decoded here left out (read as
    its default or as null): the self-test names them."""
    return _collecting(_OMITTED)


def unknown_members() -> contextlib.AbstractContextManager[set[str]]:
    """Collect ``"Class.member"`` for each member an answer decoded here had that the
    port does not know (ignored): the self-test names them."""
    return _collecting(_UNKNOWN)


def encode(value: Any, tp: Any) -> Any:
    """A port value of type ``tp`` as a JSON-ready value."""
    return _encoder(tp)(value, "value")


def decode(value: Any, tp: Any, where: str = "result") -> Any:
    """A JSON value back into the port type ``tp``; raises ``Malformed``."""
    return _decoder(tp)(value, where)


def encoder(tp: Any) -> Converter:
    """A function ``(value, where) -> JSON value`` for port values of type ``tp``."""
    return _encoder(tp)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, where: str = "value") -> bytes:
    if not isinstance(text, str):
        raise Malformed(f"{where}: expected base64 text, got {type(text).__name__}")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise Malformed(f"{where}: not standard base64: {exc}") from None


def _field_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(port))


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


# ---------------------------------------------------------------- encoding


@functools.cache
def _encoder(tp: Any) -> Converter:
    if tp in (str, int, float, bool, type(None), Any, object):
        return lambda v, w: v
    if tp is bytes:
        return lambda v, w: b64(bytes(v))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return lambda v, w: tp(v).value
    options = _union_args(tp)
    if options is not None:
        inner = [o for o in options if o is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"codec: unsupported union {tp!r}")
        enc = _encoder(inner[0])
        return lambda v, w: None if v is None else enc(v, w)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        item = _encoder(args[0] if args else Any)
        return lambda v, w: [item(x, w) for x in v]
    if origin is dict:
        return lambda v, w: dict(v)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _field_hints(tp)
        fields = [(f.name, _encoder(hints[f.name])) for f in dataclasses.fields(tp)]
        return lambda v, w: {name: enc(getattr(v, name), w) for name, enc in fields}
    raise TypeError(f"codec: unsupported type {tp!r}")


# ---------------------------------------------------------------- decoding


def _expect(kind: type | tuple[type, ...], label: str) -> Converter:
    def check(v: Any, where: str) -> Any:
        if isinstance(v, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise Malformed(f"{where}: expected {label}, got bool")
        if not isinstance(v, kind):
            raise Malformed(f"{where}: expected {label}, got {_json_type(v)}")
        return v
    return check


def _integer(v: Any, where: str) -> int:
    """An integer; an integral number written with a fraction part (``6.0``) too, as
    JSON Schema counts it: ``6``. A fraction, a boolean or anything else is refused."""
    if type(v) is int:
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    got = "a fraction" if isinstance(v, float) else _json_type(v)
    raise Malformed(f"{where}: expected an integer, got {got}"
                    + (f" ({v!r})" if isinstance(v, float) else ""))


def _json_type(v: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            type(None): "null"}.get(type(v), "number" if isinstance(v, int | float)
                                    else type(v).__name__)


@functools.cache
def _decoder(tp: Any) -> Converter:
    if tp in (Any, object):
        return lambda v, w: v
    if tp is str:
        return _expect(str, "a string")
    if tp is bool:
        return _expect(bool, "a boolean")
    if tp is int:
        return _integer
    if tp is float:
        number = _expect((int, float), "a number")
        return lambda v, w: float(number(v, w))
    if tp is type(None):
        def null(v: Any, where: str) -> None:
            if v is not None:
                raise Malformed(f"{where}: expected null, got {_json_type(v)}")
        return null
    if tp is bytes:
        return unb64
    if isinstance(tp, type) and issubclass(tp, Enum):
        def member(v: Any, where: str) -> Any:
            try:
                return tp(v)
            except ValueError:
                raise Malformed(f"{where}: {v!r} is not a {tp.__name__}") from None
        return member
    options = _union_args(tp)
    if options is not None:
        inner = [o for o in options if o is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"codec: unsupported union {tp!r}")
        dec = _decoder(inner[0])
        return lambda v, w: None if v is None else dec(v, w)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        item = _decoder(args[0] if args else Any)
        build: Callable[[Any], Any] = list if origin is list else origin

        def sequence(v: Any, where: str) -> Any:
            if not isinstance(v, list):
                raise Malformed(f"{where}: expected an array, got {_json_type(v)}")
            return build(item(x, f"{where}[{i}]") for i, x in enumerate(v))
        return sequence
    if origin is dict:
        key = typing.get_args(tp)[0] if typing.get_args(tp) else Any

        def mapping(v: Any, where: str) -> Any:
            if not isinstance(v, dict) or (key is str and not all(isinstance(k, str)
                                                                  for k in v)):
                raise Malformed(f"{where}: expected an object, got {_json_type(v)}")
            return v
        return mapping
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    raise TypeError(f"codec: unsupported type {tp!r}")


def nullable(tp: Any) -> bool:
    """Whether values of ``tp`` may be null (``X | None``)."""
    options = _union_args(tp)
    return options is not None and type(None) in options


def _dataclass_decoder(cls: type) -> Converter:
    hints = _field_hints(cls)
    # (name, decoder, required, value when left out): a member with no default that
    # can be null reads as null when left out; one that cannot is required.
    fields = []
    for f in dataclasses.fields(cls):
        defaulted = (f.default is not dataclasses.MISSING
                     or f.default_factory is not dataclasses.MISSING)
        can_be_null = nullable(hints[f.name])
        fields.append((f.name, _decoder(hints[f.name]), not defaulted and not can_be_null,
                       not defaulted and can_be_null))
    known = {name for name, _, _, _ in fields}

    def build(v: Any, where: str) -> Any:
        if not isinstance(v, dict):
            raise Malformed(f"{where}: expected a {cls.__name__} object, got {_json_type(v)}")
        if not known.issuperset(v):
            ignored = _UNKNOWN.get()
            if ignored is not None:  # ignored, and named to whoever asks
                ignored.update(f"{cls.__name__}.{name}" for name in set(v) - known)
        kwargs = {}
        for name, dec, required, null_if_left_out in fields:
            if name in v:
                kwargs[name] = dec(v[name], f"{where}.{name}")
                continue
            if required:
                raise Malformed(f"{where}: {cls.__name__} lacks {name!r}")
            if null_if_left_out:
                kwargs[name] = None
            omitted = _OMITTED.get()
            if omitted is not None:
                omitted.add(f"{cls.__name__}.{name}")
        return cls(**kwargs)
    return build
