"""The simulated world as an HTTP service: one typed endpoint per port operation.

A thin transport over ``SimTarget`` (the in-process adapter): parse the request, check
who may call it, call the very method ``--sut sim`` calls, write the answer as JSON.
The routes are generated from ``operations.operations()`` -- the port's Protocols --
so the published OpenAPI schema always matches the port. Status codes live here only:

* 200 the operation ran; a refusal is an ``Outcome`` in the body, not an error;
* 201 a world was created; 204 a world was deleted;
* 400 an argument the world cannot use (bad version text, unknown fault point, ...);
* 401 no or unknown bearer token; 403 a token that may not do this;
* 404 unknown world, device, person, tenant, account or request id;
* 409 the world refused an operation that has no ``Outcome`` to carry the refusal;
* 413 a request body over the size limit; 422 a malformed request; 429 too many worlds.

Every error body is ``{"error": ..., "message": ...}``; never a traceback.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope as AsgiScope

from authconform import __version__
from authconform.adapters.inprocess import ALL_CAPABILITIES
from authconform.port import PORT_VERSION
from authconform.service.asgi import (
    BodyLimit,
    OperationDispatch,
    Serve,
    error_answer,
    internal_error,
    json_answer,
)
from authconform.service.direct import DirectServer
from authconform.service.worlds import OPERATOR, HostedWorld, Registry, known_mutants
from authconform.wire import codec, schema
from authconform.wire.operations import Operation, Scope, operations
from sim.refusals import Refusal
from sim.rules import PROFILES

log = logging.getLogger("authconform.service")

MAX_BODY = 1 << 20  # 1 MiB
WORLD_HEADER = "X-World-Id"
WORLD_OPTIONS = frozenset({"recovery_block"})
_bearer = HTTPBearer(auto_error=False, description="the world's operator token or a "
                     "person token returned by create_person")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": schema.ErrorBody, "description": "an argument the world cannot use"},
    401: {"model": schema.ErrorBody, "description": "missing or unknown bearer token"},
    403: {"model": schema.ErrorBody, "description": "this token may not do this"},
    404: {"model": schema.ErrorBody, "description": "unknown world or id"},
    409: {"model": schema.ErrorBody, "description": "refused by the world where the answer "
          "has no Outcome to carry the refusal (a refused Outcome is a 200)"},
    413: {"model": schema.ErrorBody, "description": "request body too large"},
    422: {"model": schema.InvalidRequestBody, "description": "malformed request"},
}

DESCRIPTION = """\
The authconform simulated world served over HTTP: every operation of the port
(`authconform/port.py`) is one endpoint. App operations are
`/v1/devices/{device_id}/<operation>`, world operations `/v1/world/<operation>`.
Operations published as GET take their (required) arguments in the query string; all
others are POST with a JSON object body -- `backup_contents` too, although it only
reads; a POST with no arguments gets `{}`. Create a world with `POST /v1/worlds` (a
bearer token only if the service was given one), then send its id in the `X-World-Id`
header and a bearer token with every call. Bytes travel as base64 strings.

A refusal is an answer, not an HTTP error: 200 with an Outcome whose `ok` is false.
In an answer, a member with a default, or one that can be null, may be left out (it
reads as the default, or null); an integer may be written as an integral number such
as 6.0; an unknown member is ignored (a newer minor version may add some), while in a
request it is refused. `GET /v1/info` states the protocol version
(`protocol`, the version of this document) and the capabilities of every world.
`POST /v1/world/restart_service` is optional. See docs/http-service.md.
"""


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str):
        self.status, self.error, self.message = status, error, message


def _key_message(exc: KeyError) -> str:
    return str(exc.args[0]) if exc.args else "not found"


# ---------------------------------------------------------------- routing


class OperationRoute(APIRoute):
    """An operation's route that rules itself out by the end of the path before trying
    its pattern: with fifty routes tried in turn, full matching was a third of the
    service's time per request."""

    def __init__(self, path: str, *args: Any, **kwargs: Any):
        super().__init__(path, *args, **kwargs)
        self.tail = path.rsplit("/", 1)[1]

    def matches(self, scope: AsgiScope) -> tuple[Match, AsgiScope]:
        if scope["type"] == "http" and not scope["path"].endswith(self.tail):
            return Match.NONE, {}
        return super().matches(scope)


