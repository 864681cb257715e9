"""``python -m stisim``: the same command line as the ``stisim`` script."""

import sys

from stisim.cli import main

sys.exit(main())
