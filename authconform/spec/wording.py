"""How the app's words are compared with the documents' words.

The documents name a label's words (a setting, a button, an option); case and spacing
are the app's own. Shared by the steps and the explorer, so that both judge alike.
"""

from __future__ import annotations


def normal(text: str) -> str:
    """``text`` with its spacing made single and its case folded."""
    return " ".join(text.split()).casefold()


def same_words(shown: str, named: str) -> bool:
    """Does ``shown`` read ``named``, case and spacing aside?"""
    return normal(shown) == normal(named)


def typed_code(shown: str | None) -> str | None:
    """A code as a person types it from the tile: without the spaces an app may group
    its digits with ("123 456"). The documents give codes no format; None stays None."""
    return None if shown is None else "".join(shown.split())
