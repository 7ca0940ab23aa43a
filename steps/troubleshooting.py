"""Why a backup can be unavailable (area TROUBLE)."""

from pytest_bdd import given, parsers, when

from steps.cast import Cast


# ------------------------------------------------------------------ the recovery account
@given(parsers.parse("{name:w}'s personal Microsoft account has a problem of its own"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, True)


@when(parsers.parse("the problem with {name:w}'s personal Microsoft account is solved"))
def _(cast: Cast, name: str) -> None:
    cast.target.world.set_account_problem(cast.msa(name).id, False)
