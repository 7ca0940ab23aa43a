"""The service's own ASGI layers, in front of FastAPI: the request size limit and the
dispatcher that answers well-formed operation requests without FastAPI's routing."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from fastapi.responses import Response
from pydantic import ValidationError

from authconform.wire import schema
from authconform.wire.operations import Operation

log = logging.getLogger("authconform.service")

# serve(world_id, bearer token or None, arguments) -> the answer; see app._server
Serve = Callable[[str, "str | None", dict[str, Any]], Response]
# an operation request's route: the operation, its serve, the device id in the path
Route = tuple[Operation, Serve, "str | None"]


def json_answer(payload: Any, status: int = 200) -> Response:
    # ensure_ascii keeps lone surrogates a client may have sent from breaking the answer
    return Response(json.dumps(payload, separators=(",", ":")).encode("ascii"), status,
                    media_type="application/json")


def error_answer(status: int, error: str, message: str, **headers: str) -> Response:
    response = json_answer({"error": error, "message": message}, status)
    response.headers.update(headers)
    return response


def internal_error(exc: Exception, method: str, path: str) -> Response:
    """A bug in the service: logged with its traceback, answered without it."""
    log.error("unhandled %s on %s %s", type(exc).__name__, method, path, exc_info=exc)
    return error_answer(500, "internal_error", type(exc).__name__)


# ---------------------------------------------------------------- request size limit



def _replayer(body: bytes, receive: Any) -> Any:
    """An ASGI ``receive`` that hands the already-read body over once, then defers to the
    real one (so a later disconnect still reaches the app)."""
    replayed = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before any parsing."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[
            MutableMapping[str, Any]]], send: Callable[[MutableMapping[str, Any]],
                                                      Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    await error_answer(400, "bad_request", "Content-Length is not a number")(
                        scope, receive, send)
                    return
                if int(value) > self.limit:
                    await self._too_large(scope, receive, send)
                    return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replayer(b"".join(chunks), receive), send)

    async def _too_large(self, scope: Any, receive: Any, send: Any) -> None:
        await error_answer(413, "too_large", f"request body over {self.limit} bytes",
                     Connection="close")(scope, receive, send)


# ---------------------------------------------------------------- dispatch


class OperationDispatch:
    """Operation requests answered from a dict, without FastAPI's per-request work.

    FastAPI's routes for the operations publish the schema and answer exactly as this
    layer does (both call the same ``serve``). This layer answers the well-formed
    operation requests itself -- world header, bearer token, JSON body or query string
    checked with the very pydantic models the schema is made from -- and hands everything
    else to FastAPI: other paths, other methods, and any request it finds malformed, so
    that every error keeps FastAPI's one shape. Trying fifty routes in turn and solving
    each one's dependencies was most of the service's own time per request.
    """

    def __init__(self, app: Any, served: dict[str, tuple[Operation, Serve]]):
        self.app = app
        self.world = {name: entry for name, entry in served.items()
                      if entry[0].half == "world"}
        self.devices = {name: entry for name, entry in served.items()
                        if entry[0].half == "app"}
        self.models = {name: schema.request_model(op) for name, (op, _) in served.items()}

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        found = self.route(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if found is not None:
            body, receive = await _read(receive)
            response = self.answer(found, scope["method"], scope["path"],
                                   scope["query_string"], scope["headers"], body)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def answer(self, found: Route, method: str, path: str, query_string: bytes,
               headers: list[tuple[bytes, bytes]], body: bytes) -> Response | None:
        """The answer to a whole request for the operation ``found`` (what ``route`` gave),
        or None to let FastAPI answer it (a request malformed in a way whose error FastAPI words).
        ``headers`` as ASGI gives them: lower-case names. Synchronous: the service's
        protocol (``protocol.py``) calls it without an ASGI cycle, too."""
        try:
            return self._answer(*found, headers, query_string, body)
        except Exception as exc:  # as FastAPI's own handler answers it
            return internal_error(exc, method, path)

    def route(self, method: str, path: str) -> Route | None:
        """The operation ``method path`` names, its server and the device in the path;
        None for any other request."""
        parts = path.split("/")
        entry, device = None, None
        if len(parts) == 4 and parts[1] == "v1" and parts[2] == "world":
            entry = self.world.get(parts[3])
        elif len(parts) == 5 and parts[1] == "v1" and parts[2] == "devices" and parts[3]:
            entry, device = self.devices.get(parts[4]), parts[3]
        if entry is None or entry[0].method != method:
            return None
        return entry[0], entry[1], device

    def _answer(self, op: Operation, serve: Serve, device: str | None,
                raw_headers: list[tuple[bytes, bytes]], query_string: bytes, body: bytes
                ) -> Response | None:
        """The answer, or None to let FastAPI answer (and word the error)."""
        headers: dict[bytes, bytes] = {}
        for name, value in raw_headers:
            headers.setdefault(name, value)
        world = headers.get(b"x-world-id")
        if world is None:
            return None
        scheme, _, credentials = headers.get(b"authorization", b"").decode(
            "latin-1").partition(" ")
        token = credentials if scheme.lower() == "bearer" and credentials else None
        args: dict[str, Any] = {} if device is None else {"device_id": device}
        model = self.models[op.name]
        if model is not None:
            if not body or not _is_json(headers.get(b"content-type")):
                return None
            try:
                parsed = model.model_validate_json(body)
            except ValidationError:
                return None
            args.update((p.name, getattr(parsed, p.name)) for p in op.body_params)
        elif op.method == "GET" and op.body_params:
            query = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
            for p in op.body_params:
                if p.name in query:
                    args[p.name] = query[p.name][-1]
                elif p.required:
                    return None
                else:
                    args[p.name] = p.default
        return serve(world.decode("latin-1"), token, args)


def _is_json(content_type: bytes | None) -> bool:
    if not content_type:
        return False
    media = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


async def _read(receive: Any) -> tuple[bytes, Any]:
    """The whole body, and a ``receive`` that hands it on again."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replayer(body, receive)
