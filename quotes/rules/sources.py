"""Source phrases: `Selon X, <clause>`, `D'après X, <clause>` and `<clause>, selon X`.

The source runs from the preposition to the comma (with a name in apposition, `D'après le porte-parole,
Peter Stano, …`), the content is the clause on the other side; a content that is not a clause is no quote.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import marks as M
from .clauses import clause_end, clause_start, trim
from .cues import Cue
from .proposal import Proposal


def source_proposals(text: str, doc: Doc, base: int, c: Cue, end_region: int) -> list[Proposal]:
    """`Selon X, <clause>` and `<clause>, selon X`."""
    cs, ce = base + c.span.start_char, base + c.span.end_char
    sent_start = clause_start(text, cs, base)
    out = []
    if not re.search(r"\w", text[sent_start:cs]) or re.search(r"[,:]\s*$", text[sent_start:cs]) and cs - sent_start < 3:
        # Opening the sentence: the source runs to the first comma, the content to the sentence end.
        comma = text.find(",", ce, min(end_region, ce + 120))
        if comma < 0:
            return out
        # "D'après le porte-parole de la diplomatie européenne, Peter Stano, la rencontre …":
        # a name in apposition sits between two commas and belongs to the source.
        # (`…, la Burkinabè Aminata Sawadogo-Kaboré, le forum …`: a demonym before the name)
        appos = re.match(r",[\s\u00a0]*((?:(?:le|la|l'|l’)[\s\u00a0]*[A-ZÉÈ][\w'’.-]+[\s\u00a0]+)?(?:[A-ZÉÈ][\w'’.-]+[\s\u00a0]+){0,3}[A-ZÉÈ][\w'’.-]+)"
                         r"[\s\u00a0]*,", text[comma:comma + 80])
        if appos:
            comma += appos.end() - 1
        comma = _past_description(text, doc, base, comma, end_region)
        e = clause_end(text, comma, end_region)
        s, e = trim(text, comma + 1, e)
        if len(text[s:e].split()) >= 3:
            out.append(Proposal(s, e, "indirect", "source_front", c, "source", speaker_hint=(ce, comma),
                                speaker_side="source", doc=doc, base=base))
    elif re.search(r",[\s\u00a0]*$", text[max(base, cs - 3):cs]):
        comma = text.rindex(",", max(base, cs - 3), cs)
        s, e = trim(text, sent_start, comma)
        send = clause_end(text, ce, end_region)
        if len(text[s:e].split()) >= 3:
            out.append(Proposal(s, e, "indirect", "source_back", c, "source", speaker_hint=(ce, send),
                                speaker_side="source", doc=doc, base=base))
    out = [p for p in out if is_clause(doc, base, p.start, p.end)]
    for p in out:
        inner = [m for m in M.find_marked(text, p.start, p.end)]
        if len(inner) == 1 and inner[0].closed and inner[0].open - p.start <= 1 and p.end - inner[0].outer_end <= 1:
            p.start, p.end, p.type = inner[0].start, inner[0].end, "direct"  # `Pour le syndicat, « … »`
        elif inner:
            p.type = "mixed"
    return out


def _past_description(text: str, doc: Doc, base: int, comma: int, end_region: int) -> int:
    """`Pour Thant Zin Oo, analyste indépendant installé à Chiang Mai, l'armée a perdu …`, `Pour X, lui aussi
    déchu de sa nationalité, …`: a description of the source set off by commas, without a determiner or a
    finite verb, belongs to the source; the content starts after it."""
    nxt = text.find(",", comma + 1, min(end_region, comma + 120))
    if nxt < 0 or "\n" in text[comma:nxt]:
        return comma
    seg = doc.char_span(comma + 1 - base, nxt - base, alignment_mode="contract")
    if seg is None or not 1 <= len(seg) <= 12:
        return comma
    first = seg[0]
    opens = first.pos_ in ("NOUN", "ADJ") or first.lower_ in ("lui", "elle", "eux", "elles") or (
        first.pos_ == "VERB" and first.morph.get("VerbForm") == ["Part"])
    finite = any(t.pos_ in ("VERB", "AUX") and t.morph.get("VerbForm") == ["Fin"] for t in seg)
    if not opens or finite or any(t.text in M.ALL_MARKS for t in seg):
        return comma
    return nxt


def is_clause(doc: Doc, base: int, s: int, e: int) -> bool:
    """A source's content is a clause: `D'après X, le conseiller du président, Y, aurait affirmé que …` cut at
    the apposition's comma leaves a noun phrase, whose report is the verb's own."""
    span = doc.char_span(s - base, e - base, alignment_mode="expand")
    # a noun the tagger reads as a verb keeps its determiner ("le conseiller")
    # or a word the parser gives a subject (`le fret transite`, `transite` read as a noun)
    return span is not None and any(t.pos_ in ("VERB", "AUX") and not (t.i and doc[t.i - 1].pos_ == "DET")
                                    or t.dep_ == "nsubj" and span.start <= t.head.i < span.end and t.head.i > t.i
                                    for t in span)
