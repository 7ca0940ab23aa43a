"""How the app's words are compared with the documents' words.

The documents name a label's words (a setting, a button, an option); case and spacing
are the app's own, and so is joining two words with a hyphen. Shared by the steps and
the explorer, so that both judge alike.
"""

from __future__ import annotations

# Joining marks an app may write between words ("Sign-in to recover"): the documents
# give the words, not how they are joined, so these read as spaces.
_JOINERS = str.maketrans({"-": " ", "\u2010": " ", "\u2011": " ", "\u2013": " ",
                          "_": " "})


def normal(text: str) -> str:
    """``text`` with its words joined by single spaces (hyphens count as spaces) and its
    case folded."""
    return " ".join(text.translate(_JOINERS).split()).casefold()


def same_words(shown: str, named: str) -> bool:
    """Does ``shown`` read ``named``, case and spacing aside?"""
    return normal(shown) == normal(named)


def typed_code(shown: str | None) -> str | None:
    """A code as a person types it from the tile: without the spaces an app may group
    its digits with ("123 456"). The documents give codes no format; None stays None."""
    return None if shown is None else "".join(shown.split())


def wrong_code(real: str) -> str:
    """A code of ``real``'s own shape that is not ``real``: what a person mistypes. The
    documents give a verification code no length or alphabet, and an app may refuse a
    code of another shape as malformed before it is wrong, so the alphabet is kept:
    digits move on by one (0-9 is every digit alphabet); a code with no digit is turned
    by one place (its own letters, in another order); one letter repeated moves on by
    one in its case."""
    if any(c.isdigit() for c in real):
        return "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in real)
    if len(set(real)) > 1:
        return real[1:] + real[0]
    return "".join(chr((ord(c) - ord(base) + 1) % 26 + ord(base))
                   if c.isascii() and c.isalpha() else c
                   for c in real for base in ["a" if c.islower() else "A"])
