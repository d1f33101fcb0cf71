"""Direct, indirect and mixed quotes from marks, cues and the parse: the rule layer's proposals.

Each rule below reads one French construction:

- direct: `« … », a déclaré X` / `« … », a-t-il dit` / `X a déclaré : « … »` /
  `X : « … »` / a sentence in marks standing alone (attributed by position);
- incise: `<clause>, a estimé X` (mixed when the clause holds marks, indirect otherwise);
- frame: `X a affirmé que <clause>`, `a dit espérer <object>`, `a appelé X à <…>`,
  `accuse X de <…>` (the clause or infinitive governed by the cue);
- source: `selon X, <clause>` / `<clause>, d'après X` (sources.py);
- answer: `Name : <answer>` after a question on an interview page (interview.py);
- headline: `<claim> - <Person>`, an agency headline naming its source last (titles.py).

A quote found by several rules is kept once, the most specific rule winning.
Speakers are only proposed here (the mention the cue links to); choosing and
resolving them is `speakers.py`'s job, deciding is the pipeline's.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import marks as M
from .clauses import clause_cut, clause_end, clause_start, trim
from .cues import AUXILIARIES, Cue, find_cues, load_lexicon, skip_adjuncts
from .interview import answer_proposals
from .titles import headline_proposals
from .frames import (after_marked_clause, before_coordinated_verb, before_next_title_clause, frame_start, object_end,
                     opens_on_verb, span_has_verb, whole_marks_direct)
from .proposal import Proposal
from .parse import text_of
from .sources import is_clause, source_proposals

_CONNECTIVE = r"[\s\u00a0]*[,;.…]?[\s\u00a0]*(mais|et|puis|avant d'ajouter|ajoutant|ou)?[\s\u00a0]*"


# A short place or time setting that opens a sentence before a direct quote (no cue word: `Pour X,` is a source)
_SETTING = re.compile(r"(?:À|A(?=[\s\u00a0])|Au|Aux|En|Dans|Depuis|Devant|Sur|Lors|Après|Avant|Hier|Plus tard|Ce|Cette|Lundi|Mardi|"
                      r"Mercredi|Jeudi|Vendredi|Samedi|Dimanche)\b[^,«»\"“”\n]{0,40},[\s\u00a0]*")


def _cue_starting_near(cues: list[Cue], base: int, text: str, pos: int, limit: int = 6) -> Cue | None:
    """A cue that begins right after `pos`, only spaces and punctuation between."""
    for c in cues:
        cs = base + c.span.start_char
        if pos <= cs <= pos + limit and not re.search(r"\w", text[pos:cs]):
            return c
    return None


def _cue_ending_near(cues: list[Cue], base: int, text: str, pos: int, limit: int = 4) -> Cue | None:
    for c in cues:
        ce = base + c.span.end_char
        if ce <= pos <= ce + limit and not re.search(r"\w", text[ce:pos]):
            return c
    return None


def _cue_before_colon(cues: list[Cue], base: int, text: str, mark: int) -> Cue | None:
    colon = text.rfind(":", 0, mark)
    for c in reversed(cues):
        ce = base + c.span.end_char
        if c.kind == "verb" and ce <= colon and len(text[ce:colon].split()) <= 5 and "\n" not in text[ce:colon] \
                and not re.search(r"[.;!?«»\"]", text[ce:colon]):
            return c
    return None


def _incise_inside(cues: list[Cue], base: int, text: str, m: M.Marked) -> tuple[Cue, int, int] | None:
    """An incise within the marks: `« A, a-t-il déclaré, B »` → (cue, end of A, start of B)."""
    for c in cues:
        cs, ce = base + c.span.start_char, base + c.span.end_char
        if not (m.start < cs and ce < m.end):
            continue
        if c.inverted_subject is None and not (c.kind == "verb" and _incise_ok(c)):
            continue
        if not re.search(r",[\s\u00a0]*$", text[m.start:cs]):
            continue
        rest = re.match(r"[^,.;«»\"]{0,60},", text[ce:m.end])
        if rest is None and c.inverted_subject is not None:
            # `« A, assure-t-elle. B »`: the incise ends a sentence and the marks go on
            rest = re.match(r"\.[\s\u00a0]+(?=[A-ZÉÈÀÇ«])", text[ce:m.end])
        if rest is None:
            continue
        return c, text.rindex(",", m.start, cs), ce + rest.end()
    return None


def _cut_unclosed(m: M.Marked, cues: list[Cue], base: int, text: str) -> list[M.Marked]:
    """A mark the scrape never closed ends where the narration resumes: before an incise cue
    (`« A, a dit X. B`). When such a mark was paired with a closing mark paragraphs later, that
    closing mark had lost its own opening one: its words run from its line's start."""
    brk = text.find("\n", m.start, m.end)
    if m.closed and brk < 0:
        return [m]
    first_end = m.end if brk < 0 else brk
    for c in cues:
        cs = base + c.span.start_char
        ce = base + c.span.end_char
        # ", a-t-il dit, B" is an incise inside the marks; ", a dit X." ends the speaker's words.
        # ", raconte X, institutrice du village." ends them too: an apposition to X has no finite verb
        end = re.match(r"[^,;«»\"\n]{0,80}(,[^,;«»\"\n]{1,80})?[.!?](\s|$)", text[ce:first_end + 1])
        if end and end.group(1) and _finite_verb_in(c.span.doc, base, ce + end.start(1) + 1, ce + end.end(1)):
            end = None
        if m.start < cs < first_end and re.search(r",[\s\u00a0]*$", text[m.start:cs]) and _incise_ok(c) and end:
            comma = text.rindex(",", m.start, cs)
            out = [M.Marked(m.open, comma, m.start, trim(text, m.start, comma)[1], m.depth, False)]
            orphan = M.lost_opening(text, m.close, first_end + 1, m.depth) if m.closed else None
            if orphan is not None:
                out.append(orphan)
            return out
    return [m]


