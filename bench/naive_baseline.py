"""The naive baseline the rule layer is compared with: every « … » span is a direct quote.

    .venv/bin/python bench/naive_baseline.py GOLD.jsonl

Prints the scheme's scores for it (no speaker, neutral stance).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quotes.document import Document, Quote, read_jsonl  # noqa: E402
from quotes.score import format_table, score_documents  # noqa: E402

GUILLEMETS = re.compile(r"«\s*([^«»]+?)\s*»")


def naive(doc: Document) -> Document:
    quotes = [Quote(m.start(1), m.end(1), m.group(1), "direct", stance="neutral",
                    confidence={"quote": 0.5, "speaker": 0.0, "stance": 0.34})
              for m in GUILLEMETS.finditer(doc.text)]
    return Document(doc.id, doc.text, quotes)


def main(argv: list[str]) -> int:
    gold = read_jsonl(argv[0] if argv else "annotations/test.jsonl")
    metrics, _ = score_documents(gold, [naive(d) for d in gold])
    print(format_table(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
