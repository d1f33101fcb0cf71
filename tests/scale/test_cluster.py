"""`quotes annotate --ray` (quotes/scale/cluster.py) on a local Ray instance: a few hundred documents
give the single-process run's output exactly, as one file or as a folder of Parquet shards, and an
interrupted run resumes."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray

from quotes.cli import main
from quotes.commands import _is_ray_address
from quotes.document import read_jsonl
from quotes.io.tables import iter_parquet

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "data" / "pages"


@pytest.fixture(scope="module")
def local_ray():
    # one instance for the module: the CLI uses a running one and leaves it running
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """300 corpus paragraphs in a Parquet file of several row groups, with a date column; text files with
    one stem twice (the second renamed after its folder), an empty one (skipped) and a scraped HTML page."""
    root = tmp_path_factory.mktemp("inputs")
    rows = []
    for line in (ROOT / "annotations" / "train.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        for i, para in enumerate(p for p in doc["text"].split("\n") if len(p) > 80):
            rows.append({"id": f"{doc['id']}-{i}", "text": para, "date": f"2024-0{1 + len(rows) % 9}-15"})
    assert len(rows) >= 300
    pq.write_table(pa.Table.from_pylist(rows[:300]), root / "archive.parquet", row_group_size=70)
    files = root / "files"
    (files / "more").mkdir(parents=True)
    (files / "p1.txt").write_text("Le ministre a déclaré : « Nous ne céderons rien. »\n", encoding="utf-8")
    (files / "more" / "p1.txt").write_text("« Le dialogue reste ouvert », a dit la porte-parole.\n",
                                          encoding="utf-8")
    (files / "empty.txt").write_text("", encoding="utf-8")
    shutil.copy(PAGES / "article.html", files / "article.html")
    return [str(root / "archive.parquet"), str(files)]


@pytest.fixture(scope="module")
def single(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out.jsonl"
    assert main(["annotate", "--rules-only", "-q", *inputs, "-o", str(out)]) == 0
    return out


def test_one_file_out_is_byte_identical_to_the_single_process_run(local_ray, inputs, single, tmp_path, capsys):
    capsys.readouterr()
    assert main(["annotate", "--rules-only", *inputs, "-o", str(tmp_path / "ray.jsonl"), "--ray"]) == 0
    err = capsys.readouterr().err
    assert (tmp_path / "ray.jsonl").read_bytes() == single.read_bytes()
    docs = read_jsonl(single)
    assert len(docs) == 303 and {"p1", "files__p1"} <= {d.id for d in docs}
    assert "id already used" in err and "empty.txt: empty file" in err
    assert f"{len(docs)} document(s)" in err
    assert not (tmp_path / "ray.jsonl.parts").exists()


def test_a_folder_of_shards_reads_as_the_single_run_and_resumes(local_ray, inputs, single, tmp_path, capsys):
    out = tmp_path / "shards"
    assert main(["annotate", "--rules-only", "-q", *inputs, "-o", str(out), "--ray", "--workers", "2"]) == 0
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) > 2  # several shards, so both actors had work
    expected = [d.to_dict() for d in read_jsonl(single)]
    assert [d.to_dict() for d in iter_parquet(out)] == expected
    # shards written apart share one schema: the folder is one table for pyarrow (and pandas, Ray Data)
    assert pq.ParquetDataset(out).read().num_rows == len(expected)

    # an interrupted run: two shards lost their report (one its part too); the rerun redoes those only
    (out / "_part-00001.json").unlink()
    (out / "part-00002.parquet").unlink()
    kept = parts[5].stat().st_mtime_ns
    capsys.readouterr()
    assert main(["annotate", "--rules-only", *inputs, "-o", str(out), "--ray"]) == 0
    assert f"resumed: {len(parts) - 2} of {len(parts)} shard(s)" in capsys.readouterr().err
    assert parts[5].stat().st_mtime_ns == kept
    assert [d.to_dict() for d in iter_parquet(out)] == expected


def test_parquet_out_matches_and_a_foreign_folder_is_refused(local_ray, inputs, tmp_path, capsys):
    one, ray_out = tmp_path / "one.parquet", tmp_path / "ray.parquet"
    assert main(["annotate", "--rules-only", "-q", inputs[0], "-o", str(one)]) == 0
    assert main(["annotate", "--rules-only", "-q", "--ray", inputs[0], "-o", str(ray_out)]) == 0
    assert ray_out.read_bytes() == one.read_bytes()

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert main(["annotate", "--rules-only", "-q", "--ray", inputs[0], "-o", str(foreign)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not written by quotes annotate --ray" in err[0]
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_ray_refuses_stdout_and_a_missing_column_in_one_line(inputs, capsys):
    assert main(["annotate", "--rules-only", "--ray", inputs[0], "-o", "-"]) == 2
    assert main(["annotate", "--rules-only", "--ray", inputs[0], "-o", "x.jsonl", "--text-column", "body"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--ray reads files" in err[0] and "no column 'body'" in err[1]


def test_ray_addresses_are_told_from_inputs(tmp_path):
    assert _is_ray_address("auto") and _is_ray_address("ray://head:10001") and _is_ray_address("10.0.0.5:6379")
    assert not _is_ray_address(str(tmp_path)) and not _is_ray_address("pages/")


def test_a_model_that_cannot_load_is_one_line_before_or_on_ray(local_ray, inputs, tmp_path, capsys):
    assert main(["annotate", "-q", "--ray", "--model", str(tmp_path / "nowhere"), inputs[0],
                 "-o", str(tmp_path / "a.jsonl")]) == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")  # a folder, but no weights: fails in the actors
    assert main(["annotate", "-q", "--ray", "--model", str(broken), inputs[0], "-o", str(tmp_path / "b.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "not a model folder" in err[0] and err[1].startswith("quotes: error: on Ray:")
    assert not (tmp_path / "b.jsonl").exists()
