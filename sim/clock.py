"""Time, passed in explicitly so that a whole world can be moved forward at once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

# 2026-01-01T00:00:00Z: a fixed origin so that a seeded run replays exactly.
EPOCH = 1_767_225_600.0


class Clock(Protocol):
    def now(self) -> float: ...
    def advance(self, seconds: float) -> None: ...


@dataclass
class ManualClock:
    """The default: time moves only when told to."""

    t: float = EPOCH

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self.t += seconds


@dataclass
class SystemClock:
    """Reads ``time.time()`` on every call, so freezegun's frozen time reaches the world.
    ``advance`` adds an offset on top (a world cannot move the machine's clock)."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self.offset += seconds
