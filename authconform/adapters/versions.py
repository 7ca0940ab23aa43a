"""Which port version a target was written for, checked once at start.

The port (``authconform/port.py``) and the HTTP protocol that carries it share one
semantic version, ``port.PORT_VERSION``. A target states the version it was written for
in ``TargetInfo.port_version`` (an HTTP service in the ``protocol`` member of
``/v1/info``). At start the harness compares it with its own:

* another major version: refused at once (a usage error, exit 2), naming what changed
  between the two -- an adapter written for 1.x would otherwise fail in the middle of
  the run, scenario after scenario, on a call it does not know;
* the same major, another minor: the run goes on, with a note in the verdict
  (``conformance.json``'s ``target.port_note``): what the other minor adds is unused;
* undeclared: taken as 2.0.0, the last version before targets declared one, with a
  note asking for the declaration.

A semantic-versioning pre-release or build suffix (``2.3.0-rc.1``, ``2.3.0+build.7``)
is accepted: versions are compared on MAJOR.MINOR.PATCH alone, and the note shows the
version as declared, suffix and all.

The history is docs/port-changelog.md; ``BREAKING`` holds what each major version broke,
for the refusal's message (a test keeps the two in step).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from authconform.port import PORT_VERSION

# The version of a target that declares none: versions were introduced in 2.1.0, so a
# target that runs today without declaring one was written for 2.0.0.
UNDECLARED = "2.0.0"
CHANGELOG = "docs/port-changelog.md"

# What a target written for the major version before must change, per major version.
BREAKING: dict[int, tuple[str, ...]] = {
    2: (
        "Screen.alerts holds Alert objects (an AlertCode and the message), not plain text",
        "AppPort.sign_in_to_update_backup takes a third argument, username "
        "(None: the app's recovery account)",
    ),
}

# MAJOR.MINOR.PATCH, then semver's optional pre-release (-...) and build (+...) suffixes.
_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     rf"((?:-{_IDENTIFIERS})?(?:\+{_IDENTIFIERS})?)")


class VersionRefused(Exception):
    """A target written for another major version of the port (a usage error)."""


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int
    # "-rc.1", "+build.7", "-rc.1+build.7" or "": shown, never compared
    suffix: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> Version:
        """``MAJOR.MINOR.PATCH``, with an optional semver pre-release and build suffix;
        ValueError naming the text otherwise."""
        found = _SEMVER.fullmatch(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"port version {text!r} is not MAJOR.MINOR.PATCH (e.g. "
                             f"{PORT_VERSION!r}, a semver suffix such as -rc.1 allowed)")
        major, minor, patch, suffix = found.groups()
        return cls(int(major), int(minor), int(patch), suffix)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.suffix}"


CURRENT = Version.parse(PORT_VERSION)


def changes_between(older: int, newer: int) -> list[str]:
    """The breaking changes of every major version after ``older`` up to ``newer``."""
    return [f"{major}.0.0: {change}" for major in range(older + 1, newer + 1)
            for change in BREAKING.get(major, ())]


def check(declared: str | None, target: str, where: str = "TargetInfo.port_version"
          ) -> str | None:
    """None when ``declared`` is this harness's version (patch aside); a note for the
    verdict when the run may go on; ``VersionRefused`` when it may not. ``target`` and
    ``where`` name the target and the member that declares the version."""
    if not declared:
        return (f"{target} declares no port version ({where}); taken as {UNDECLARED}, "
                f"the version before versions were declared. Declare {PORT_VERSION!r}.")
    try:
        theirs = Version.parse(declared)
    except ValueError as exc:
        raise VersionRefused(f"{target}: {exc} ({where})") from None
    if theirs.major < CURRENT.major:
        changed = "\n".join(f"  - {c}" for c in changes_between(theirs.major, CURRENT.major))
        raise VersionRefused(
            f"{target} was written for port version {theirs} ({where}); this harness "
            f"speaks {PORT_VERSION}, and a new major version breaks targets written for "
            f"the one before. What changed:\n{changed or '  (see ' + CHANGELOG + ')'}\n"
            f"Update the target and declare {PORT_VERSION!r}; {CHANGELOG} lists every "
            "change.")
    if theirs.major > CURRENT.major:
        raise VersionRefused(
            f"{target} was written for port version {theirs} ({where}), newer than "
            f"this harness's {PORT_VERSION}: upgrade authconform.")
    if theirs.minor < CURRENT.minor:
        return (f"{target} was written for port version {theirs}; this harness speaks "
                f"{PORT_VERSION}: what {CURRENT.major}.{theirs.minor + 1} and later add "
                f"(see {CHANGELOG}) is not used by the target.")
    if theirs.minor > CURRENT.minor:
        return (f"{target} was written for port version {theirs}, newer than this "
                f"harness's {PORT_VERSION}: what it adds beyond {PORT_VERSION} is not used.")
    if theirs.suffix:
        return (f"{target} declares port version {theirs}, compared as "
                f"{theirs.major}.{theirs.minor}.{theirs.patch} (a pre-release or build "
                f"suffix is not compared): the same minor as this harness's "
                f"{PORT_VERSION}.")
    return None


def declared_in(adapter: object) -> str:
    """Where ``adapter``'s targets declare their port version, for messages: an adapter
    that reads it elsewhere says so in ``port_version_where`` (the HTTP adapter: from
    ``/v1/info``'s ``protocol``)."""
    return str(getattr(adapter, "port_version_where", "") or "TargetInfo.port_version")


def check_adapter(adapter: object, seed: int) -> tuple[str, str | None]:
    """The port version a started adapter's targets declare, and the note for the
    verdict (``check``); ``VersionRefused`` if the run may not go on. Makes one target to
    read its ``TargetInfo`` and closes it. A target that cannot be made is not judged
    here (every scenario will report that error itself) -- unless the adapter read the
    version when it started (its ``port_version``, as the HTTP adapter reads
    ``/v1/info``): that version is still checked and reaches the verdict."""
    where = declared_in(adapter)
    try:
        probe = adapter.new_target(seed)  # type: ignore[attr-defined]
    except Exception:
        known = getattr(adapter, "port_version", None)
        if not isinstance(known, str):
            return "", None
        name = str(getattr(adapter, "name", "") or "the target")
        return known, check(known, f"adapter {name!r}", where)
    try:
        info = getattr(probe, "info", None)
        declared = str(getattr(info, "port_version", "") or "")
        name = str(getattr(info, "name", "") or getattr(adapter, "name", "the target"))
        return declared, check(declared, f"target {name!r}", where)
    finally:
        with contextlib.suppress(Exception):  # closing the probe must not decide the run
            probe.close()
