"""alterations: the simulator changed on purpose.

Holds the mutants (``mutants``: each breaks one documented behaviour and names the
requirement it breaks), the conforming variants (``variants``: each takes another choice
the documents allow) and the patching helpers both use (``patching``). Each patches one
``sim.World`` instance, never a module or a class, so worlds stay independent. The sim
adapter and the HTTP service apply them by name (``--mutant``, ``--sut variant:NAME``);
the runners in ``authconform.proof`` run the suite against them.

May import: ``port``, ``spec`` and ``sim``. Never the gate, the adapters, the reports or
``cli``.
"""
