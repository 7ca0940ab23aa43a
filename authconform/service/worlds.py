"""The worlds a service hosts: their tokens, who owns what, and their persistence.

Each world is a ``sim.World`` behind the in-process adapter (``SimTarget``), so the
service only translates HTTP to the very calls ``--sut sim`` makes. With a state file,
every world is written to SQLite after each request that may change it and read back
when the service starts, so a restarted service goes on where it stopped.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import pickle
import secrets
import sqlite3
import threading
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authconform.adapters.inprocess import SimTarget
from sim.world import World

log = logging.getLogger("authconform.service")

OPERATOR = "operator"
_FORMAT = 1  # bump when the pickled record's shape changes


@functools.lru_cache(maxsize=4096)  # every request checks its token: hash each once
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class HostedWorld:
    world_id: str
    target: SimTarget
    operator: str  # hash of the operator token
    people: dict[str, str] = field(default_factory=dict)  # person token hash -> person id
    mutant: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def world(self) -> World:
        return self.target.world_model

    def principal(self, token: str | None) -> str | None:
        """``OPERATOR``, a person id, or None for a token this world does not know."""
        if not token:
            return None
        digest = token_hash(token)
        if secrets.compare_digest(digest, self.operator):
            return OPERATOR
        return self.people.get(digest)

    def new_person_token(self, person_id: str) -> str:
        token = "pt_" + secrets.token_urlsafe(24)
        self.people[token_hash(token)] = person_id
        return token

    # ---- ownership, as the world records it
    def device_owner(self, device_id: str) -> str:
        return self.world.device(device_id).person_id  # KeyError: unknown device

    def person_exists(self, person_id: str) -> bool:
        return person_id in self.world.people

    def owns_address(self, person_id: str, address: str) -> bool:
        """Is ``address`` (a user name, alternate email or phone, storage location) one
        of this person's own identities?"""
        wanted = address.strip().lower()
        world = self.world
        for msa in world.msa.accounts.values():
            if msa.person_id == person_id and wanted in {
                    msa.username.lower(), (msa.alternate_email or "").lower(),
                    (msa.alternate_phone or "").lower()}:
                return True
        for apple in world.apple_ids.ids.values():
            if apple.person_id == person_id and apple.username.lower() == wanted:
                return True
        return any(user.person_id == person_id and user.username.lower() == wanted
                   for tenant in world.tenants.values() for user in tenant.users.values())


def apply_mutant(world: World, name: str) -> None:
    from authconform.alterations import mutants as catalogue  # written elsewhere; only needed here

    catalogue.MUTANTS[name].apply(world)


def known_mutants() -> list[str]:
    try:
        from authconform.alterations import mutants as catalogue
    except ImportError:
        return []
    return sorted(catalogue.MUTANTS)


# ---------------------------------------------------------------- pickling


def _restore(cls: Any, state: dict[str, Any]) -> Any:
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj


_PATCH_TYPES = (types.FunctionType, types.MethodType, functools.partial,
                types.BuiltinMethodType)


class _StripPatches(pickle.Pickler):
    """Pickles a mutated world without the mutant's instance-level patches (closures
    cannot be pickled); the mutant is applied again when the world is read back."""

    def reducer_override(self, obj: Any) -> Any:
        state = getattr(obj, "__dict__", None)
        if isinstance(obj, type) or not isinstance(state, dict) or isinstance(
                obj, _PATCH_TYPES):
            return NotImplemented
        if not any(isinstance(v, _PATCH_TYPES) for v in state.values()):
            return NotImplemented
        if hasattr(obj, "__getstate__") and type(obj).__getstate__ is not object.__getstate__:
            state = obj.__getstate__()
        kept = {k: v for k, v in state.items() if not isinstance(v, _PATCH_TYPES)}
        return _restore, (type(obj), kept)


