"""The `quotes` command: argument parsing only; the work is done by the modules it calls."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .version import __version__
from .document import QuotesError, run_command

log = logging.getLogger("quotes")
PROGRESS_MIN_FILES = 5


def _annotate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .document import write_jsonl
    from .io.read import ReadReport, expand, read_inputs
    from .pipeline import load_pipeline

    if args.output != "-" and os.path.isdir(args.output):
        raise QuotesError(f"{args.output}: is a folder; give a file name such as out.jsonl")
    report = ReadReport()
    files, _ = expand(args.paths)
    pipeline = load_pipeline(*_decider(args))
    log.info("annotating %d input(s) with %s", len(files), pipeline.version)
    docs = read_inputs(args.paths, report, max_bytes=args.max_bytes)
    bar = tqdm(docs, total=len(files), unit="doc", desc="annotate", file=sys.stderr,
               disable=args.quiet or len(files) < PROGRESS_MIN_FILES)
    # Annotate everything before writing: a failure half-way must not leave a partial file.
    results = [pipeline.annotate(d) for d in bar]
    for w in report.warnings:
        print(f"quotes: warning: {w}", file=sys.stderr)
    for s in report.skipped:
        print(f"quotes: skipped {s.path}: {s.reason}", file=sys.stderr)
    if not results:
        raise QuotesError("nothing could be read from the given inputs" if report.skipped else "no input documents")
    n = write_jsonl(results, args.output)
    nq = sum(len(d.quotes) for d in results)
    if args.output != "-" and not args.quiet:
        print(f"quotes: {n} document(s), {nq} quote(s) -> {args.output}"
              + (f" ({len(report.skipped)} input(s) skipped)" if report.skipped else ""), file=sys.stderr)
    return 1 if report.skipped and args.strict else 0


def _decider(args: argparse.Namespace) -> tuple[str, str | None]:
    """--rules-only, --model DIR, --decider NAME; by default the shipped model, or the rules when it is absent."""
    if args.rules_only:
        if args.model:
            raise QuotesError("--rules-only and --model exclude each other")
        return "rules", None
    if args.model:
        return "model", args.model
    if args.decider:
        return args.decider, None
    from .model.checkpoint import SHIPPED_DIR

    if (SHIPPED_DIR / "config.json").is_file():
        return "model", None
    print(f"quotes: warning: no model at {SHIPPED_DIR}; deciding with the rules alone", file=sys.stderr)
    return "rules", None


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="quotes", description="French quote attribution and stance annotation.")
    ap.add_argument("--version", action="version", version=f"quotes {__version__}")
    ap.add_argument("-v", "--verbose", action="store_true", help="log which models and data are used")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    a = sub.add_parser("annotate", help="find quotes, speakers and stance in scraped pages")
    a.add_argument("paths", nargs="+", help=".txt or .html files, folders (recursive), or - for standard input")
    a.add_argument("-o", "--output", default="-", help="output JSONL file (written atomically), - for stdout")
    a.add_argument("--model", metavar="DIR", help="a model folder from python -m quotes.train "
                   "(default: the shipped model in models/)")
    a.add_argument("--rules-only", action="store_true", help="speaker and stance from the rule layer alone (no model)")
    a.add_argument("--decider", help="deciding stage by name (rules, model); --model and --rules-only are the usual way")
    a.add_argument("--max-bytes", type=int, default=5_000_000, help="largest input file accepted (default 5 MB)")
    a.add_argument("--strict", action="store_true", help="exit 1 when any input was skipped")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    a.set_defaults(func=_annotate)

    # Subcommands owned by other modules register themselves.
    for module in ("quotes.corpus", "quotes.studio"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ImportError as e:
            if e.name and e.name.startswith(module):
                continue
            raise
        register = getattr(mod, "register", None)
        if register is not None:
            register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    def body() -> int:
        try:
            return int(args.func(args) or 0)
        except (QuotesError, KeyboardInterrupt):
            raise  # run_command's one line
        except BrokenPipeError:
            return 1
        except Exception as e:  # a bug of ours: say it in one line; -v shows where
            if args.verbose:
                raise
            print(f"quotes: internal error: {type(e).__name__}: {e} (run with -v for the traceback, "
                  "and please report it)", file=sys.stderr)
            return 70

    return run_command(body)


if __name__ == "__main__":
    sys.exit(main())
