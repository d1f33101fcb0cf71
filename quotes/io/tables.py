"""Archives as tables: Parquet files and Hugging Face `datasets` saved to disk, in and out.

Rows are read in batches (pyarrow's `iter_batches`, `Dataset.iter`), never the whole
file at once, and a range of rows can be read alone (a shard, for `quotes.scale.cluster`).
Each row becomes a `Document` whose text is the column's string as stored: offsets point into
it exactly. A `date` column, when present, travels in the document's `meta`.

Parquet output has the JSONL's fields under one fixed schema (`OUTPUT_SCHEMA`, `quotes` a list
of structs), so that shards written apart read as one dataset; it is written in row groups as
the documents come, and read back (`iter_parquet`) as the very documents that were written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from ..document import META_KEYS, DataError, Document, dumps, output_file

PARQUET_SUFFIXES = {".parquet", ".pq"}
BATCH_ROWS = 256
# a document's keys outside OUTPUT_SCHEMA travel as one JSON object in this column
EXTRA_COLUMN = "extra_json"


def _output_schema():
    import pyarrow as pa

    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
    quote = pa.struct([
        ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("type", pa.string()),
        ("cue", span), ("speaker", span), ("speaker_name", pa.string()), ("stance", pa.string()),
        ("confidence", pa.struct([(k, pa.float64()) for k in ("quote", "speaker", "stance")])),
        ("sentence", pa.struct([("start", pa.int64()), ("end", pa.int64())])),
        ("speaker_kind", pa.string()),
    ])
    return pa.schema([
        ("id", pa.string()), ("text", pa.string()), ("quotes", pa.list_(quote)),
        # the order `quotes annotate` writes them in, so that a document read back dumps to the same line
        ("source", pa.string()), ("format", pa.string()), ("meta", pa.struct([(k, pa.string()) for k in META_KEYS])),
        ("model_version", pa.string()), (EXTRA_COLUMN, pa.string()),
    ])


def is_dataset_folder(path: Path) -> bool:
    """A folder written by `datasets.Dataset.save_to_disk`."""
    return path.is_dir() and (path / "dataset_info.json").is_file() and (path / "state.json").is_file()


def is_table(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES or is_dataset_folder(path)


def _parquet_file(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several kinds for a file that is not Parquet
        raise DataError(f"{path}: not a readable Parquet file ({type(e).__name__}: {e})") from None


def _batches(path: Path, columns: list[str], start: int = 0, stop: int | None = None) -> Iterator[dict[str, list]]:
    """Rows [start, stop) in batches; of a Parquet file only the row groups that hold them are read."""
    if is_dataset_folder(path):
        from datasets import load_from_disk

        ds = load_from_disk(str(path))
        have = set(ds.column_names)
        _check_columns(path, columns[:1], have)
        ds = ds.select_columns([c for c in columns if c in have])
        if start or stop is not None:
            ds = ds.select(range(start, len(ds) if stop is None else min(stop, len(ds))))
        yield from ds.iter(batch_size=BATCH_ROWS)
        return
    pf = _parquet_file(path)
    have = set(pf.schema_arrow.names)
    _check_columns(path, columns[:1], have)
    groups, first, at = [], None, 0
    for g in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(g).num_rows
        if at + rows > start and (stop is None or at < stop):
            groups.append(g)
            first = at if first is None else first
        at += rows
    if not groups:
        return
    at = first
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=groups, columns=[c for c in columns if c in have]):
        lo, hi = max(start - at, 0), len(batch) if stop is None else min(stop - at, len(batch))
        at += len(batch)
        if lo < hi:
            yield batch.slice(lo, hi - lo).to_pydict()


def shards(path: Path, rows: int, text_column: str = "text") -> list[tuple[int, int]]:
    """A table cut into row ranges of `rows` each; a missing text column is an error here, before any row
    is read."""
    if is_dataset_folder(path):
        from datasets import load_from_disk

        ds = load_from_disk(str(path))
        _check_columns(path, [text_column], set(ds.column_names))
        n = len(ds)
    else:
        pf = _parquet_file(path)
        _check_columns(path, [text_column], set(pf.schema_arrow.names))
        n = pf.metadata.num_rows
    return [(a, min(a + rows, n)) for a in range(0, n, rows)]


def _check_columns(path: Path, needed: list[str], have: set[str]) -> None:
    missing = [c for c in needed if c not in have]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r} (columns: {', '.join(sorted(have)) or 'none'}; "
                        "name the text column with --text-column)")


def read_table(path: Path, text_column: str = "text", id_column: str = "id",
               start: int = 0, stop: int | None = None) -> Iterator[Document]:
    """One document a row (rows [start, stop) when given); a text that is not a string is an error
    with its row number."""
    row = start
    for batch in _batches(path, [text_column, id_column, "date"], start, stop):
        texts = batch[text_column]
        ids = batch.get(id_column) or [None] * len(texts)
        dates = batch.get("date") or [None] * len(texts)
        for text, doc_id, date in zip(texts, ids, dates):
            row += 1
            if not isinstance(text, str):
                raise DataError(f"{path}: row {row}: column {text_column!r} is not text ({type(text).__name__})")
            doc = Document(str(doc_id) if doc_id is not None else f"{path.stem}-{row}", text,
                           extra={"source": f"{path}#{row}", "format": "txt"})
            if date is not None:
                doc.extra["meta"] = {"date": date.isoformat()[:10] if hasattr(date, "isoformat") else str(date)}
            yield doc


def row_of(doc: Document) -> dict:
    """A document as an OUTPUT_SCHEMA row."""
    d = json.loads(dumps(doc))
    row = {k: d.pop(k, None) for k in ("id", "text", "quotes", "source", "format", "meta", "model_version")}
    for q in row["quotes"]:
        if isinstance(q.get("speaker_name"), list):  # gold files only; never the pipeline's output
            raise DataError(f"document {doc.id!r}: a list of speaker names cannot be written as Parquet")
    meta = row["meta"]
    if meta is not None and not (isinstance(meta, dict) and set(meta) <= set(META_KEYS)
                                 and all(isinstance(v, str) for v in meta.values())):
        d["meta"], row["meta"] = meta, None  # not the schema's shape: kept whole in the JSON column
    row[EXTRA_COLUMN] = json.dumps(d, ensure_ascii=False) if d else None
    return row


def document_of(row: dict) -> Document:
    """An OUTPUT_SCHEMA row (or any Parquet row of the JSONL's fields) as the document it was written from:
    a struct gives every row every field, null where the JSONL line had none, so nulls are dropped there."""
    out = {k: v for k, v in row.items() if v is not None or k in ("id", "text")}
    if isinstance(out.get("meta"), dict):
        out["meta"] = {k: v for k, v in out["meta"].items() if v is not None} or None
        if out["meta"] is None:
            del out["meta"]
    for q in out.get("quotes") or []:
        if isinstance(q, dict):
            for key in ("confidence", "sentence"):
                if isinstance(q.get(key), dict):
                    q[key] = {k: v for k, v in q[key].items() if v is not None} or None
            if q.get("speaker_kind") is None:
                q.pop("speaker_kind", None)
            if q.get("confidence") is None:
                q.pop("confidence", None)
    extra = out.pop(EXTRA_COLUMN, None)
    if isinstance(extra, str):
        out.update({k: v for k, v in json.loads(extra).items() if k not in out})
    return Document.from_dict(out)


class ParquetOutput:
    """Documents written to a Parquet file in row groups as they come (memory stays flat)."""

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.schema = _output_schema()
        self.writer = pq.ParquetWriter(path, self.schema)
        self.rows: list[dict] = []
        self.n = 0

    def add(self, doc: Document) -> None:
        self.rows.append(row_of(doc))
        self.n += 1
        if len(self.rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def write_parquet(docs: Iterable[Document], path: str | Path) -> int:
    """The documents as Parquet, one row each, written atomically."""
    with output_file(path) as tmp:
        out = ParquetOutput(tmp)
        try:
            for d in docs:
                out.add(d)
        finally:
            out.close()
    return out.n


def iter_parquet(path: str | Path, batch_size: int = BATCH_ROWS) -> Iterator[Document]:
    """The documents of a Parquet output: one file, or a folder of shards (read in name order)."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        files = sorted(str(f) for f in p.glob("*.parquet")) if p.is_dir() else [str(p)]
        at = 0
        for batch in ds.dataset(files, format="parquet").to_batches(batch_size=batch_size):
            for row in batch.to_pylist():
                at += 1
                try:
                    yield document_of(row)
                except DataError as e:
                    raise DataError(f"{p}: row {at}: {e}") from None
    except (pa.ArrowException, OSError) as e:
        raise DataError(f"{p}: not a readable Parquet file ({str(e).splitlines()[0]})") from None


def count_rows(path: Path) -> int:
    """Rows of a table, from its metadata (for the progress bar), 0 when unreadable."""
    try:
        if is_dataset_folder(path):
            from datasets import load_from_disk

            return len(load_from_disk(str(path)))
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    except Exception:
        return 0
