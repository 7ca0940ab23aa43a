"""What a run remembers of earlier runs, in ``<root>/.authconform/<kind>/``.

Two things are remembered: the feature files as parsed (``feature_files``) and which
suites the pre-run check found clean (``authoring.prerun_cache``). Both are spared
work, never part of a verdict: an entry is named by a hash of everything it depends on,
a folder keeps its newest entries only, and a folder that cannot be written, or an
entry that cannot be read, only means doing the work again. ``AUTHCONFORM_CACHE=off``
turns every such memory off.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER = Path(".authconform")
SWITCH = "AUTHCONFORM_CACHE"


def turned_off(*switches: str) -> bool:
    """Whether ``AUTHCONFORM_CACHE``, or one of ``switches``, says ``off``."""
    return any(os.environ.get(name, "").strip().lower() in ("off", "0", "no")
               for name in (SWITCH, *switches))


def store(folder: Path, name: str, data: bytes, kept: int) -> None:
    """``data`` as entry ``name`` of ``folder``, written whole or not at all (runs in
    parallel read it), then only the ``kept`` newest entries kept; silently nothing if
    the folder cannot be written."""
    partial = folder / f"{name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, folder / name)
        entries = sorted((p for p in folder.iterdir() if not p.name.endswith(".tmp")),
                         key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-kept]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
