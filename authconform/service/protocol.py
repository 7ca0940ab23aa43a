"""uvicorn's HTTP protocol, with each answer leaving in one ``send()``.

uvicorn writes an answer's status line and headers, then its body, as two writes, so
the client wakes twice per answer: once for headers it cannot use without the body.
On a busy two-core machine every wake-up of a process waiting for the CPU costs more
than the request itself. Here the writes one step of the event loop makes are joined
and sent together when the step ends -- before the connection closes, always.

With httptools, a well-formed operation request is also answered as soon as its last
byte is read, inside the parser's callback: no ASGI scope, task or send events, the
same ``OperationDispatch.answer`` the ASGI layer calls, and the same bytes on the wire
(status line, the answer's headers, its body). Everything else -- other paths, a
request the dispatcher leaves to FastAPI, a body over the limit, HTTP/1.0, a
connection still answering an earlier request -- takes uvicorn's own way, unchanged.
The shortcut leans on attributes of uvicorn's protocol that are not a public API: a
connection that lacks any of them takes uvicorn's way for every request.

The parser is httptools (llhttp, in C) when it is installed, as it is with the
project's dependencies: it reads a request in a third of the time h11 (pure Python)
takes, and h11 remains the fallback. Both give the same answers: uvicorn turns what
either parser receives into the same ASGI events.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any, cast

from uvicorn.protocols.http.h11_impl import H11Protocol


class _JoinedWrites:
    """A transport whose writes in one event-loop step go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport, self._loop = transport, loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _JoinsWrites:
    """Mixed into a uvicorn protocol class: its transport joins each step's writes."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        joined = _JoinedWrites(cast(asyncio.Transport, transport), asyncio.get_running_loop())
        super().connection_made(joined)  # type: ignore[misc]


class JoinedWritesH11Protocol(_JoinsWrites, H11Protocol):
    pass


# What the direct answers read and call on uvicorn's httptools protocol.
_UVICORN_PARTS = ("app", "parser", "headers", "cycle", "pipeline", "root_path",
                  "limit_concurrency", "server_state", "on_response_complete", "transport")


class _AnswersOperations:
    """Mixed into uvicorn's httptools protocol: operation requests answered directly.

    The request is held from its headers to its last byte (bodies here are small; one
    over the limit goes uvicorn's way, which refuses it); then the dispatcher answers
    it, or hands it back, and uvicorn's cycle starts with the body already read -- as if
    it had arrived after the cycle began."""

    _direct: Any = None  # the app's OperationDispatch, when this connection may use it
    # the route, method, path and query of the request held, and its body so far
    _held: tuple[Any, str, str, bytes, list[bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        if all(hasattr(self, name) for name in _UVICORN_PARTS):
            self._direct = getattr(self.app, "direct", None)  # type: ignore[attr-defined]
            self._limit = getattr(self.app, "max_body", 0)  # type: ignore[attr-defined]

    def on_headers_complete(self) -> None:
        self._held = None
        me: Any = self
        direct, parser = self._direct, me.parser
        if (direct is not None and (me.cycle is None or me.cycle.response_complete)
                and not me.pipeline and not me.root_path and me.limit_concurrency is None
                and parser.get_http_version() == "1.1" and parser.should_keep_alive()
                and not parser.should_upgrade()):
            from httptools import parse_url  # here only when uvicorn's httptools is

            method = parser.get_method().decode("ascii")
            url = parse_url(me.url)
            path = url.path.decode("ascii")
            if "%" in path:
                path = urllib.parse.unquote(path)
            found = direct.route(method, path)
            # the parser holds the body to the declared length: no more can come
            declared = self._declared_length() if found is not None else None
            if declared is not None and declared <= self._limit:
                self._held = (found, method, path, url.query or b"", [])
                return
        super().on_headers_complete()  # type: ignore[misc]

    def _declared_length(self) -> int | None:
        """The request's Content-Length (0 when it has none and is not chunked), or
        None when uvicorn's way should take it."""
        length = 0
        for name, value in self.headers:  # type: ignore[attr-defined]
            if name == b"content-length":
                if not value.isdigit():
                    return None
                length = int(value)
            elif name == b"transfer-encoding" or name == b"expect":
                return None
        return length

    def on_body(self, body: bytes) -> None:
        if self._held is None:
            super().on_body(body)  # type: ignore[misc]
            return
        self._held[4].append(body)

    def on_message_complete(self) -> None:
        held, self._held = self._held, None
        if held is None:
            super().on_message_complete()  # type: ignore[misc]
            return
        me: Any = self
        found, method, path, query, chunks = held
        body = b"".join(chunks)
        response = self._direct.answer(found, method, path, query, me.headers, body)
        if response is None:  # the dispatcher leaves it to FastAPI: uvicorn's way
            super().on_headers_complete()  # type: ignore[misc]
            me.cycle.body = body
            super().on_message_complete()  # type: ignore[misc]
            return
        from uvicorn.protocols.http.httptools_impl import STATUS_LINE

        # as uvicorn's cycle writes an answer: status line, its default headers, then
        # the answer's own, lower-cased
        close = False
        content = [STATUS_LINE[response.status_code]]
        for name, value in [*me.server_state.default_headers, *response.raw_headers]:
            name = name.lower()
            if name == b"connection" and b"close" in value.lower():
                close = True
            content += [name, b": ", value, b"\r\n"]
        content += [b"\r\n", response.body]
        transport = me.transport
        transport.write(b"".join(content))
        if hasattr(transport, "flush"):
            transport.flush()  # out now, not at the end of the loop step
        if close:
            transport.close()
        me.on_response_complete()


def joined_writes_protocol() -> type[asyncio.Protocol]:
    """The fastest protocol class available: httptools' with direct operation answers,
    else h11's; joined writes either way."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        return JoinedWritesH11Protocol

    class JoinedWritesHttpToolsProtocol(_AnswersOperations, _JoinsWrites, HttpToolsProtocol):
        pass

    return JoinedWritesHttpToolsProtocol
