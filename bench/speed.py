"""Speed and memory of `quotes annotate` (run on demand; prints a table).

    .venv/bin/python bench/speed.py [PATH ...]      # default: annotations/pages annotations/html

Measures pipeline load time, then throughput over the inputs (pages/s, chars/s,
ms per page at the median and 95th percentile) and the peak resident memory.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quotes.io.read import ReadReport, read_inputs  # noqa: E402
from quotes.pipeline import Pipeline  # noqa: E402


def main(paths: list[str]) -> int:
    paths = paths or ["annotations/pages", "annotations/html"]
    t0 = time.perf_counter()
    pipe = Pipeline()
    load_s = time.perf_counter() - t0
    docs = list(read_inputs(paths, ReadReport()))
    if not docs:
        print("no input documents", file=sys.stderr)
        return 1
    times, chars, nq = [], 0, 0
    t_all = time.perf_counter()
    for d in docs:
        t = time.perf_counter()
        out = pipe.annotate(d)
        times.append(time.perf_counter() - t)
        chars += len(d.text)
        nq += len(out.quotes)
    total = time.perf_counter() - t_all
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p95 = sorted(times)[max(0, int(0.95 * len(times)) - 1)]
    rows = [
        ("pipeline", pipe.version),
        ("inputs", f"{len(docs)} pages, {chars:,} chars, {nq} quotes found"),
        ("load time", f"{load_s:.2f} s"),
        ("throughput", f"{len(docs) / total:.1f} pages/s, {chars / total:,.0f} chars/s"),
        ("per page", f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"),
        ("peak memory", f"{peak_mb:.0f} MB (max RSS)"),
    ]
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
