"""Speakers: candidate mentions for a proposal, the rule choice, and names resolved in the document.

The construction that found a quote says where its speaker is: after the
cue (`, a déclaré le ministre`), inside it (`a-t-elle précisé`), before it
(the subject of `X a affirmé que`), after `selon`, before a colon. That
mention is the rule choice; the people, organisations and pronouns nearby are
kept as alternative candidates for a deciding stage (the model) to choose from.
`NameResolver` then maps the mention to the fullest name the article gives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span as SpacySpan

from .extract import Proposal

PRONOUNS = {"il", "elle", "ils", "elles", "-il", "-elle", "-ils", "-elles", "lui", "eux"}
FEMININE_PRON = {"elle", "-elle", "elles", "-elles"}
_TITLES = {"m.", "mme", "mlle", "mm.", "dr", "me", "pr"}
# Words that end a post-verbal subject: the start of an adjunct.
_NP_STOP = {
    "lors", "sur", "à", "au", "aux", "dans", "devant", "après", "avant", "pendant", "depuis", "en",
    "qui", "que", "dont", "lequel", "laquelle", "selon", "cité", "citée", "interrogé", "interrogée",
    "tout", "alors", "avec", "par", "pour", "mais", "car", "lorsque", "quand", "ce", "cette", "ces",
    "reprenant", "commentant", "soulignant", "ajoutant", "estimant", "sans", "face", "vers", "jeudi",
    "lundi", "mardi", "mercredi", "vendredi", "samedi", "dimanche", "hier", "mardi", "soir",
}
_SKIP_BEFORE_SUBJECT = {
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier", "soir", "matin",
    "aussi", "également", "encore", "ensuite", "alors", "enfin", "toutefois", "pourtant", "dimanche",
    "cette", "semaine", "dernier", "dernière", "la", "veille", "plus", "tard", "d'abord", "d’abord",
}
_DEMONSTRATIVE = {"ce", "cet", "cette", "ces"}
_DEF_ARTICLES = ("le ", "la ", "les ", "l'", "l’")


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


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower().replace("’", "'"))
    return "".join(ch for ch in s if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def role_equivalents() -> list[set[str]]:
    """Groups of role phrases that name one office (data/roles.tsv)."""
    groups = []
    for line in resources.files("quotes").joinpath("data/roles.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            groups.append({fold(x.strip()) for x in line.split("\t") if x.strip()})
    return groups


def _kind_of(span: SpacySpan) -> str:
    words = [t for t in span if not t.is_punct]
    if not words:
        return "role"
    if len(words) == 1 and words[0].lower_ in PRONOUNS:
        return "pronoun"
    ents = [e for e in span.ents]
    if any(e.label_ == "PER" for e in ents) or _looks_like_name([t.text for t in words]):
        return "name"
    if any(e.label_ in ("ORG", "LOC") for e in ents) or words[-1].pos_ == "PROPN" and words[0].pos_ == "PROPN":
        return "org"
    return "role"


def _looks_like_name(words: list[str]) -> bool:
    caps = [w for w in words if w[:1].isupper()]
    return bool(words) and len(caps) == len(words) and len(words) <= 4 and (
        len(words) >= 2 or words[0][:1].isupper() and len(words[0]) > 2
    ) and not any(fold(w) in ("le", "la", "les") for w in words)


def _name_tail(span: SpacySpan) -> SpacySpan:
    """Within `le secrétaire d'Etat américain Antony Blinken`, the name at the end."""
    per = [e for e in span.ents if e.label_ == "PER"]
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
    while i < len(doc) and (doc[i].lower_ in _SKIP_BEFORE_SUBJECT or doc[i].is_space):
        i += 1
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
        if i > start and t.lower_ in _NP_STOP:
            break
        if i > start and t.pos_ in ("VERB", "AUX") and not t.text[:1].isupper():
            break
        i += 1
    if i == start:
        return None
    return doc[start:i]


def _np_before(doc: Doc, i: int, floor: int) -> SpacySpan | None:
    """The noun phrase ending right before token i (a subject, the source before a colon)."""
    j = i
    while j > floor and (doc[j - 1].lower_ in _SKIP_BEFORE_SUBJECT or doc[j - 1].is_space):
        j -= 1
    end = j
    while j > floor:
        t = doc[j - 1]
        if t.is_space or t.text in (".", ";", ":", "!", "?", "«", "»", '"', "—", "(", ")", "”", "“") or (
            t.text == "," and not (j - 2 >= floor and doc[j - 2].ent_type_ == "PER")
        ):
            break
        if t.pos_ in ("VERB", "AUX") and not t.text[:1].isupper():
            break
        if t.lower_ in ("que", "qu'", "qu’", "et", "mais", "où", "dont", "si") and j < end:
            break
        j -= 1
        if end - j > 14:
            break
    if j >= end:
        return None
    span = doc[j:end]
    # Drop a trailing apposition clause after a comma: "S. Lavrov, ministre russe des Affaires étrangères".
    return span


def _mention(span: SpacySpan | None, base: int, source: str, score: float) -> Mention | None:
    if span is None or not span.text.strip():
        return None
    kind = _kind_of(span)
    if kind == "name":
        span = _name_tail(span)
    elif kind == "role" and len(span) > 1:
        tail = _name_tail(span)
        if tail is not span and len(tail) < len(span):
            span, kind = tail, "name"
    # Strip a trailing comma or space.
    s, e = span.start_char, span.end_char
    text = span.doc.text
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
        chosen = Mention(base + s, base + t.idx + len(t.text), doc.text[s:t.idx + len(t.text)], "pronoun", 0.9, "inverted")
    elif p.cue_kind == "source" and p.speaker_hint is not None:
        s, e = p.speaker_hint
        span = doc.char_span(s - base, e - base, alignment_mode="expand")
        if span is not None:
            chosen = _mention(_np_after(doc, span.start), base, "source", 0.8)
    elif p.speaker_side == "after" and p.cue is not None:
        chosen = _mention(_np_after(doc, p.cue.span.end), base, "after", 0.85)
    elif p.speaker_side == "before" and p.cue is not None:
        chosen = _subject_of(p, doc, base)
    elif p.speaker_side == "colon" and p.colon is not None:
        t = doc.char_span(p.colon[0] - base, p.colon[1] - base, alignment_mode="expand")
        if t is not None:
            np_ = _np_before(doc, t.start, t.sent.start)
            m = _mention(np_, base, "colon", 0.7)
            if m is not None and m.kind in ("name", "org", "role") and len(m.text.split()) <= 10:
                chosen = m
    cands = _nearby(p, doc, base)
    if chosen is not None:
        cands = [chosen] + [c for c in cands if (c.start, c.end) != (chosen.start, chosen.end)]
    return SpeakerChoice(chosen, cands)


def _subject_of(p: Proposal, doc: Doc, base: int) -> Mention | None:
    head = p.cue.head
    # A participle ("tout en rappelant que", "exhortant à"): the subject of the verb it hangs on.
    verb = head
    if head.lower_.endswith("ant") and head.dep_ in ("advcl", "conj", "xcomp", "acl"):
        verb = head.head
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubj:pass") and child.i < verb.i:
            span = doc[child.left_edge.i:child.i + 1]
            # Keep the head noun phrase; drop appositions after a comma.
            if "," in span.text:
                span = doc[child.left_edge.i:child.left_edge.i + span.text[: span.text.index(",")].count(" ") + 1]
            m = _mention(span, base, "subject", 0.85)
            if m is not None:
                return m
    sent_start = p.cue.span.sent.start
    np_ = _np_before(doc, p.cue.span.start, sent_start)
    if np_ is not None and np_.text.strip(", ") in (",",):
        np_ = None
    m = _mention(np_, base, "before", 0.6)
    if m is None:
        # "Le ministre a, lui, annoncé": look back past the parenthetical.
        first = _np_after(doc, sent_start)
        m = _mention(first, base, "sentence_subject", 0.4)
    return m


def _nearby(p: Proposal, doc: Doc, base: int) -> list[Mention]:
    """People, organisations and pronouns in the quote's sentence and the one before."""
    if doc is None:
        return []
    pos = p.start - base
    sents = list(doc.sents)
    idx = next((k for k, s in enumerate(sents) if s.start_char <= pos < s.end_char), 0)
    out = []
    for s in sents[max(0, idx - 1): idx + 2]:
        for e in s.ents:
            if e.label_ in ("PER", "ORG") and not (p.start <= base + e.start_char < p.end):
                out.append(Mention(base + e.start_char, base + e.end_char, e.text,
                                   "name" if e.label_ == "PER" else "org", 0.3, "nearby"))
    return out


