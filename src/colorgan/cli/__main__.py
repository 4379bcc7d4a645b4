"""`python -m colorgan.cli`, as the `colorgan` script."""

import sys

from colorgan.cli import main

sys.exit(main())
