"""Where the Allure CLI is: ``AUTHCONFORM_ALLURE_CLI``, else ``node_modules/.bin/allure``
under the repository, the working directory or this package's checkout (``npm ci`` puts
it there). Kept apart from the HTML build so that finding it imports nothing heavy:
every ``authconform run`` asks before the suite starts.
"""

from __future__ import annotations

import os
from pathlib import Path

ALLURE_ENV = "AUTHCONFORM_ALLURE_CLI"


def find_allure(root: Path | None) -> str | None:
    given = os.environ.get(ALLURE_ENV)
    if given:
        return given if Path(given).exists() else None
    for base in [root, Path.cwd(), Path(__file__).resolve().parents[2]]:
        if base is None:
            continue
        cli = base / "node_modules" / ".bin" / "allure"
        if cli.exists():
            return str(cli)
    return None


ALLURE_MISSING = ("Allure CLI not found: run `npm ci` in the repository root (package.json "
                  "pins the allure package), or pass --no-html")
