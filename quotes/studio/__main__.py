"""`python -m quotes.studio start|push|pull|backend ...`: the `quotes studio` commands on their own."""

from __future__ import annotations

import sys

from quotes.cli import main

if __name__ == "__main__":
    sys.exit(main(["studio", *sys.argv[1:]]))
