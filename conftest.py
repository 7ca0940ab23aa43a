"""Root conftest: the authconform plugin and every step definition module.

Every module in steps/ is loaded here (``steps.step_modules()``), so each step is
visible to every feature file; the feature files themselves are collected by the plugin
(``authconform.gate.plugin.pytest_collect_file``), with no test module per feature.
"""

import pytest

# Step modules import one another; rewrite them all, whichever is imported first.
pytest.register_assert_rewrite("steps")

from steps import step_modules  # noqa: E402 - after the rewrite registration

pytest_plugins = ["authconform.gate.plugin", "authconform.report.plugin", *step_modules()]
