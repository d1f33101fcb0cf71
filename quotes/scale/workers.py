"""`quotes annotate --workers N`: N processes on this machine, each loading the pipeline once.

The parent reads the documents in input order and keeps a bounded window of them in flight
(memory stays flat, the progress bar tells the truth); results come back in input order, so the
output, its chunks and a resumed run are exactly those of one process. Each worker runs torch and
the BLAS on cpu_count // N threads: on a small machine, processes with one thread each beat one
process with every thread, for the parse and the encoder alike (bench/results.md).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from typing import Iterable, Iterator

from ..document import Document
from .chunks import Failed

IN_FLIGHT_PER_WORKER = 4
_pipeline = None  # the worker's own, built by _start


def _start(decider: str, model_dir: str | None, threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the pool
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)  # before torch or numpy's BLAS is imported below
    global _pipeline
    from ..pipeline import load_pipeline

    if decider == "model":
        import torch

        torch.set_num_threads(threads)
    _pipeline = load_pipeline(decider, model_dir)


def _version() -> str:
    return _pipeline.version


def _annotate(doc: Document) -> Document | Failed:
    try:
        return _pipeline.annotate(doc)
    except Exception as e:
        return Failed(doc.id, f"{type(e).__name__}: {e}")


class WorkerPool:
    def __init__(self, n: int, decider: str, model_dir: str | None = None):
        threads = max(1, (os.cpu_count() or n) // n)
        # spawn, not fork: a forked torch or tokenizer thread pool deadlocks, and the parent holds nothing to share
        self.pool = mp.get_context("spawn").Pool(n, _start, (decider, model_dir, threads))
        self.n = n
        try:
            self.version = self.pool.apply(_version)
        except BaseException:
            self.pool.terminate()
            raise

    def annotate(self, docs: Iterable[Document]) -> Iterator[Document | Failed]:
        """The documents' results, in their order; at most IN_FLIGHT_PER_WORKER × n read ahead."""
        pending: deque = deque()
        for doc in docs:
            pending.append(self.pool.apply_async(_annotate, (doc,)))
            if len(pending) >= IN_FLIGHT_PER_WORKER * self.n:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.pool.close()
        else:
            self.pool.terminate()
        self.pool.join()
