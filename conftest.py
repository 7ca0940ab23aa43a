"""Root conftest: the authconform plugin and the shared step definitions.

Step modules listed here are visible to every feature; area-only steps sit beside
their ``scenarios()`` call in steps/test_<area>.py.
"""

pytest_plugins = [
    "authconform.plugin",
    "steps.cast",
    "steps.people",
    "steps.phones",
    "steps.accounts",
    "steps.inspection",
    "steps.backup",
    "steps.verification",
    "steps.organisation",
    "steps.outcomes",
]
