"""From documents to encoder rows and batches, the same way for training and for annotating.

A row is one quote proposal: the window's text (a long quote keeps its head and its tail, joined
by an ellipsis, so that the cue after it stays in view), the quote's and the candidates' character
spans in that text, the candidates' rule features and, from gold data, the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import Document
from .features import N_FEATURES, QuoteInput, Window, attach_gold, build_inputs, candidate_features
from .network import MENTION, QUOTE

GAP = " … "
MAX_TOKENS = 320


@dataclass
class Prepared:
    """One document through the rule layer: what the decider and the trainer both start from."""

    doc: Document
    parsed: list
    items: list
    inputs: list[QuoteInput]


def prepare(pipeline, doc: Document, gold: bool = False, shape: Window = Window()) -> Prepared:
    parsed = pipeline.parse_regions(doc.text, pipeline.regions(doc.text))
    items = pipeline.candidates(doc.text, parsed)
    inputs = build_inputs(doc, parsed, items, shape)
    if gold:
        attach_gold(doc, inputs)
    return Prepared(doc, parsed, items, inputs)


def _segments(q: QuoteInput, shape: Window) -> list[tuple[int, int]]:
    w0, w1 = q.window
    if q.end - q.start <= shape.long_quote:
        return [(w0, w1)]
    return [(w0, q.start + shape.head), (q.end - shape.tail, w1)]


def row(text: str, q: QuoteInput, doc_id: str = "", shape: Window = Window()) -> dict:
    segs = _segments(q, shape)
    parts, starts, at = [], [], 0
    for i, (a, b) in enumerate(segs):
        if i:
            parts.append(GAP)
            at += len(GAP)
        starts.append(at)
        parts.append(text[a:b])
        at += b - a

    def local(s: int, e: int) -> tuple[int, int]:
        """Document span → window span, clipped to what is shown; (-1, -1) when none of it is."""
        out = []
        for (a, b), base in zip(segs, starts):
            lo, hi = max(s, a), min(e, b)
            if lo < hi:
                out.append((base + lo - a, base + hi - a))
        return (out[0][0], out[-1][1]) if out else (-1, -1)

    cands = [local(c.mention.start, c.mention.end) if c.mention is not None else (-1, -1) for c in q.candidates]
    return {
        "doc_id": doc_id, "text": "".join(parts), "quote": list(local(q.start, q.end)),
        "cand_spans": [list(c) for c in cands],
        "cand_feats": [candidate_features(c, (q.start, q.end), q.window) for c in q.candidates],
        "speaker_label": q.speaker_label, "stance_label": q.stance_label,
    }


def rows(prepared: Prepared, labelled_only: bool = False, shape: Window = Window()) -> list[dict]:
    out = [row(prepared.doc.text, q, prepared.doc.id, shape) for q in prepared.inputs]
    if labelled_only:
        out = [r for r in out if r["stance_label"] != -100 or r["speaker_label"] != -100]
    return out


def tokenize(r: dict, tokenizer) -> dict:
    enc = tokenizer(r["text"], return_offsets_mapping=True, truncation=True, max_length=MAX_TOKENS)
    offsets = enc["offset_mapping"]
    qs, qe = r["quote"]
    marks = [0] * len(offsets)
    spans = []
    for cs, ce in r["cand_spans"]:
        toks = [i for i, (a, b) in enumerate(offsets) if a < b and a < ce and b > cs] if cs >= 0 else []
        spans.append([toks[0], toks[-1] + 1] if toks else [0, 0])
        for i in toks:
            marks[i] = MENTION
    for i, (a, b) in enumerate(offsets):
        if a < b and a < qe and b > qs:
            marks[i] = QUOTE
    return {"input_ids": enc["input_ids"], "marks": marks, "cand_tok_spans": spans}


def collate(batch: list[dict], pad_id: int):
    import torch

    B = len(batch)
    T = max(len(b["input_ids"]) for b in batch)
    C = max(len(b["cand_tok_spans"]) for b in batch)
    ids = torch.full((B, T), pad_id, dtype=torch.long)
    att = torch.zeros((B, T), dtype=torch.long)
    marks = torch.zeros((B, T), dtype=torch.long)
    spans = torch.zeros((B, C, 2), dtype=torch.long)
    feats = torch.zeros((B, C, N_FEATURES), dtype=torch.float)
    cmask = torch.zeros((B, C), dtype=torch.bool)
    spk = torch.full((B,), -100, dtype=torch.long)
    stance = torch.full((B,), -100, dtype=torch.long)
    for i, b in enumerate(batch):
        n, c = len(b["input_ids"]), len(b["cand_tok_spans"])
        ids[i, :n] = torch.tensor(b["input_ids"])
        att[i, :n] = 1
        marks[i, :n] = torch.tensor(b["marks"])
        spans[i, :c] = torch.tensor(b["cand_tok_spans"])
        feats[i, :c] = torch.tensor(b["cand_feats"])
        cmask[i, :c] = True
        spk[i] = b["speaker_label"]
        stance[i] = b["stance_label"]
    return {"input_ids": ids, "attention_mask": att, "marks": marks, "cand_spans": spans, "cand_feats": feats,
            "cand_mask": cmask}, spk, stance
