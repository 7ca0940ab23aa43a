"""uvicorn's HTTP protocol, with each answer leaving in one ``send()``.

uvicorn writes an answer's status line and headers, then its body, as two writes, so
the client wakes twice per answer: once for headers it cannot use without the body.
On a busy two-core machine every wake-up of a process waiting for the CPU costs more
than the request itself. Here the writes one step of the event loop makes are joined
and sent together when the step ends -- before the connection closes, always.

The parser is httptools (llhttp, in C) when it is installed, as it is with the
project's dependencies: it reads a request in a third of the time h11 (pure Python)
takes, and h11 remains the fallback. Both give the same answers: uvicorn turns what
either parser receives into the same ASGI events.
"""

from __future__ import annotations

import asyncio
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


def joined_writes_protocol() -> type[asyncio.Protocol]:
    """The fastest protocol class available: httptools', else h11's, joined writes."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        return JoinedWritesH11Protocol

    class JoinedWritesHttpToolsProtocol(_JoinsWrites, HttpToolsProtocol):
        pass

    return JoinedWritesHttpToolsProtocol
