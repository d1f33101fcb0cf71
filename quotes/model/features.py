"""What the encoder sees of a quote: its context window and its speaker candidates.

The rule layer proposes a quote and a speaker mention; here each proposal becomes
one encoder input: the text around the quote (the quote's tokens flagged), and a
short list of candidates, each a resolved name with the span that mentions it
in the window (when there is one) and a few facts the rules know about it. The
model then ranks the candidates and classifies the stance in one pass.

Candidate names are resolved with the rule layer's own `NameResolver`, walking
the quotes in order with the rule choice remembered, so that a document's
quotes can all be batched into one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import Document, Quote
from ..rules.names import NameResolver
from ..rules.speakers import Mention, inherits_speaker
from ..score import Result, fold_name, match_document, names_agree

STANCE_LABELS = ("escalation", "diplomacy", "neutral")
# How the rules found a candidate; the model learns how far to trust each.
SOURCES = ("after", "before", "subject", "inverted", "source", "colon", "sentence_subject", "participle",
           "nearby", "position", "previous", "none")
KINDS = ("name", "role", "org", "pronoun", "none")
N_FEATURES = len(SOURCES) + len(KINDS) + 4


@dataclass(frozen=True)
class Window:
    """How much text the encoder sees around a quote, in characters; a model records its own in config.json."""

    left: int = 240
    right: int = 120
    long_quote: int = 600  # longer quotes are shown as head + " … " + tail, so the cue after them stays in view
    head: int = 350
    tail: int = 220


@dataclass
class Candidate:
    name: str | None  # resolved name; None for "no speaker"
    mention: Mention | None
    source: str
    kind: str
    rule_choice: bool


@dataclass
class QuoteInput:
    """One proposal as the model receives it; offsets are into the document text."""

    start: int
    end: int
    window: tuple[int, int]
    candidates: list[Candidate]
    speaker_label: int = -100  # index of the gold speaker among candidates (-100: unknown / not among them)
    stance_label: int = -100


def _kind(m: Mention | None) -> str:
    return m.kind if m is not None and m.kind in KINDS else "none"


def _window(text: str, start: int, end: int, floor: int, ceil: int, shape: Window) -> tuple[int, int]:
    """About a sentence or two around the quote, cut at a space, never past the region."""
    left = max(floor, start - shape.left)
    if left > floor:
        sp = text.find(" ", left, start)
        left = sp + 1 if sp != -1 else left
    right = min(ceil, end + shape.right)
    if right < ceil:
        sp = text.rfind(" ", end, right)
        right = sp if sp != -1 else right
    return left, right


def candidate_features(c: Candidate, quote: tuple[int, int], window: tuple[int, int]) -> list[float]:
    """Facts the rules know about a candidate, as numbers: source, kind, whether the rules chose it,
    whether it is mentioned in the window, and how far from the quote."""
    f = [0.0] * N_FEATURES
    f[SOURCES.index(c.source if c.source in SOURCES else "none")] = 1.0
    f[len(SOURCES) + KINDS.index(c.kind)] = 1.0
    k = len(SOURCES) + len(KINDS)
    f[k] = 1.0 if c.rule_choice else 0.0
    inside = c.mention is not None and window[0] <= c.mention.start and c.mention.end <= window[1]
    f[k + 1] = 1.0 if inside else 0.0
    if c.mention is not None:
        gap = c.mention.start - quote[1] if c.mention.start >= quote[1] else quote[0] - c.mention.end
        f[k + 2] = min(max(gap, 0), 600) / 600
    f[k + 3] = 1.0 if c.name is None else 0.0
    return f


def build_inputs(doc: Document, parsed, items, shape: Window = Window()) -> list[QuoteInput]:
    """One QuoteInput per proposal (`items`: the pipeline's Candidates, in text order)."""
    text = doc.text
    resolver = NameResolver(parsed)
    regions = [(base, base + len(d.text)) for base, d in parsed]
    out: list[QuoteInput] = []
    prev_mention, prev_name, prev_end = None, None, -1
    for item in items:
        p, choice = item.proposal, item.speakers
        m = choice.mention
        source = m.source if m is not None else ("position" if p.speaker_side == "position" else "none")
        if inherits_speaker(p, m, prev_mention, prev_end, text):
            m, source = prev_mention, "participle"
        # Alternatives first, without touching the resolver's memory; the rule choice last, remembered.
        alts: list[Candidate] = []
        for c in choice.candidates:
            if m is not None and (c.start, c.end) == (m.start, m.end):
                continue
            alts.append(Candidate(resolver.resolve(c, c.start, text, remember=False, quote=(p.start, p.end)),
                                  c, c.source or "nearby",
                                  _kind(c), False))
        rule_name = resolver.resolve(m, p.start, text, quote=(p.start, p.end))
        resolver.note_quote(p.start, p.end)
        cands = [Candidate(rule_name, m, source, _kind(m), True)] if rule_name else []
        cands += alts
        if prev_name:
            cands.append(Candidate(prev_name, None, "previous", "none", False))
        cands.append(Candidate(None, None, "none", "none", not rule_name))
        seen, unique = set(), []
        for c in cands:
            key = " ".join(fold_name(c.name)) if c.name else None
            if key in seen or (c.name is not None and not key):
                continue
            seen.add(key)
            unique.append(c)
        floor, ceil = next(((s, e) for s, e in regions if s <= p.start < e), (0, len(text)))
        out.append(QuoteInput(p.start, p.end, _window(text, p.start, p.end, floor, max(ceil, p.end), shape), unique))
        prev_mention, prev_name, prev_end = m, rule_name or prev_name, p.end
    return out


def attach_gold(doc_gold: Document, inputs: list[QuoteInput]) -> int:
    """Labels from the gold document, matched to the proposals as the scorer matches quotes.
    Returns the number of proposals that matched a gold quote."""
    preds = [Quote(q.start, q.end, doc_gold.text[q.start:q.end], "direct") for q in inputs]
    res = Result()
    match_document(doc_gold, Document(doc_gold.id, doc_gold.text, preds), res)
    index = {id(q): i for i, q in enumerate(preds)}
    for m in res.matches:
        qi = inputs[index[id(m.pred)]]
        if m.gold.stance in STANCE_LABELS:
            qi.stance_label = STANCE_LABELS.index(m.gold.stance)
        gold_name = m.gold.speaker_name
        for k, c in enumerate(qi.candidates):
            if names_agree(c.name, gold_name):
                qi.speaker_label = k
                break
    return len(res.matches)