# ---------------------------------------------------------------- access


def _authorize(op: Operation, hosted: HostedWorld, principal: str,
               args: dict[str, Any]) -> None:
    """Raise _Refused unless ``principal`` may run ``op`` with ``args``."""
    if principal == OPERATOR:
        return
    scope, value = op.access.scope, args.get(op.access.param)
    if scope is Scope.OPERATOR:
        raise _Refused(403, "forbidden", f"{op.name} is world control: it needs the "
                       "world's operator token, not a person token")
    if scope is Scope.DEVICE:
        try:
            owner = hosted.device_owner(str(value))
        except KeyError as exc:
            raise _Refused(404, "not_found", _key_message(exc)) from None
        if owner != principal:
            raise _Refused(403, "forbidden", f"device {value!r} belongs to another person: "
                           "a person token reaches only that person's own devices")
    elif scope is Scope.PERSON:
        if not hosted.person_exists(str(value)):
            raise _Refused(404, "not_found", f"no person {value!r}")
        if value != principal:
            raise _Refused(403, "forbidden", f"{op.name} for {value!r}: a person token "
                           "acts only for its own person")
    elif scope is Scope.ADDRESS and not hosted.owns_address(principal, str(value)):
        raise _Refused(403, "forbidden", f"{value!r} is not one of this person's own "
                       "addresses or storage locations")


# ---------------------------------------------------------------- the generated routes


def _server(op: Operation, registry: Registry) -> Serve:
    """``serve(world_id, token, arguments)``: run ``op`` for whoever holds ``token`` and
    answer. Shared by the FastAPI route and ``OperationDispatch``."""
    half = "app" if op.half == "app" else "world"
    encode = codec.encoder(op.returns)
    mutating = op.method == "POST"

    def serve(world_id: str, token: str | None, args: dict[str, Any]) -> Response:
        try:
            hosted = registry.get(world_id)
        except KeyError:
            return error_answer(404, "not_found", "no such world (create one with POST /v1/worlds)")
        principal = hosted.principal(token)
        if principal is None:
            return error_answer(401, "unauthorized", "a bearer token of this world is required",
                          **{"WWW-Authenticate": "Bearer"})
        try:
            _authorize(op, hosted, principal, args)
        except _Refused as exc:
            return error_answer(exc.status, exc.error, exc.message)
        try:
            result = getattr(getattr(hosted.target, half), op.name)(**args)
            payload = {"result": encode(result, "result")}
            if op.name == "create_person":
                payload["person_token"] = hosted.new_person_token(result.id)
        except Refusal as exc:
            return error_answer(409, exc.code.value, exc.message)
        except KeyError as exc:
            return error_answer(404, "not_found", _key_message(exc))
        except (ValueError, OverflowError) as exc:
            return error_answer(400, "invalid_argument", f"{op.name}: {exc}")
        except Exception as exc:  # a bug in the world: say so without a traceback
            log.exception("%s failed", op.name)
            return error_answer(500, "internal_error", f"{op.name}: {type(exc).__name__}")
        finally:
            if mutating:  # see Registry: written now, or at the next flush
                registry.changed(hosted)
        return json_answer(payload)

    return serve


