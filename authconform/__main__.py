"""``python -m authconform`` is the ``authconform`` command."""

import sys

from authconform.cli import main

sys.exit(main())
