"""authoring: what helps a QA engineer write scenarios.

Holds the step catalogue read from the step modules (``stepdefs``: every step, its
parameters, allowed values and the requirement it leans on; ``authconform steps``) and
the pre-run check of every feature file's steps (``stepcheck``: an unknown step or a
value outside the allowed ones is named with its file, line and the closest known
steps before anything runs), and what that check remembers of a suite it found clean
(``prerun_cache``).

May import: ``port``, ``spec``, ``gate.preconditions`` and the ``steps`` package. Never
``report``, ``proof`` or ``cli``.
"""
