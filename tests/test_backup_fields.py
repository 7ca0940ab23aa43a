"""How the steps read a decrypted backup (steps/promised.py): the documents say what is
kept, never how, so an account may be a field each or one otpauth:// URI, and a secret
base32, hex or base64."""

from __future__ import annotations

import base64

from authconform.port import AccountKind, BackedUpEntry
from steps.promised import field_values, same_secret

SECRET = "JBSWY3DPEHPK3PXP"
KEY = base64.b32decode(SECRET)


def test_an_otpauth_uri_gives_its_issuer_user_name_and_secret() -> None:
    entry = BackedUpEntry(AccountKind.THIRD_PARTY, {
        "uri": f"otpauth://totp/Git%20Hub:alex%40example.org?secret={SECRET}&issuer=Git+Hub"})
    values = field_values(entry)
    assert {"Git Hub", "alex@example.org", SECRET} <= set(values)


def test_plain_fields_are_their_own_values() -> None:
    entry = BackedUpEntry(AccountKind.PERSONAL, {"user": "alex@example.org"})
    assert field_values(entry) == ["alex@example.org"]


def test_a_secret_is_the_same_in_base32_hex_or_base64() -> None:
    for form in (SECRET, SECRET.lower(), "jbsw y3dp ehpk 3pxp", KEY.hex(),
                 base64.b64encode(KEY).decode(), base64.urlsafe_b64encode(KEY).decode()):
        assert same_secret(form, SECRET), form


def test_another_secret_or_a_plain_word_is_not_the_secret() -> None:
    other = base64.b32encode(b"another key!").decode()
    for form in (other, "alex@example.org", "", "6", KEY.hex()[:-2]):
        assert not same_secret(form, SECRET), form