def _endpoint(op: Operation, serve: Serve) -> Callable[..., Awaitable[Response]]:
    """The FastAPI route of ``op``, with a signature FastAPI reads: path, query or body
    parameters typed from the port, the world header and the bearer token."""
    request_model = schema.request_model(op)

    async def endpoint(**kwargs: Any) -> Response:
        world_id = kwargs.pop("authconform_world")
        credentials: HTTPAuthorizationCredentials | None = kwargs.pop("authconform_token")
        body = kwargs.pop("authconform_body", None)
        if body is not None:
            kwargs.update((p.name, getattr(body, p.name)) for p in op.body_params)
        return serve(world_id, credentials.credentials if credentials else None, kwargs)

    params = [
        inspect.Parameter("authconform_world", inspect.Parameter.KEYWORD_ONLY,
                          annotation=Annotated[str, Header(
                              alias=WORLD_HEADER, description="the world's id")]),
        inspect.Parameter("authconform_token", inspect.Parameter.KEYWORD_ONLY,
                          annotation=Annotated[HTTPAuthorizationCredentials | None,
                                               _depends_bearer()]),
    ]
    if op.half == "app":
        params.append(inspect.Parameter("device_id", inspect.Parameter.KEYWORD_ONLY,
                                        annotation=Annotated[str, Path()]))
    if request_model is not None:
        params.append(inspect.Parameter("authconform_body", inspect.Parameter.KEYWORD_ONLY,
                                        annotation=Annotated[request_model, Body()]))
    elif op.method == "GET":
        for p in op.body_params:
            if p.type not in (str, int, float, bool):
                raise TypeError(f"GET {op.name}: {p.name} cannot travel in a query string")
            # no default at all, not Ellipsis: FastAPI publishes an Ellipsis default
            # as an optional parameter, and a server generated from the schema would
            # then accept a request without it
            default = inspect.Parameter.empty if p.required else p.default
            params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY,
                                            annotation=Annotated[p.type, Query()],
                                            default=default))
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = op.name
    return endpoint


def _depends_bearer() -> Any:
    return Depends(_bearer)


def _describe(op: Operation) -> str:
    lines = [op.doc] if op.doc else []
    args = ", ".join(p.name for p in op.params)
    lines.append(f"Port operation `{'AppPort' if op.half == 'app' else 'WorldPort'}."
                 f"{op.name}({args})`.")
    scope = op.access.scope
    who = {Scope.OPERATOR: "the operator token",
           Scope.DEVICE: f"the operator token or the token of the person owning "
                         f"`{op.access.param}`",
           Scope.PERSON: f"the operator token or the token of person `{op.access.param}`",
           Scope.ADDRESS: f"the operator token or the token of the person owning "
                          f"address `{op.access.param}`"}[scope]
    lines.append(f"Who may call: {who}.")
    return "\n\n".join(lines)


# ---------------------------------------------------------------- the application


class Service(FastAPI):
    """FastAPI behind the service's own two layers (``asgi.py``): the body-size limit,
    outermost, then the dispatcher of well-formed operation requests. They sit in front
    of FastAPI's whole stack, not inside it as middleware: an operation request answered
    by the dispatcher then skips FastAPI's and Starlette's middleware too (error and
    telemetry wrappers that do nothing for it), about a tenth of the service's time per
    request. Everything the dispatcher hands on gets FastAPI exactly as before."""

    front: Any = None  # the outer layers, set by create_app
    # the dispatcher, and the body limit, for the protocol's direct answers (protocol.py)
    direct: OperationDispatch | None = None
    max_body: int = 0

    async def fastapi_call(self, scope: AsgiScope, receive: Any, send: Any) -> None:
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: AsgiScope, receive: Any, send: Any) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)


