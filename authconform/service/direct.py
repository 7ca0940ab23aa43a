"""The service on the HTTP adapter's own socket: HTTP/1.1 answered inside the event
loop's read callback, without uvicorn.

The adapter that starts the service sends every port call over one kept-alive Unix
socket in its working folder (``adapters/http.py``); nobody else knows that socket. A
call through uvicorn cost the service about as much again as the operation itself:
building an ASGI scope, a task and its send events per request, and a keep-alive timer
set and cancelled per answer. Here a request is parsed by httptools (the C parser
uvicorn itself uses), a well-formed operation request is answered by the same
``OperationDispatch.answer`` the ASGI layer calls, and the answer leaves in one write
while the read callback is still running. Any other request -- ``/v1/info``, creating
and deleting worlds, one the dispatcher leaves to FastAPI -- runs through the service's
whole ASGI stack (``Service.front``: body limit, dispatcher, FastAPI), exactly as under
uvicorn, and its answer is written the way uvicorn writes one. Requests on one
connection are answered in the order they came (the adapter sends a world's deletion
without waiting for its answer, then its next request).

The public face, the TCP port, stays uvicorn's. This module is used only when the
service is started with ``--direct-fd`` (the HTTP adapter does that) and httptools is
installed (it is one of the project's dependencies); without httptools that socket is
served by uvicorn like any other.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import http
import logging
import urllib.parse
from dataclasses import dataclass
from typing import Any

from authconform.service.asgi import error_answer

log = logging.getLogger("authconform.service")


@dataclass
class _Request:
    method: str
    path: str
    raw_path: bytes
    query: bytes
    version: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool


@functools.cache
def _status_line(code: int) -> bytes:
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    return b"HTTP/1.1 %d %s\r\n" % (code, phrase.encode("ascii"))


def _message(status: int, headers: list[tuple[bytes, bytes]], body: bytes,
             close: bool) -> bytes:
    """An answer as uvicorn writes one: status line, lower-cased headers, body; a
    Content-Length when the app gave none (the body is whole here), and
    ``connection: close`` when the connection ends with it."""
    out = [_status_line(status)]
    has_length = False
    for name, value in headers:
        name = name.lower()
        if name == b"content-length":
            has_length = True
        elif name == b"connection":
            continue  # said below, once
        out += [name, b": ", value, b"\r\n"]
    if not has_length and not (status < 200 or status in (204, 304)):
        out.append(b"content-length: %d\r\n" % len(body))
    if close:
        out.append(b"connection: close\r\n")
    out += [b"\r\n", body]
    return b"".join(out)


class DirectProtocol(asyncio.Protocol):
    """One connection on the adapter's socket. ``app`` is the service (``app.Service``):
    its ``direct`` dispatcher, its ``front`` ASGI stack and its ``max_body``."""

    def __init__(self, app: Any, connections: set[DirectProtocol]):
        import httptools  # only where the service was told to serve this way

        self._httptools = httptools
        self.app, self.connections = app, connections
        self.direct = app.direct
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        # the request being read
        self.url, self.size = b"", 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.waiting: collections.deque[_Request] = collections.deque()
        self.busy = False  # an ASGI cycle is answering the request at the front
        self.closing = False

    # ------------------------------------------------------------ connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.closing = True
        self.waiting.clear()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except self._httptools.HttpParserUpgrade:
            self._refuse(400, "bad_request", "protocol upgrades are not served")
        except self._httptools.HttpParserError as exc:
            self._refuse(400, "bad_request", f"malformed HTTP request: {exc}")

    def shutdown(self) -> None:
        """Close once the request being answered (if any) is answered."""
        self.closing = True
        if not self.busy and self.transport is not None:
            self.transport.close()

    # ------------------------------------------------------------ parser callbacks

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body, self.size = b"", [], [], 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > self.app.max_body:
            self._too_large()
        self.body.append(body)

    def on_headers_complete(self) -> None:
        for name, value in self.headers:
            if name == b"content-length" and value.isdigit() \
                    and int(value) > self.app.max_body:
                self._too_large()

    def _too_large(self) -> None:
        """Refuse the body as the body limit (``asgi.BodyLimit``) does, before reading
        any more of it, and stop the parser."""
        self._refuse(413, "too_large", f"request body over {self.app.max_body} bytes")
        raise self._httptools.HttpParserError("body over the limit")

    def on_message_complete(self) -> None:
        parser = self.parser
        url = self._httptools.parse_url(self.url)
        raw_path = url.path
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = urllib.parse.unquote(path)
        request = _Request(parser.get_method().decode("ascii"), path, raw_path,
                           url.query or b"", parser.get_http_version(), self.headers,
                           b"".join(self.body), parser.should_keep_alive())
        if self.busy or self.waiting:
            self.waiting.append(request)  # answered in turn
        elif not self.closing:
            self._answer(request)

    # ------------------------------------------------------------ answering

    def _answer(self, request: _Request) -> None:
        """Answer now if the dispatcher can; else start the ASGI cycle that will."""
        found = (self.direct.route(request.method, request.path)
                 if self.direct is not None and request.version == "1.1" else None)
        if found is not None:
            response = self.direct.answer(found, request.method, request.path,
                                          request.query, request.headers, request.body)
            if response is not None:
                self._write(response.status_code, response.raw_headers, response.body,
                            request.keep_alive)
                return
        self.busy = True
        asyncio.get_running_loop().create_task(self._through_asgi(request))

    def _answer_waiting(self) -> None:
        while self.waiting and not self.busy and not self.closing:
            self._answer(self.waiting.popleft())

    async def _through_asgi(self, request: _Request) -> None:
        """``request`` through the whole ASGI stack, as uvicorn would run it."""
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                 "http_version": request.version, "server": None, "client": None,
                 "scheme": "http", "method": request.method, "root_path": "",
                 "path": request.path, "raw_path": request.raw_path,
                 "query_string": request.query, "headers": request.headers, "state": {}}
        sent = {"body": False}
        answer: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def receive() -> dict[str, Any]:
            if not sent["body"]:
                sent["body"] = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await asyncio.Event().wait()  # nothing more comes: the body was whole
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))

        try:
            await self.app.front(scope, receive, send)
            status, headers = answer["status"], answer["headers"]
            body = b"" if request.method == "HEAD" else b"".join(answer["body"])
        except Exception as exc:  # as uvicorn answers an app that raised
            log.error("unhandled %s on %s %s", type(exc).__name__, request.method,
                      request.path, exc_info=exc)
            status, headers = 500, [(b"content-type", b"text/plain; charset=utf-8")]
            body = b"Internal Server Error"
        self.busy = False
        if self.transport is None or self.transport.is_closing():
            return
        self._write(status, headers, body, request.keep_alive)
        if self.closing:
            self.transport.close()
            return
        self._answer_waiting()

    def _write(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes,
               keep_alive: bool) -> None:
        assert self.transport is not None
        close = not keep_alive or any(
            name.lower() == b"connection" and b"close" in value.lower()
            for name, value in headers)
        self.transport.write(_message(status, headers, body, close))
        if close:
            self.closing = True
            self.transport.close()

    def _refuse(self, status: int, error: str, message: str) -> None:
        """Answer an unreadable request and close, as uvicorn does."""
        response = error_answer(status, error, message)
        if self.transport is not None and not self.transport.is_closing():
            self._write(status, response.raw_headers, bytes(response.body), keep_alive=False)


class DirectServer:
    """The direct protocol on listening sockets, started and stopped with the service
    (its lifespan): stopping closes every connection once its current answer is out."""

    def __init__(self, app: Any, sockets: list[Any]):
        self.app, self.sockets = app, sockets
        self.servers: list[asyncio.AbstractServer] = []
        self.connections: set[DirectProtocol] = set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for sock in self.sockets:
            self.servers.append(await loop.create_unix_server(
                lambda: DirectProtocol(self.app, self.connections), sock=sock))

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.connections):
            connection.shutdown()
        for _ in range(1000):  # an ASGI answer still being made: wait for it, briefly
            if not any(c.busy for c in self.connections):
                break
            await asyncio.sleep(0.001)
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
