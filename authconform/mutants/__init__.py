"""Mutants: deliberately faulty variants of the simulator, to measure how much the
conformance scenarios and the explorer can tell apart.

Each mutant patches one ``sim.World`` *instance* (bound methods on the world, its
stores, its providers, or on the ``Authenticator`` each ``world.app()`` call returns),
never a module global or a class, so worlds stay independent. ``catalogue.MUTANTS``
names them; ``runner.main`` runs the suite against each one.
"""
