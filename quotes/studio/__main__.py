"""`python -m quotes.studio start|push|pull ...`: the `quotes studio` commands on their own."""

from __future__ import annotations

import argparse
import sys

from quotes.document import QuotesError
from quotes.studio import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quotes.studio")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["studio", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.func(args)
    except QuotesError as e:
        print(f"quotes studio: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