def _verb_inside(doc: Doc, base: int, text: str, clause_start: int, m: M.Marked) -> bool:
    """The marks open on a finite reporting verb, after a short subject that opens the clause."""
    first = doc.char_span(m.start - base, m.start - base + 1, alignment_mode="expand")
    # `Dakar saisit quatre chalutiers, Pékin « demande des explications »`: a title's second clause
    comma = text.rfind(",", clause_start, m.open)
    if comma >= 0 and not M.find_marked(text, comma, m.open):
        clause_start = comma + 1
        while clause_start < m.open and text[clause_start] in M.SPACES:
            clause_start += 1
    subject = doc.char_span(clause_start - base, m.open - base, alignment_mode="expand")
    if first is None or subject is None or not 1 <= len(subject) <= 8:
        return False
    verb = first[0]
    # `Il a aussi « exhorté la Russie à … »`: the auxiliary (and adverbs) outside, the participle inside
    k = len(subject)
    if verb.morph.get("VerbForm") == ["Part"]:
        while k > 1 and subject[k - 1].pos_ == "ADV":
            k -= 1
        if k > 1 and (subject[k - 1].pos_ == "AUX" or subject[k - 1].lower_ in AUXILIARIES):
            k -= 1
        else:
            return False
    subject = subject[:k]
    if verb.lower_ in ("ne", "n'", "n’") and verb.i + 1 < len(doc):
        verb = doc[verb.i + 1]  # `Niamey « ne transigera pas »`
    # In a title any finite verb in the marks is the source's: `Niamey « ne transigera pas » sur …`
    reporting = verb.lower_ in load_lexicon()[0] or _title_line(text, m.open) and verb.morph.get("VerbForm") == ["Fin"]
    return (reporting and verb.morph.get("VerbForm") != ["Inf"]
            and verb.text[:1].islower()
            and (subject[0].text[:1].isupper() or subject[0].pos_ in ("DET", "PRON"))
            and not any(t.pos_ in ("VERB", "AUX") or t.is_punct and t.text not in "'’-" for t in subject))


