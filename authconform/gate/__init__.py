"""gate: runs the conformance scenarios and decides the verdict.

Holds the pytest plugin that loads the target and collects the feature files
(``plugin``), the pytest plugins a run names (``pytest_args``), the per-scenario result
collector (``results``) with the names of scenarios (``items``), failures told in the
user's words (``failures``) and the
precondition ownership that steps declare (``preconditions``), the decision itself
(``verdict``, ``inference`` for undeclared readings, ``waivers``), the one document it
writes (``document``) and the exit code (``exit_codes``), the merge of a sharded run
(``merge``), the signed attestation (``attest``), and what the live Allure plugin must
attach while a scenario runs (``allure_live``, ``requirement_card``).

May import: ``port``, ``spec``, ``adapters``. Never ``report``, ``proof`` or ``cli``: the
gate writes ``conformance.json`` and calls the ``pytest_authconform_document`` hook
(``hooks``); the reports are made from that document by whoever implements the hook.
"""
