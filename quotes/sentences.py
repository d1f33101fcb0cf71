"""The sentence spans of output quotes (`sentence`): the parse's sentences, mended, as offsets into the text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

_OPENING_MARKS = "«“„‹‘\"'([—–-"
_SENTENCE_END = re.compile(r"[.!?…][\s»”\"’)\]]*$")


def sentences_of(text: str, parsed: list[tuple[int, Doc]]) -> list[tuple[int, int]]:
    """The parse's sentences as offsets into `text`, trimmed of spaces, with the parser's slips mended.

    The parser makes sentences of lone marks (`«` before a quote that opens a paragraph) and cuts some
    after a word (`La` | `ministre a plaidé…`): a mark-only piece joins the sentence after it when it
    opens, the one before otherwise; a sentence without a final stop joins the next on the same line.
    """
    pieces = []
    for base, rdoc in parsed:
        if not rdoc.has_annotation("SENT_START"):
            # a user's pipeline without parser or senter (the spaCy component): its region is one unit
            spans = [(0, len(rdoc.text))]
        else:
            spans = [(s.start_char, s.end_char) for s in rdoc.sents]
        for s, e in spans:
            s, e = base + s, base + e
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                pieces.append((s, e))
    pieces.sort()
    out: list[tuple[int, int]] = []
    pending = None  # where an opening mark waits for its sentence
    for s, e in pieces:
        piece = text[s:e]
        if not any(ch.isalnum() for ch in piece):
            if out and pending is None and not any(ch in _OPENING_MARKS for ch in piece):
                out[-1] = (out[-1][0], e)
            elif pending is None:
                pending = s
            continue
        s, pending = (s if pending is None else pending), None
        if out and "\n" not in text[out[-1][1]:s] and not _SENTENCE_END.search(text[out[-1][0]:out[-1][1]]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    if pending is not None:
        out.append((pending, pieces[-1][1]))
    return out


def sentence_of(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """From the first to the last sentence the quote overlaps; never narrower than the quote itself."""
    hit = [(s, e) for s, e in sentences if s < end and e > start]
    if not hit:
        return start, end
    return min(hit[0][0], start), max(max(e for _, e in hit), end)
