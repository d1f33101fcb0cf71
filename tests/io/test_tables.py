"""Parquet files and saved `datasets` as inputs, Parquet as output (quotes/io/tables.py)."""

from __future__ import annotations

import datetime
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from quotes.cli import main
from quotes.document import DataError
from quotes.io.tables import iter_parquet, read_table, shards

TEXTS = [
    "« Nous ne céderons rien sur la frontière », a déclaré mardi le ministre Karim Benali.\n",
    "Le président a affirmé que la frontière resterait fermée jusqu'à nouvel ordre.\n",
    "Un texte sans citation, mais avec\u00a0des espaces insécables et\r\ndes fins de ligne Windows.\n",
]


@pytest.fixture()
def parquet(tmp_path):
    path = tmp_path / "archive.parquet"
    pq.write_table(pa.table({"id": ["a1", "a2", "a3"], "body": TEXTS,
                             "date": [datetime.date(2024, 3, d) for d in (1, 2, 3)]}), path,
                   row_group_size=2)  # two row groups: reading goes batch by batch
    return path


def test_rows_become_documents_with_their_text_exactly_and_their_date(parquet):
    docs = list(read_table(parquet, text_column="body"))
    assert [d.id for d in docs] == ["a1", "a2", "a3"]
    assert [d.text for d in docs] == TEXTS  # byte for byte: offsets point into it
    assert [d.extra["meta"]["date"] for d in docs] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert docs[1].extra["source"] == f"{parquet}#2"


def test_rows_without_an_id_column_are_numbered(tmp_path):
    path = tmp_path / "noid.parquet"
    pq.write_table(pa.table({"text": TEXTS[:2]}), path)
    assert [d.id for d in read_table(path)] == ["noid-1", "noid-2"]


def test_a_saved_dataset_is_read_like_parquet(tmp_path):
    from datasets import Dataset

    Dataset.from_dict({"text": TEXTS, "id": ["x", "y", "z"]}).save_to_disk(str(tmp_path / "ds"))
    docs = list(read_table(tmp_path / "ds"))
    assert [(d.id, d.text) for d in docs] == list(zip("xyz", TEXTS))


def test_missing_text_column_and_non_parquet_file_are_one_line(parquet, tmp_path):
    with pytest.raises(DataError, match=r"no column 'text' \(columns: body, date, id"):
        list(read_table(parquet))
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet", encoding="utf-8")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        list(read_table(bad))


def test_annotate_reads_parquet_and_writes_the_same_fields_as_parquet(parquet, tmp_path, capsys):
    out_jsonl, out_pq = tmp_path / "out.jsonl", tmp_path / "runs" / "out.parquet"
    assert main(["annotate", "--rules-only", "-q", str(parquet), "--text-column", "body", "-o", str(out_jsonl)]) == 0
    assert main(["annotate", "--rules-only", "-q", str(parquet), "--text-column", "body", "-o", str(out_pq)]) == 0
    rows = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    assert rows[0]["meta"] == {"date": "2024-03-01"}
    q = rows[0]["quotes"][0]
    assert TEXTS[0][q["start"]:q["end"]] == q["text"] == "Nous ne céderons rien sur la frontière"
    table = pq.read_table(out_pq)
    assert pa.types.is_list(table.schema.field("quotes").type)
    assert pa.types.is_struct(table.schema.field("quotes").type.value_type)
    assert table.column("meta").to_pylist()[0]["date"] == "2024-03-01"
    # read back, the Parquet rows are the JSONL's documents exactly
    assert [d.to_dict() for d in iter_parquet(out_pq)] == rows


def test_annotate_with_a_wrong_column_exits_2_in_one_line(parquet, capsys):
    assert main(["annotate", "--rules-only", "-q", str(parquet), "-o", "-"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no column 'text'" in err[0] and "--text-column" in err[0]


def test_shards_read_alone_give_the_whole_table_across_row_groups(tmp_path):
    path = tmp_path / "rows.parquet"
    texts = [f"Le maire a déclaré : « Réponse numéro {i}. »" for i in range(10)]
    pq.write_table(pa.table({"text": texts}), path, row_group_size=3)
    cuts = shards(path, 4)
    assert cuts == [(0, 4), (4, 8), (8, 10)]  # across row groups of 3
    assert [d.text for d in read_table(path, start=4, stop=8)] == texts[4:8]
    docs = [d for a, b in cuts for d in read_table(path, start=a, stop=b)]
    assert [d.text for d in docs] == texts
    assert [d.id for d in docs] == [d.id for d in read_table(path)] == [f"rows-{i}" for i in range(1, 11)]


def test_documents_outside_the_schema_survive_parquet(tmp_path):
    from quotes.document import Document, Quote, Span
    from quotes.io.tables import write_parquet

    text = "Le maire a dit : « Oui. »"
    doc = Document("d", text, [Quote(18, 22, "Oui.", "direct", cue=Span(10, 15, "a dit"), speaker_name="Le maire")],
                   extra={"meta": {"date": "2024-01-02", "tags": ["x"]}, "batch": 7})
    write_parquet([doc], tmp_path / "d.parquet")
    assert [d.to_dict() for d in iter_parquet(tmp_path / "d.parquet")] == [doc.to_dict()]
