"""Speakers: candidate mentions for a proposal, the rule choice, and names resolved in the document.

The construction that found a quote says where its speaker is: after the
cue (`, a déclaré le ministre`), inside it (`a-t-elle précisé`), before it
(the subject of `X a affirmé que`), after `selon`, before a colon. That
mention is the rule choice; the people, organisations and pronouns nearby are
kept as alternative candidates for a deciding stage (the model) to choose from.
`names.py` then maps the mention to the fullest name the article gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span as SpacySpan

from .clauses import DATELINE
from .cues import skip_adjuncts
from .proposal import Proposal
from .lexicons import first_name_gender, fold, folded_words, time_words
from .parse import entities, entities_in, per_doc, sentence_of, sentences, text_of

PRONOUNS = {"il", "elle", "ils", "elles", "-il", "-elle", "-ils", "-elles", "lui", "eux"}
FEMININE_PRON = {"elle", "-elle", "elles", "-elles"}
_TITLES = {"m.", "mme", "mlle", "mm.", "dr", "me", "pr"}
# Words that end a post-verbal subject: the start of an adjunct.
_NP_STOP = {
    "lors", "sur", "à", "au", "aux", "dans", "devant", "après", "avant", "pendant", "depuis", "en",
    "qui", "que", "dont", "lequel", "laquelle", "selon", "cité", "citée", "interrogé", "interrogée",
    "tout", "alors", "avec", "par", "pour", "mais", "car", "lorsque", "quand", "ce", "cette", "ces",
    "reprenant", "commentant", "soulignant", "ajoutant", "estimant", "sans", "face", "vers", "jeudi", "sous",
    "lundi", "mardi", "mercredi", "vendredi", "samedi", "dimanche", "hier", "mardi", "soir",
}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    kind: str  # name | role | org | pronoun
    score: float = 0.0
    source: str = ""


@dataclass
class SpeakerChoice:
    mention: Mention | None
    candidates: list[Mention] = field(default_factory=list)


def _kind_of(span: SpacySpan) -> str:
    words = [t for t in span if not t.is_punct]
    if not words:
        return "role"
    if len(words) == 1 and words[0].lower_ in PRONOUNS:
        return "pronoun"
    if _holders(span) or _looks_like_name([t.text for t in words]):
        return "name"
    content = [t for t in words if t.pos_ in ("NOUN", "PROPN")]
    first = content[0] if content else words[0]
    if first.pos_ == "PROPN" or fold(first.text) in _org_nouns() or (
        first.ent_type_ in ("ORG", "LOC") and fold(first.text) not in _role_nouns()
    ):
        return "org"
    return "role"


def _looks_like_name(words: list[str]) -> bool:
    caps = [w for w in words if w[:1].isupper()]
    return bool(words) and len(caps) == len(words) and len(words) <= 4 and (
        len(words) >= 2 or words[0][:1].isupper() and len(words[0]) > 2
    ) and not any(fold(w) in ("le", "la", "les") for w in words)


def _holders(span: SpacySpan) -> list[SpacySpan]:
    """The tagger's PER entities in a mention that may name who speaks. Not an office (`un conseiller du
    Premier ministre nigérien`), nor a complement after `de` (`le président du conseil municipal de Khiam`:
    a place or a body the tagger took for a surname)."""
    doc = span.doc
    return [e for e in entities_in(span) if e.label_ == "PER" and fold(e[0].text) not in _role_nouns()
            and not (e.start > span.start + 1 and doc[e.start - 1].lower_ in ("de", "du", "d'", "d’", "des")
                     and fold(doc[e.start - 2].text) not in _role_nouns())]  # `le général de Gaulle` stays


def _name_tail(span: SpacySpan) -> SpacySpan:
    """Within `le secrétaire d'Etat américain Antony Blinken`, the name at the end."""
    per = _holders(span)
    if per:
        e = per[-1]
        s = e.start
        # Keep an initial or a title glued before the entity (V. Nuland, M. Zakharova).
        while s > span.start and (re.fullmatch(r"[A-ZÉ]\.|M\.|Mme", span.doc[s - 1].text)):
            s -= 1
        return span.doc[s:e.end]
    toks = list(span)
    j = len(toks)
    while j > 0 and (toks[j - 1].text[:1].isupper() or re.fullmatch(r"[A-ZÉ]\.", toks[j - 1].text)) \
            and toks[j - 1].pos_ in ("PROPN", "NOUN", "X", "ADJ"):
        j -= 1
    if j < len(toks) and j > 0 and len(toks) - j <= 3 and toks[j - 1].pos_ in ("NOUN", "ADJ", "PUNCT"):
        tail = span.doc[toks[j].i:toks[-1].i + 1]
        if _looks_like_name([t.text for t in tail]) and len(tail) >= 1 and (len(tail) >= 2 or tail[0].pos_ == "PROPN"):
            return tail
    return span


