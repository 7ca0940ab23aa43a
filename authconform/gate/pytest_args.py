"""The pytest options every conformance run starts with: the plugins it uses, and only
those. Imports nothing (the command line builds the gate's pytest command without
importing pytest).

Plugins are not auto-loaded from what happens to be installed: a conformance run loads
pytest-bdd (the scenarios), allure-pytest-bdd (the report's results) and pytest-xdist
(``--workers``) by name. Another installed plugin could change a verdict -- one that
re-runs failures could turn a failure into a pass -- and scanning every installed
package's entry points and files costs each run a tenth of a second. A plugin the user
wants in the run is named after ``--``: ``authconform run -- -p pytest_timeout``.
"""

from __future__ import annotations

# --disable-plugin-autoload: pytest >= 8.4. Each -p names a plugin module.
# What running the scenarios needs: no plugin auto-loaded, pytest-bdd named.
SCENARIO_PLUGIN_ARGS: tuple[str, ...] = ("--disable-plugin-autoload", "-p", "pytest_bdd.plugin")
# What a conformance run adds: Allure's results and --workers.
SUITE_PLUGIN_ARGS: tuple[str, ...] = (*SCENARIO_PLUGIN_ARGS, "-p", "allure_pytest_bdd.plugin",
                                      "-p", "xdist.plugin")