def _finite_verb_in(doc: Doc, base: int, s: int, e: int) -> bool:
    span = doc.char_span(s - base, e - base, alignment_mode="expand")
    return span is not None and any(t.morph.get("VerbForm") == ["Fin"] for t in span)


def _noun_phrase(doc: Doc, base: int, m: M.Marked) -> bool:
    """`salue « le calme observé »`: marks around a noun phrase, the verb's object (a mixed quote, marks in)."""
    return not _finite_verb_in(doc, base, m.start, m.end) and not opens_on_verb(doc, base, m.start)


def _title_line(text: str, pos: int) -> bool:
    """The line holding pos is a heading: short, and no sentence of body text (no final stop)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:len(text) if end < 0 else end].strip()
    return len(line) <= 200 and not line.endswith((".", "…", "!", "?", ":"))


def _in_modifier(tok, span) -> bool:
    """The token sits in a relative clause or a participle phrase attached to a noun of `span`."""
    t = tok
    while t.head.i != t.i and span.start <= t.i < span.end:
        if t.dep_ in ("acl:relcl", "acl") and t.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return True
        t = t.head
    return False


_RELATIVES = {"qui", "dont", "où", "lequel", "laquelle", "lesquels", "lesquelles"}


def _in_subject_aside(tok, span) -> bool:
    """The verb of an aside the parse may not attach: a relative clause set off by a comma (`Oman, qui
    entretient des contacts …, s'est dit prêt à`) or a bare participle (`Le maire, venu à la rencontre des
    manifestants, a exhorté …`). A subject with such an aside is not reported content."""
    doc = tok.doc
    if tok.pos_ == "VERB" and tok.morph.get("VerbForm") == ["Part"] and not any(
            t.pos_ == "AUX" for t in doc[max(span.start, tok.i - 3):tok.i]):
        return True
    for k in range(tok.i - 1, span.start, -1):
        if doc[k].text == ",":
            return False
        if doc[k].lower_ in _RELATIVES and doc[k - 1].text == ",":
            return True
    return False


def _incise_ok(cue: Cue) -> bool:
    """The cue can follow the content: `…, a déclaré X` (its subject comes after it)."""
    if cue.kind == "source":
        return True
    if cue.inverted_subject is not None:
        return True
    doc = cue.span.doc
    head = cue.head
    if cue.span.start == head.i and head.morph.get("VerbForm") == ["Part"] \
            and not any(head.lower_ + "r" == e.cue for e in cue.entries):  # `raconte` tagged a participle
        return False  # `"Eau pour tous", lancée l'an dernier`: an adjectival participle, not a cue
    nxt = skip_adjuncts(doc, cue.span.end)
    if nxt >= len(doc):
        return False
    t = doc[nxt]
    return t.lower_ not in ("que", "qu'", "qu’") and t.pos_ in ("DET", "PROPN", "NOUN", "PRON", "ADJ", "NUM") \
        and "incise" in cue.frames


def propose(text: str, doc: Doc, base: int, matcher, taken: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for one parsed region of the document (doc covers text[base:base+len(doc.text)])."""
    end_region = base + len(text_of(doc))
    cues = find_cues(doc, matcher)
    marked = [x for m in M.outermost(M.find_marked(text, base, end_region)) for x in _cut_unclosed(m, cues, base, text)]
    out: list[Proposal] = []

    # Direct quotes, right to left so that "« A », mais « B », a dit X" lets A share B's cue.
    shared: dict[int, Proposal] = {}
    for k in range(len(marked) - 1, -1, -1):
        m = marked[k]
        cs = clause_start(text, m.open, base, marked)
        at_clause_start = not re.search(r"\w", text[cs:m.open]) or (k > 0 and re.fullmatch(
            _CONNECTIVE, text[marked[k - 1].outer_end:m.open]) is not None) or (
            # `À New York, « … », a précisé X`: the narrator's setting before the marks
            _SETTING.fullmatch(text, cs, m.open) is not None and not _finite_verb_in(doc, base, cs, m.open))
        closes_clause = re.match(r"[\s\u00a0]*([,.!?;…]|$|\n|\s*[-–—(])", text[m.outer_end:end_region] + "\n")
        after = _cue_starting_near(cues, base, text, m.outer_end)
        if after is not None and not _incise_ok(after):
            after = None
        before = _cue_ending_near(cues, base, text, m.open)
        colon = re.search(r":\s*$", text[max(base, m.open - 4):m.open])
        words = len(text[m.start:m.end].split())
        if before is None and colon:
            # "X a déclaré à la presse : « … »": a short indirect object between cue and colon.
            before = _cue_before_colon(cues, base, text, m.open)
        inner_incise = _incise_inside(cues, base, text, m)
        if inner_incise is not None:
            # "« A, a-t-il déclaré, B »": two direct quotes around one cue.
            c, c1, c2 = inner_incise
            for s_, e_ in ((m.start, c1), (c2, m.end)):
                s_, e_ = trim(text, s_, e_)
                if s_ == c2 and not m.closed and not _finite_verb_in(doc, base, s_, e_):
                    continue  # `« … , raconte X, institutrice du village.`: the mark was lost, this is X's apposition
                if e_ > s_:
                    out.append(Proposal(s_, e_, "direct", "direct_incise", c,
                                        "inverted" if c.inverted_subject is not None else c.kind,
                                        speaker_side="after", doc=doc, base=base))
            continue
        prop = None
        if at_clause_start and after is not None:
            prop = Proposal(m.start, m.end, "direct", "direct_incise", after,
                            "inverted" if after.inverted_subject is not None else after.kind, speaker_side="after")
        elif after is None and before is not None and before.kind == "verb" and (colon or at_clause_start or words >= 4) \
                and (colon or "obj" not in before.frames or not _noun_phrase(doc, base, m)):
            prop = Proposal(m.start, m.end, "direct", "direct_intro", before, "verb", speaker_side="before")
        elif at_clause_start and m.closed and k + 1 < len(marked) and (m.outer_end) in shared:
            nxt = shared[m.outer_end]
            prop = Proposal(m.start, m.end, "direct", "direct_shared", nxt.cue, nxt.cue_kind,
                            speaker_side=nxt.speaker_side)
        elif colon and words >= 3:
            cstart = max(base, m.open - 4) + colon.start()
            prop = Proposal(m.start, m.end, "direct", "direct_colon", None, "colon",
                            colon=(cstart, cstart + 1), speaker_side="colon")
        elif at_clause_start and closes_clause and words >= 5 and (text[m.start].isupper() or words >= 8):
            prop = Proposal(m.start, m.end, "direct", "direct_alone", None, "none", speaker_side="position")
        elif m.closed and words >= 3 and _verb_inside(doc, base, text, cs, m):
            # "L'Espagne « salue la reprise du dialogue »": the reporting verb is inside the marks.
            prop = Proposal(m.start, m.end, "direct", "direct_verb_inside", None, "none",
                            speaker_hint=(m.open, m.open + 1), speaker_side="mark_subject")
        if prop is not None:
            prop.doc, prop.base = doc, base
            out.append(prop)
            # A quote followed by ", mais « … »" or " et « … »" may share the next one's cue.
            if k > 0:
                prev = marked[k - 1]
                between = text[prev.outer_end:m.open]
                if re.fullmatch(_CONNECTIVE, between):
                    shared[prev.outer_end] = prop

    out.extend(answer_proposals(text, doc, base, end_region))
    out.extend(headline_proposals(text, doc, base, end_region))

    # Incises and frames over cue verbs; source phrases.
    for c in cues:
        cs_char = base + c.span.start_char
        if c.kind == "source":
            out.extend(source_proposals(text, doc, base, c, end_region))
            continue
        before_txt = text[max(base, cs_char - 3):cs_char]
        if re.search(r",[\s\u00a0]*$", before_txt) and _incise_ok(c):
            comma = cs_char - len(before_txt) + before_txt.rindex(",")
            start = clause_start(text, comma, base, marked)
            s, e = trim(text, start, comma)
            inner = [m for m in marked if s <= m.open and m.outer_end <= e + 1]
            span = doc.char_span(s - base, e - base, alignment_mode="expand")
            cue_heads = {c2.head.i for c2 in cues}
            # A verb of a relative clause or participle phrase ("Dakar, qui entretient …, a appelé")
            # belongs to the subject, not to reported content.
            has_verb = span is not None and any(t.pos_ in ("VERB", "AUX") and t.i not in cue_heads
                                                and not _in_modifier(t, span) and not _in_subject_aside(t, span)
                                                for t in span)
            if e - s > 10 and len(text[s:e].split()) >= 3 and (inner or has_verb):
                exact = len(inner) == 1 and inner[0].start - s <= 1 and e - inner[0].end <= 1
                if not exact:
                    qtype = "mixed" if inner else "indirect"
                    out.append(Proposal(s, e, qtype, f"incise_{qtype}", c,
                                        "inverted" if c.inverted_subject is not None else "verb",
                                        speaker_side="after", doc=doc, base=base))
                continue
            # "La ministre, Oksana Hrytsenko, a dénoncé …": that comma closed an apposition; read on.
        fs = frame_start(c)
        if fs is None:
            continue
        tok_i, rule = fs
        if tok_i >= len(doc):
            continue
        s = base + doc[tok_i].idx
        e = clause_end(text, s, end_region)
        cut = clause_cut(text, s, e)
        if cut is not None:
            e = cut
        e = before_coordinated_verb(c, base, s, e)
        if rule == "que":
            e = after_marked_clause(text, marked, s, e)
        e = before_next_title_clause(text, doc, base, s, e)
        later = [c2 for c2 in cues if base + c2.span.start_char > s and base + c2.span.start_char < e]
        for c2 in later:
            # A following ", a rapporté X" ends the reported clause.
            c2s = base + c2.span.start_char
            if re.search(r",[\s\u00a0]*$", text[max(s, c2s - 3):c2s]) and _incise_ok(c2):
                e = text.rindex(",", s, c2s)
                break
        # Participle phrases after a comma begin a new action (", commentant les déclarations").
        ger = re.search(r",\s+(?!(?:av|pend|dur|cepend|maint|suiv)ant\b)\w+ant\b", text[s:e])
        if ger:
            e = s + ger.start()
        s, e = trim(text, s, e)
        if e - s < 8 or len(text[s:e].split()) < 2:
            continue
        inner = [m for m in marked if s <= m.open < e]
        if rule in ("obj", "facts") and not inner and not c.chained:
            continue  # "a dénoncé l'attaque": an object without quoted words is not reported speech
        if rule == "obj" and inner:
            e = object_end(text, inner[-1].outer_end, e)
        if rule == "object" and not inner and not span_has_verb(doc, base, s, e):
            continue  # "a appelé les deux voisins à la retenue": a bare noun phrase, not reported speech
        qtype = "mixed" if inner else "indirect"
        bare = c.span.start == c.head.i  # no auxiliary: a participle, or "… et appelé X à"
        shared = bare and c.span.start > 0 and doc[c.span.start - 1].lower_ in ("et", "puis", "mais")
        side = "participle" if bare and (c.head.lower_.endswith("ant") or shared) else "before"
        out.append(Proposal(s, e, qtype, f"frame_{rule}", c, "verb", speaker_side=side, doc=doc, base=base))
    # `…, X aurait affirmé que …, selon un participant`: the source vouches for a report the sentence's own
    # verb makes; the words before it are that verb's subject and setting, no second quote.
    verb_cues = [base + p.cue.span.start_char for p in out if p.cue is not None and p.cue.kind == "verb"]
    out = [p for p in out if p.rule != "source_back" or not any(p.start <= v < p.end for v in verb_cues)]
    # A cue inside quoted words ("« J'espère que … »") is the quoted speaker's, not a new report.
    inside = [(m.start, m.end) for m in marked if len(text[m.start:m.end].split()) >= 4]
    out = [p for p in out if p.rule.startswith("direct") or p.cue is None
           or not any(s <= p.base + p.cue.span.start_char < e for s, e in inside)
           or p.rule.startswith("incise")]
    return _resolve(whole_marks_direct(text, _split_nested(text, out), marked), taken)


