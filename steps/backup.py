"""Cloud backup and recovery: turning backup on and off, beginning recovery, the settings
and recovery screens, the red dot, and what the cloud stores hold."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from authconform.gate.preconditions import owned_by
from authconform.port import Capability, MicrosoftAccount, Outcome, OutcomeCode
from authconform.spec.person import start_backup, start_recovery
from authconform.spec.wording import same_words
from steps import promised
from steps.accounts import add_account, add_labelled
from steps.cast import Cast
from steps.inspection import STORE_KIND
from steps.phones import phone_in_use

# Turning backup on with the right personal Microsoft account switches it on
# (REQ-BACKUP-01); a Given that does so leans on that, and on the backup then being
# where the documents put it (steps/promised.py).
TURNS_ON = "REQ-BACKUP-01"
# Recovering with the account that made the backup succeeds (REQ-RECOVERY-02).
RECOVERS = "REQ-RECOVERY-02"


def turned_on(cast: Cast, phone: str, msa: MicrosoftAccount) -> None:
    """Turn backup on, as a Given: it must work, and the backup must be there."""
    p = cast.phone(phone)
    with owned_by(TURNS_ON):
        outcome = cast.target.app.turn_on_backup(p.id, msa.username, msa.password)
        assert outcome.ok, outcome
    promised.backup_written(cast, p, msa)


# ------------------------------------------------------------------ turning backup on/off
@given(parsers.parse('{name:w} has backed up the accounts "{labels}" on the "{phone}"'))
def _(cast: Cast, name: str, labels: str, phone: str) -> None:
    """The usual start: the app on a phone in daily use, these accounts added ('... with
    sign-in notifications' for push), and backup turned on with the recovery account."""
    device_id = phone_in_use(cast, name, phone).id
    add_labelled(cast, name, labels, device_id)  # adding accounts: no one requirement's
    turned_on(cast, phone, cast.msa(name))


@given(parsers.parse('{name:w} has added the "{label}" account to the "{phone}", and the '
                     "backup has it"))
def _(cast: Cast, name: str, label: str, phone: str) -> None:
    """For a scenario that breaks the next upload: the uploads it breaks happen by
    themselves (REQ-BACKUP-06, checked where the target shows its backups)."""
    p = cast.phone(phone)
    outcome = add_account(cast, cast.account(name, label), p.id, push=False)
    assert outcome.ok, outcome
    promised.change_uploaded(cast, p, cast.msa(name), cast.entry(phone, label))


@given(parsers.parse('{name:w} has turned on backup on the "{phone}"'))
def _(cast: Cast, name: str, phone: str) -> None:
    turned_on(cast, phone, cast.msa(name))


@given(parsers.parse('{name:w} has also turned on backup on the "{phone}", where another phone '
                     "backs up"))
def _(cast: Cast, name: str, phone: str) -> None:
    """A second phone joins a storage location another phone backs up to (the same Apple
    ID, or on Android the same recovery account). The documents describe one phone per
    location: an app may refuse the second, and then the scenario's situation cannot
    arise with it (not-applicable, never passed)."""
    msa = cast.msa(name)
    p = cast.phone(phone)
    outcome = start_backup(cast.target.app, p.id, msa.username, msa.password)
    if not outcome.ok:
        pytest.skip(f"the app does not let a second phone back up to one storage location "
                    f"({outcome.code.value}): the scenario cannot arise")
    promised.backup_written(cast, p, msa)


@given(parsers.parse('{name:w} has turned on backup on the "{phone}" with the second Microsoft '
                     "account"))
def _(cast: Cast, name: str, phone: str) -> None:
    turned_on(cast, phone, cast.second_msas[name])


@when(parsers.parse('{name:w} turns on backup on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.msa(name)
    return start_backup(cast.target.app, cast.phone(phone).id, msa.username, msa.password)


@when(parsers.parse('{name:w} turns on backup on the "{phone}" with a wrong password'),
      target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.msa(name)
    return start_backup(cast.target.app, cast.phone(phone).id, msa.username,
                        msa.password + "-wrong")


@when(parsers.parse('{name:w} turns on backup on the "{phone}" signing in with the "{org}" '
                    "work account"), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str, org: str) -> Outcome:
    work = cast.account(name, org)
    return start_backup(cast.target.app, cast.phone(phone).id, work.username, work.password)


@given(parsers.parse('{name:w} has turned off backup on the "{phone}"'))
@when(parsers.parse('{name:w} turns off backup on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    return cast.target.app.turn_off_backup(cast.phone(phone).id)


# ------------------------------------------------------------------ recovery
@given(parsers.parse('{name:w} has recovered the backup on the "{phone}"'))
def _(cast: Cast, name: str, phone: str) -> None:
    msa, p = cast.msa(name), cast.phone(phone)
    before = promised.before_recovery(cast, p, msa)
    with owned_by(RECOVERS):
        outcome = start_recovery(cast.target.app, p.id, msa.username, msa.password)
        assert outcome.ok, outcome
    promised.recovered(cast, name, p, before)


@when(parsers.parse('{name:w} begins recovery on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    """The answer is the scenario's to judge; but a recovery that says it worked must
    have brought what the backup held (checked against the backup read just before)."""
    msa, p = cast.msa(name), cast.phone(phone)
    before = promised.before_recovery(cast, p, msa)
    outcome = start_recovery(cast.target.app, p.id, msa.username, msa.password)
    if outcome.ok:
        promised.recovered(cast, name, p, before)
    return outcome


@when(parsers.parse('{name:w} begins recovery on the "{phone}" with a wrong password'),
      target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.msa(name)
    return start_recovery(cast.target.app, cast.phone(phone).id, msa.username,
                          msa.password + "-wrong")


@given(parsers.parse('{name:w} has tried to begin recovery on the "{phone}" with a wrong '
                     "password"))
def _(cast: Cast, name: str, phone: str) -> None:
    """A recovery turned away at its sign-in, for a scenario about what comes after it:
    any refusal will do (the documents name none for a wrong password), but one that
    went ahead is REQ-RECOVERY-04's failure."""
    msa = cast.msa(name)
    with owned_by("REQ-RECOVERY-04"):
        outcome = start_recovery(cast.target.app, cast.phone(phone).id, msa.username,
                                 msa.password + "-wrong")
        assert not outcome.ok, f"recovery with a wrong password answered {outcome}"


@given(parsers.parse('{name:w} has tried to begin recovery on the "{phone}" while it had no '
                     "network connection"))
def _(cast: Cast, name: str, phone: str) -> None:
    """A recovery cut off by the network, for a scenario about what comes after it: the
    phone goes offline, the attempt is refused and the phone is back online. Any refusal
    will do; one that went ahead offline is REQ-TROUBLE-02's failure."""
    msa, device = cast.msa(name), cast.phone(phone).id
    world = cast.target.world
    world.set_device_online(device, False)
    with owned_by("REQ-TROUBLE-02"):
        outcome = start_recovery(cast.target.app, device, msa.username, msa.password)
        assert not outcome.ok, f"recovery on the {phone} with no network answered {outcome}"
    world.set_device_online(device, True)


@when(parsers.parse('{name:w} begins recovery on the "{phone}" with the second Microsoft '
                    "account"), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.second_msas[name]
    return start_recovery(cast.target.app, cast.phone(phone).id, msa.username, msa.password)


@when(parsers.parse('{name:w} begins recovery on the "{phone}" with {other:w}\'s Microsoft '
                    "account"), target_fixture="outcome")
def _(cast: Cast, phone: str, other: str) -> Outcome:
    msa = cast.msa(other)
    return start_recovery(cast.target.app, cast.phone(phone).id, msa.username, msa.password)


@when(parsers.parse('{name:w} begins recovery on the "{phone}" signing in with the "{org}" '
                    "work account"), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str, org: str) -> Outcome:
    work = cast.account(name, org)
    return start_recovery(cast.target.app, cast.phone(phone).id, work.username, work.password)


# ------------------------------------------------------------------ the red dot
# A backup gone out of date is marked with a red dot or an exclamation icon
# (REQ-STALE-02); while it is out of date, changes stay on the phone (REQ-STALE-01).
# Scenarios about what happens next (signing in again, the prompt, recovering the old
# state) lean on both, so these steps check them and charge a failure there.
MARKED = "REQ-STALE-02"
UPLOADS_STOP = "REQ-STALE-01"


@when(parsers.parse('{name:w}\'s recovery account sign-in lapses'))
def _(cast: Cast, name: str) -> None:
    cast.target.world.lapse_recovery_sign_in(cast.msa(name).id)


# 000 calls the backup's data out of date: an app may mark it as soon as the sign-in
# lapses, or only once a change waits that cannot go up. Scenarios that need the mark
# make such a change first, so that both pass.
@when(parsers.parse('the "{phone}" marks the backup out of date'))
def _(cast: Cast, phone: str) -> None:
    with owned_by(MARKED):
        assert cast.target.app.screen(cast.phone(phone).id).red_dot, (
            f"the recovery sign-in lapsed and a change waits, yet the {phone} shows no "
            "out-of-date mark")


@when(parsers.parse('{name:w} adds the "{label}" account to the "{phone}" while the backup is '
                    "out of date"), target_fixture="outcome")
def _(cast: Cast, name: str, label: str, phone: str) -> Outcome:
    inspect = promised.can(cast, Capability.STORE_INSPECTION)
    before = cast.target.world.stored_objects() if inspect else None
    outcome = add_account(cast, cast.account(name, label), cast.phone(phone).id, push=False)
    if before is not None:
        with owned_by(UPLOADS_STOP):
            assert cast.target.world.stored_objects() == before, (
                f"the {label} account reached the cloud although the backup is out of date")
    return outcome


# Choosing the mark is what asks for the sign-in (REQ-STALE-03); the app's own prompt
# (REQ-STALE-05) is a SHOULD, so no step leans on it.
ASKS_SIGN_IN = "REQ-STALE-03"


def select_mark(cast: Cast, phone: str) -> Outcome:
    """Choose the red dot or exclamation icon, which must be on the screen: nobody can
    choose a mark that is not there (its showing is REQ-STALE-02's)."""
    device_id = cast.phone(phone).id
    with owned_by(MARKED):
        assert cast.target.app.screen(device_id).red_dot, (
            f"the {phone} shows no out-of-date mark to choose")
    return cast.target.app.select_backup_warning(device_id)


def sign_in_again(cast: Cast, phone: str, username: str, password: str) -> Outcome:
    """Sign in where the app offers it: choose the mark, then type into the sign-in it
    asks for; what the sign-in answers is the scenario's to judge."""
    chosen = select_mark(cast, phone)
    with owned_by(ASKS_SIGN_IN):
        assert chosen.code is OutcomeCode.SIGN_IN_REQUIRED, (
            f"choosing the mark on the {phone} asked for no sign-in: {chosen}")
    return cast.target.app.sign_in_to_update_backup(cast.phone(phone).id, password, username)


@when(parsers.parse('{name:w} selects the red dot on the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    return select_mark(cast, phone)


@given(parsers.parse('{name:w} has signed in again to update the backup on the "{phone}"'))
@when(parsers.parse('{name:w} signs in again to update the backup on the "{phone}"'),
      target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.msa(name)
    return sign_in_again(cast, phone, msa.username, msa.password)


@when(parsers.parse('{name:w} signs in again to update the backup on the "{phone}" with a '
                    "wrong password"), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    msa = cast.msa(name)
    return sign_in_again(cast, phone, msa.username, msa.password + "-wrong")


@when(parsers.parse('{name:w} signs in again to update the backup on the "{phone}" with the '
                    "second Microsoft account"), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str) -> Outcome:
    other = cast.second_msas[name]
    return sign_in_again(cast, phone, other.username, other.password)


@when(parsers.parse('{name:w} signs in again to update the backup on the "{phone}" with the '
                    '"{label}" account'), target_fixture="outcome")
def _(cast: Cast, name: str, phone: str, label: str) -> Outcome:
    """With another of the person's accounts, one the app holds (a personal account)."""
    account = cast.account(name, label)
    assert account.password is not None, f"{label} is not an account one signs in to"
    return sign_in_again(cast, phone, account.username, account.password)


@when(parsers.parse('{name:w} deletes the backup from the "{phone}"'), target_fixture="outcome")
def _(cast: Cast, phone: str) -> Outcome:
    return cast.target.app.delete_backup_from_phone(cast.phone(phone).id)


# ------------------------------------------------------------------ what the screens show
@then(parsers.parse('the "{phone}" settings offer "{setting}"'))
def _(cast: Cast, phone: str, setting: str) -> None:
    # The documents name the setting; case and spacing are the app's.
    shown = cast.target.app.screen(cast.phone(phone).id).backup_setting
    assert shown is not None and same_words(shown, setting), (
        f"the {phone} settings offer {shown!r}, not {setting!r}")


@then(parsers.parse('the "{phone}" settings have no backup option'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.screen(cast.phone(phone).id).backup_setting is None


@then(parsers.parse('the "{phone}" shows backup as on'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.screen(cast.phone(phone).id).backup_on


@then(parsers.parse('the "{phone}" shows backup as off'))
def _(cast: Cast, phone: str) -> None:
    assert not cast.target.app.screen(cast.phone(phone).id).backup_on


@then(parsers.parse('the "{phone}" offers to begin recovery'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.screen(cast.phone(phone).id).recovery_offered


@then(parsers.parse('the recovery button on the "{phone}" reads "{label}"'))
def _(cast: Cast, phone: str, label: str) -> None:
    # The documents name the label; case and spacing are the app's.
    shown = cast.target.app.screen(cast.phone(phone).id).recovery_label
    assert shown is not None and same_words(shown, label), shown


@then(parsers.parse('the "{phone}" does not offer recovery'))
def _(cast: Cast, phone: str) -> None:
    assert not cast.target.app.screen(cast.phone(phone).id).recovery_offered


@then(parsers.parse('the "{phone}" shows a red dot'))
def _(cast: Cast, phone: str) -> None:
    assert cast.target.app.screen(cast.phone(phone).id).red_dot


@then(parsers.parse('the "{phone}" shows no red dot'))
def _(cast: Cast, phone: str) -> None:
    assert not cast.target.app.screen(cast.phone(phone).id).red_dot


# ------------------------------------------------------------------ the cloud stores
@then(parsers.parse('{name:w}\'s backup is kept in {store_name} under {owner}'))
def _(cast: Cast, name: str, store_name: str, owner: str) -> None:
    """``owner`` is "the Apple ID" or "the Microsoft account"."""
    store = STORE_KIND[store_name]
    location = (cast.apple_id(name) if owner == "the Apple ID" else cast.msa(name)).username
    held = [o for o in cast.target.world.stored_objects()
            if o.store is store and o.location.lower() == location.lower()]
    assert held, f"nothing is kept in {store_name} under {location}"  # how many: the app's


@then(parsers.parse("nothing is kept in {store_name}"))
def _(cast: Cast, store_name: str) -> None:
    store = STORE_KIND[store_name]
    assert not [o for o in cast.target.world.stored_objects() if o.store is store]


@then("the cloud holds no backup")
def _(cast: Cast) -> None:
    assert cast.target.world.stored_objects() == []


@then(parsers.parse("the cloud holds {count:d} backup"))
@then(parsers.parse("the cloud holds {count:d} backups"))
def _(cast: Cast, count: int) -> None:
    # Stored objects, as the explorer's model counts them (authconform/proof/explore/checks.py).
    assert len(cast.target.world.stored_objects()) == count


@then(parsers.parse("the cloud holds backups in {count:d} storage location"))
@then(parsers.parse("the cloud holds backups in {count:d} storage locations"))
def _(cast: Cast, count: int) -> None:
    # Locations, not objects: how many objects one backup takes is the app's choice.
    held = {(o.store, o.location.lower()) for o in cast.target.world.stored_objects()}
    assert len(held) == count, sorted(held)
