"""``python -m ccwfm``: the ``ccwfm`` command line."""

import sys

from ccwfm.plan.cli import main

sys.exit(main())
