"""`quotes annotate --workers N` (quotes/scale/workers.py): processes on this machine give the one-process
output exactly, to a file (chunked, resumable) and to stdout."""

from __future__ import annotations

import pytest

import quotes.commands
import quotes.scale.chunks
from quotes.cli import main
from quotes.scale.chunks import ChunkedRun, Failed, signature
from quotes.scale.workers import IN_FLIGHT_PER_WORKER

TEXTS = [
    "« Nous ne céderons rien sur le dossier numéro {n} », a déclaré le ministre Karim Benali.\n",
    "La porte-parole du gouvernement a affirmé que le dialogue {n} restait ouvert.\n",
    "Selon l'ONU, la trêve numéro {n} tient. « Il faut négocier », a ajouté Amina Diallo.\n",
]


@pytest.fixture()
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(24):
        (folder / f"p{n:02d}.txt").write_text(TEXTS[n % 3].format(n=n), encoding="utf-8")
    return folder


def test_two_workers_write_what_one_process_writes_and_resume(pages, tmp_path, monkeypatch, capsys):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(one)]) == 0
    monkeypatch.setattr(quotes.scale.chunks, "CHUNK_DOCS", 4)
    real = quotes.commands._progress

    # Ctrl-C while reading the 19th document: 8 are in flight in the pool, 10 came back, 2 chunks were written
    stop_at = 10 + IN_FLIGHT_PER_WORKER * 2

    def interrupted(docs, total, quiet):
        for i, d in enumerate(real(docs, total, quiet)):
            if i == stop_at:
                raise KeyboardInterrupt
            yield d

    monkeypatch.setattr(quotes.commands, "_progress", interrupted)
    assert main(["annotate", "--rules-only", "-q", "--workers", "2", str(pages), "-o", str(two)]) == 130
    assert not two.exists() and len(list((tmp_path / "two.jsonl.parts").glob("chunk-*.jsonl"))) == 2
    monkeypatch.setattr(quotes.commands, "_progress", real)
    capsys.readouterr()
    assert main(["annotate", "--rules-only", "--workers", "2", str(pages), "-o", str(two)]) == 0
    assert "resumed: 8 document(s)" in capsys.readouterr().err
    assert two.read_bytes() == one.read_bytes()

    assert main(["annotate", "--rules-only", "-q", "--workers", "2", str(pages), "-o", "-"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == one.read_bytes()


def test_a_failed_document_from_a_stream_is_recorded_and_left_out(tmp_path, capsys):
    from quotes.document import Document

    (tmp_path / "in.txt").write_text("x", encoding="utf-8")
    run = ChunkedRun(tmp_path / "out.jsonl", signature([tmp_path / "in.txt"], decider="test"), chunk_docs=2)
    docs = [Document(f"d{i}", "texte") for i in range(3)]
    run.run(iter(docs), annotate_all=lambda ds: (Failed(d.id, "RuntimeError: boom") if d.id == "d1" else d
                                                 for d in ds))
    assert run.errors == [{"id": "d1", "error": "RuntimeError: boom"}] and run.written() == (2, 0)
    assert "skipped document d1: RuntimeError: boom" in capsys.readouterr().err


def test_workers_must_be_one_or_more(pages, capsys):
    assert main(["annotate", "--rules-only", "--workers", "0", str(pages), "-o", "-"]) == 2
    assert "--workers 0" in capsys.readouterr().err
