"""Verification codes after recovery (area CODES)."""

from pytest_bdd import parsers, then, when

from steps.cast import Cast


@then(parsers.parse('the "{label}" provider refuses a code that neither phone shows'))
def _(cast: Cast, codes: dict[str, str | None], label: str) -> None:
    shown = [c for c in codes.values() if c is not None]
    width = len(shown[0]) if shown else 8  # a code of the shown length, so it could pass
    made_up = next(f"{n:0{width}d}" for n in range(10**width) if f"{n:0{width}d}" not in shown)
    for phone in codes:
        account = cast.account_on(phone, label)
        assert not cast.target.world.provider_accepts_code(account.id, made_up,
                                                           cast.phone(phone).id)


@when(parsers.parse('{name:w} notes the "{label}" code on the "{phone}"'),
      target_fixture="noted_code")
def _(cast: Cast, label: str, phone: str) -> str | None:
    return cast.code(phone, label)


@then(parsers.parse('the "{label}" account on the "{phone}" shows a different code than noted'))
def _(cast: Cast, noted_code: str | None, label: str, phone: str) -> None:
    now = cast.code(phone, label)
    assert noted_code is not None and now is not None and now != noted_code


@then(parsers.parse('the "{label}" provider refuses the noted code'))
def _(cast: Cast, noted_code: str | None, label: str) -> None:
    phone = next(iter(cast.phones.values()))
    account = cast.account_on(phone.label, label)
    assert noted_code is not None
    assert not cast.target.world.provider_accepts_code(account.id, noted_code, phone.id)
