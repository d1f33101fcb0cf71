"""Resumable runs (quotes/scale/chunks.py): an interrupted `quotes annotate`, rerun, redoes nothing and
duplicates nothing, and its output is byte-identical to an uninterrupted run's."""

from __future__ import annotations

import json

import pytest

import quotes.scale.chunks
from quotes.cli import main
from quotes.pipeline import Pipeline

TEXT = "« Nous ne céderons rien sur le dossier numéro {n} », a déclaré le ministre Karim Benali.\n"


@pytest.fixture()
def pages(tmp_path, monkeypatch):
    monkeypatch.setattr(quotes.scale.chunks, "CHUNK_DOCS", 3)
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(8):
        (folder / f"p{n}.txt").write_text(TEXT.format(n=n), encoding="utf-8")
    return folder


def counting(monkeypatch, fail_at=None, crash_id=None):
    calls = []
    real = Pipeline.annotate

    def annotate(self, doc):
        calls.append(doc.id)
        if fail_at is not None and len(calls) == fail_at:
            raise KeyboardInterrupt
        if doc.id == crash_id:
            raise RuntimeError("boom")
        return real(self, doc)

    monkeypatch.setattr(Pipeline, "annotate", annotate)
    return calls


def test_interrupted_run_resumes_without_redoing_and_matches_a_clean_run(pages, tmp_path, monkeypatch):
    clean = tmp_path / "clean.jsonl"
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(clean)]) == 0

    out = tmp_path / "out.jsonl"
    calls = counting(monkeypatch, fail_at=8)
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(out)]) == 130  # Ctrl-C on the 8th
    assert not out.exists()
    manifest = json.loads((tmp_path / "out.jsonl.parts" / "manifest.json").read_text(encoding="utf-8"))
    assert [c["consumed"] for c in manifest["chunks"]] == [3, 3]

    calls = counting(monkeypatch)
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(out)]) == 0
    assert calls == ["p6", "p7"]  # the six done before are not annotated again
    assert out.read_bytes() == clean.read_bytes()
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_changed_inputs_start_over(pages, tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    counting(monkeypatch, fail_at=5)
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(out)]) == 130
    (pages / "p0.txt").write_text(TEXT.format(n=99), encoding="utf-8")
    calls = counting(monkeypatch)
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(out)]) == 0
    assert len(calls) == 8
    assert "99" in out.read_text(encoding="utf-8")


def test_a_document_that_crashes_is_recorded_and_skipped(pages, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.jsonl"
    counting(monkeypatch, crash_id="p4")
    assert main(["annotate", "--rules-only", "-q", str(pages), "-o", str(out)]) == 0
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["p0", "p1", "p2", "p3", "p5", "p6", "p7"]
    assert "skipped document p4: RuntimeError: boom" in capsys.readouterr().err
    counting(monkeypatch, crash_id="p4")
    assert main(["annotate", "--rules-only", "-q", "--strict", str(pages), "-o", str(out)]) == 1
