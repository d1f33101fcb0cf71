"""Interview pages in questions and answers: `Name : answer` after a question, without marks.

An answer printed after its speaker's name and a colon is the speaker's words even when the page
sets no marks around it (the corpus reads it as an indirect quote, the type following the marks).
Only a paragraph that opens on a person's name, a colon and no opening mark, right after a paragraph
that ends in a question, is read so: a caption or a `Lire aussi : …` line never follows a question.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import marks as M
from .clauses import lines, trim
from .proposal import Proposal
from .speakers import person_spans

_LABEL = re.compile(r"[\s\u00a0]*:[\s\u00a0]+(?=\S)")
_NAME = re.compile(r"(?:[A-ZÉÈÎ][\w'’.-]+|de|du|des|van|von|der|al|el|ben|bin|ould)"
                   r"(?:[\s\u00a0]+(?:[A-ZÉÈÎ][\w'’.-]+|de|du|des|van|von|der|al|el|ben|bin|ould)){1,4}")


def answer_proposals(text: str, doc: Doc, base: int, end_region: int) -> list[Proposal]:
    out = []
    persons = [(base + e.start_char, base + e.end_char) for e in person_spans(doc)]
    for pos, line_end in lines(text, base, end_region):
        name = _NAME.match(text, pos, line_end)
        label = _LABEL.match(text, name.end(), line_end) if name else None
        # a person's name (NER may tag only part of it: `Yannick` MISC, `Le Goff` PER)
        if label and any(pos <= ps < name.end() for ps, _ in persons) and text[label.end()] not in M.OPENERS \
                and text[label.end()] != '"' and _after_a_question(text, pos):
            s, e = trim(text, label.end(), line_end)
            if len(text[s:e].split()) >= 3 and not text[s:e].endswith("?"):
                colon = text.index(":", name.end())
                qtype = "mixed" if M.find_marked(text, s, e) else "indirect"
                out.append(Proposal(s, e, qtype, "answer_colon", None, "colon", colon=(colon, colon + 1),
                                    speaker_side="colon", doc=doc, base=base))
    return out


def _after_a_question(text: str, line_start: int) -> bool:
    before = text[max(0, line_start - 400):line_start].rstrip()
    return before.endswith("?")
