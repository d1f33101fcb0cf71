"""Speaker names resolved within the article: the fullest name it gives for each mention.

Walking the quotes in order, `NameResolver` maps a name to its fullest form
(`Lavrov` → `Sergueï Lavrov`), a pronoun to the person just introduced or the last
speaker of a compatible gender, a role to the person the article names in that
role (by apposition, by an equivalent office from data/roles.tsv, or just before),
a demonstrative (`ce responsable`) to the earlier indefinite mention, and an
acronym to the name the article spells out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span as SpacySpan

from .cues import participle_words
from .interview import expands
from .lexicons import first_name_gender, folded_words, role_equivalents, time_words
from .parse import entities, sentence_of, text_of
from .speakers import _TITLES, Mention, _name_tail, _role_nouns, fold, person_spans

_DEMONSTRATIVE = {"ce", "cet", "cette", "ces"}
_POSSESSIVE = {"son", "sa", "leur"}
_PLACE_PREPOSITIONS = {"à", "depuis", "vers"}
# `La Banque centrale de Libye … a réagi. Dans un communiqué, l'institution a jugé …`: a generic noun
# taking up the organisation the clause before had as its subject
_TAKEN_UP_ORG = {"institution", "organisation", "organisme", "agence", "banque", "compagnie", "entreprise",
                 "societe", "groupe", "formation", "mouvement", "coalition", "alliance", "mission"}
_GROUP_NOUNS = {"parti", "formation", "mouvement", "syndicat", "centrale", "coalition", "alliance", "organisation"}
# A photo credit or agency signature ("— Marc Delorme/AFP", "Photo : Marc Delorme") or a dateline
# ("TUNIS/"): a name there is never a speaker.
_CREDIT_AFTER = re.compile(r"[\s\u00a0]*/[\s\u00a0]*[A-Z]")
_CREDIT_BEFORE = re.compile(r"(?:^|\n)[\s\u00a0]*(?:[—–©]|(?:photo|crédit|credit|illustration)s?\b[^\n]{0,12}?)[^\n]{0,3}$", re.I)


def _is_credit(text: str, start: int, end: int, name: str) -> bool:
    return ("/" in name or name.isupper() and len(name.split()) == 1
            or bool(_CREDIT_AFTER.match(text, end)) or bool(_CREDIT_BEFORE.search(text[max(0, start - 40):start])))
_ACRONYM = re.compile(r"((?:[Ll]e |[Ll]a |[Ll]es |[Ll]['’])?[A-ZÉÈ][\w'’-]*(?:\s+[\w'’-]+){1,9}?)\s+\(([A-Z][A-Z0-9]{1,9})\)")
_STOP = {"de", "du", "des", "d", "l", "la", "le", "les", "a", "au", "aux", "et", "en", "pour", "sur", "un", "une"}
_DEF_ARTICLES = ("le ", "la ", "les ", "l'", "l’")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# A capitalised first word and one to three capitalised names after it, then a comma or a verb
_NEXT_NAME = re.compile(r"[ \u00a0]+([A-ZÉÈ][\w-]+)((?:[ \u00a0]+(?:de |van |von |al-)?[A-ZÉÈ][\w'’-]+){1,3})(?=,|[ \u00a0]+[a-zé])")


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
        self.persons_at: list[tuple[int, int, str, bool]] = []  # (start, end, name, is subject)
        self.orgs_at: list[tuple[int, str]] = []  # organisations named as a clause's subject
        self.text_of: list[tuple[int, Doc]] = docs
        for base, doc in docs:
            for e in person_spans(doc):
                # `Nermin` PER, `Hadžić` left out: a capitalised word glued after the name is its surname
                if e.end < len(doc) and doc[e.end].text[:1].isupper() and doc[e.end].pos_ in ("PROPN", "X", "NOUN") \
                        and not doc[e.end].ent_type_ and len(doc[e.end].text) > 2 \
                        and doc[e.end - 1].whitespace_:
                    e = doc[e.start:e.end + 1]
                span = _name_tail(doc[max(e.start - 1, 0):e.end]) if e.start and re.fullmatch(
                    r"[A-ZÉ]\.|M\.|Mme", doc[e.start - 1].text) else e
                name = span.text.strip(" ,")
                if len(name) < 3 or not name[:1].isupper() or _is_credit(text_of(doc), span.start_char, span.end_char, name):
                    continue
                # `Le président Nicolás Maduro, qui …, a tenu`: the name in apposition to the subject is the subject
                subj = any(t.dep_.startswith("nsubj") or t.dep_ == "appos" and t.head.dep_.startswith("nsubj")
                           for t in e) or (e.end < len(doc) and doc[e.end].pos_ in ("AUX", "VERB"))
                self.persons_at.append((base + span.start_char, base + span.end_char, name, subj))
                self._add_person(name, base + e.start_char)
                self._gender_evidence(doc, span, name)
                self._link_role(doc, e, base, name)
            for e in entities(doc):
                if e.label_ == "ORG" and e.root.dep_.startswith("nsubj") and len(e.text) > 2:
                    self.orgs_at.append((base + e.start_char, e.text))
        self.history: list[tuple[str, bool | None]] = []  # resolved speaker names, with gender when known
        self.org_history: list[str] = []  # organisations that spoke, for "son parti", "la formation"
        self.quote_spans: list[tuple[int, int]] = []
        self._last_quote_pos = -1
        self._current: tuple[int, int] | None = None
        self._acronyms: dict[str, str] | None = None

    def _add_person(self, name: str, pos: int) -> None:
        for p in self.people:
            if p.name == name:
                return
        self.people.append(_Person(name, pos))

    def _person(self, name: str) -> _Person | None:
        last = fold(name.split()[-1]) if name.split() else ""
        for p in self.people:
            if p.name == name or fold(p.name.split()[-1]) == last:
                return p
        return None

    def _gender_evidence(self, doc: Doc, span: SpacySpan, name: str) -> None:
        """Gender from the first name, else from the role right before the name ("la porte-parole, X")."""
        p = self._person(name)
        if p is None or p.feminine is not None:
            return
        words = name.split()
        g = first_name_gender(words[0]) if len(words) > 1 else None
        if g is None and fold(words[0]) in ("mme", "madame"):
            g = True
        if g is None:
            before = [t for t in doc[max(0, span.start - 8):span.start]]
            cut = max((k + 1 for k, t in enumerate(before) if t.text in (".", "!", "?", ";") or "\n" in t.text),
                      default=0)
            before = before[cut:]
            for k, t in enumerate(before[:-1]):
                if t.lower_ in ("le", "la", "un", "une") and fold(before[k + 1].text) in _role_nouns():
                    g = t.lower_ in ("la", "une")
                    break
        p.feminine = g

    def _link_role(self, doc: Doc, ent: SpacySpan, base: int, name: str) -> None:
        """`le ministre russe des Affaires étrangères, Sergueï Lavrov` and `Victoria Nuland, sous-secrétaire d'Etat`."""
        if _after_place_preposition(text_of(doc), ent.start_char):
            return  # `le porte-parole du conseil, basé à Benghazi, X`: a town the tagger took for a person
        sent = sentence_of(doc, ent.start)
        left = doc[max(sent.start, ent.start - 10):ent.start]
        ltxt = left.text.strip(" ,")
        # `l'envoyée spéciale de l'Union africaine, la Burkinabè Aminata …`: a demonym between role and name
        # (`le ministre de la Défense, X`: the role's own complement, not a demonym)
        ltxt = re.sub(r"(?<!\bde)(?<!\bde )(?<!\bde  ),?\s*(?:le|la|l'|l’)\s*[A-ZÉ][\w-]+$", "", ltxt).strip(" ,") or ltxt
        m = re.search(r"(?:^|[,(]\s*|\b)((?:le|la|l'|l’|du|de la|son|sa)?\s*[a-zé][\w'’ -]{3,80})$", ltxt)
        if m:
            role = m.group(1)
            inner = re.search(r"(?:^|\s)((?:le|la|l'|l’)\s*[a-zé][\w'’ -]{2,80})$", role)
            # `a déclaré à la sortie de l'audience la ministre, X`: the last determiner opening a role noun
            headed = [h for h in re.finditer(r"(?:^|\s)((?:le|la|l'|l’)\s*([a-zé][\w-]*))", role)
                      if fold(h.group(2)) in _role_nouns()]
            if headed and headed[-1].start(1) > 0:
                role = role[headed[-1].start(1):]
            elif inner and inner.start(1) > 0:
                role = inner.group(1)  # `a martelé la ministre, X`: the role, not the cue before it
            self.links.append((fold(role), name, base + ent.start_char))
            # `le ministre de la Défense, le général X`: a title between the role and the name
            rest = ltxt[:m.start(1)].rstrip(" ,")
            continued = re.match(r"(?:de|du|des|d'|d’)\b", m.group(1)) is not None
            if continued and not rest:
                wide = doc[max(sent.start, ent.start - 20):ent.start].text.strip(" ,")
                rest = wide[:len(wide) - len(ltxt)].rstrip(" ,")
                ltxt = wide
                m_start = len(wide) - len(m.group(1))
            else:
                m_start = m.start(1)
            if (len(m.group(1).split()) <= 3 or continued) and ltxt[m_start - 2:m_start].strip() == ",":
                # `le ministre de l'Intérieur, de la Sécurité publique et du Développement, X`: the role's
                # head before the list of its portfolios
                prev = re.search(r"((?:[Ll]e|[Ll]a|[Ll]'|[Ll]’)\s*[a-zé][\w'’ -]{3,80})$", rest)
                if prev:
                    self.links.append((fold(prev.group(1)), name, base + ent.start_char))
        right = doc[ent.end:min(sent.end, ent.end + 12)].text
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

    def _remember(self, name: str | None, feminine: bool | None) -> None:
        if name:
            p = self._person(name)
            if p is not None and p.feminine is None and feminine is not None:
                p.feminine = feminine
            self.history.append((name, feminine if feminine is not None else (p.feminine if p else None)))

    def resolve(self, mention: Mention | None, cue_pos: int, text: str, remember: bool = True,
                quote: tuple[int, int] | None = None) -> str | None:
        """The name `mention` stands for. With `remember`, it becomes the latest speaker (what pronouns
        later resolve to); without, the resolver is left as it was (to weigh an alternative). A person
        named inside `quote` (the quote being attributed) is never its speaker: `« … Ras Lanouf … », a
        lancé le porte-parole`."""
        self._current = quote
        try:
            return self._resolve(mention, cue_pos, text, remember)
        finally:
            self._current = None

    def _resolve(self, mention: Mention | None, cue_pos: int, text: str, remember: bool) -> str | None:
        if mention is None:
            # Attributed by position: the person just introduced, or the last speaker.
            name = self._pronoun(cue_pos, text, None)
            if remember:
                self._remember(name, None)
            return name
        m = mention.text.strip()
        low = fold(m)
        first = low.split()[0] if low.split() else ""
        feminine = None
        if first in ("la", "une", "cette", "elle", "-elle", "elles", "mme"):
            feminine = True
        elif first in ("le", "un", "ce", "cet", "il", "-il", "ils"):
            feminine = False
        words = low.replace("'", " ").split()
        if len(words) == 2 and words[0] in _POSSESSIVE and words[1] in _GROUP_NOUNS and self.org_history:
            name = self.org_history[-1]  # "Son parti a affirmé": the organisation that spoke before
        elif mention.kind == "pronoun":
            # `« … à Amdjarass … », a-t-il déclaré`: no antecedent inside the quote the pronoun closes
            name = self._pronoun(min(mention.start, cue_pos), text, feminine)
        elif len(words) == 2 and words[0] in ("l", "le", "la") and words[1] in _TAKEN_UP_ORG \
                and (org := self._subject_org(mention.start, text)):
            name = org
        elif _strip_article(m) in self.acronyms(text):
            name = self.acronyms(text)[_strip_article(m)]  # "le DFAE" → "Département fédéral des affaires étrangères"
        elif mention.kind == "name":
            name = self.fullest(expands(m, text) or m)  # `M. Z.` → `Marta Zielińska`
        elif re.match(r"(ce|cette) dernier|(ce|cette) derniere", low):
            name = self._last_person(mention.start, feminine) or m
        elif re.match(r"(le|la|les) meme", low):
            name = self.history[-1][0] if self.history else m
        elif mention.kind == "org":
            name = self._fuller(m, mention.start) or _strip_article(m)
        elif first in ("un", "une", "des", "plusieurs", "deux", "trois"):
            name = self._taken_up(low, mention.end, text) or m  # an anonymous source keeps its description
        else:
            name = self._role_name(m, mention.start, text)
        if remember:
            self._remember(name, feminine if mention.kind != "org" else None)
            if mention.kind == "org" and name and name not in self.org_history[-1:]:
                self.org_history.append(name)
        return name

    def acronyms(self, text: str) -> dict[str, str]:
        """Acronyms the article spells out: "le Département fédéral des affaires étrangères (DFAE)"."""
        if self._acronyms is None:
            self._acronyms = {}
            for m in _ACRONYM.finditer(text):
                long, short = _spelled_out(m.group(1).strip(), m.group(2)), m.group(2)
                initials = "".join(w[0] for w in re.findall(r"[A-Za-zÀ-ÿ]+", long) if w[0].isupper())
                if initials[:1] == short[:1] or len(short) <= len(long.split()):
                    self._acronyms.setdefault(short, _strip_article(long))
        return self._acronyms

    def _compatible(self, name: str, feminine: bool | None, known: bool | None) -> bool:
        if feminine is None:
            return True
        g = known
        if g is None:
            p = self._person(name)
            g = p.feminine if p else None
        return g is None or g == feminine

    def _pronoun(self, pos: int, text: str, feminine: bool | None) -> str | None:
        """il/elle: whichever is more recent, the last speaker or a person named since the last quote."""
        para = text.rfind("\n\n", 0, pos)
        prev_para = text.rfind("\n\n", 0, max(para, 0))
        since = [(st, n, subj) for st, en, n, subj in self.persons_at
                 if max(self._last_quote_pos, prev_para + 1) <= st < pos and not self._in_quote(st)
                 and self._compatible(n, feminine, None)]
        # a subject named since is the likelier antecedent than a name in a complement (`du député de Ben Guerdane`)
        since = [(st, n) for st, n, subj in since if subj] or [(st, n) for st, n, _ in since]
        known = [(st, n) for st, n in since if self._gender(n) is not None]
        if known:
            return self.fullest(known[-1][1])
        fresh = [(st, n) for st, n in since if st > para and self._last_quote_pos <= para]
        if since and feminine is not None and self.history and not fresh:
            # A person of unknown gender named since the last quote, against a last speaker
            # whose gender agrees with the pronoun: the pronoun continues the speaker (unless the
            # person opens a new paragraph the last quote is not in: `Joint par notre rédaction, X dément …
            # « … », nous a-t-il déclaré`).
            last, g = self.history[-1]
            if (g if g is not None else self._gender(last)) == feminine:
                return last
        if since:
            return self.fullest(since[-1][1])
        if self.history and para < self._last_quote_pos <= pos:
            # no one named since the last quote, in this very paragraph: the pronoun is its speaker
            last, g = self.history[-1]
            if self._compatible(last, feminine, g):
                return last
        if self.history:
            recent = list(reversed(self.history[-4:]))
            singular = [(n, g) for n, g in recent if not re.search(r"\b(et|ses|les|des)\b", fold(n))]
            people = [(n, g) for n, g in singular if self._person(n) is not None]
            for name, g in people[:1] + singular:
                if self._compatible(name, feminine, g):
                    return name
        for st, _, n, _ in reversed([p for p in self.persons_at if p[0] < pos]):
            if not self._in_quote(st) and self._compatible(n, feminine, None):
                return self.fullest(n)
        return self.history[-1][0] if self.history else None

    def _subject_org(self, pos: int, text: str) -> str | None:
        """The organisation last named as a subject, in this paragraph or the one before, outside quotes."""
        para = text.rfind("\n\n", 0, pos)
        floor = text.rfind("\n\n", 0, max(para, 0)) + 1
        for st, name in reversed(self.orgs_at):
            if floor <= st < pos and not self._in_quote(st):
                return _strip_article(name)
        return None

    def _gender(self, name: str) -> bool | None:
        p = self._person(name)
        return p.feminine if p else None

    def _in_quote(self, pos: int) -> bool:
        if self._current is not None and self._current[0] <= pos < self._current[1]:
            return True
        return any(s <= pos < e for s, e in self.quote_spans)

    def note_quote(self, start: int, end: int) -> None:
        self._last_quote_pos = end
        self.quote_spans.append((start, end))

    def _last_person(self, pos: int, feminine: bool | None = None) -> str | None:
        for s, _, n, _ in reversed([p for p in self.persons_at if p[0] < pos]):
            if self._compatible(n, feminine, None):
                return self.fullest(n)
        return None

    def _role_name(self, role: str, pos: int, text: str) -> str:
        low = fold(role)
        words = low.replace("'", " ").split()
        if words and words[0] in _DEMONSTRATIVE:
            # "ce responsable" → the earlier "un responsable américain".
            head = words[1] if len(words) > 1 else ""
            for name, _ in reversed(self.history):
                if head and head in fold(name).split():
                    return name
            earlier = re.findall(r"\b(?:un|une)\s+" + re.escape(head) + r"[\w' -]{0,40}?(?=\s+(?:a|avait|ont)\b|[,.])",
                                 fold(text[:pos]))
            if earlier and head:
                return _original_case(text[:pos], earlier[-1])
            linked = self._near_head(head, pos, text)
            return linked or role
        core = _strip_article(low)
        core_words = set(core.replace("'", " ").split()) - _STOP
        best, best_score = None, 0.0
        fem = True if words[:1] == ["la"] else False if words[:1] == ["le"] else None
        for link_role, name, lpos in self.links:
            if not self._compatible(name, fem, None):
                continue  # `la ministre` is not the minister named as `le ministre de l'Économie, X`
            lw = set(_strip_article(link_role).replace("'", " ").split()) - _STOP
            score = len(core_words & lw) / max(1, len(core_words))
            if lw and lw <= core_words:
                score = max(score, 0.6)  # `la ministre, X` names the holder of `la ministre des Pêches`
            if _equivalent_roles(core, link_role):
                score += 0.6
            if score > best_score and score >= 0.6:
                best, best_score = name, score
        if best:
            return self.fullest(best)
        head = next((w for w in core.replace("'", " ").split() if w in _role_nouns()), "")
        linked = self._near_head(head, pos, text, fem, core) if head else None
        if linked:
            return linked
        if words and words[0] in ("le", "la", "l") and head in _role_nouns():
            # "Mark Rutte : « … » … a déclaré le secrétaire général": the person just named.
            fem = True if words[0] == "la" else False if words[0] == "le" else None
            # in the same paragraph: an interviewer's `Le haut-commissaire affirme que …` is not the guest
            near = [(st, n) for st, _, n, _ in self.persons_at
                    if pos - 300 <= st < pos and not self._in_quote(st) and self._compatible(n, fem, None)
                    and "\n" not in text[st:pos]]
            if near:
                return self.fullest(near[-1][1])
            ahead = self._named_after(pos, text, fem)
            if ahead:
                return ahead
        if words and words[0] in ("un", "une", "des"):
            return role
        return self._fuller(role, pos) or _strip_article(role)

    def _fuller(self, mention: str, pos: int) -> str | None:
        """`le consulat` after `Le consulat général de Chine à Lyon a fait part …`, `les autorités` after
        `les autorités égyptiennes`: a definite noun alone takes up the article's last fuller description
        of it (its adjectives and complements, up to a comma, a relative or the verb)."""
        words = fold(mention).replace("'", " ").replace("’", " ").split()
        if len(words) != 2 or words[0] not in ("le", "la", "les", "l"):
            return None
        best = None
        for base, doc in self.text_of:
            for t in doc:
                if base + t.idx >= pos:
                    break
                if fold(t.text) != words[1] or self._in_quote(base + t.idx) \
                        or not any(c.dep_ == "det" and c.lower_ in ("le", "la", "les", "l'", "l’") for c in t.children):
                    continue
                end = t.i + 1
                while end < len(doc) and end - t.i <= 8 and doc[end].dep_ in ("amod", "nmod", "case", "det", "flat:name",
                                                                               "fixed") \
                        and doc[end].head.i >= t.i and doc[end].text not in (",", "(") and not doc[end].is_space \
                        and doc[end].lower_ not in time_words():
                    end += 1
                if end > t.i + 1 and doc[end - 1].pos_ not in ("ADP", "DET"):
                    best = doc[t.i:end].text
        return best

    def _taken_up(self, role: str, pos: int, text: str) -> str | None:
        """`Une porte-parole du ministère a précisé … Cette porte-parole, Jelena Marković-Ilić, a …`: the
        next sentence takes the role up with a demonstrative and names its holder in apposition."""
        words = role.replace("'", " ").split()
        head = next((w for w in words[1:] if w in _role_nouns()), None)
        stop = _SENTENCE_END.search(text, pos, pos + 400)
        if head is None or stop is None:
            return None
        # the first person named in the next 80 characters, with only the demonstrative role before it
        # (folded for the comparison only: offsets stay the text's own)
        first = next(((st, n) for st, _, n, _ in self.persons_at if stop.end() < st <= stop.end() + 80), None)
        if first is None or not re.fullmatch(r"\s*(?:ce|cet|cette)\s+" + re.escape(head) + r"[^,.;:]{0,40},\s*",
                                             fold(text[stop.end():first[0]])):
            return None
        return self.fullest(first[1])

    def _named_after(self, pos: int, text: str, feminine: bool | None) -> str | None:
        """A role whose holder the article names only after it: `a déclaré le porte-parole de l'AFC, dont
        fait partie le M23, Lawrence Kanyuka.` (the name closing the same sentence, after a comma), or
        `…, a résumé l'émissaire suisse. L'ambassadeur Hans-Peter Wyss, qui …` (the name opening the
        next sentence, alone or after a role noun)."""
        # `…, basé à Benghazi, Fathi al-Mansouri`: a town the tagger took for a person is no holder
        first = next(((st, en, name) for st, en, name, _ in self.persons_at
                      if pos < st <= pos + 260 and not self._in_quote(st)
                      and not _after_place_preposition(text, st)), None)
        opening = self._name_opening_next_sentence(pos, text)
        if opening is not None and (first is None or opening[0] < first[0]):
            first = opening
        if first is None:
            return None
        st, en, name = first
        if not self._compatible(name, feminine, None):
            return None
        between = text[pos:st]
        stops = list(_SENTENCE_END.finditer(between))
        if not stops:
            closes = between.rstrip().endswith(",") and text[en:en + 1] in (".", ";", ",")
            return self.fullest(name) if closes else None
        if len(stops) > 1 or "\n" in between[stops[0].start():]:
            return None
        lead = fold(between[stops[0].end():]).replace("'", " ").replace(",", " ").split()
        # `Cet officier, le capitaine de frégate Daniel Ostrowski, a …`: a demonstrative takes the role up
        # (`Le ministre délégué, X, …`: a role noun and its qualifier)
        # (`… a dénoncé une « provocation ». Joint par téléphone, Fabrice Q., …`: the participle's setting)
        raw = between[stops[0].end():].lower().split()
        opener = 2 <= len(raw) <= 8 and participle_words(raw[0], raw[1])
        if (not lead or opener or len(lead) <= 3 and set(lead[1:]) & _role_nouns() or lead[0] in _DEMONSTRATIVE and len(lead) <= 7) \
                and text[en:en + 1] in (",", " "):
            return self.fullest(name)
        return None

    def _name_opening_next_sentence(self, pos: int, text: str) -> tuple[int, int, str] | None:
        """`… dans la région. Kristen Michal, dont le pays …`: a first name and a surname opening the next
        sentence, which the tagger did not read as a person."""
        stop = _SENTENCE_END.search(text, pos, pos + 260)
        if stop is None:
            return None
        m = _NEXT_NAME.match(text, stop.end())
        if m is None or first_name_gender(m.group(1)) is None or self._in_quote(m.start(1)):
            return None
        return m.start(1), m.end(2), text[m.start(1):m.end(2)]

    def _near_head(self, head: str, pos: int, text: str, feminine: bool | None = None,
                   role: str = "") -> str | None:
        """The person named right next to an earlier use of the role's head noun ("Rami Khoury, chercheur"),
        unless both uses qualify the head and share no word: `le ministre nigérien du Commerce, X` does
        not hold `le ministre béninois des Affaires étrangères`."""
        if len(head) < 4:
            return None
        pat = re.compile(r"\b" + re.escape(head) + r"\w{0,2}\b")
        qualifiers = _qualifiers(role, head)
        best = None
        ftext = fold(text)
        for s, e, name, _ in self.persons_at:
            if s >= pos:
                break
            if fold(name) in folded_words("places.txt") or not self._compatible(name, feminine, None):
                continue  # `Bujumbura accuse Kigali …`: a capital the tagger took for a person
            window = ftext[max(0, s - 150):min(len(ftext), e + 70)]
            for m in pat.finditer(window):
                other = _qualifiers(re.split(r"[,.;:()«»]", window[m.start():m.start() + 60])[0], head) \
                    - set(fold(name).split())
                if not (qualifiers and other) or qualifiers & other:
                    best = name
                    break
        return self.fullest(best) if best else None


_DEPUTY = re.compile(r"\b(?:vice|ex|sous)-|\b(?:ancien|ancienne|adjoint|adjointe)\b")


def _equivalent_roles(a: str, b: str) -> bool:
    if bool(_DEPUTY.search(a)) != bool(_DEPUTY.search(b)):
        return False  # `la vice-Première ministre` does not hold `le Premier ministre`
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


def _spelled_out(long: str, short: str) -> str:
    """`Quelques heures après l'annonce par la Commission électorale indépendante` (CEI): the words the
    acronym abbreviates, the longest tail whose content words' initials spell it; else the match as found."""
    words = long.split()
    for k in range(len(words)):
        tail = words[k:]
        spelled = "".join(fold(w)[0] for w in " ".join(tail).replace("'", " ").replace("’", " ").split()
                          if fold(w) not in _STOP).upper()
        if spelled == fold(short).upper() and tail[0][:1].isupper():
            return " ".join(tail)
    return long


def _after_place_preposition(text: str, pos: int) -> bool:
    """The word before `pos` is `à`, `depuis` or `vers`: what the tagger took for a person there is a place."""
    return (text[max(0, pos - 9):pos].split() or [""])[-1].lower() in _PLACE_PREPOSITIONS


def _qualifiers(role: str, head: str) -> set[str]:
    """The words that narrow a role down: `ministre béninois des affaires étrangères` → béninois, affaires,
    étrangères."""
    words = fold(role).replace("'", " ").replace("’", " ").split()
    return {w for w in words if w not in _STOP and not w.startswith(head[:-1])}


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
