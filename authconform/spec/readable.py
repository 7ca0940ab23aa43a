"""What of a person's data could be read, without a key, in stored bytes or traffic.

The forms a text may take there (as typed, lower case, UTF-16; a base32 secret also as
the key bytes it stands for), which texts are worth looking for at all, and what a
call's payload carries of the person's accounts. Shared by the steps and the explorer,
so that both judge alike.

Two kinds of text are not looked for, because finding them proves nothing:

* a text shorter than ``LONG_ENOUGH`` bytes: a few hundred bytes of ciphertext hold a
  given two- or three-byte string by chance (an organisation called "3M" turned up in
  about one backup in a hundred);
* the name of a site or an organisation. It names a third party that many people share,
  it is chosen by whoever runs that party (a work tenant may be called "Microsoft"), and
  the app may write the same word in its own label beside the ciphertext. What is the
  person's own is their user names, passwords, contact details and secrets.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from authconform.spec.mentions import mentions

LONG_ENOUGH = 8  # bytes


def plain_forms(value: str) -> list[bytes]:
    """The ways a text could sit readable in stored bytes or traffic."""
    forms = {value.encode(), value.lower().encode(), value.encode("utf-16-le")}
    return [f for f in forms if f]


def secret_forms(secret: str) -> list[bytes]:
    """A base32 secret as typed and as the raw key bytes it stands for."""
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return [*plain_forms(secret), base64.b32decode(padded)]


def worth_finding(forms: Iterable[bytes]) -> list[bytes]:
    """The forms long enough that finding one is no chance."""
    return [f for f in forms if len(f) >= LONG_ENOUGH]


def carried(payload: bytes, names: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Which of a person's names (each as a whole word, ``spec.mentions``) and secrets
    (in any form worth finding) ``payload`` holds readable."""
    texts = [payload.decode("utf-8", "replace"), payload.decode("utf-16-le", "replace")]
    # four letters and more: a shorter word turns up by chance in binary
    found = [name for name, _ in mentions(texts, [n for n in names
                                                  if len(n) >= LONG_ENOUGH // 2])]
    found += [secret for secret in secrets
              if any(form in payload for form in worth_finding(secret_forms(secret)))]
    return found
