"""Views of a parsed region computed once and kept with the parse (its `user_data`).

spaCy's `Doc.text`, `Token.sent`, `Span.sent`, `Doc.ents` and `Span.ents` walk the whole document at every
call; a region has a few hundred tokens and the rules ask for a sentence and the entities at every
cue, name and candidate, so each is built once and looked up by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span as SpacySpan


def per_doc(doc: Doc, key: str, compute):
    """`compute(doc)`, once per parsed region: kept in the Doc's user_data, which lives as long as
    the parse, so every proposal of the region shares one result."""
    cache = doc.user_data.setdefault("quotes", {})
    if key not in cache:
        cache[key] = compute(doc)
    return cache[key]


def text_of(doc: Doc) -> str:
    """`doc.text`, joined once per region."""
    return per_doc(doc, "text", lambda d: d.text)


def sentences(doc: Doc) -> tuple[SpacySpan, ...]:
    """The parser's sentences of a region, split once."""
    return per_doc(doc, "sentences", lambda d: tuple(d.sents))


def sentence_of(doc: Doc, i: int) -> SpacySpan:
    """The sentence holding token `i`: `doc[i].sent`, without the walk."""
    sents = sentences(doc)
    starts = per_doc(doc, "sentence_starts", lambda d: [s.start for s in sents])
    return sents[bisect_right(starts, i) - 1]


def entities(doc: Doc) -> tuple[SpacySpan, ...]:
    """`doc.ents`, built once per region."""
    return per_doc(doc, "entities", lambda d: tuple(d.ents))


def entities_in(span: SpacySpan) -> list[SpacySpan]:
    """`span.ents` (the entities wholly inside the span, stopping at the first that starts inside
    and ends past it, as spaCy does), without the walk."""
    doc = span.doc
    ents = entities(doc)
    starts = per_doc(doc, "entity_starts", lambda d: [e.start for e in ents])
    out = []
    for e in ents[bisect_left(starts, span.start):]:
        if e.end > span.end:
            break
        out.append(e)
    return out
