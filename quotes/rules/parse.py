"""Views of a parsed region computed once and kept with the parse (its `user_data`).

spaCy's `Token.sent` and `Span.sent` walk the whole document at every call; a region has a few
hundred tokens and the rules ask for a sentence at every cue, name and candidate, so the sentences
are split once and looked up by bisection.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span as SpacySpan


def per_doc(doc: Doc, key: str, compute):
    """`compute(doc)`, once per parsed region: kept in the Doc's user_data, which lives as long as
    the parse, so every proposal of the region shares one result."""
    cache = doc.user_data.setdefault("quotes", {})
    if key not in cache:
        cache[key] = compute(doc)
    return cache[key]


def sentences(doc: Doc) -> tuple[SpacySpan, ...]:
    """The parser's sentences of a region, split once."""
    return per_doc(doc, "sentences", lambda d: tuple(d.sents))


def sentence_of(doc: Doc, i: int) -> SpacySpan:
    """The sentence holding token `i`: `doc[i].sent`, without the walk."""
    sents = sentences(doc)
    starts = per_doc(doc, "sentence_starts", lambda d: [s.start for s in sents])
    return sents[bisect_right(starts, i) - 1]