def _np_after(doc: Doc, i: int) -> SpacySpan | None:
    """The subject noun phrase right after an incise cue."""
    i = skip_adjuncts(doc, i)
    if i >= len(doc):
        return None
    start = i
    comma_used = False
    while i < len(doc):
        t = doc[i]
        if t.is_space or t.text in (".", ";", ":", "!", "?", "(", ")", "«", "»", '"', "—", "–"):
            break
        if t.text == ",":
            # "le porte-parole du département d'État, Ned Price": a comma before the name.
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if not comma_used and nxt is not None and (nxt.ent_type_ == "PER" or _looks_like_name([nxt.text])) \
                    and doc[start].pos_ in ("DET", "NOUN"):
                comma_used = True
                i += 1
                continue
            break
        if i > start and t.lower_ in ("à", "au") and i + 2 < len(doc) and doc[i + 1].is_title \
                and doc[i + 2].lower_ in ("de", "d'", "d’", "du", "des") and fold(doc[i - 1].text) in _role_nouns():
            i += 2  # `le représentant au Caire d'une compagnie asiatique`: the post is part of the role
            continue
        if i > start and t.lower_ in _NP_STOP:
            break
        # a participle inside a named entity is part of the name (`les Nations unies`)
        if i > start and (t.pos_ in ("VERB", "AUX") and not t.text[:1].isupper() and t.ent_iob_ != "I"
                          or t.lower_ in _cue_forms()):
            break
        i += 1
    if i == start:
        return None
    return doc[start:i]


def _np_before(doc: Doc, i: int, floor: int) -> SpacySpan | None:
    """The noun phrase ending right before token i (a subject, the source before a colon)."""
    j = i
    while j > floor and (doc[j - 1].lower_ in time_words() or doc[j - 1].is_space):
        j -= 1
    end = j
    while j > floor:
        t = doc[j - 1]
        if t.is_space or t.text in (".", ";", ":", "!", "?", "«", "»", '"', "—", "(", ")", "”", "“") or (
            t.text == "," and not (j - 2 >= floor and doc[j - 2].ent_type_ == "PER")
        ):
            break
        if (t.pos_ in ("VERB", "AUX") and not t.text[:1].isupper() and not _demonym_after_role(doc, j - 1, floor)
                or t.lower_ in _cue_forms()):
            break
        if t.lower_ == "et" and j - 2 >= floor and doc[j - 2].pos_ in ("PROPN", "NOUN") and j < end \
                and doc[j].pos_ in ("DET", "PROPN", "NOUN"):
            j -= 1  # "Washington et ses alliés accusent": a coordinated subject
            continue
        if t.lower_ in ("que", "qu'", "qu’", "et", "mais", "où", "dont", "si", "qui"):
            break
        j -= 1
        if end - j > 14:
            break
    if j >= end:
        return None
    span = doc[j:end]
    # Drop a trailing apposition clause after a comma: "S. Lavrov, ministre russe des Affaires étrangères".
    return span


_DEMONYM_END = re.compile(r"\w{3,}(?:ienne|ien|aise|ais|aine|ain|oise|ois)s?")


