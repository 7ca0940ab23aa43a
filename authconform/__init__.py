"""authconform: a conformance harness for authenticator-app cloud backup and recovery.

Each subpackage is one room; its docstring says what belongs there and what it may
import, and the import rules are checked (``[tool.importlinter]`` in pyproject.toml,
run by ``./harness test``). Data flows one way, from the bottom of this list up:

    port          the contract between the suite and a target (imports nothing of ours)
    spec          what the documents say: catalogue, sources, readings, refusal families
    wire          the HTTP protocol as data (codec, operations, OpenAPI)
    alterations   the simulator changed on purpose: mutants and conforming variants
    adapters      choosing and starting a target; the self-test
    service       the simulated world served over HTTP
    gate          the pytest plugin, the results, the verdict and its one document
    authoring     the step catalogue and the pre-run step check
    report        junit.xml, summary.md, Allure files and HTML, made from the document
    proof         the mutant and variant runners and the explorer
    cli           the ``authconform`` command: parses arguments, calls the rooms
"""

__version__ = "0.1.0"