def _split_nested(text: str, props: list[Proposal]) -> list[Proposal]:
    """Reporting inside reporting: `X a dit espérer Y, a rapporté Z` keeps X's quote, drops Z's, and so does
    `X a affirmé que Y, selon Z`; `X a appelé à Y, alors que W accusent V de …` ends X's quote before W's."""
    frames = [p for p in props if p.rule.startswith("frame_") and p.cue is not None]
    out = []
    dropped: set[int] = set()
    for p in props:
        inner = [q for q in frames if q is not p and p.start <= q.start and q.end <= p.end + 1
                 and p.start <= q.base + q.cue.span.start_char < p.end]
        if not inner:
            out.append(p)
            continue
        if p.rule.startswith("incise_"):
            continue
        if p.rule == "answer_colon":
            # An interview answer is all the interviewee's words: its own `je plaide pour …` is inside it.
            dropped.update(id(q) for q in inner)
            out.append(p)
            continue
        first = min(inner, key=lambda q: q.start)
        cue_start = first.base + first.cue.span.start_char
        cut = None
        for m in re.finditer(r",\s|\s(?:et|alors que|tandis que|mais|où)\s", text[p.start:cue_start]):
            cut = p.start + m.start()
        if cut is not None and len(text[p.start:cut].split()) >= 2:
            s, e = trim(text, p.start, cut)
            if p.rule.startswith("source_") and not is_clause(p.doc, p.base, s, e):
                continue  # `Selon X, le conseiller, Y, a affirmé que …`: the cut left Y's name, not a clause
            p.end = e
            if p.type == "mixed" and not M.find_marked(text, p.start, p.end):
                p.type = "indirect"
        elif p.rule.startswith("source_"):
            # `X aurait fait savoir que Y, selon Z`: Z relays X's report; the quote is X's Y.
            continue
        else:
            # No clause boundary before the inner verb: it is part of the reported content.
            dropped.update(id(q) for q in inner)
        out.append(p)
    return [p for p in out if id(p) not in dropped]


_PRIORITY = {
    "direct_incise": 9, "direct_intro": 8, "answer_colon": 8, "direct_shared": 8, "incise_mixed": 7, "direct_colon": 6,
    "frame_que": 6, "incise_indirect": 5, "frame_inf": 5, "frame_adj": 5, "frame_object": 5, "source_front": 5,
    "source_back": 5, "frame_obj": 4, "frame_facts": 4, "direct_verb_inside": 4, "headline_source": 4, "direct_alone": 3,
}


def _resolve(props: list[Proposal], taken: list[tuple[int, int]]) -> list[Proposal]:
    """One proposal per stretch of text: higher-priority rules first, then longer spans."""
    kept: list[Proposal] = []
    for p in sorted(props, key=lambda p: (-_PRIORITY.get(p.rule, 0), -(p.end - p.start))):
        if p.end <= p.start:
            continue
        if any(p.start < e and s < p.end for s, e in taken):
            continue
        if any(p.start < q.end and q.start < p.end for q in kept):
            continue
        kept.append(p)
    return sorted(kept, key=lambda p: p.start)