def _demonym_after_role(doc: Doc, k: int, floor: int) -> bool:
    """`La ministre guyanienne des Affaires étrangères`: the tagger read the demonym as a verb."""
    return k - 1 >= floor and doc[k - 1].pos_ == "NOUN" and fold(doc[k - 1].text) in _role_nouns() \
        and _DEMONYM_END.fullmatch(doc[k].lower_) is not None


def _org_nouns() -> frozenset[str]:
    return folded_words("org_nouns.txt")


def _role_nouns() -> frozenset[str]:
    return folded_words("role_nouns.txt")


@lru_cache(maxsize=1)
def _cue_forms() -> frozenset[str]:
    from .cues import load_lexicon

    return frozenset(load_lexicon()[0])


_HYPHENS = {"-", "\u2010", "\u2011"}


def _whole_compound(span: SpacySpan) -> SpacySpan:
    """`Addis-Abeba`, `al-Hassan`, `Saint-Denis`: the tokenizer splits a hyphen written without spaces, and
    the parse may then make one half the subject. A capitalised mention starting or ending inside such a
    compound takes all of it."""
    doc, s, e = span.doc, span.start, span.end
    if not span[-1].text[:1].isupper():
        return span  # (`la CGT` of `la CGT-Cheminots` extends to the right)
    while (span[0].text[:1].isupper() and s >= 2 and doc[s - 1].text in _HYPHENS and not doc[s - 1].whitespace_
           and not doc[s - 2].whitespace_ and doc[s - 2].is_alpha):
        s -= 2
    while (e + 1 < len(doc) and doc[e].text in _HYPHENS and not doc[e - 1].whitespace_ and not doc[e].whitespace_
           and doc[e + 1].text[:1].isupper() and doc[e + 1].is_alpha):
        e += 2
    return span if (s, e) == (span.start, span.end) else doc[s:e]


def _mention(span: SpacySpan | None, base: int, source: str, score: float) -> Mention | None:
    if span is None or not span.text.strip():
        return None
    # "Il ne", "il n'": the negation belongs to the verb group, not the subject.
    while len(span) > 1 and span[-1].lower_ in ("ne", "n'", "n’", "y", "en", "se", "s'", "s’", "lui", "leur"):
        span = span.doc[span.start:span.end - 1]
    while len(span) > 1 and (span[0].is_punct or span[0].is_space or span[0].lower_ in ("et", "mais", "-")):
        span = span.doc[span.start + 1:span.end]
    span = _whole_compound(span)
    if not any(t.pos_ in ("NOUN", "PROPN", "PRON") or t.text[:1].isupper() for t in span) or span[0].lower_ in (
        "pas", "a", "ne", "n'", "plus", "jamais", "rien"
    ) or span[0].pos_ in ("VERB", "AUX", "ADP"):
        return None
    kind = _kind_of(span)
    coordinated = any(t.lower_ == "et" for t in span[1:-1])
    if kind == "name" and not coordinated:
        span = _whole_compound(_name_tail(span))
    elif kind == "role" and len(span) > 1 and not coordinated:
        tail = _whole_compound(_name_tail(span))
        if tail is not span and len(tail) < len(span):
            span, kind = tail, "name"
    # Strip a trailing comma or space.
    s, e = span.start_char, span.end_char
    text = text_of(span.doc)
    while e > s and text[e - 1] in " ,\u00a0":
        e -= 1
    return Mention(base + s, base + e, text[s:e], kind, score, source)


