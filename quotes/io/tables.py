"""Archives as tables: Parquet files and Hugging Face `datasets` saved to disk, in and out.

Rows are read in batches (pyarrow's `iter_batches`, `Dataset.iter`), never the whole
file at once. Each row becomes a `Document` whose text is the column's string as stored:
offsets point into it exactly. A `date` column, when present, travels in the document's
`meta`. Parquet output has the JSONL's fields, `quotes` a list of structs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from ..document import DataError, Document, dumps, output_file

PARQUET_SUFFIXES = {".parquet", ".pq"}
BATCH_ROWS = 256


def is_dataset_folder(path: Path) -> bool:
    """A folder written by `datasets.Dataset.save_to_disk`."""
    return path.is_dir() and (path / "dataset_info.json").is_file() and (path / "state.json").is_file()


def is_table(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES or is_dataset_folder(path)


def _batches(path: Path, columns: list[str]) -> Iterator[dict[str, list]]:
    if is_dataset_folder(path):
        from datasets import load_from_disk

        ds = load_from_disk(str(path))
        have = set(ds.column_names)
        _check_columns(path, columns[:1], have)
        ds = ds.select_columns([c for c in columns if c in have])
        yield from ds.iter(batch_size=BATCH_ROWS)
        return
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several kinds for a file that is not Parquet
        raise DataError(f"{path}: not a readable Parquet file ({type(e).__name__}: {e})") from None
    have = set(pf.schema_arrow.names)
    _check_columns(path, columns[:1], have)
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=[c for c in columns if c in have]):
        yield batch.to_pydict()


def _check_columns(path: Path, needed: list[str], have: set[str]) -> None:
    missing = [c for c in needed if c not in have]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r} (columns: {', '.join(sorted(have)) or 'none'}; "
                        "name the text column with --text-column)")


def read_table(path: Path, text_column: str = "text", id_column: str = "id") -> Iterator[Document]:
    """One document a row; an empty or missing text is skipped with its row number in the error."""
    row = 0
    for batch in _batches(path, [text_column, id_column, "date"]):
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


def write_parquet(docs: Iterable[Document], path: str | Path) -> int:
    """The documents as Parquet, one row each, written atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(dumps(d)) for d in docs]
    table = pa.Table.from_pylist(rows)
    with output_file(path) as tmp:
        pq.write_table(table, tmp)
    return len(rows)


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
