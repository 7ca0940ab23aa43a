"""Additional verification of restored accounts (area VERIFY)."""

from pytest_bdd import parsers, then

from authconform.port import AlertCode
from steps.cast import Cast


@then(parsers.parse('the alert on the "{label}" counts or names the {count:d} waiting '
                    "accounts"))
def _(cast: Cast, label: str, count: int) -> None:
    phone = cast.phone(label)
    waiting = [e for e in cast.target.app.list_accounts(phone.id) if e.needs_verification]
    assert len(waiting) == count, waiting
    alerts = [a for a in cast.target.app.screen(phone.id).alerts
              if a.code is AlertCode.VERIFICATION_NEEDED]
    assert any(str(count) in a.message or all(e.username in a.message for e in waiting)
               for a in alerts), alerts