def rule_speaker(p: Proposal) -> SpeakerChoice:
    """The mention the construction points at, plus the named mentions nearby as candidates."""
    doc, base = p.doc, p.base
    chosen: Mention | None = None
    if p.cue is not None and p.cue.inverted_subject is not None:
        t = p.cue.inverted_subject
        s = t.idx + (1 if t.text.startswith("-") else 0)
        chosen = Mention(base + s, base + t.idx + len(t.text), text_of(doc)[s:t.idx + len(t.text)], "pronoun", 0.9, "inverted")
    elif p.cue_kind == "source" and p.speaker_hint is not None:
        s, e = p.speaker_hint
        span = doc.char_span(s - base, e - base, alignment_mode="expand")
        if span is not None:
            chosen = _mention(_np_after(doc, span.start), base, "source", 0.8)
    elif p.speaker_side == "after" and p.cue is not None:
        chosen = _mention(_np_after(doc, p.cue.span.end), base, "after", 0.85)
    elif p.speaker_side == "before" and p.cue is not None:
        chosen = _subject_of(p, doc, base)
    elif p.speaker_side == "participle":
        # "Tout en réitérant X, le chef de la diplomatie a dit…": the governing verb's subject follows;
        # "…, tout en rappelant que": the main clause's speaker (set by the decider from the last quote).
        gov = p.cue.head.head
        chosen = None
        if gov is not p.cue.head and gov.i > p.cue.head.i:
            for child in gov.children:
                if child.dep_ in ("nsubj", "nsubj:pass"):
                    chosen = _mention(doc[child.left_edge.i:child.right_edge.i + 1], base, "subject", 0.7)
                    break
    elif p.speaker_side == "mark_subject" and p.speaker_hint is not None:
        t = doc.char_span(p.speaker_hint[0] - base, p.speaker_hint[1] - base, alignment_mode="expand")
        if t is not None:
            chosen = _mention(_np_before(doc, t.start, _clause_floor(doc, t.start)), base, "subject", 0.6)
    elif p.speaker_side == "colon" and p.rule == "answer_colon" and p.speaker_hint is not None:
        # an interview label is the speaker, initials (`M. Z.`) included, whatever the tagger made of it
        s, e = p.speaker_hint
        chosen = Mention(s, e, text_of(doc)[s - base:e - base], "name", 0.8, "colon")
    elif p.speaker_side == "colon" and p.colon is not None:
        t = doc.char_span(p.colon[0] - base, p.colon[1] - base, alignment_mode="expand")
        if t is not None:
            floor = sentence_of(doc, t.start).start
            people = [ps for ps in person_spans(doc) if floor <= ps.start and ps.end <= t.start]
            np_ = people[0] if people else _np_before(doc, t.start, floor)
            m = _mention(np_, base, "colon", 0.7)
            heads = {fold(w) for w in m.text.replace("'", " ").replace("’", " ").split()} if m else set()
            if m is not None and len(m.text.split()) <= 10 and (
                m.kind in ("name", "org") or heads & (_role_nouns() | _org_nouns())
            ):
                chosen = m
    cands = _nearby(p, doc, base)
    if chosen is not None:
        cands = [chosen] + [c for c in cands if (c.start, c.end) != (chosen.start, chosen.end)]
    return SpeakerChoice(chosen, cands)


def _continues_sentence(text: str, prev_end: int, start: int) -> bool:
    """Whether a quote at `start` is in the sentence of the quote ending at `prev_end`: a participle's
    content (`…, tout en rappelant que …`) takes the main clause's speaker only there."""
    return 0 <= prev_end <= start and re.search(r"[.!?…][\s\u00a0»”\"]|\n", text[prev_end:start]) is None


