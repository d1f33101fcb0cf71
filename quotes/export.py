"""`quotes export PRED.jsonl -o quotes.csv|quotes.parquet`: one row per quote, for a spreadsheet or pandas.

Each row carries its document's id and metadata, the quote, its type, cue, speaker, stance, the three
confidences and a context (the quote's sentence when the file has it, else 200 characters either side),
so that a row reads on its own. Documents without quotes give no row.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Iterable

from .document import META_KEYS, DataError, Document, Quote, iter_jsonl, output_file
from .kinds import speaker_kind

CONTEXT_CHARS = 200
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# (column, Arrow type); CSV writes the same columns in the same order
COLUMNS = (
    [("doc_id", "string")]
    + [(k, "string") for k in META_KEYS]
    + [("source", "string"), ("model_version", "string"),
       ("quote_start", "int64"), ("quote_end", "int64"), ("quote_text", "string"), ("type", "string"),
       ("cue_text", "string"), ("speaker_text", "string"), ("speaker_name", "string"),
       ("speaker_kind", "string"), ("stance", "string"),
       ("confidence_quote", "float64"), ("confidence_speaker", "float64"), ("confidence_stance", "float64"),
       ("context_start", "int64"), ("context_end", "int64"), ("context", "string")]
)
# gold files may accept several names; one cell holds them all
NAME_SEPARATOR = " | "


def context_span(doc: Document, q: Quote) -> tuple[int, int]:
    if q.sentence is not None:
        return q.sentence
    return max(0, q.start - CONTEXT_CHARS), min(len(doc.text), q.end + CONTEXT_CHARS)


def rows(docs: Iterable[Document]) -> Iterable[dict]:
    for doc in docs:
        meta = doc.meta
        for q in doc.quotes:
            conf = q.confidence or {}
            cs, ce = context_span(doc, q)
            name = NAME_SEPARATOR.join(q.speaker_name) if isinstance(q.speaker_name, list) else q.speaker_name
            kind = q.speaker_kind or speaker_kind(q.speaker.text if q.speaker else name)
            yield {
                "doc_id": doc.id,
                **{k: _cell(meta.get(k)) for k in META_KEYS},
                "source": _cell(doc.extra.get("source")),
                "model_version": _cell(doc.extra.get("model_version")),
                "quote_start": q.start, "quote_end": q.end, "quote_text": q.text, "type": q.type,
                "cue_text": q.cue.text if q.cue else None,
                "speaker_text": q.speaker.text if q.speaker else None,
                "speaker_name": name, "speaker_kind": kind, "stance": q.stance,
                **{f"confidence_{h}": _number(conf.get(h)) for h in ("quote", "speaker", "stance")},
                "context_start": cs, "context_end": ce, "context": doc.text[cs:ce],
            }


def _cell(value) -> str | None:
    return None if value is None else str(value)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def output_format(output: str, given: str | None = None) -> str:
    if given:
        return given
    if output == "-":
        return "csv"
    fmt = FORMATS.get(Path(output).suffix.lower())
    if fmt is None:
        raise DataError(f"{output}: give a .csv or .parquet file name (or --format csv|parquet)")
    return fmt


def read_all(paths: list[str]) -> list[Document]:
    docs: list[Document] = []
    for p in paths:
        docs += iter_jsonl("<stdin>", sys.stdin) if p == "-" else iter_jsonl(p)
    return docs


def write_csv(table: list[dict], fh) -> None:
    w = csv.DictWriter(fh, fieldnames=[c for c, _ in COLUMNS], lineterminator="\n")
    w.writeheader()
    w.writerows(table)


def write_parquet(table: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, t)()) for c, t in COLUMNS])
    pq.write_table(pa.Table.from_pylist(table, schema=schema), str(path))


def export(paths: list[str], output: str, fmt: str | None = None) -> tuple[int, int]:
    """Write the rows of the JSONL files to `output`, atomically; (documents, rows)."""
    fmt = output_format(output, fmt)
    docs = read_all(paths)  # every input read before the output is touched
    table = list(rows(docs))
    if output == "-":
        if fmt != "csv":
            raise DataError("Parquet cannot go to standard output; give a file name")
        write_csv(table, sys.stdout)
        sys.stdout.flush()
        return len(docs), len(table)
    with output_file(output) as tmp:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                write_csv(table, fh)
        else:
            write_parquet(table, tmp)
    return len(docs), len(table)
