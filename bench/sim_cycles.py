"""Figure 3: backup + recovery cycles per second on ``sim.World``, no pytest, no port.

A device (Android, so the backup goes to Microsoft's storage) holds ``n`` accounts:
``ceil(n / 4)`` personal Microsoft accounts without push (the first is the recovery
account itself) and the rest third-party TOTP accounts typed in by hand; backup is on.
One *cycle* is:

* backup: rename an account on the old phone, which seals the whole payload (AES-GCM),
  uploads it and reads it back;
* recovery: a brand-new phone of the same person begins recovery with the recovery
  account, which fetches and unseals the blob and restores every account (a fresh
  per-device credential for each personal account).

Set-up is not timed. Sizes are interleaved round by round (1/10/100, 10/100/1, ...)
with a fresh world per round. Peak memory is a separate traced pass (tracemalloc slows
everything down, so it never overlaps the timing): a world with its device, set-up and
``memory_cycles`` cycles.
"""

from __future__ import annotations

import gc
import math
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.common import interleave, median, paired_ratios, rounded
from sim.device import Platform
from sim.world import World

APP_VERSION = "6.8.0"
SIZES = (1, 10, 100)


@dataclass
class Bed:
    """A world with one phone holding ``n`` accounts and backup on."""

    world: World
    person_id: str
    device_id: str
    entry_id: str
    recovery: tuple[str, str]  # user name, password
    accounts: int
    cycles: int = 0

    @classmethod
    def make(cls, n: int, seed: int) -> Bed:
        world = World(seed=seed)
        person_id, _ = world.create_person()
        recovery = world.create_msa(person_id)
        device = world.create_device(person_id, Platform.ANDROID, APP_VERSION)
        app = world.app(device.id)
        personal = max(1, math.ceil(n / 4)) if n else 0
        for index in range(personal):
            msa = recovery if index == 0 else world.create_msa(person_id)
            app.add_personal_account(msa.username, msa.password, False)
        for index in range(n - personal):
            site = world.create_site_account(person_id, f"Site {index % 7}")
            p = site.params
            app.enter_code_manually(site.issuer, site.username, p.secret, p.digits,
                                    p.period, p.algorithm)
        if len(app.state.entries) != n:
            raise AssertionError(f"set-up made {len(app.state.entries)} accounts, not {n}")
        app.turn_on_backup(recovery.username, recovery.password)
        return cls(world, person_id, device.id, app.state.entries[0].id,
                   (recovery.username, recovery.password), n)

    def backup(self) -> None:
        self.cycles += 1
        self.world.app(self.device_id).rename_account(self.entry_id, f"renamed {self.cycles}")

    def recover(self) -> None:
        phone = self.world.create_device(self.person_id, Platform.ANDROID, APP_VERSION)
        app = self.world.app(phone.id)
        app.begin_recovery(*self.recovery)
        if len(app.state.entries) != self.accounts:
            raise AssertionError(f"recovered {len(app.state.entries)} of {self.accounts}")

    def cycle(self) -> tuple[float, float]:
        """(backup seconds, recovery seconds) of one cycle."""
        t0 = time.perf_counter()
        self.backup()
        t1 = time.perf_counter()
        self.recover()
        return t1 - t0, time.perf_counter() - t1


def measure(n: int, seed: int, min_seconds: float, min_cycles: int = 3) -> dict[str, float]:
    """One timed stretch on a fresh bed: cycles per second and the split."""
    bed = Bed.make(n, seed)
    gc.collect()
    backup_s = recover_s = 0.0
    count = 0
    started = time.perf_counter()
    while count < min_cycles or time.perf_counter() - started < min_seconds:
        b, r = bed.cycle()
        backup_s += b
        recover_s += r
        count += 1
    elapsed = time.perf_counter() - started
    return {"cycles": count, "seconds": elapsed, "cycles_per_second": count / elapsed,
            "backup_ms": 1000 * backup_s / count, "recovery_ms": 1000 * recover_s / count}


def peak_memory_mib(n: int, seed: int, cycles: int) -> float:
    Bed.make(1, seed).cycle()  # imports, Faker's providers and caches: not the world's
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        bed = Bed.make(n, seed)
        for _ in range(cycles):
            bed.cycle()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run(repetitions: int, seed: int, min_seconds: float = 1.0,
        sizes: tuple[int, ...] = SIZES, memory_cycles: int = 10) -> dict[str, Any]:
    def runner(n: int) -> Callable[[], dict[str, float]]:
        return lambda: measure(n, seed, min_seconds)

    runs = interleave({str(n): runner(n) for n in sizes}, repetitions, warmup=True)
    cps = {k: median([r["cycles_per_second"] for r in v]) for k, v in runs.items()}
    result: dict[str, Any] = {
        "cycles_per_second": {k: rounded(v, 2) for k, v in cps.items()},
        "peak_memory_mib": {str(n): rounded(peak_memory_mib(n, seed, memory_cycles), 3)
                            for n in sizes},
        "details": {
            "definition": "one cycle = a change uploaded from the old phone (seal, put, "
                          "read back) + recovery of every account onto a new phone",
            "mix": {str(n): {"personal": max(1, math.ceil(n / 4)) if n else 0,
                             "third_party": n - (max(1, math.ceil(n / 4)) if n else 0)}
                    for n in sizes},
            "repetitions": repetitions, "min_seconds_per_repetition": min_seconds,
            "memory_cycles": memory_cycles,
            "backup_ms": {k: rounded(median([r["backup_ms"] for r in v]), 3)
                          for k, v in runs.items()},
            "recovery_ms": {k: rounded(median([r["recovery_ms"] for r in v]), 3)
                            for k, v in runs.items()},
            "runs": runs,
        },
    }
    if "10" in runs and "100" in runs:
        # time per cycle at 100 over time per cycle at 10, paired round by round
        pairs = paired_ratios([r["cycles_per_second"] for r in runs["10"]],
                              [r["cycles_per_second"] for r in runs["100"]])
        result["cycle_100_vs_10_ratio"] = rounded(median(pairs), 3)
    else:
        result["cycle_100_vs_10_ratio"] = None
    return result