def _subject_of(p: Proposal, doc: Doc, base: int) -> Mention | None:
    head = p.cue.head
    verb = head
    # "a accusé … et appelé les Occidentaux à": the subject of the first conjunct.
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass") and c.i < verb.i]
    if len(subjects) > 1 and _nearer_subject_wins(doc, subjects[0], subjects[-1], verb):
        subjects.reverse()
    for child in subjects:
        left = child.left_edge.i
        for t in doc[left:child.i]:
            if t.is_space and "\n" in t.text or t.text in (".", "!", "?"):
                left = t.i + 1
        left = _broken_subject_start(doc, left)
        right = child.right_edge.i + 1
        colon = next((t.i for t in doc[left:right] if t.text == ":"), None)
        if colon is not None:
            # `Le Journal : Washington estime que …`: a label before a colon is not the subject
            left, right = (colon + 1, right) if colon < verb.i else (left, colon)
        span = doc[left:right]
        if not len(span):
            continue
        if len(span) == 1 and span[0].lower_ in _STRESSED and 0 < child.i < len(doc) - 1 \
                and doc[child.i - 1].text == "," == doc[child.i + 1].text:
            # `La diplomatie togolaise, elle, se dit prête`: the stressed pronoun takes up the noun phrase
            np_ = _np_before(doc, child.i - 1, _clause_floor(doc, child.i - 1))
            m = _mention(np_, base, "subject", 0.8) if np_ is not None else None
            if m is not None:
                return m
        named = _named_before_apposition(doc, span, verb)
        if named is not None:
            span = named
        has_person = any(e.label_ == "PER" for e in entities_in(span))
        if "," in span.text and not has_person:
            # Keep the noun phrase before an apposition or a relative clause.
            cut = next(t.i for t in span if t.text == ",")
            span = doc[span.start:cut]
        if span.text.strip().lower() in ("qui", "lequel", "laquelle"):
            # `a annoncé le gouvernement du Kosovo, qui dénonce un « enlèvement »`: the antecedent
            k = child.i - 1 if child.i and doc[child.i - 1].text == "," else child.i
            m = _mention(_np_before(doc, k, _clause_floor(doc, k)), base, "subject", 0.8)
            if m is not None and m.kind != "pronoun":
                return m
            break
        nxt = doc[span.end] if span.end < len(doc) else None
        if nxt is not None and nxt.lower_ in ("dernier", "dernière", "derniers", "dernières"):
            span = doc[span.start:span.end + 1]
        m = _mention(span, base, "subject", 0.85)
        if m is not None:
            return m
    sent_start = _clause_floor(doc, p.cue.span.start)
    j = p.cue.span.start
    # "S. Lavrov a, lui, annoncé": step over the parenthetical pronoun.
    while j - 3 >= sent_start and doc[j - 1].text == "," and doc[j - 2].lower_ in _STRESSED \
            and doc[j - 3].text == ",":
        j -= 3
        while j > sent_start and doc[j - 1].pos_ == "AUX":
            j -= 1
    np_ = _np_before(doc, j, sent_start)
    m = _mention(np_, base, "before", 0.6)
    if m is None:
        first = _np_after(doc, sent_start)
        m = _mention(first, base, "sentence_subject", 0.4)
    return m


_STRESSED = ("lui", "elle", "eux", "elles")
_RELATIVE = ("qui", "que", "qu'", "qu’", "dont", "où", "lequel", "laquelle")


def _nearer_subject_wins(doc: Doc, first, nearer, verb) -> bool:
    """Two subjects is a failed parse (`Essequibo : Caracas dénonce`, `l'émissaire à Laâyoune, le Polisario
    dénonce`): the nearer one is the subject, the other a topic the title or the clause opens with, unless
    the nearer sits in a relative clause (`Le président X, qui recevait une délégation, a appelé`) or is an
    apposition closed by a comma (`La KFOR, la force de l'Otan au Kosovo, a indiqué`) that names no person
    (`Son homologue, l'historien X, avait plaidé`)."""
    between = doc[first.i:nearer.left_edge.i]
    if not any(t.text in (":", ",") for t in between) or any(t.lower_ in _RELATIVE for t in between):
        return False
    closed = any(t.text == "," for t in doc[nearer.right_edge.i + 1:verb.i])
    return not closed or any(t.ent_type_ == "PER" for t in doc[nearer.left_edge.i:nearer.right_edge.i + 1])


def inherits_speaker(p: Proposal, mention: Mention | None, prev_mention: Mention | None, prev_end: int,
                     text: str) -> bool:
    """A participle's content with no mention of its own (`…, tout en rappelant que …`) takes the previous
    quote's speaker, when that quote is in its sentence."""
    return mention is None and p.speaker_side == "participle" and prev_mention is not None \
        and _continues_sentence(text, prev_end, p.start)


