"""spec: what the documents say, as data the other rooms read.

Holds the requirement catalogue (``catalogue``), the traceability from scenarios to
requirements (``traceability``), the feature files as parsed once per process and
remembered between runs (``feature_files``, in the folder ``remembered`` keeps), the
source passages and their fingerprints (``sources``, ``sources_cli``, ``drift``), the
documented ambiguities and their readings (``readings``), the refusal families
(``families``), the declared parameters a target may name (``declarations``), the values
a step parameter may take (``allowed``), how the app's words and a private name in
a text are judged (``wording``, ``mentions``), what a person can do with what the
screen shows (``person``) and where the suite lives (``suite``).

May import: ``authconform.port``, the standard library, YAML and pytest-bdd's Gherkin
parser. Never the gate, the
reports, the adapters, the simulator or the steps: everything else reads spec, spec
reads nobody.
"""
