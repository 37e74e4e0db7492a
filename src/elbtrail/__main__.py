"""Run the ``elbtrail`` command line: ``python -m elbtrail``."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
