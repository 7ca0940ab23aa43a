"""Faker, drawing its weighted tables faster, with the very same draws.

Faker keeps names, e-mail words and companies as weighted tables (an ordered mapping of
value to weight, thousands of entries). On every draw it copies the weights and
``random.choices`` adds them up again: most of what naming a person costs, and a tenth
of a whole conformance run. Here each table's running totals are computed once and
handed to ``random.choices`` as ``cum_weights``, which Python's ``random`` turns into
exactly the same pick from the same random numbers. Anything else goes to Faker's own
method. ``tests/test_sim_world.py`` holds the two to identical output.
"""

from __future__ import annotations

import itertools
import types
from collections import OrderedDict
from typing import Any

from faker import Faker
from faker.providers import BaseProvider

_FAKER_RANDOM_ELEMENTS = BaseProvider.random_elements


def _random_elements(self: BaseProvider, elements: Any = ("a", "b", "c"),
                     length: int | None = None, unique: bool = False,
                     use_weighting: bool | None = None) -> Any:
    weighted = use_weighting if use_weighting is not None else self.__use_weighting__
    if not (isinstance(elements, OrderedDict) and weighted and not unique
            and length is not None):
        return _FAKER_RANDOM_ELEMENTS(self, elements, length, unique, use_weighting)
    table = _TABLES.get(id(elements))
    if table is None or table[0] is not elements:  # a new table at a reused id
        table = _TABLES[id(elements)] = (
            elements, tuple(elements.keys()), list(itertools.accumulate(elements.values())))
    _, values, running_totals = table
    return self.generator.random.choices(values, cum_weights=running_totals, k=length)


# id(table) -> (the table, its values, their running totals); the tables are Faker's
# module-level data, alive for the process.
_TABLES: dict[int, tuple[Any, tuple[Any, ...], list[float]]] = {}


# The providers the world draws from (names, e-mail addresses and user names, passwords,
# companies). Faker() would load all twenty-odd, a third of what starting a run spends
# on Faker; the draws are the same, since loading a provider draws nothing.
PROVIDERS = ("faker.providers.person", "faker.providers.internet", "faker.providers.misc",
             "faker.providers.company")


def fast_faker() -> Faker:
    """A ``Faker()`` with the world's providers, drawing weighted tables through
    ``_random_elements`` (this instance only: Faker itself is untouched)."""
    fake = Faker(providers=list(PROVIDERS))
    for factory in fake.factories:
        for provider in factory.providers:
            provider.random_elements = types.MethodType(
                _random_elements, provider)
    return fake
