"""`python -m quotes.score GOLD.jsonl PRED.jsonl [--json] [--errors]`: the scheme's scoring.

- Quotes match when their spans, trimmed of whitespace and punctuation at both
  ends, overlap by at least half of their union (IoU >= 0.5); one-to-one,
  largest overlaps first. P/R/F1 overall and by type.
- Speaker: over matched quotes, `speaker_name` is right when it equals the gold
  one after folding (case, accents, apostrophes, punctuation, a leading
  article), when the last words agree, or when the shorter (two words or
  more) begins the longer. Accuracy, and end-to-end F1 (matched and right).
- Stance: over matched quotes whose gold stance is not null: accuracy,
  macro-F1 over the three labels, confusion matrix.
- Gold-only conventions: a list of accepted names; `stance: null`; `ignore`
  regions, where an unmatched prediction lying mostly (at least half of its
  trimmed length) inside ignore regions is not counted as a false positive.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field

from .document import QUOTE_TYPES, STANCES, Document, Quote, QuotesError, read_jsonl

_TRIM = re.compile(r"[\W_]")


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _TRIM.match(text[start]):
        start += 1
    while end > start and _TRIM.match(text[end - 1]):
        end -= 1
    return start, end


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def fold_name(name: str) -> list[str]:
    s = unicodedata.normalize("NFKD", name.lower().replace("’", "'").replace("`", "'"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"^(?:(?:le|la|les)\s+|l')", "", s.strip())
    s = re.sub(r"[^\w\s]", " ", s)
    return s.split()


def names_agree(pred, gold) -> bool:
    """`pred` may itself be a list when a gold file is scored against another gold file."""
    if isinstance(pred, list):
        return any(names_agree(p, gold) for p in pred) if pred else names_agree(None, gold)
    golds = gold if isinstance(gold, list) else [gold]
    for g in golds:
        if pred is None or g is None:
            if pred is None and g is None:
                return True
            continue
        p, q = fold_name(pred), fold_name(g)
        if not p or not q:
            continue
        if p == q or p[-1] == q[-1]:
            return True
        short, long_ = (p, q) if len(p) <= len(q) else (q, p)
        if len(short) >= 2 and long_[: len(short)] == short:
            return True
    return False


@dataclass
class Match:
    doc: Document
    gold: Quote
    pred: Quote


@dataclass
class Result:
    matches: list[Match] = field(default_factory=list)
    missed: list[tuple[Document, Quote]] = field(default_factory=list)
    false_pos: list[tuple[Document, Quote]] = field(default_factory=list)
    ignored: int = 0
    n_gold: int = 0
    n_pred: int = 0


def match_document(gold: Document, pred: Document | None, res: Result) -> None:
    preds = list(pred.quotes) if pred else []
    text = gold.text
    g_spans = [trimmed(text, q.start, q.end) for q in gold.quotes]
    p_spans = [trimmed(text, q.start, q.end) for q in preds]
    pairs = []
    for i, gs in enumerate(g_spans):
        for j, ps in enumerate(p_spans):
            v = iou(gs, ps)
            if v >= 0.5:
                pairs.append((v, min(gs[1], ps[1]) - max(gs[0], ps[0]), i, j))
    pairs.sort(reverse=True)
    used_g, used_p = set(), set()
    for _, _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        res.matches.append(Match(gold, gold.quotes[i], preds[j]))
    res.n_gold += len(gold.quotes)
    for i, q in enumerate(gold.quotes):
        if i not in used_g:
            res.missed.append((gold, q))
    ignore = [(int(r["start"]), int(r["end"])) for r in gold.ignore]
    for j, q in enumerate(preds):
        if j in used_p:
            res.n_pred += 1
            continue
        s, e = p_spans[j]
        inside = sum(max(0, min(e, ie) - max(s, is_)) for is_, ie in ignore)
        if ignore and e > s and inside * 2 >= e - s:
            res.ignored += 1
            continue
        res.n_pred += 1
        res.false_pos.append((gold, q))


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def metrics(res: Result) -> dict:
    out: dict = {"quotes": prf(len(res.matches), res.n_pred, res.n_gold), "ignored_predictions": res.ignored}
    by_type = {}
    for t in QUOTE_TYPES:
        tp = sum(1 for m in res.matches if m.gold.type == t and m.pred.type == t)
        n_pred = sum(1 for m in res.matches if m.pred.type == t) + sum(1 for _, q in res.false_pos if q.type == t)
        n_gold = sum(1 for m in res.matches if m.gold.type == t) + sum(1 for _, q in res.missed if q.type == t)
        by_type[t] = prf(tp, n_pred, n_gold)
    out["by_type"] = by_type
    right = [m for m in res.matches if names_agree(m.pred.speaker_name, m.gold.speaker_name)]
    out["speaker"] = {
        "accuracy": round(len(right) / len(res.matches), 4) if res.matches else 0.0,
        "correct": len(right), "matched": len(res.matches),
        "end_to_end": prf(len(right), res.n_pred, res.n_gold),
    }
    scored = [m for m in res.matches if m.gold.stance is not None]
    confusion = {g: {p: 0 for p in STANCES} for g in STANCES}
    for m in scored:
        if m.gold.stance in confusion and m.pred.stance in STANCES:
            confusion[m.gold.stance][m.pred.stance] += 1
    f1s = []
    for lab in STANCES:
        tp = confusion[lab][lab]
        n_pred = sum(confusion[g][lab] for g in STANCES)
        n_gold = sum(confusion[lab].values())
        f1s.append(prf(tp, n_pred, n_gold)["f1"])
    correct = sum(confusion[s][s] for s in STANCES)
    out["stance"] = {
        "accuracy": round(correct / len(scored), 4) if scored else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4),
        "scored": len(scored),
        "confusion": confusion,
    }
    return out


def score_documents(gold: list[Document], pred: list[Document]) -> tuple[dict, Result]:
    by_id = {}
    for d in pred:
        by_id[d.id] = d
    res = Result()
    for g in gold:
        p = by_id.get(g.id)
        if p is not None and p.text != g.text:
            raise QuotesError(f"document {g.id!r}: the predicted text differs from the gold text, offsets cannot be compared")
        match_document(g, p, res)
    return metrics(res), res


def _context(doc: Document, q: Quote, width: int = 50) -> str:
    t = doc.text
    left = t[max(0, q.start - width):q.start].replace("\n", " ")
    right = t[q.end:q.end + width].replace("\n", " ")
    return f"…{left}[{t[q.start:q.end]}]{right}…"


def format_table(m: dict) -> str:
    q = m["quotes"]
    lines = [
        f"{'':<22}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'pred':>6}{'gold':>6}",
        f"{'quotes':<22}{q['precision']:>8.3f}{q['recall']:>8.3f}{q['f1']:>8.3f}{q['tp']:>6}{q['pred']:>6}{q['gold']:>6}",
    ]
    for t, v in m["by_type"].items():
        lines.append(f"{'  ' + t:<22}{v['precision']:>8.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['tp']:>6}{v['pred']:>6}{v['gold']:>6}")
    e = m["speaker"]["end_to_end"]
    lines.append(f"{'end-to-end (speaker)':<22}{e['precision']:>8.3f}{e['recall']:>8.3f}{e['f1']:>8.3f}{e['tp']:>6}{e['pred']:>6}{e['gold']:>6}")
    lines.append("")
    lines.append(f"speaker accuracy  {m['speaker']['accuracy']:.3f}  ({m['speaker']['correct']}/{m['speaker']['matched']} matched quotes)")
    s = m["stance"]
    lines.append(f"stance accuracy   {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  ({s['scored']} matched quotes with a gold stance)")
    lines.append(f"predictions inside ignore regions (not counted): {m['ignored_predictions']}")
    lines.append("")
    lines.append("stance confusion (rows gold, columns predicted)")
    lines.append(f"{'':<12}" + "".join(f"{p:>12}" for p in STANCES))
    for g in STANCES:
        lines.append(f"{g:<12}" + "".join(f"{s['confusion'][g][p]:>12}" for p in STANCES))
    return "\n".join(lines)


def format_errors(res: Result) -> str:
    out = []
    for doc, q in res.missed:
        out.append(f"MISS  {doc.id} {q.start}-{q.end} {q.type} {_context(doc, q)}")
    for doc, q in res.false_pos:
        out.append(f"FP    {doc.id} {q.start}-{q.end} {q.type} {_context(doc, q)}")
    for m in res.matches:
        if m.pred.type != m.gold.type:
            out.append(f"TYPE  {m.doc.id} {m.gold.start}-{m.gold.end} pred={m.pred.type} gold={m.gold.type} "
                       f"{m.doc.text[m.gold.start:m.gold.end][:80]!r}")
    for m in res.matches:
        if not names_agree(m.pred.speaker_name, m.gold.speaker_name):
            out.append(f"SPKR  {m.doc.id} {m.gold.start}-{m.gold.end} pred={m.pred.speaker_name!r} gold={m.gold.speaker_name!r} "
                       f"(mention {m.pred.speaker.text if m.pred.speaker else None!r})")
    for m in res.matches:
        if m.gold.stance is not None and m.pred.stance != m.gold.stance:
            out.append(f"STNC  {m.doc.id} {m.gold.start}-{m.gold.end} pred={m.pred.stance} gold={m.gold.stance} "
                       f"{m.doc.text[m.gold.start:m.gold.end][:80]!r}")
    return "\n".join(out)


def reliability(res: Result, bins: int = 5) -> dict:
    """Confidence against observed precision, per head: for each of `bins` equal-width confidence bins, the
    number of predictions, their mean confidence and the share right; and the expected calibration error.
    quote: every counted prediction (right = matched); speaker and stance: matched quotes."""
    heads = {"quote": [(m.pred, True) for m in res.matches] + [(q, False) for _, q in res.false_pos],
             "speaker": [(m.pred, names_agree(m.pred.speaker_name, m.gold.speaker_name)) for m in res.matches],
             "stance": [(m.pred, m.pred.stance == m.gold.stance) for m in res.matches if m.gold.stance is not None]}
    out = {}
    for head, pairs in heads.items():
        pts = [(float((q.confidence or {}).get(head, 0.0)), ok) for q, ok in pairs]
        rows, ece = [], 0.0
        for b in range(bins):
            lo, hi = b / bins, (b + 1) / bins
            inside = [(c, ok) for c, ok in pts if lo <= c < hi or (b == bins - 1 and c == 1.0)]
            if not inside:
                rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": 0, "confidence": None, "precision": None})
                continue
            conf = sum(c for c, _ in inside) / len(inside)
            prec = sum(1 for _, ok in inside if ok) / len(inside)
            ece += len(inside) / len(pts) * abs(conf - prec)
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(inside), "confidence": round(conf, 3),
                         "precision": round(prec, 3)})
        out[head] = {"bins": rows, "ece": round(ece, 4), "n": len(pts)}
    return out


def format_reliability(rel: dict) -> str:
    lines = ["| head | " + " | ".join(r["bin"] for r in next(iter(rel.values()))["bins"]) + " | ECE |",
             "|---" * (len(next(iter(rel.values()))["bins"]) + 2) + "|"]
    for head, r in rel.items():
        cells = [f"{b['precision']:.2f} ({b['n']})" if b["n"] else "–" for b in r["bins"]]
        lines.append(f"| {head} | " + " | ".join(cells) + f" | {r['ece']:.3f} |")
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The arguments of `python -m quotes.score` and of `quotes score`."""
    ap.add_argument("gold", help="gold JSONL (the scheme's format)")
    ap.add_argument("pred", help="predicted JSONL, e.g. the output of `quotes annotate`")
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ap.add_argument("--errors", action="store_true",
                    help="list misses (MISS), false positives (FP), type (TYPE), speaker (SPKR) and stance (STNC) "
                    "errors, each with its document, offsets and context")
    ap.add_argument("--reliability", action="store_true",
                    help="confidence bins against observed precision for quote, speaker and stance, with the ECE")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m quotes.score", description=__doc__.split("\n")[0])
    add_arguments(ap)
    return run(ap.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    try:
        gold, pred = read_jsonl(args.gold), read_jsonl(args.pred)
        m, res = score_documents(gold, pred)
    except QuotesError as e:
        print(f"quotes.score: error: {e}", file=sys.stderr)
        return 2
    try:
        _print(args, gold, pred, m, res)
    except BrokenPipeError:
        sys.stderr.close()  # `| head`: the reader left; not an error
    return 0


def _print(args, gold, pred, m, res) -> None:
    if args.reliability:
        m = {**m, "reliability": reliability(res)}
    if args.json:
        print(json.dumps(m, indent=2, ensure_ascii=False))
    else:
        print(f"{len(gold)} gold documents, {res.n_gold} gold quotes; {len(pred)} predicted documents")
        print(format_table(m))
        if args.reliability:
            print()
            print("observed precision (predictions) per confidence bin:")
            print(format_reliability(m["reliability"]))
    if args.errors:
        print()
        print(format_errors(res))


if __name__ == "__main__":
    sys.exit(main())
