"""Resumable runs: `quotes annotate` writes its output in chunks beside a small manifest.

`OUT.parts/` holds `chunk-00001.jsonl`, … (each written atomically) and `manifest.json`
(rewritten atomically after each chunk): the run's signature (inputs with their sizes and
modification times, decider, columns, chunk size) and, per chunk, how many input documents it
consumed. Rerun with the same command after a Ctrl-C, a SIGKILL or a crash, the run skips the
documents already consumed (it still reads them, it does not annotate them again) and appends
new chunks; at the end the chunks become OUT (JSONL or Parquet, atomically) and `OUT.parts/`
is removed, so the file is the one an uninterrupted run writes. A document that crashes the
pipeline is recorded in the manifest with its error and skipped, not fatal.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..document import Document, QuotesError, atomic_path, read_jsonl, write_jsonl

log = logging.getLogger(__name__)
CHUNK_DOCS = 100


@dataclass
class Failed:
    """A document the pipeline raised on: reported, recorded in the manifest and left out."""
    id: str
    error: str


def signature(inputs: Iterable[Path | str], **settings) -> dict:
    """What must not change between a run and its resumption."""
    files = []
    for f in inputs:
        if f == "-":
            raise QuotesError("standard input cannot be resumed")  # the caller only chunks file inputs
        st = Path(f).stat()
        files.append([str(f), st.st_size, st.st_mtime_ns])
    return {"inputs": files, **settings}


class ChunkedRun:
    def __init__(self, output: str | Path, sig: dict, chunk_docs: int | None = None):
        chunk_docs = chunk_docs or CHUNK_DOCS
        self.output = Path(output)
        self.parts = self.output.with_name(self.output.name + ".parts")
        self.sig = {**sig, "chunk_docs": chunk_docs}
        self.chunk_docs = chunk_docs
        self.chunks: list[dict] = []
        self.errors: list[dict] = []
        self.buffer: list[Document] = []
        self.consumed_in_buffer = 0
        self.resumed = 0

    def open(self) -> int:
        """Start or resume; returns how many input documents earlier runs already consumed."""
        manifest = self.parts / "manifest.json"
        if manifest.is_file():
            try:
                m = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                m = {}
            if m.get("signature") == self.sig and all((self.parts / c["file"]).is_file() for c in m["chunks"]):
                self.chunks, self.errors = m["chunks"], m.get("errors", [])
                self.resumed = sum(c["consumed"] for c in self.chunks)
                log.info("resuming %s: %d document(s) already done", self.output, self.resumed)
                return self.resumed
            log.warning("%s: left by a run with other inputs or options; starting over", self.parts)
            shutil.rmtree(self.parts)
        self.parts.mkdir(parents=True, exist_ok=True)
        self._save()
        return 0

    def run(self, docs: Iterator[Document], annotate: Callable[[Document], Document] | None = None,
            annotate_all: Callable[[Iterator[Document]], Iterator] | None = None) -> None:
        """Annotate what earlier runs left, one document at a time (`annotate`) or as a stream whose
        results come back in order (`annotate_all`, a worker pool: a failed document as a `Failed`)."""
        skip = self.open()
        todo = (d for i, d in enumerate(docs) if i >= skip)
        for result in annotate_all(todo) if annotate_all else (_safely(annotate, d) for d in todo):
            self.consumed_in_buffer += 1
            if isinstance(result, Document):
                self.buffer.append(result)
            else:  # one bad document must not cost the run
                self.errors.append({"id": result.id, "error": result.error})
                say_failed(result.id, result.error)
            if self.consumed_in_buffer >= self.chunk_docs:
                self._flush()
        self._flush()

    def _flush(self) -> None:
        if not self.consumed_in_buffer:
            return
        name = f"chunk-{len(self.chunks) + 1:05d}.jsonl"
        write_jsonl(self.buffer, self.parts / name)
        self.chunks.append({"file": name, "consumed": self.consumed_in_buffer, "written": len(self.buffer),
                            "quotes": sum(len(d.quotes) for d in self.buffer)})
        self._save()
        self.buffer, self.consumed_in_buffer = [], 0

    def _save(self) -> None:
        with atomic_path(self.parts / "manifest.json") as tmp:
            tmp.write_text(json.dumps({"signature": self.sig, "chunks": self.chunks, "errors": self.errors},
                                      ensure_ascii=False, indent=1), encoding="utf-8")

    def documents(self) -> Iterator[Document]:
        for c in self.chunks:
            yield from read_jsonl(self.parts / c["file"])

    def written(self) -> tuple[int, int]:
        """Documents and quotes in the chunks so far."""
        return sum(c["written"] for c in self.chunks), sum(c["quotes"] for c in self.chunks)

    def finish(self, write: Callable[[Iterator[Document]], int]) -> int:
        """The chunks, in order, as the final output; then the parts folder goes."""
        n = write(self.documents())
        shutil.rmtree(self.parts, ignore_errors=True)
        return n


def say_failed(doc_id: str, error: str) -> None:
    print(f"quotes: skipped document {doc_id}: {error}", file=sys.stderr, flush=True)


def _safely(annotate: Callable[[Document], Document], doc: Document):
    try:
        return annotate(doc)
    except (KeyboardInterrupt, QuotesError):
        raise
    except Exception as e:
        return Failed(doc.id, f"{type(e).__name__}: {e}")