def dump_world(hosted: HostedWorld) -> bytes:
    record = {"format": _FORMAT, "world": hosted.world, "operator": hosted.operator,
              "people": hosted.people, "mutant": hosted.mutant, "options": hosted.options}
    if hosted.mutant is None:
        return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    buffer = io.BytesIO()
    _StripPatches(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(record)
    return buffer.getvalue()


def load_world(world_id: str, blob: bytes) -> HostedWorld:
    record = pickle.loads(blob)  # our own state file: see docs/http-service.md
    if record.get("format") != _FORMAT:
        raise ValueError(f"world {world_id}: state format {record.get('format')!r}")
    world: World = record["world"]
    if record["mutant"]:
        apply_mutant(world, record["mutant"])
    return HostedWorld(world_id, SimTarget(world=world), record["operator"],
                       record["people"], record["mutant"], record["options"])


class StateFile:
    """One SQLite row per world: ``worlds(world_id, blob, saved_at)``."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # worlds hold secrets
        os.close(fd)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS worlds (world_id TEXT PRIMARY KEY, "
                        "blob BLOB NOT NULL, saved_at REAL NOT NULL)")
        self.lock = threading.Lock()

    def save(self, world_id: str, blob: bytes) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO worlds VALUES (?, ?, ?)",
                            (world_id, blob, time.time()))

    def delete(self, world_id: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM worlds WHERE world_id = ?", (world_id,))

    def load(self) -> list[tuple[str, bytes]]:
        with self.lock:
            return list(self.db.execute("SELECT world_id, blob FROM worlds"))

    def close(self) -> None:
        with self.lock:
            self.db.close()


class Registry:
    """The hosted worlds by id, optionally backed by a state file.

    ``flush_interval`` 0 writes a world after every request that may change it, before
    the answer leaves. A positive interval writes changed worlds at most that many
    seconds later instead (``flush``, called by the service's background task), and every
    world when the service stops: far cheaper, and a restart still loses nothing; only a
    crash loses the last interval's changes."""

    def __init__(self, state: Path | None = None, max_worlds: int = 10_000,
                 flush_interval: float = 0.0):
        self.worlds: dict[str, HostedWorld] = {}
        self.max_worlds = max_worlds
        self.flush_interval = flush_interval
        self.dirty: set[str] = set()
        self.state: StateFile | None = None
        if state is not None:
            self.open_state(state)

    def open_state(self, state: Path) -> None:
        """Back the registry by ``state`` and restore every world it holds. Called by
        ``__init__``, or later by a spare service that was built before the service it
        replaces had written its worlds (``python -m authconform.service --standby``)."""
        if self.state is not None:
            raise RuntimeError(f"the registry already keeps its worlds in {self.state.path}")
        self.state = StateFile(state)
        for world_id, blob in self.state.load():
            try:
                self.worlds[world_id] = load_world(world_id, blob)
            except Exception as exc:  # one unreadable world must not sink the rest
                log.error("state %s: world %s not restored: %s: %s",
                          state, world_id, type(exc).__name__, exc)
        log.info("state %s: %d world(s) restored", state, len(self.worlds))

    @property
    def persistent(self) -> bool:
        return self.state is not None

    def create(self, seed: int, profile: str, mutant: str | None,
               options: dict[str, str]) -> tuple[HostedWorld, str]:
        target = SimTarget(seed=seed, profile=profile,
                           recovery_block=options.get("recovery_block", "any"))
        if mutant:
            apply_mutant(target.world_model, mutant)
            target.declare(f"sim+{mutant}")  # a mutant may declare another reading
        token = "ot_" + secrets.token_urlsafe(24)
        world_id = "w-" + secrets.token_hex(8)
        hosted = HostedWorld(world_id, target, token_hash(token), {}, mutant, dict(options))
        self.worlds[world_id] = hosted
        self.changed(hosted)
        return hosted, token

    def get(self, world_id: str) -> HostedWorld:
        return self.worlds[world_id]  # KeyError: the caller answers 404

    def delete(self, world_id: str) -> None:
        del self.worlds[world_id]
        self.dirty.discard(world_id)
        if self.state is not None:
            self.state.delete(world_id)

    def changed(self, hosted: HostedWorld) -> None:
        """``hosted`` may have changed: write it now or at the next flush."""
        if self.state is None:
            return
        if self.flush_interval > 0:
            self.dirty.add(hosted.world_id)
        else:
            self.save(hosted)

    def save(self, hosted: HostedWorld) -> None:
        if self.state is not None:
            self.state.save(hosted.world_id, dump_world(hosted))

    def flush(self) -> None:
        """Write every world changed since the last flush."""
        dirty, self.dirty = self.dirty, set()
        for world_id in dirty:
            hosted = self.worlds.get(world_id)
            if hosted is not None:
                self.save(hosted)

    def close(self) -> None:
        if self.state is not None:
            for hosted in self.worlds.values():
                self.save(hosted)
            self.dirty.clear()
            self.state.close()
