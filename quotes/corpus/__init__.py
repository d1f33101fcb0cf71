"""The gold corpus tools: `quotes corpus build | check | stats` and `python -m quotes.corpus`.

`markup` reads the annotated sources (`annotations/src/`), `build` compiles them
into `annotations/{train,dev,test}.jsonl`, `check` validates JSONL files against
the scheme, `stats` counts them, `calibrate` sets the rule decider's confidences
from the dev split.
"""

from __future__ import annotations

import json
from pathlib import Path


# -- command line ---------------------------------------------------------------------------


def _run_build(args) -> int:
    from .build import build

    return build(Path(args.src), Path(args.out), skip_bad=args.skip_bad)


def _run_check(args) -> int:
    from .check import check

    return check(args.paths)


def _run_stats(args) -> int:
    from .stats import render, stats

    st = stats(args.paths)
    print(json.dumps(st, ensure_ascii=False, indent=2) if args.json else render(st))
    return 0


def register(subparsers) -> None:
    """Add `corpus build | check | stats` to the `quotes` CLI's subparsers."""
    p = subparsers.add_parser("corpus", help="build, check and count the gold corpus",
                              description="Build, check and count the gold corpus (annotations/).")
    sub = p.add_subparsers(dest="corpus_command", metavar="COMMAND", required=True)
    b = sub.add_parser("build", help="compile annotations/src into train/dev/test JSONL",
                       description="Compile annotations/src/<batch>/ (not example/) into split JSONL files.")
    b.add_argument("--src", default="annotations/src", help="source folder (default: %(default)s)")
    b.add_argument("--out", default="annotations", help="output folder (default: %(default)s)")
    b.add_argument("--skip-bad", action="store_true", help="build from the good sources when some have problems")
    b.set_defaults(func=_run_build)
    c = sub.add_parser("check", help="validate JSONL files against the annotation scheme",
                       description="Validate JSONL files (or folders of *.jsonl) against the scheme.")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.set_defaults(func=_run_check)
    s = sub.add_parser("stats", help="count documents, quotes, types, stances, cues, speakers",
                       description="Counts over JSONL files (or folders of *.jsonl), per split when known.")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s.set_defaults(func=_run_stats)