# --- names resolved within the document -------------------------------------------------------


@dataclass
class _Person:
    name: str
    first_seen: int
    feminine: bool | None = None


class NameResolver:
    """Resolves mentions to the fullest name the article gives, walking the quotes in order."""

    def __init__(self, docs: list[tuple[int, Doc]]):
        self.people: list[_Person] = []
        self.links: list[tuple[str, str, int]] = []  # (folded role, name, position)
        self.persons_at: list[tuple[int, str]] = []  # every person mention, by position
        for base, doc in docs:
            for e in doc.ents:
                if e.label_ != "PER":
                    continue
                span = _name_tail(doc[max(e.start - 1, 0):e.end]) if e.start and re.fullmatch(
                    r"[A-ZÉ]\.|M\.|Mme", doc[e.start - 1].text) else e
                name = span.text.strip(" ,")
                if len(name) < 3 or not name[:1].isupper():
                    continue
                self.persons_at.append((base + e.start_char, name))
                self._add_person(name, base + e.start_char)
                self._link_role(doc, e, base, name)
        self.history: list[str] = []

    def _add_person(self, name: str, pos: int) -> None:
        for p in self.people:
            if p.name == name:
                return
        self.people.append(_Person(name, pos))

    def _link_role(self, doc: Doc, ent: SpacySpan, base: int, name: str) -> None:
        """`le ministre russe des Affaires étrangères, Sergueï Lavrov` and `Victoria Nuland, sous-secrétaire d'Etat`."""
        left = doc[max(ent.sent.start, ent.start - 10):ent.start]
        ltxt = left.text.strip(" ,")
        m = re.search(r"(?:^|[,(]\s*|\b)((?:le|la|l'|l’|du|de la|son|sa)?\s*[a-zé][\w'’ -]{3,80})$", ltxt)
        if m:
            self.links.append((fold(m.group(1)), name, base + ent.start_char))
        right = doc[ent.end:min(ent.sent.end, ent.end + 12)].text
        m = re.match(r"\s*,\s*((?:le |la |l'|l’)?[a-zé][^,.;:()«»\"]{3,90})", right)
        if m:
            self.links.append((fold(m.group(1)), name, base + ent.start_char))

    def fullest(self, name: str) -> str:
        words = name.replace("’", "'").split()
        words = [w for w in words if fold(w) not in _TITLES] or words
        last = fold(words[-1])
        best = name
        for p in self.people:
            pw = p.name.split()
            if fold(pw[-1]) == last:
                if _fullness(p.name) > _fullness(best):
                    best = p.name
        return best

    def resolve(self, mention: Mention | None, cue_pos: int, text: str) -> str | None:
        if mention is None:
            return self.history[-1] if self.history else None
        m = mention.text.strip()
        low = fold(m)
        name: str | None
        if mention.kind == "pronoun":
            name = self._last_speaker(feminine=low.lstrip("-") in ("elle", "elles")) or self._last_person(cue_pos)
        elif mention.kind == "name":
            name = self.fullest(m)
        elif re.match(r"(ce|cette) dernier|(ce|cette) derniere", low):
            name = self._last_person(mention.start) or m
        elif re.match(r"(le|la|les) meme", low):
            name = self.history[-1] if self.history else m
        elif mention.kind == "org":
            name = _strip_article(m)
        else:
            name = self._role_name(m, mention.start, text)
        if name:
            self.history.append(name)
        return name

    def _last_speaker(self, feminine: bool) -> str | None:
        for name in reversed(self.history):
            if name.split()[0][:1].isupper() or name in (p.name for p in self.people):
                return name
        return self.history[-1] if self.history else None

    def _last_person(self, pos: int) -> str | None:
        before = [(p, n) for p, n in self.persons_at if p < pos]
        return self.fullest(before[-1][1]) if before else None

    def _role_name(self, role: str, pos: int, text: str) -> str:
        low = fold(role)
        words = low.replace("'", " ").split()
        if words and words[0] in _DEMONSTRATIVE:
            # "ce responsable" → the earlier "un responsable américain".
            head = words[1] if len(words) > 1 else ""
            for name in reversed(self.history):
                if head and head in fold(name).split():
                    return name
            earlier = re.findall(r"\b(?:un|une)\s+" + re.escape(head) + r"[\w' -]{0,40}?(?=\s+(?:a|avait|ont)\b|[,.])",
                                 fold(text[:pos]))
            if earlier and head:
                return _original_case(text[:pos], earlier[-1])
            return role
        core = _strip_article(low)
        core_words = set(core.replace("'", " ").split())
        best, best_score = None, 0.0
        for link_role, name, lpos in self.links:
            lw = set(_strip_article(link_role).replace("'", " ").split())
            score = len(core_words & lw) / max(1, len(core_words))
            if _equivalent_roles(core, link_role):
                score += 0.6
            if score > best_score and score >= 0.6:
                best, best_score = name, score
        if best:
            return self.fullest(best)
        return role if words and words[0] in ("un", "une", "des") else _strip_article(role)


def _equivalent_roles(a: str, b: str) -> bool:
    for group in role_equivalents():
        ga = [g for g in group if g in a]
        gb = [g for g in group if g in b]
        if ga and gb:
            # Nationality or institution words must agree where both give them.
            na = set(a.split()) - set(" ".join(ga).split())
            nb = set(b.split()) - set(" ".join(gb).split())
            adj_a = {w[:6] for w in na if len(w) > 4}
            adj_b = {w[:6] for w in nb if len(w) > 4}
            if not adj_a or not adj_b or adj_a & adj_b:
                return True
    return False


def _fullness(name: str) -> tuple[int, int]:
    words = name.split()
    spelled = sum(1 for w in words if len(w.rstrip(".")) > 1 and not w.endswith(".") and fold(w) not in _TITLES)
    return spelled, len(name)


def _strip_article(s: str) -> str:
    for a in _DEF_ARTICLES:
        if s.lower().startswith(a):
            return s[len(a):].strip()
    return s.strip()


def _original_case(text: str, folded: str) -> str:
    idx = fold(text).rfind(folded)
    return text[idx: idx + len(folded)] if idx >= 0 else folded