def _named_before_apposition(doc: Doc, span: SpacySpan, verb) -> SpacySpan | None:
    """`La KFOR, la force de l'Otan au Kosovo, a indiqué`: the parser made the description between
    commas the subject; the named organisation or person opening the clause is the source."""
    k = span.start - 1
    if k < 1 or doc[k].text != "," or doc[span.end].text != "," or not verb.i > span.end \
            or span.root.ent_type_ in ("PER", "ORG") or not span.root.text.islower():
        return None
    floor = _clause_floor(doc, k)
    ents = [e for e in entities(doc) if e.label_ in ("ORG", "PER") and e.end == k and e.start >= floor]
    if not ents or not all(t.pos_ == "DET" for t in doc[floor:ents[0].start]):
        return None
    return doc[floor:k]


def _broken_subject_start(doc: Doc, left: int) -> int:
    """`La cheffe de file de la coalition pro-européenne Ensemble pour la Géorgie a répliqué`: the parser
    made the name at the end the subject and left the role before it hanging; a verbless noun phrase
    with a role noun from the clause's start up to the subject is the subject's head."""
    floor = _clause_floor(doc, left)
    if floor >= left or doc[floor].pos_ != "DET":
        return left
    before = doc[floor:left]
    if all(t.pos_ in ("DET", "NOUN", "ADJ", "ADP", "PROPN") or t.text in _HYPHENS for t in before) \
            and any(fold(t.text) in _role_nouns() for t in before):
        return floor
    return left


def _clause_floor(doc: Doc, i: int) -> int:
    """Token index after the last sentence end or line break before i (the parser's sentences
    split coordinated subjects when the parse fails: "Washington et | ses alliés accusent")."""
    k = i - 1
    while k >= 0:
        t = doc[k]
        if t.is_space and "\n" in t.text or t.text in (".", "!", "?", "»", "”") and k + 1 < i and doc[k + 1].text[:1].isupper():
            break
        k -= 1
    floor = k + 1
    # `TUNIS, 7 mai (TAP) - Les délégations …`: a wire dateline is no part of the clause
    dateline = DATELINE.match(text_of(doc), doc[floor].idx) if floor < len(doc) else None
    if dateline:
        past = next((t.i for t in doc[floor:i] if t.idx >= dateline.end()), None)
        if past is not None:
            return past
    return floor


def _nearby(p: Proposal, doc: Doc, base: int) -> list[Mention]:
    """People, organisations and pronouns in the quote's sentence and the one before."""
    if doc is None:
        return []
    pos = p.start - base
    sents = sentences(doc)
    idx = next((k for k, s in enumerate(sents) if s.start_char <= pos < s.end_char), 0)
    out = []
    for s in sents[max(0, idx - 1): idx + 2]:
        for e in entities_in(s):
            if e.label_ in ("PER", "ORG") and not (p.start <= base + e.start_char < p.end):
                out.append(Mention(base + e.start_char, base + e.end_char, e.text,
                                   "name" if e.label_ == "PER" else "org", 0.3, "nearby"))
    return out


# --- names resolved within the document -------------------------------------------------------


_NAME_PARTICLES = {"de", "du", "von", "van", "der", "al", "el", "ben", "bin", "ibn", "da", "dos", "le", "la"}
_NOT_NAME_START = {
    "le", "la", "les", "l'", "un", "une", "des", "ce", "cette", "selon", "pour", "mais", "et", "il", "elle",
    "nous", "vous", "ils", "elles", "on", "en", "à", "au", "aux", "dans", "sur", "par", "après", "avant",
    "depuis", "lors", "si", "quand", "alors", "enfin", "dès", "m.", "mme", "à", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
}


def person_spans(doc: Doc) -> tuple[SpacySpan, ...]:
    """People named in a parsed text: NER's PER entities, plus title-case sequences NER missed
    ("Andreï Sokolov, politologue …" at a paragraph start is often tagged nothing). Once per region."""
    return per_doc(doc, "person_spans", lambda d: tuple(_person_spans(d)))


