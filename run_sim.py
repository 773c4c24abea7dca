#!/usr/bin/env python3
"""radsim: simulate a radiology department. See README.md, or run with --help."""
import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
