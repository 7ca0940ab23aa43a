"""``authconform self-test --sut NAME``: is an adapter wired up right? Answers in seconds.

Loads the adapter, starts it, makes one target and checks its ``TargetInfo`` and the
port version it was written for; plays a tiny scenario through the fail-closed guard
calling each mandatory operation once (person, recovery account, Apple ID, iPhone, add
the account, list it, read its code, the screen, turn on backup); then checks the
contract beyond the wiring:

* one refusal of each refusal family (``authconform.spec.families``) comes back as an
  ``Outcome`` with a code of that family -- not as an error (an HTTP service that
  answers refusals with 409 fails here, where a full run would error in every
  scenario that expects a refusal);
* the declarations: each undeclared parameter or reading is a warning naming the
  scenarios it will make not-applicable;
* answer members the target left out (an HTTP service may leave out a member that has
  a default or can be null; they read as such) are named, and so are answer members
  the port does not know (ignored: a service of a newer minor version may add some);
* each declared capability really works and each undeclared one is refused with
  ``CapabilityMissing``.

Every answer's type is checked against the port (``guard.check_value``). Not a
conformance verdict: a refused happy path is reported, but the scenarios decide what
conforms.

Exit codes: 0 every check OK (warnings allowed), 3 the adapter is broken (a check
failed), 2 the adapter cannot be loaded, configured or started, or was written for
another major port version.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from authconform import port
from authconform.adapters import (
    AdapterLoadError,
    TargetConfig,
    load_adapter,
    read_options,
    versions,
)
from authconform.adapters.guard import GuardedTarget, check_value
from authconform.spec import declarations, families
from authconform.spec.person import start_recovery
from authconform.spec.wording import typed_code

EXIT_OK, EXIT_USAGE, EXIT_BROKEN = 0, 2, 3


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    warning: bool = False  # OK, but something the team should know before a full run

    @property
    def result(self) -> str:
        return "FAIL" if not self.ok else "WARN" if self.warning else "OK"


class _Scene:
    """What the tiny scenario made, for the capability checks to reuse."""

    person: port.Person
    msa: port.MicrosoftAccount
    apple: port.AppleId
    device: str
    entry: port.AccountEntry


class _Run:
    def __init__(self, target: GuardedTarget):
        self.target = target
        self.checks: list[Check] = []
        self.scene = _Scene()

    def check(self, name: str, call: Callable[[], Any],
              verify: Callable[[Any], str | None] | None = None,
              refusal_expected: bool = False) -> Any:
        """Run ``call``; OK unless it raises or ``verify`` names a problem."""
        try:
            value = call()
        except port.CapabilityMissing as exc:
            self.checks.append(Check(name, False, f"unexpected CapabilityMissing: {exc}"))
            return None
        except Exception as exc:
            detail = exc.detail if isinstance(exc, port.TargetError) else (
                f"{type(exc).__name__}: {exc}")
            if refusal_expected and "HTTP 4" in detail:
                detail += (" -- a refusal is an answer: 200 with an Outcome whose ok is "
                           "false and whose code says why, not an HTTP error")
            self.checks.append(Check(name, False, detail))
            return None
        problem = verify(value) if verify else None
        detail = problem or ("" if value is None else _brief(value))
        self.checks.append(Check(name, problem is None, detail))
        return value if problem is None else None


def _brief(value: Any) -> str:
    if isinstance(value, port.Outcome):
        return value.code.value
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _ok_outcome(value: port.Outcome) -> str | None:
    if not value.ok:
        return f"refused the happy path: {value.code.value} {value.message!r}"
    return None


# ---------------------------------------------------------------- the checks


def _info_checks(inner: Any, profile: str) -> list[Check]:
    info: port.TargetInfo = getattr(inner, "info", None)  # type: ignore[assignment]
    try:
        check_value(info, port.TargetInfo, "info")
    except Exception as exc:
        return [Check("target info", False, f"malformed: {exc}")]
    problems = []
    if not info.name:
        problems.append("empty name")
    if info.profile != profile:
        problems.append(f"profile {info.profile!r}, asked for {profile!r}")
    for half in ("app", "world"):
        if getattr(inner, half, None) is None:
            problems.append(f"no .{half}")
    caps = ", ".join(sorted(c.value for c in info.capabilities)) or "none"
    detail = "; ".join(problems) or f"{info.name} {info.version}; capabilities: {caps}"
    return [Check("target info", not problems, detail)]


def _mandatory(run: _Run) -> bool:
    """The tiny scenario; False if it broke too early to go on."""
    world, app, s = run.target.world, run.target.app, run.scene
    person = run.check("create_person", world.create_person)
    if person is None:
        return False
    s.person = person
    msa = run.check("create_microsoft_account",
                    lambda: world.create_microsoft_account(person.id))
    apple = run.check("create_apple_id", lambda: world.create_apple_id(person.id))
    device = run.check("create_device",
                       lambda: world.create_device(person.id, port.Platform.IOS, "6.8.0"),
                       lambda d: None if d else "empty device id")
    if msa is None or apple is None or device is None:
        return False
    s.msa, s.apple, s.device = msa, apple, device
    run.check("sign_in_to_icloud",
              lambda: world.sign_in_to_icloud(device, apple.username, apple.password),
              _ok_outcome)
    run.check("add_personal_account",
              lambda: app.add_personal_account(device, msa.username, msa.password),
              _ok_outcome)
    entries = run.check("list_accounts", lambda: app.list_accounts(device),
                        lambda es: None if len(es) == 1 else f"{len(es)} entries, expected 1")
    if not entries:
        return False
    s.entry = entries[0]
    code = run.check("current_code", lambda: app.current_code(device, s.entry.id),
                     lambda c: None if c else "no code shown")
    typed = typed_code(code)  # as a person types it: without the spaces it may show
    if typed:
        run.check("provider_accepts_code",
                  lambda: world.provider_accepts_code(msa.id, typed, device),
                  lambda ok: None if ok else "the provider refused the code the app shows")
    run.check("screen", lambda: app.screen(device),
              lambda sc: None if sc.backup_setting else "no backup setting on an iPhone 6.8.0")
    run.check("turn_on_backup",
              lambda: app.turn_on_backup(device, msa.username, msa.password), _ok_outcome)
    run.check("now", world.now)
    return True


def _refused_as(family: str) -> Callable[[port.Outcome], str | None]:
    codes = families.family(family)

    def verify(outcome: port.Outcome) -> str | None:
        if outcome.ok:
            return f"accepted ({outcome.code.value}); expected a refusal ({family})"
        if outcome.code not in codes:
            return (f"refused as {outcome.code.value}, not one of "
                    f"{', '.join(sorted(c.value for c in codes))} ({family})")
        return None
    return verify


def _refusals(run: _Run) -> None:
    """One refusal of each family, each answered as an Outcome with a code of it; the
    ones that need a capability only where it is declared."""
    world, app, s = run.target.world, run.target.app, run.scene

    def refusal(family: str, call: Callable[[], port.Outcome],
                *needs: port.Capability) -> None:
        name = f"refusal: {family}"
        missing = [c.value for c in needs if not run.target.has(c)]
        if missing:
            run.checks.append(Check(name, True, f"needs capability {', '.join(missing)}: "
                                                "not checked"))
            return
        run.check(name, call, _refused_as(family), refusal_expected=True)

    # pressed only if the app shows the button (authconform/spec/person.py)
    run.check("refusal: existing accounts",
              lambda: start_recovery(app, s.device, s.msa.username, s.msa.password),
              lambda o: None if not o.ok and o.code is port.OutcomeCode.EXISTING_ACCOUNTS
              else f"answered {o.code.value}, expected EXISTING_ACCOUNTS "
                   "(the phone holds the account that is backed up)",
              refusal_expected=True)
    second = run.check("create_device (a second iPhone)",
                       lambda: world.create_device(s.person.id, port.Platform.IOS, "6.8.0"))
    other = run.check("create_microsoft_account (never backed up)",
                      lambda: world.create_microsoft_account(s.person.id))
    if second is None or other is None:
        return
    # an account the phone does not hold yet: an app may say at once that it holds one
    refusal("wrong sign-in", lambda: app.add_personal_account(
        second, other.username, other.password + "-not-it"))
    refusal("iCloud needed", lambda: app.begin_recovery(second, s.msa.username,
                                                         s.msa.password))
    run.check("sign_in_to_icloud (the second iPhone)",
              lambda: world.sign_in_to_icloud(second, s.apple.username, s.apple.password),
              _ok_outcome)
    # any refusal: the app may also ask for the account that made the backup it sees
    run.check("refusal: no backup for this account",
              lambda: app.begin_recovery(second, other.username, other.password),
              lambda o: f"accepted ({o.code.value}); expected a refusal" if o.ok else None,
              refusal_expected=True)

    def work_account_as_recovery_account() -> port.Outcome:
        # on a phone of its own, with an Apple ID of its own: the second iPhone shares
        # the first one's iCloud, where backup is on, and an app may say that first
        third = world.create_device(s.person.id, port.Platform.IOS, "6.8.0")
        apple = world.create_apple_id(s.person.id)
        world.sign_in_to_icloud(third, apple.username, apple.password)
        tenant = world.create_tenant()
        work = world.create_work_account(tenant.id, s.person.id)
        return app.turn_on_backup(third, work.username, work.password)
    refusal("not a personal account", work_account_as_recovery_account)

    def unreadable_qr() -> port.Outcome:
        outcome = app.scan_qr(second, b"not a picture of a QR code")
        if outcome.code is port.OutcomeCode.CAMERA_PERMISSION_NEEDED:
            app.answer_camera_prompt(second, True)
            outcome = app.scan_qr(second, b"not a picture of a QR code")
        return outcome
    refusal("QR not accepted", unreadable_qr)

    def offline() -> port.Outcome:
        world.set_device_online(second, False)
        try:
            return app.add_personal_account(second, other.username, other.password)
        finally:
            world.set_device_online(second, True)
    refusal("no connection", offline, port.Capability.NETWORK)

    def account_problem() -> port.Outcome:
        world.set_account_problem(other.id, True)
        try:
            return app.add_personal_account(second, other.username, other.password)
        finally:
            world.set_account_problem(other.id, False)
    refusal("account problem", account_problem, port.Capability.ACCOUNT_PROBLEMS)

    _stale(run, other)


def _stale(run: _Run, other: port.MicrosoftAccount) -> None:
    """The red dot (000 only, so the current profile): a lapsed sign-in and a change
    waiting, then the mark selected only if it shows, as a person would."""
    world, app, s = run.target.world, run.target.app, run.scene
    names = ("refusal: sign-in needed", "refusal: not the recovery account")
    if run.target.info.profile != "current":
        run.checks += [Check(n, True, "the 2019 article has no red dot: not checked")
                       for n in names]
        return
    if not run.target.has(port.Capability.SESSIONS):
        run.checks += [Check(n, True, "needs capability sessions: not checked")
                       for n in names]
        return
    run.check("lapse_recovery_sign_in", lambda: world.lapse_recovery_sign_in(s.msa.id))
    site = run.check("create_site_account",
                     lambda: world.create_site_account(s.person.id, "Selftest"))
    if site is None:
        return
    run.check("enter_code_manually (a change while the sign-in has lapsed)",
              lambda: app.enter_code_manually(s.device, site.issuer, site.username,
                                              site.secret), _ok_outcome)
    screen = run.check("screen (after the change)", lambda: app.screen(s.device))
    if screen is None:
        return
    if not screen.red_dot:
        run.checks += [Check(n, True, "no red dot shows (the app may mark only a restore "
                                      "that waits for a sign-in): not checked", warning=True)
                       for n in names]
        return
    run.check(names[0], lambda: app.select_backup_warning(s.device),
              _refused_as("sign-in needed"), refusal_expected=True)

    def other_account() -> port.Outcome:
        outcome = app.sign_in_to_update_backup(s.device, other.password, other.username)
        app.sign_in_to_update_backup(s.device, s.msa.password)  # up to date again
        return outcome
    run.check(names[1], other_account, _refused_as("not the recovery account"),
              refusal_expected=True)


def _declarations(info: port.TargetInfo) -> Check:
    try:
        lines = declarations.warnings(info)
    except Exception as exc:  # the feature files, not the target: say so, do not fail it
        return Check("declarations", True, f"not checked: {type(exc).__name__}: {exc}",
                     warning=True)
    if not lines:
        return Check("declarations", True, "every parameter and reading a scenario needs")
    return Check("declarations", True, "\n".join(lines), warning=True)


def _omitted(inner: Any) -> list[Check]:
    """Members the target's answers left out (an HTTP service may), read as their
    default or as null: named, so the team knows what the harness assumed."""
    omitted = getattr(inner, "omitted_members", None)
    if omitted is None:
        return []
    if not omitted:
        return [Check("omitted members", True, "none: every answer had every member")]
    return [Check("omitted members", True, "left out, read as their default or null: "
                  + ", ".join(sorted(omitted)), warning=True)]


def _unknown(inner: Any) -> list[Check]:
    """Members the target's answers had that the port does not know (an HTTP service of
    a newer minor version may add some): ignored, and named, so that a misspelt member
    -- whose right name then reads as its default or null -- does not pass unseen."""
    unknown = getattr(inner, "unknown_members", None)
    if unknown is None:
        return []
    if not unknown:
        return [Check("unknown members", True, "none: every answer member is the port's")]
    return [Check("unknown members", True, "not the port's, ignored: "
                  + ", ".join(sorted(unknown)), warning=True)]


def _capability_exercises(run: _Run) -> dict[port.Capability, Callable[[], str | None]]:
    """One small use of each capability; returns a problem or None."""
    world, app, s = run.target.world, run.target.app, run.scene

    def clock() -> str | None:
        before = world.now()
        world.advance_clock(1.0)
        after = world.now()
        return None if after >= before + 1.0 else f"now() went {before} -> {after}"

    def network() -> str | None:
        world.set_device_online(s.device, False)
        world.set_device_online(s.device, True)
        world.set_service_online("msa", False)
        world.set_service_online("msa", True)
        return None

    def sessions() -> str | None:
        world.lapse_recovery_sign_in(s.msa.id)
        return None

    def tamper() -> str | None:
        world.tamper_backup(port.Store.ICLOUD, s.apple.username, "flip")
        return None

    def storage_management() -> str | None:
        world.delete_backup(port.Store.ICLOUD, s.apple.username)
        return None

    def store_inspection() -> str | None:
        objects = world.stored_objects()
        return None if objects else "no stored object after turning on backup"

    def messages() -> str | None:
        world.messages(s.msa.alternate_email or s.msa.username)
        return None

    def admin() -> str | None:
        tenant = world.create_tenant()
        view = world.admin_view(tenant.id)
        world.unregister_device(tenant.id, s.device)
        return None if view.tenant_id == tenant.id else f"admin_view of {view.tenant_id!r}"

    def traffic() -> str | None:
        return None if world.traffic() else "no traffic recorded after a sign-in"

    def device_inspection() -> str | None:
        world.device_secrets(s.device)
        return None

    def faults() -> str | None:
        world.inject_fault(port.FAULT_POINTS[0])
        world.clear_faults()
        return None

    def backup_contents() -> str | None:
        world.put_account_data(s.msa.id, "mail", "self-test mail")
        contents = world.backup_contents(port.Store.ICLOUD, s.apple.username)
        if contents is None or not contents.entries:
            return "no backup contents after turning on backup"
        return None

    def backup_key() -> str | None:
        key = world.backup_key(port.Store.ICLOUD, s.apple.username)
        return None if key else "no backup key after turning on backup"

    def account_problems() -> str | None:
        world.set_account_problem(s.msa.id, True)
        world.set_account_problem(s.msa.id, False)
        return None

    def os_settings() -> str | None:
        world.set_camera_access(s.device, False)
        world.set_camera_access(s.device, True)
        return None

    def phone_backup_deletion() -> str | None:
        outcome = app.delete_backup_from_phone(s.device)
        return None if outcome.ok else f"deleting the backup answered {outcome.code}"

    def app_restart() -> str | None:
        before = [e.id for e in app.list_accounts(s.device)]
        app.restart_app(s.device)
        after = [e.id for e in app.list_accounts(s.device)]
        return None if before == after else (f"accounts {before} became {after} after the "
                                             "app was closed and opened again")

    def restart() -> str | None:
        before = [e.id for e in app.list_accounts(s.device)]
        world.restart_service()
        after = [e.id for e in app.list_accounts(s.device)]
        return None if before == after else f"accounts {before} became {after} after restart"

    return {
        port.Capability.CLOCK: clock, port.Capability.NETWORK: network,
        port.Capability.SESSIONS: sessions, port.Capability.STORE_INSPECTION: store_inspection,
        port.Capability.MESSAGES: messages, port.Capability.ADMIN: admin,
        port.Capability.TRAFFIC: traffic, port.Capability.DEVICE_INSPECTION: device_inspection,
        port.Capability.FAULTS: faults, port.Capability.RESTART: restart,
        port.Capability.APP_RESTART: app_restart,
        port.Capability.BACKUP_CONTENTS: backup_contents,
        port.Capability.BACKUP_KEY: backup_key,
        port.Capability.ACCOUNT_PROBLEMS: account_problems,
        port.Capability.OS_SETTINGS: os_settings,
        # last: they damage and delete the backup the others may look at
        port.Capability.TAMPER: tamper,
        port.Capability.STORAGE_MANAGEMENT: storage_management,
        port.Capability.PHONE_BACKUP_DELETION: phone_backup_deletion,
    }


def _undeclared_call(target: Any, capability: port.Capability) -> None:
    """Call the first operation needing ``capability`` with placeholder arguments: the
    guard must refuse it before the adapter sees them."""
    operation = next(op for op, cap in port.CAPABILITY_OF.items() if cap is capability)
    protocol, half = ((port.WorldPort, target.world) if hasattr(port.WorldPort, operation)
                      else (port.AppPort, target.app))
    params = list(inspect.signature(getattr(protocol, operation)).parameters)[1:]
    getattr(half, operation)(*(["placeholder"] * len(params)))


def _capabilities(run: _Run) -> None:
    exercises = _capability_exercises(run)
    ordered = [*exercises, *(c for c in port.Capability if c not in exercises)]
    for capability in ordered:
        name = f"capability {capability.value}"
        if run.target.has(capability):
            if capability not in exercises:
                run.checks.append(Check(name, True, "declared; this self-test has no "
                                                    "exercise for it yet"))
            elif run.check(name, exercises[capability], lambda problem: problem) is None and (
                    run.checks[-1].ok):
                run.checks[-1] = Check(name, True, "declared; works")
            continue
        try:
            _undeclared_call(run.target, capability)
        except port.CapabilityMissing:
            run.checks.append(Check(name, True, "not declared: CapabilityMissing"))
        except Exception as exc:
            run.checks.append(Check(name, False, f"not declared, yet {type(exc).__name__}: "
                                                 f"{exc}"))
        else:
            run.checks.append(Check(name, False, "not declared, yet the call went through"))


# ---------------------------------------------------------------- entry points


def run_selftest(adapter_name: str, options: dict[str, str] | None = None, *,
                 profile: str = "current", seed: int = 0, op_timeout: float = 10.0,
                 mutant: str | None = None) -> list[Check]:
    """Every check, in order. Raises ``AdapterLoadError`` if the adapter cannot be
    loaded, configured or started."""
    adapter = load_adapter(adapter_name)
    checks = [Check("load adapter", True, f"{adapter_name} -> {type(adapter).__name__}")]
    config = TargetConfig(seed=seed, profile=profile, mutant=mutant, op_timeout=op_timeout,
                          options=dict(options or {}))
    started = time.monotonic()
    try:
        adapter.start(config)
    except AdapterLoadError:
        raise
    except Exception as exc:
        return [*checks, Check("start", False, f"{type(exc).__name__}: {exc}")]
    checks.append(Check("start", True, f"{time.monotonic() - started:.2f} s"))
    try:
        try:
            inner = adapter.new_target(seed)
        except Exception as exc:
            return [*checks, Check("new_target", False, f"{type(exc).__name__}: {exc}")]
        checks.append(Check("new_target", True, type(inner).__name__))
        checks += _info_checks(inner, profile)
        if not checks[-1].ok:
            return checks
        checks.append(_port_version(inner, versions.declared_in(adapter)))
        checks.append(_declarations(inner.info))
        target = GuardedTarget(inner, op_timeout)
        run = _Run(target)
        try:
            if _mandatory(run):
                _refusals(run)
                _capabilities(run)
        finally:
            try:
                target.close()
            except Exception as exc:
                run.checks.append(Check("close", False, f"{type(exc).__name__}: {exc}"))
        return checks + run.checks + _omitted(inner) + _unknown(inner)
    finally:
        try:
            adapter.stop()
        except Exception as exc:
            checks.append(Check("stop", False, f"{type(exc).__name__}: {exc}"))


def _port_version(inner: Any, where: str = "TargetInfo.port_version") -> Check:
    """The port version the target declares (in ``where``): another major version is
    refused like at the start of a run (``AdapterLoadError``, exit 2); another minor is a
    warning."""
    info: port.TargetInfo = inner.info
    try:
        note = versions.check(info.port_version, f"target {info.name!r}", where)
    except versions.VersionRefused as exc:
        with contextlib.suppress(Exception):  # the refusal is what the user must see
            inner.close()
        raise AdapterLoadError(str(exc)) from None
    return Check("port version", True, note or info.port_version, warning=note is not None)


def format_table(checks: Sequence[Check]) -> str:
    width = max((len(c.name) for c in checks), default=5)
    indent = " " * (width + 10)
    lines = [f"{'CHECK':<{width}}  RESULT  DETAIL"]
    for c in checks:
        detail = c.detail.replace("\n", "\n" + indent)
        lines.append(f"{c.name:<{width}}  {c.result:<6}  {detail}")
    failed = sum(not c.ok for c in checks)
    warned = sum(c.ok and c.warning for c in checks)
    lines.append(f"{len(checks) - failed} OK ({warned} with a warning), {failed} FAIL")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="authconform self-test",
        description="Check an adapter's wiring in seconds: load, start, one target, each "
                    "mandatory operation once, each capability.",
        epilog="exit codes: 0 all OK, 3 adapter broken, 2 adapter cannot be loaded")
    parser.add_argument("--sut", default="sim",
                        help="adapter: built-in name, entry point or module:attribute")
    parser.add_argument("--sut-config", default=None,
                        help="adapter options file (TOML or YAML, [sut] table)")
    parser.add_argument("--op-timeout", type=float, default=10.0,
                        help="seconds one operation may take (default: 10)")
    parser.add_argument("--profile", choices=["current", "2019"], default="current",
                        help="document profile the target is checked for (default: current)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the checks' random choices (default: 0)")
    return parser.parse_args(list(argv) if argv is not None else None)


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """Entry for ``authconform self-test``: an argparse namespace from the CLI (``sut``,
    ``sut_config``, ``op_timeout``, ``profile``, ``seed``) or the arguments to parse."""
    ns = args if isinstance(args, argparse.Namespace) else parse(args)
    sut = getattr(ns, "sut", "sim")
    try:
        options = read_options(getattr(ns, "sut_config", None))
        checks = run_selftest(sut, options, profile=getattr(ns, "profile", None) or "current",
                              seed=getattr(ns, "seed", None) or 0,
                              op_timeout=getattr(ns, "op_timeout", None) or 10.0)
    except AdapterLoadError as exc:
        print(f"authconform self-test: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"self-test of adapter {sut!r}")
    print(format_table(checks))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_BROKEN


if __name__ == "__main__":
    sys.exit(main())