def create_app(state: FilePath | str | None = None, *, max_body: int = MAX_BODY,
               max_worlds: int = 10_000, service_token: str | None = None,
               flush_interval: float = 0.0, dispatch: bool = True,
               direct_sockets: Sequence[socket.socket] = ()) -> Service:
    """The service. ``state``: SQLite file that keeps every world across restarts;
    ``flush_interval``: 0 writes a world before answering each request that may change
    it, more writes changed worlds that often (and all of them at shutdown).
    ``service_token``: if given, creating a world needs it as bearer token.
    ``dispatch=False`` leaves every request to FastAPI's routes (same answers, slower).
    ``direct_sockets``: listening Unix sockets served by ``direct.DirectServer`` while
    the service runs (the HTTP adapter's own; the rest is uvicorn's)."""
    registry = Registry(FilePath(state) if state is not None else None, max_worlds,
                        flush_interval)

    async def flusher() -> None:
        while True:
            await asyncio.sleep(flush_interval)
            registry.flush()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = (asyncio.create_task(flusher())
                if registry.persistent and flush_interval > 0 else None)
        direct = DirectServer(app, list(direct_sockets)) if direct_sockets else None
        if direct is not None:
            await direct.start()
        try:
            yield
        finally:
            if direct is not None:
                await direct.stop()  # before the worlds are written: no answer after
            if task is not None:
                task.cancel()
            registry.close()

    # The schema's version is the protocol's, not the package's: it changes only when
    # the contract does (docs/port-changelog.md).
    app = Service(title="authconform simulated world", version=PORT_VERSION,
                  description=DESCRIPTION, lifespan=lifespan,
                  openapi_tags=[
                      {"name": "worlds", "description": "create and delete worlds"},
                      {"name": "app", "description": "AppPort: the app on one device"},
                      {"name": "world", "description": "WorldPort: everything around it"},
                  ])
    app.state.registry = registry
    _error_handlers(app)

    @app.get("/healthz", response_model=schema.Health, tags=["worlds"])
    async def healthz() -> Response:
        return json_answer({"status": "ok"})

    @app.get("/v1/info", response_model=schema.ServiceInfo, tags=["worlds"])
    async def info() -> Response:
        return json_answer({"name": "authconform-sim", "version": __version__,
                      "protocol": PORT_VERSION,
                      "capabilities": sorted(c.value for c in ALL_CAPABILITIES),
                      "profiles": list(PROFILES), "mutants": known_mutants(),
                      "worlds": len(registry.worlds), "persistent": registry.persistent})

    @app.post("/v1/worlds", status_code=201, response_model=schema.WorldCreated,
              tags=["worlds"], responses=_responses(400, 401, 413, 422) | {
                  429: {"model": schema.ErrorBody, "description": "too many worlds"}})
    async def create_world(
            spec: schema.CreateWorld,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   _depends_bearer()] = None) -> Response:
        """A new world; its id and operator token. Keep the token: it is shown once."""
        if service_token is not None and (credentials is None or credentials.credentials
                                          != service_token):
            return error_answer(401, "unauthorized", "this service needs its service token "
                          "to create worlds", **{"WWW-Authenticate": "Bearer"})
        if len(registry.worlds) >= registry.max_worlds:
            return error_answer(429, "too_many_worlds", f"{registry.max_worlds} worlds exist; "
                          "delete some with DELETE /v1/worlds/{world_id}")
        if spec.profile not in PROFILES:
            return error_answer(400, "invalid_argument", f"unknown profile {spec.profile!r}; "
                          f"choose one of {', '.join(PROFILES)}")
        unknown = set(spec.options) - WORLD_OPTIONS
        if unknown:
            return error_answer(400, "invalid_argument", f"unknown option(s) {sorted(unknown)}; "
                          f"known: {', '.join(sorted(WORLD_OPTIONS))}")
        if spec.mutant is not None and spec.mutant not in known_mutants():
            return error_answer(400, "invalid_argument", f"unknown mutant {spec.mutant!r}")
        try:
            hosted, token = registry.create(spec.seed, spec.profile, spec.mutant,
                                            spec.options)
        except ValueError as exc:
            return error_answer(400, "invalid_argument", str(exc))
        return json_answer({"world_id": hosted.world_id, "operator_token": token,
                      "info": _info(hosted)}, 201)

    @app.get("/v1/worlds/{world_id}", response_model=schema.TargetInfoModel, tags=["worlds"],
             responses=_responses(401, 403, 404, 422))
    async def world_info(
            world_id: str,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   _depends_bearer()] = None) -> Response:
        """What the target says about itself (``TargetInfo``)."""
        hosted, refusal = _operator(registry, world_id, credentials)
        return refusal or json_answer(_info(hosted))

    @app.delete("/v1/worlds/{world_id}", status_code=204, tags=["worlds"],
                responses=_responses(401, 403, 404, 422))
    async def delete_world(
            world_id: str,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   _depends_bearer()] = None) -> Response:
        """Forget a world (the adapter does this when a scenario ends)."""
        _, refusal = _operator(registry, world_id, credentials)
        if refusal is not None:
            return refusal
        registry.delete(world_id)
        return Response(status_code=204)

    @app.post("/v1/world/restart_service", tags=["world"], name="restart_service",
              operation_id="restart_service", summary="restart service",
              response_model=schema.RestartResponse,
              responses=_responses(401, 403, 404, 422))
    async def restart_service(
            world_id: Annotated[str, Header(alias=WORLD_HEADER,
                                            description="the world's id")],
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   _depends_bearer()] = None) -> Response:
        """Optional: served only by a service that lists `restart` in `/v1/info`. It
        restarts what serves the worlds and answers once they answer again, every world
        kept. This service does not list it and answers 404: the HttpAdapter restarts
        the process it started itself."""
        _, refusal = _operator(registry, world_id, credentials)
        return refusal or error_answer(
            404, "not_found", "this service does not restart itself (restart is not in "
            "/v1/info's capabilities); the HttpAdapter restarts a service it started")

    served = {op.name: (op, _server(op, registry)) for op in operations().values()}
    inner = app.fastapi_call
    app.direct = OperationDispatch(inner, served) if dispatch else None
    app.max_body = max_body
    app.front = BodyLimit(app.direct or inner, max_body)
    for op, serve in served.values():
        app.router.add_api_route(
            op.path, _endpoint(op, serve), methods=[op.method],
            response_model=schema.response_model(op), responses=ERROR_RESPONSES,
            name=op.name, operation_id=op.name, tags=[op.half],
            route_class_override=OperationRoute,
            summary=op.name.replace("_", " "), description=_describe(op))
    _publish_optional_service_token(app)
    return app


