"""``python -m bench [--quick] [--report-dir reports]``: the same as ``authconform bench``."""

import sys

from bench.cli import main

sys.exit(main(sys.argv[1:]))
