"""`quotes report PRED.jsonl|PRED.parquet -o report.html [--gold GOLD.jsonl]`: one HTML page to read.

Plots (quotes per speaker, stance per speaker, stance over time when documents carry dates, the
most frequent cues, quote types), a searchable table of the quotes in their context, and with
`--gold` the scorer's tables and the stance confusion matrix. The page is self-contained: inline
SVG (matplotlib), CSS and a small filter script, nothing fetched when it is viewed.

Nothing heavy is imported here (the CLI imports this module for every command): matplotlib and
pyarrow load only when a report is made.
"""

from __future__ import annotations

__all__ = ["register", "make_report"]


def make_report(preds: list[str], output: str, gold: str | None = None, top: int = 15,
                max_rows: int = 5000) -> dict:
    """Write the report atomically; returns counts (documents, quotes, plots) for the caller to print."""
    import os
    from pathlib import Path

    from ..document import QuotesError, atomic_path, read_jsonl
    from . import page
    from .data import iter_documents, summarize

    out = Path(output)
    if out.is_dir():
        raise QuotesError(f"{output}: is a folder; give a file name such as report.html")
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise QuotesError(f"{output}: folder {out.parent} does not exist")
    gold_docs = read_jsonl(gold) if gold else None
    if gold_docs is not None and not gold_docs:
        raise QuotesError(f"{gold}: no documents")
    wanted = {d.id for d in gold_docs} if gold_docs else set()
    kept = []  # only the predicted documents the gold file scores are held for scoring

    def docs():
        for path in preds:
            for d in iter_documents(path):
                if d.id in wanted:
                    kept.append(d)
                yield d

    if top < 1 or max_rows < 0:
        raise QuotesError("--top must be at least 1 and --max-rows at least 0")
    for path in preds:
        if not os.path.exists(path):
            raise QuotesError(f"{path}: no such file")
    summary = summarize(docs(), max_rows=max_rows, source=", ".join(preds))
    if not summary.documents:
        raise QuotesError(f"{', '.join(preds)}: no documents")
    scores = ""
    if gold_docs is not None:
        from ..score import score_documents

        if not kept:
            raise QuotesError(f"no document of {gold} is in {', '.join(preds)} (the ids differ)")
        metrics, _ = score_documents(gold_docs, kept)
        have = {d.id for d in kept}
        scores = page.score_section(metrics, Path(gold).name, len(gold_docs), sum(1 for d in gold_docs if d.id not in have))
    html = page.render(summary, [Path(p).name for p in preds], top=top, scores=scores)
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8", newline="\n")
    plots = html.count("<figure class=plot")
    return {"documents": summary.documents, "quotes": summary.quotes, "plots": plots,
            "skipped": html.count("data-skipped=")}


def _run(args) -> int:
    import sys

    done = make_report(args.predictions, args.output, gold=args.gold, top=args.top, max_rows=args.max_rows)
    if getattr(args, "quiet", False):  # the CLI's global -q
        return 0
    print(f"quotes: report of {done['documents']} document(s), {done['quotes']} quote(s), {done['plots']} plot(s) "
          f"-> {args.output}", file=sys.stderr)
    return 0


def register(subparsers):
    """Add `report` to the `quotes` command's subparsers."""
    p = subparsers.add_parser(
        "report", help="an HTML page of plots and a searchable quote table from quotes annotate's output",
        description="One self-contained HTML page (no network needed to view it) from `quotes annotate` output: "
        "quotes per speaker, stance per speaker, stance over time (when documents carry meta.date or date), "
        "the most frequent cues, quote types, and a searchable table of the quotes in their context. "
        "With --gold, the scores and the stance confusion matrix.")
    p.add_argument("predictions", nargs="+", metavar="PRED", help="JSONL or Parquet output of quotes annotate "
                   "(a folder of .parquet shards too)")
    p.add_argument("-o", "--output", required=True, help="HTML file to write (atomically)")
    p.add_argument("--gold", metavar="GOLD.jsonl", help="gold JSONL of (some of) the same documents: adds the scores")
    p.add_argument("--top", type=int, default=15, help="speakers and cues in the plots (default %(default)s)")
    p.add_argument("--max-rows", type=int, default=5000, help="quotes in the table at most (default %(default)s)")
    p.set_defaults(func=_run)
    return p
