"""uvicorn's server, stopping as soon as it is told to.

uvicorn's ``Server`` looks for a stop request once every 0.1 s, and once stopping it
sleeps 0.1 s more for the connections it has just asked to close, busy or not. The
HTTP adapter restarts the service it started in the middle of scenarios
(``restart_service``), and those two pauses were most of what a stop cost: 0.2 s of
each restart. Here a stop request wakes the main loop at once, and the wait for the
connections lasts only while one of them is still open. The rest -- waiting for
requests being answered (``timeout_graceful_shutdown``), the lifespan's shutdown that
writes every world -- is uvicorn's own, in uvicorn's order.

The shutdown leans on two members of uvicorn's ``Server`` that are not a public API
(``server_state`` and ``_wait_tasks_to_complete``); a uvicorn without them stops
uvicorn's own way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn

log = logging.getLogger("uvicorn.error")  # where uvicorn says the same

_TICK = 0.1  # uvicorn's: how often its main loop runs on_tick
_CLOSING_STEP = 0.001  # how often the shutdown looks whether the connections are gone
# What the shutdown reads and calls on uvicorn's Server that is not a public API.
_UVICORN_PARTS = ("server_state", "_wait_tasks_to_complete")


class PromptServer(uvicorn.Server):
    """A ``uvicorn.Server`` that stops without uvicorn's fixed pauses."""

    _wake: Callable[[], object] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self._wake is not None:
            self._wake()

    async def main_loop(self) -> None:
        # uvicorn's loop, with its sleep cut short by a stop request
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        self._wake = lambda: loop.call_soon_threadsafe(woken.set)
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), _TICK)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if not all(hasattr(self, name) for name in _UVICORN_PARTS):
            await super().shutdown(sockets)
            return
        state = self.server_state
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(state.connections):
            connection.shutdown()
        # uvicorn sleeps 0.1 s here; an idle connection asked to close is gone within a
        # step or two of the loop, and a busy one is waited for just below
        for _ in range(round(_TICK / _CLOSING_STEP)):
            if not state.connections:
                break
            await asyncio.sleep(_CLOSING_STEP)
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                await self._wait_tasks_to_complete()
        except TimeoutError:
            log.error("Cancel %s running task(s), timeout graceful shutdown exceeded",
                      len(state.tasks))
            for task in state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()