def _publish_optional_service_token(app: FastAPI) -> None:
    """``POST /v1/worlds`` needs a bearer token only when the service was given one:
    the schema says the token may be left out (an empty security requirement), so a
    server generated from it does not refuse every world."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document["paths"]["/v1/worlds"]["post"]["security"] = [{}, {"HTTPBearer": []}]
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: ERROR_RESPONSES[code] for code in codes}


def _info(hosted: HostedWorld) -> dict[str, Any]:
    name = "http" if hosted.mutant is None else f"http+{hosted.mutant}"
    return {"name": name, "version": __version__,
            "capabilities": sorted(c.value for c in ALL_CAPABILITIES),
            "profile": hosted.world.rules.profile,
            "parameters": {str(k): v for k, v in hosted.target.info.parameters.items()},
            "readings": {str(k): v for k, v in hosted.target.info.readings.items()},
            "port_version": PORT_VERSION}


def _operator(registry: Registry, world_id: str,
              credentials: HTTPAuthorizationCredentials | None
              ) -> tuple[Any, Response | None]:
    try:
        hosted = registry.get(world_id)
    except KeyError:
        return None, error_answer(404, "not_found", "no such world")
    principal = hosted.principal(credentials.credentials if credentials else None)
    if principal is None:
        return hosted, error_answer(401, "unauthorized", "a bearer token of this world is "
                              "required", **{"WWW-Authenticate": "Bearer"})
    if principal != OPERATOR:
        return hosted, error_answer(403, "forbidden", "only the operator token may do this")
    return hosted, None


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"loc": [str(part) for part in e.get("loc", ())],
                     "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
                    for e in exc.errors()]
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        payload = {"error": "invalid_request",
                   "message": f"{where}: {first['msg']}" if where else str(first["msg"]),
                   "problems": problems}
        return json_answer(payload, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        response = error_answer(exc.status_code, error, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        return internal_error(exc, request.method, request.url.path)
