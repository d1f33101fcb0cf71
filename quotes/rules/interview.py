"""Interview pages in questions and answers: `Name : answer` after a question, without marks.

An answer printed after its speaker's name and a colon is the speaker's words even when the page
sets no marks around it (the corpus reads it as an indirect quote, the type following the marks).
Only a paragraph that opens on a person's name, a colon and no opening mark, right after a paragraph
that ends in a question, is read so: a caption or a `Lire aussi : …` line never follows a question.
Interview pages often label the answers with the interviewee's initials (`M. Z. :`) or surname alone
(`K. N'Guessan-Bamba :`), which the tagger does not read as a person: such a label counts when the
article spells out a name it abbreviates.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import marks as M
from .clauses import lines, trim
from .proposal import Proposal
from .speakers import person_spans

_LABEL = re.compile(r"[\s\u00a0]*:[\s\u00a0]+(?=\S)")
_WORD = (r"(?:[A-ZÉÈÎ][\w'’.-]+|(?:al|el|ben|bin|ibn|ould|ag|abou|abu)[-‑][A-Z][\w'’.-]+"
         r"|de|du|des|la|le|di|da|dos|del|van|von|der|al|el|ben|bin|ould)")
_NAME = re.compile(rf"{_WORD}(?:[\s\u00a0]+{_WORD}){{1,4}}")
# `É. S.-F. A.`: initials only, hyphenated ones included
_INITIALS = re.compile(r"[A-ZÉÈÎ]\.(?:-[A-ZÉÈÎ]\.)*(?:[\s\u00a0]+[A-ZÉÈÎ]\.(?:-[A-ZÉÈÎ]\.)*)+")
_PARTICLES = ("de", "du", "des", "van", "von", "der", "al", "el", "ben", "bin", "ould", "ibn", "la", "le")
# A full name as the article spells it: two to five capitalised words, particles between
_FULL_NAME = re.compile(rf"[A-ZÉÈÎ][\w'’-]+(?:[\s\u00a0]+(?:(?:{'|'.join(_PARTICLES)})"
                        r"[\s\u00a0]+)?[A-ZÉÈÎ][\w'’-]+){1,4}")


def answer_proposals(text: str, doc: Doc, base: int, end_region: int) -> list[Proposal]:
    out = []
    persons = [(base + e.start_char, base + e.end_char) for e in person_spans(doc)]
    for pos, line_end in lines(text, base, end_region):
        name = _NAME.match(text, pos, line_end) or _INITIALS.match(text, pos, line_end)
        label = _LABEL.match(text, name.end(), line_end) if name else None
        # a person's name (NER may tag only part of it: `Yannick` MISC, `Le Goff` PER)
        if label and text[label.end()] not in M.MAY_OPEN \
                and (_after_a_question(text, pos, name.group()) or _after_the_interviewer(text, pos, name.group())) \
                and (any(pos <= ps < name.end() for ps, _ in persons) or expands(name.group(), text)
                     or _labels_answers(name.group(), text)):
            s, e = trim(text, label.end(), line_end)
            if len(text[s:e].split()) >= 3 and not text[s:e].endswith("?"):
                colon = text.index(":", name.end())
                qtype = "mixed" if M.find_marked(text, s, e) else "indirect"
                out.append(Proposal(s, e, qtype, "answer_colon", None, "colon", colon=(colon, colon + 1),
                                    speaker_hint=(pos, name.end()), speaker_side="colon", doc=doc, base=base))
    return out


def initials(name: str, particles: bool = False) -> str:
    """`Évelyne Saint-Fleur Augustin` → `ÉSFA`: the capitals of each word and hyphenated part; a capitalised
    particle counts with `particles` (`Cheikh Ahmed Ould Beddah` → `CAOB`, its label `C. A. O. B.`)."""
    return "".join(part[0] for w in name.split() if particles or w.lower() not in _PARTICLES
                   for part in w.replace("‑", "-").split("-") if part and part[0].isupper())


def expands(label: str, text: str) -> str | None:
    """The full name in `text` that the label abbreviates: its initials (`M. Z.` for `Marta Zielińska`)
    or, for `K. N'Guessan-Bamba`, a first initial before a surname the article spells out in full."""
    words = label.split()
    if _INITIALS.fullmatch(label):
        want = initials(label)
        # a demonym or title may run into the name (`le Mauritanien Cheikh Ahmed …`): try each tail of the match
        return next((name for m in _FULL_NAME.finditer(text) for k in range(len(m.group().split()) - 1)
                     for name in [" ".join(m.group().split()[k:])]
                     if name != label and want in (initials(name), initials(name, particles=True))), None)
    if len(words) >= 2 and re.fullmatch(r"[A-ZÉÈÎ]\.", words[0]) and len(words[-1]) >= 3:
        for m in _FULL_NAME.finditer(text):
            full = m.group().split()
            if full[-1] == words[-1] and full[0][0] == words[0][0] and len(full[0]) > 2:
                return m.group()
    return None


def _labels_answers(label: str, text: str) -> bool:
    """The same label opens two or more lines: the page's way of naming who answers (`Aws al-Janabi :`)."""
    return len(re.findall(rf"(?m)^{re.escape(label)}[\s\u00a0]*:", text)) >= 2


def _after_the_interviewer(text: str, line_start: int, label: str) -> bool:
    """A follow-up that is no question (`… Cela ressemble à une menace.`): the paragraph before opens on
    another label (`Radio Sud :`), and this label opens other answers of the page."""
    before = text[max(0, line_start - 600):line_start].rstrip()
    para = before[before.rfind("\n") + 1:]
    other = _NAME.match(para) or re.match(r"[A-ZÉÈÎ][\w'’.-]*(?:[\s\u00a0]+[\wÉ'’.-]+){0,3}", para)
    return bool(other) and not para.startswith(label) and bool(_LABEL.match(para, other.end())) \
        and _labels_answers(label, text) and not _asks(label, text)


def _asks(label: str, text: str) -> bool:
    """The label opens a question somewhere on the page: the interviewer's, not the interviewee's."""
    return bool(re.search(rf"(?m)^{re.escape(label)}[\s\u00a0]*:[^\n]*\?[\s\u00a0]*$", text))


def _after_a_question(text: str, line_start: int, label: str) -> bool:
    """After a question, or a prompt left hanging (`Kaboul se dit prêt à négocier…`) before a label that
    opens other answers of the page."""
    before = text[max(0, line_start - 400):line_start].rstrip()
    return before.endswith("?") or before.endswith(("…", "...")) and _labels_answers(label, text)
