"""Speed and memory of `quotes annotate`, rules-only and with the model, beside spaCy's parse (run on demand).

    .venv/bin/python bench/speed.py [--quick] [PATH ...]   # default: annotations/pages annotations/html
    QUOTES_BENCH_MODEL=models/other .venv/bin/python bench/speed.py --quick   # another model folder

Each configuration runs in a fresh process (so peak memory is its own): spaCy's `fr_core_news_md`
parse alone (`nlp.pipe`, full pipeline) of the same texts, the rule layer (`--rules-only`), and the
full pipeline with the shipped model. The table gives load time, articles/s, words/s, peak resident
memory, and each throughput as a ratio to spaCy's parse in the same run: absolute times on a
shared machine are noisy, ratios much less so. `bench/run.py` builds the full benchmark on this.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _texts(paths: list[str], quick: bool):
    from quotes.io.read import ReadReport, read_inputs

    docs = list(read_inputs(paths, ReadReport()))
    return docs[:20] if quick else docs


def _child(config: str, paths: list[str], quick: bool) -> dict:
    """One configuration in this (fresh) process. With $QUOTES_BENCH_SHARD=i/n it takes every n-th text from
    the i-th, prints `ready` once loaded and waits for a line on stdin before starting the clock, so that
    n such processes run their annotation at the same time (bench/run.py's worker rows)."""
    if config != "spacy":  # the settings `quotes annotate` runs with; spaCy alone keeps its own defaults
        from quotes.cli import process_defaults

        process_defaults()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    shard = os.environ.get("QUOTES_BENCH_SHARD")
    t0 = time.perf_counter()
    if config == "spacy":
        import spacy

        nlp = spacy.load("fr_core_news_md")
    else:
        from quotes.pipeline import Pipeline

        model_dir = os.environ.get("QUOTES_BENCH_MODEL")
        pipe = Pipeline(decider=config, **({"model_dir": model_dir} if config == "model" and model_dir else {}))
    load = time.perf_counter() - t0
    docs = _texts(paths, quick)
    if shard:
        i, n = map(int, shard.split("/"))
        docs = docs[i::n]
        print("ready", flush=True)
        sys.stdin.readline()
    words = sum(len(d.text.split()) for d in docs)
    wall0, t = time.time(), time.perf_counter()
    if config == "spacy":
        for _ in nlp.pipe(d.text for d in docs):
            pass
        version = f"spaCy {spacy.__version__} fr_core_news_md {nlp.meta['version']}"
    else:
        # annotate_all: whatever batching across documents the pipeline does is measured
        for _ in pipe.annotate_all(docs):
            pass
        version = pipe.version
    run = time.perf_counter() - t
    return {"config": config, "version": version, "load_s": load, "run_s": run, "docs": len(docs), "words": words,
            "start": wall0, "end": time.time(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(config: str, paths: list[str], quick: bool) -> dict:
    """`_child` in a fresh process (its peak memory is its own); raises RuntimeError with its last error line."""
    done = subprocess.run([sys.executable, __file__, "--child", config, "quick" if quick else "full", *paths],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{config}: {(done.stderr.strip().splitlines() or ['exit %d' % done.returncode])[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(_child(argv[1], argv[3:], argv[2] == "quick")))
        return 0
    quick = "--quick" in argv
    paths = [a for a in argv if a != "--quick"] or ["annotations/pages", "annotations/html"]
    try:
        results = [measure(config, paths, quick) for config in ("spacy", "rules", "model")]
    except RuntimeError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    spacy_rate = results[0]["docs"] / results[0]["run_s"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{results[0]['docs']} articles, {results[0]['words']:,} words; command: python bench/speed.py "
          + " ".join(argv))
    print()
    print("| run | load s | articles/s | words/s | peak MB | speed / spaCy parse |")
    print("|---|---|---|---|---|---|")
    for r in results:
        rate = r["docs"] / r["run_s"]
        print(f"| {r['config']} ({r['version']}) | {r['load_s']:.1f} | {rate:.2f} | {r['words'] / r['run_s']:,.0f} | "
              f"{r['peak_mb']:.0f} | {rate / spacy_rate:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
