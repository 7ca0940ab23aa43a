"""When a text someone sees names one of a person's private identifiers.

The documents promise that some people learn nothing of a person's other accounts (000
and 002, the privacy notes: the IT administrator; a refusal shown to whoever typed a
sign-in). They never say how the app or the organisation words what those people see,
and user names are chosen by people: they repeat and nest. A third-party user name
"alex" is no leak inside the work user name "alex@contoso.example", nor in a phone called
"Alex's old iPhone". So an identifier is named only where it stands as a whole word, and
not inside an occurrence of a text the reader may see anyway (``known``). A leak that
happens to contain a known text is still found: only the known text's own span is
excused. Shared by the steps and the explorer, so that both judge alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _spans(text: str, part: str) -> list[tuple[int, int]]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append((at, at + len(part)))
        at = text.find(part, at + 1)
    return found


def mentions(texts: Iterable[str], private: Iterable[str], known: Iterable[str] = ()
             ) -> list[tuple[str, str]]:
    """(identifier, text) for each private identifier a text shows as a whole word
    (case aside) outside every occurrence of a known text."""
    known_parts = {k.strip().lower() for k in known if k.strip()}
    wanted = sorted({p.strip().lower() for p in private if p.strip()} - known_parts)
    found = []
    for text in texts:
        lowered = text.lower()
        covered = [span for k in known_parts for span in _spans(lowered, k)]
        for ident in wanted:
            pattern = rf"(?<![^\W_]){re.escape(ident)}(?![^\W_])"
            if any(not any(a <= m.start() and m.end() <= b for a, b in covered)
                   for m in re.finditer(pattern, lowered)):
                found.append((ident, text))
    return found


def organisation_knows(name: str, domain: str, phone_names: Iterable[str],
                       members: Iterable[tuple[str, str]]) -> set[str]:
    """What an organisation's administrator sees anyway, in which a private name may sit
    by chance: the organisation's name and domain, the names given to the phones, and
    for each member (work user name, person's name) the user name, its part before the
    @, the name and each word of it. Lower case; one-letter scraps left out."""
    known = {name, domain, *phone_names}
    for username, person in members:
        known |= {username, username.split("@")[0], person,
                  *(word.strip(".,'") for word in person.split())}
    return {k.strip().lower() for k in known if len(k.strip(".,' ")) >= 2}
