"""Wire headlines that name their source after a dash: `<claim> - <Source>` (`… très prochainement - Blinken`).

Agency headlines as portals reprint them put the source last, after a dash, with no reporting verb.
Only a line that is no sentence of body text, whose claim is a clause and whose source is a person, is
read so: a site name after a dash (`… - Le Monde`) is an organisation and never a person.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from .clauses import lines, trim
from .proposal import Proposal
from .speakers import person_spans

_HEADLINE = re.compile(r"(?P<claim>[^\n]{20,200}?)[ \u00a0]+[-–—][ \u00a0]+"
                       r"(?P<source>[A-ZÉÈ][\w'’.-]+(?:[ \u00a0]+[A-ZÉÈ][\w'’.-]+){0,2})[ \u00a0]*$")


def headline_proposals(text: str, doc: Doc, base: int, end_region: int) -> list[Proposal]:
    out = []
    people = person_spans(doc)
    persons = [(base + e.start_char, base + e.end_char) for e in people]
    surnames = {e[-1].text for e in people if len(e) >= 2}  # `- Blinken` after `Antony Blinken` in the body
    for pos, line_end in lines(text, base, end_region):
        m = _HEADLINE.fullmatch(text, pos, line_end)
        if m and (m.group("source").split()[-1] in surnames or any(
                ps <= m.start("source") < pe or m.start("source") <= ps < m.end("source") for ps, pe in persons)):
            s, e = trim(text, m.start("claim"), m.end("claim"))
            span = doc.char_span(s - base, e - base, alignment_mode="expand")
            if span is not None and len(span) >= 4 and any(
                    t.pos_ in ("VERB", "AUX") and t.morph.get("VerbForm") == ["Fin"] for t in span):
                out.append(Proposal(s, e, "indirect", "headline_source", None, "source",
                                    speaker_hint=(m.start("source"), m.end("source")), speaker_side="source",
                                    doc=doc, base=base))
    return out
