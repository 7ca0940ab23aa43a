"""proof: how the harness shows that it can fail, and that it does not fail wrongly.

Holds the mutant runner (``mutants``: each mutant must be caught), the conforming
variant runner (``variants``: each must pass), their shared command line
(``catalogue_cli``: seeds, workers, reports) and the model-based explorer (``explore``).
The mutants and variants themselves are altered simulators (``authconform.alterations``).

May import: everything below it (``port``, ``spec``, ``adapters``, ``alterations``,
``gate``, ``steps``, ``sim``). Never ``cli``.
"""
