"""Faults during backup and recovery (area FAULT): injected network cuts and store
failures, services that stop answering, a restarting service, two phones writing at once.

Faults go through ``WorldPort.inject_fault`` with the names of ``port.FAULT_POINTS``
(capability faults), services through ``set_service_online`` (capability network) and
restarts through ``restart_service`` (capability restart); a target without one makes
the scenario not-applicable.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import AccountEntry, AlertCode, Outcome, OutcomeCode
from authconform.spec.allowed import allowed
from steps import promised
from steps.accounts import shown_labels
from steps.cast import AccountKey, Cast, split_labels, tile_key

# The moments at which the network drops, in the words of the feature file.
NETWORK_DROPS = {
    "before the key is fetched": "network_drop_before_key_fetch",
    "during the upload": "network_drop_during_upload",
    "after the upload, before the app records success": "network_drop_after_upload",
    "during the download": "network_drop_during_download",
    "after the download": "network_drop_after_download",
}
STORE_MISHAPS = {
    "fail": "store_write_fails",
    "lose": "store_write_lost",
    "truncate": "store_corrupts_next_write",
}
SERVICES = {
    "iCloud": "icloud",
    "Microsoft's cloud storage": "microsoft-storage",
    "the backup key holder": "key-service",
    "the Microsoft account service": "msa",
}


def _known(table: dict[str, str], phrase: str) -> str:
    assert phrase in table, f"unknown phrase {phrase!r}; use one of {sorted(table)}"
    return table[phrase]


# The signs that the cloud copy lags behind the phone (a pending or failed upload).
UNFINISHED = frozenset({AlertCode.BACKUP_PENDING, AlertCode.BACKUP_FAILED})


def _accounts(entries: list[AccountEntry]) -> list[AccountKey]:
    return [tile_key(e) for e in entries]


# ------------------------------------------------------------------ arming faults
@given(parsers.parse("the network will drop {moment}"))
@allowed(moment=NETWORK_DROPS)
def _(cast: Cast, moment: str) -> None:
    cast.target.world.inject_fault(_known(NETWORK_DROPS, moment))


@given(parsers.parse("the cloud store will {mishap} the next write"))
@allowed(mishap=STORE_MISHAPS)
def _(cast: Cast, mishap: str) -> None:
    cast.target.world.inject_fault(_known(STORE_MISHAPS, mishap))


@given("the key service will fail once")
def _(cast: Cast) -> None:
    cast.target.world.inject_fault("key_service_unavailable")


@when(parsers.parse("{service} stops answering"))
@allowed(service=SERVICES)
def _(cast: Cast, service: str) -> None:
    cast.target.world.set_service_online(_known(SERVICES, service), False)


@when(parsers.parse("{service} answers again"))
@allowed(service=SERVICES)
def _(cast: Cast, service: str) -> None:
    cast.target.world.set_service_online(_known(SERVICES, service), True)


@when("the backup service restarts")
def _(cast: Cast) -> None:
    cast.target.world.restart_service()


# ------------------------------------------------------------------ coming back online
# Only the robustness scenarios of faults.feature use this step, and it tells "sent" by
# the app's own alerts, which the documents never describe: a failure stays with the
# scenario's robustness requirement. That an offline change goes up once the phone is
# back online is documented (REQ-TROUBLE-02) and has scenarios of its own, which look
# at the storage location instead.
@when(parsers.parse('the "{phone}" is back online and sends what waited'))
def _(cast: Cast, phone: str) -> None:
    cast.target.world.set_device_online(cast.phone(phone).id, True)
    waiting = cast.alerts(phone, UNFINISHED)
    assert not waiting, f"the {phone} is back online, yet still shows {waiting}"


# ------------------------------------------------------------------ the stored copy
# ------------------------------------------------------------------ what the phone says
@then(parsers.parse('the "{phone}" shows that the backup has not finished'))
def _(cast: Cast, phone: str) -> None:
    assert cast.alerts(phone, UNFINISHED), (
        f"the {phone} gives no sign that its backup did not reach the cloud")


@then(parsers.parse('the "{phone}" shows that the backup is up to date'))
def _(cast: Cast, phone: str) -> None:
    screen = cast.target.app.screen(cast.phone(phone).id)
    assert screen.backup_on and not screen.red_dot, screen
    assert not cast.alerts(phone, UNFINISHED), screen.alerts


# A cut upload must leave the previous complete backup (REQ-FAULT-01): a later recovery
# that is refused, or brings something else, says it did not. But a recovery that brings
# more accounts than the stored backup holds restored what came later, which a recovery
# from an out-of-date backup must miss (REQ-STALE-04): charged there, where the target
# shows its backups.
PREVIOUS_KEPT, LATER_MISSED = "REQ-FAULT-01", "REQ-STALE-04"


def _nothing_later(cast: Cast, phone: str, shown: list[str]) -> None:
    p = cast.phone(phone)
    msa = cast.msa(p.owner)
    stored = promised.stored_backup(cast, p, msa)
    if stored is not None:
        with owned_by(LATER_MISSED):
            assert len(shown) <= len(stored.entries), (
                f"the {phone} shows {len(shown)} accounts after recovery, the backup holds "
                f"{len(stored.entries)}")


@then(parsers.parse('the recovery on the "{phone}" brings back the previous backup: the '
                    'accounts "{labels}" and no others'))
def _(cast: Cast, outcome: Outcome, phone: str, labels: str) -> None:
    with owned_by(PREVIOUS_KEPT):
        assert outcome.ok, f"after the cut upload, recovery answered {outcome}"
    shown = shown_labels(cast, phone)
    _nothing_later(cast, phone, shown)
    with owned_by(PREVIOUS_KEPT):
        assert sorted(shown) == sorted(split_labels(labels)), (
            f"recovered {shown}, not the previous backup")


@then(parsers.parse('the "{phone}" shows the accounts "{labels}" and no others, or recovery '
                    'was refused with "{code}" and it shows no accounts'))
def _(cast: Cast, outcome: Outcome, phone: str, labels: str, code: str) -> None:
    p = cast.phone(phone)
    shown = shown_labels(cast, phone)
    if outcome.ok:  # the order is REQ-STORED-04's, not this requirement's
        _nothing_later(cast, phone, shown)
        assert sorted(shown) == sorted(split_labels(labels)), (
            f"recovered {shown}, not the previous backup")
        return
    assert outcome.code == OutcomeCode(code), outcome
    assert outcome.message.strip(), f"{outcome.code} came without a message for the user"
    assert shown == [], f"refused, yet the {phone} shows {shown}"
    assert not cast.target.app.screen(p.id).backup_on


# ------------------------------------------------------------------ two writers
@then(parsers.parse('the "{phone}" shows every account of the "{first}" or of the '
                    '"{second}", or of both, and nothing else'))
def _(cast: Cast, phone: str, first: str, second: str) -> None:
    app = cast.target.app
    got = _accounts(app.list_accounts(cast.phone(phone).id))
    one = _accounts(app.list_accounts(cast.phone(first).id))
    two = _accounts(app.list_accounts(cast.phone(second).id))
    assert len(set(got)) == len(got), f"an account came back twice: {got}"
    allowed = [set(one), set(two), set(one) | set(two)]
    assert set(got) in allowed, (
        f"recovered {got}; expected the accounts of the {first} {one}, "
        f"of the {second} {two}, or of both")
