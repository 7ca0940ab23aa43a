"""Model-based exploration: random programs of user and world actions, run against any
target through the port and judged by a small reference model (``model``). A
disagreement is shrunk by Hypothesis and written out as a Gherkin scenario.

``explore(adapter_name, mutant, seed, max_examples)`` runs it; ``main(args)`` is
``authconform explore``.
"""

from authconform.proof.explore.run import ExploreResult, explore, main

__all__ = ["ExploreResult", "explore", "main"]
