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
