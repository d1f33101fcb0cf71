"""`python -m quotes.corpus.calibrate [GOLD.jsonl ...]`: measure the confidences the rule decider reports.

The quote confidence of a rule (`direct_incise`, `frame_que`, ...) is the share
of its proposals that match a gold quote; the speaker confidence of a speaker
source (`after`, `inverted`, `subject`, ...) is the share of matched quotes whose
speaker name is right. Both are measured on the given gold files (the train
split by default), smoothed toward 0.5 with two pseudo-counts so that rare rules
do not get 0 or 1, and written to quotes/rules/data/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from ..document import Document, read_jsonl
from ..pipeline import load_pipeline
from ..score import Result, match_document, names_agree

log = logging.getLogger(__name__)
OUT = Path(__file__).parents[1] / "rules" / "data" / "calibration.json"


def _smooth(hit: int, n: int) -> float:
    return round((hit + 1) / (n + 2), 3)


def measure(gold_docs: list[Document]) -> dict:
    """Match as the scorer does (`score.match_document`: one-to-one, ignore regions), then count per rule."""
    pipe = load_pipeline("rules")
    q_n, q_hit, s_n, s_hit = Counter(), Counter(), Counter(), Counter()
    for g in tqdm(gold_docs, desc="calibrate", unit="doc"):
        parsed = pipe.parse_regions(g.text, pipe.regions(g.text))
        items = pipe.candidates(g.text, parsed)
        quotes = pipe.decider.decide(g, parsed, items)
        res = Result()
        match_document(g, Document(g.id, g.text, quotes), res)
        gold_of = {id(m.pred): m.gold for m in res.matches}
        unmatched = {id(q) for _, q in res.false_pos}
        for item, q in zip(items, quotes):
            if id(q) not in gold_of and id(q) not in unmatched:
                continue  # inside an ignore region: neither a hit nor a miss
            rule = item.proposal.rule
            q_n[rule] += 1
            q_hit[rule] += id(q) in gold_of
            if id(q) in gold_of:
                m = item.speakers.mention
                key = m.source if m else "none"
                s_n[key] += 1
                s_hit[key] += names_agree(q.speaker_name, gold_of[id(q)].speaker_name)
    return {
        "_note": "Measured by `python -m quotes.corpus.calibrate` on the train split: quote = share of a rule's "
                 "proposals matching gold; speaker = share of right names per speaker source; (hits+1)/(n+2).",
        "quote": {"default": _smooth(sum(q_hit.values()), sum(q_n.values())),
                  **{k: _smooth(q_hit[k], q_n[k]) for k in sorted(q_n)}},
        "speaker": {"default": _smooth(sum(s_hit.values()), sum(s_n.values())),
                    **{k: _smooth(s_hit[k], s_n[k]) for k in sorted(s_n)}},
        "counts": {"quote": dict(sorted(q_n.items())), "speaker": dict(sorted(s_n.items()))},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m quotes.corpus.calibrate", description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="*", default=["annotations/train.jsonl"])
    ap.add_argument("-o", "--output", default=str(OUT))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    docs = [d for path in args.gold for d in read_jsonl(path)]
    log.info("calibrating on %d documents from %s", len(docs), ", ".join(args.gold))
    cal = measure(docs)
    if "none" not in cal["speaker"]:
        cal["speaker"]["none"] = 0.1
    tmp = Path(args.output).with_suffix(".tmp")
    tmp.write_text(json.dumps(cal, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(json.dumps({k: cal[k] for k in ("quote", "speaker")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