def _appositive_to_role(doc: Doc, e: SpacySpan) -> bool:
    """`le représentant de l'UE à Chisinau, Jānis Mažeiks, a dit`: a name of two or more title-case
    words set off by commas right after a person's role is a person, whatever label NER gave it
    (foreign names are often tagged LOC or MISC)."""
    comma = e.start - 1
    if comma >= 1 and doc[comma].lower_ in ("la", "le", "l'", "l’"):
        comma -= 1  # `…, la Burkinabè Aminata Sawadogo-Kaboré,`: a demonym and its article before the name
    if len(e) < 2 or comma < 1 or doc[comma].text != "," or not all(
            t.is_title or t.text in ("-", "'", "’") for t in e):
        return False
    if e.end < len(doc) and doc[e.end].text not in (",", ".", ";", ")", "qui"):
        return False
    roles = _role_nouns()
    return any(fold(t.text) in roles for t in doc[max(0, comma - 8):comma])


_PARTICIPLE_END = re.compile(r"(?:ée?s?|ie?s?|ise?s?|ue?s?|ant|ante?s?)$")


def _not_a_name(doc: Doc, e: SpacySpan) -> bool:
    """NER's PER on a capitalised participle or adjective opening a sentence (`Reçue en milieu de matinée, une
    délégation …`, `Insuffisant pour la Coordination rurale, …`): a word, not a person."""
    t = doc[e.start]
    if len(e) == 1 and e.start >= 2 and doc[e.start - 1].lower_ in ("de", "du", "d'", "d’") \
            and doc[e.start - 2].pos_ in ("NOUN", "ADJ") and fold(doc[e.start - 2].text) not in _role_nouns() \
            and first_name_gender(t.text) is None:
        return True  # `le président du conseil municipal de Khiam`: a lone surname-like word after `de` is a place
    at_start = t.i == 0 or doc[t.i - 1].text in (".", "!", "?", ":", "»", "«") or "\n" in doc[t.i - 1].text_with_ws
    if len(e) != 1 or not at_start:
        return False
    if t.pos_ in ("VERB", "ADJ", "AUX", "ADV"):
        return True
    # tagged a proper noun, but shaped like a participle opening a phrase: `Assis au côté de …`
    return (t.i + 1 < len(doc) and doc[t.i + 1].pos_ == "ADP"
            and _PARTICIPLE_END.search(t.lower_) is not None)


def _person_spans(doc: Doc) -> list[SpacySpan]:
    out = [e for e in entities(doc) if (e.label_ == "PER" and not _not_a_name(doc, e))
           or (e.label_ in ("LOC", "MISC") and _appositive_to_role(doc, e))
           # `le Premier ministre somalien, Abdirahman Cali Warsame,` tagged ORG: no organisation noun in it
           or (e.label_ == "ORG" and _appositive_to_role(doc, e) and not any(fold(t.text) in _org_nouns() for t in e))]
    covered = {i for e in entities(doc) for i in range(e.start, e.end)}
    i = 0
    while i < len(doc):
        t = doc[i]
        if t.i in covered or not t.is_title or t.lower_ in _NOT_NAME_START or len(t.text) < 2:
            i += 1
            continue
        j = i + 1
        while j < len(doc) and j - i < 4 and doc[j].i not in covered and (
            doc[j].is_title and len(doc[j].text) > 1 or doc[j].lower_ in _NAME_PARTICLES and j + 1 < len(doc)
            and doc[j + 1].is_title
        ):
            j += 1
        if j - i >= 2 and not doc[j - 1].lower_ in _NAME_PARTICLES and all(
            not tok.is_stop or tok.lower_ in _NAME_PARTICLES for tok in doc[i:j]
        ):
            out.append(doc[i:j])
        i = max(j, i + 1)
    # `la Burkinabè Aminata Sawadogo-Kaboré` tagged whole: the demonym before a first name is no part of the name
    out = [e[1:] if len(e) >= 3 and first_name_gender(e[1].text) is not None and first_name_gender(e[0].text) is None
           and e.start and doc[e.start - 1].lower_ in ("la", "le", "l'", "l’") else e for e in out]
    # `Nino Tsereteli-Gabunia` tagged as far as the hyphen
    return sorted((_whole_compound(e) for e in out), key=lambda s: s.start)
