"""`python -m quotes.corpus build|check|stats …`: the `quotes corpus` commands on their own."""

import sys

from quotes.cli import main

sys.exit(main(["corpus", *sys.argv[1:]]))
