"""Where the content a cue verb governs begins, and where a verb coordinated with the cue ends it.

`a affirmé que <clause>`, `a promis de <infinitive>`, `se dit prêt à <…>`, `a mis en garde contre <…>`,
`a appelé X à <…>` (the object stays out), `a dénoncé <noun phrase>`: the frames a cue's lexicon entry lists
(data/cues.tsv) decide which of these readings it may take. A noun phrase's quote ends at its marks; marks
around a whole clause or infinitive make the quote direct.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import marks as M
from .clauses import trim
from .cues import NEGATORS, OWN_SIDE, Cue, phrase_at
from .lexicons import time_words
from .proposal import Proposal


def frame_start(cue: Cue) -> tuple[int, str] | None:
    """Token index where the content governed by a cue verb begins, and the rule name."""
    doc = cue.span.doc
    frames = cue.frames
    i = cue.span.end
    # Skip adverbs, time words and an indirect object ("a indiqué mardi à l'AFP que", "a assuré à notre
    # correspondant que": a participle after a determiner is a noun), or a setting between commas
    # ("a assuré, sous couvert d'anonymat, que").
    for j in range(i, min(len(doc), i + 9)):
        t = doc[j]
        if t.lower_ in ("que", "qu'", "qu’") and "que" in frames:
            if j > 1 and doc[j - 1].lower_ == "ce" and doc[j - 2].lower_ not in ("à", "de", "d'", "d’"):
                return None  # `rappeler à Madrid ce que pèse sa dépendance`: a free relative, the object
                # (`favorable à ce que …` introduces a clause)
            if _restrictive(cue):
                return None  # `n'a répondu que par un silence`: ne … que restricts, it introduces nothing
            return j + 1, "que"
        if t.text == "," and "que" in frames:
            close = _aside_end(doc, j)
            if close is not None and doc[close + 1].lower_ in ("que", "qu'", "qu’"):
                return close + 2, "que"
        if t.is_punct and t.text not in ("'", "’", "-") or t.pos_ in ("VERB", "AUX") and j > i and not (
                doc[j - 1].pos_ == "DET" and not t.morph.get("VerbForm") == ["Fin"]):
            break
    if i < len(doc) and doc[i].text == ",":
        close = _aside_end(doc, i)
        if close is not None:
            i = close + 1  # `a menacé, sur Bel RTL, de réclamer …`: a setting between commas
    while i < len(doc):
        if doc[i].lower_ in time_words(phrases=True):
            i += 1
            continue
        hit = phrase_at(doc, i, _ASIDES)
        if not hit:
            break
        i += hit  # `parle pour sa part d'un « tournant »`, `avait dénoncé la veille au soir des « … »`
    if i >= len(doc):
        return None
    t = doc[i]
    if "inf" in frames and _in_relative_on_noun(cue):
        frames = frames - {"inf"}  # `une querelle que les deux capitales disaient avoir mise en sommeil`
    if "inf" in frames and (t.morph.get("VerbForm") == ["Inf"] or t.lower_ in ("avoir", "être")
                            or _infinitive_after_clitics(doc, i)):
        return i, "inf"  # "a assuré ne pas vouloir …", "affirment l'avoir visé …"
    if "inf" in frames and t.pos_ == "ADP" and t.lower_ not in ("de", "d'", "d’"):
        # `a proposé dans la foulée de saisir …`, `a proposé à Paris de …`: the parse hangs the infinitive
        # on the cue past a short setting
        for j in range(i + 1, min(len(doc) - 1, i + 7)):
            if doc[j].is_punct or doc[j].pos_ in ("VERB", "AUX"):
                break
            if doc[j].lower_ in ("de", "d'", "d’") and doc[j + 1].morph.get("VerbForm") == ["Inf"] \
                    and doc[j + 1].head.i == cue.head.i:
                return j + 1, "inf"
    if "inf" in frames and t.lower_ in ("de", "d'", "d’") and i + 1 < len(doc) and (
        doc[i + 1].morph.get("VerbForm") == ["Inf"] or doc[i + 1].lower_ in ("ne", "n'", "n’", "se", "s'", "s’")
        or doc[i + 1].text in M.OPENERS and i + 2 < len(doc) and doc[i + 2].morph.get("VerbForm") == ["Inf"]
    ):
        return i + 1, "inf"  # "a promis de rouvrir", "avait proposé de ne pas …", "a promis de « marcher … »"
    if "adj" in frames and (t.pos_ == "ADJ" or t.morph.get("VerbForm") == ["Part"] and not t.lower_.endswith("ant")
                            # `s'est dite satisfaite des garanties`: the attribute tagged a noun
                            or t.pos_ == "NOUN" and i + 1 < len(doc) and doc[i + 1].lower_ in ("de", "des", "du", "d'", "d’", "à", "au", "aux")
                            and doc[i - 1].morph.get("VerbForm") == ["Part"]):
        return i, "adj"  # "se dit prêt à …", "s'est dit disposé à …": the attribute and its complement
    if frames & {"contre", "pour"}:
        # "a mis en garde (Séoul) contre toute « provocation »", "a plaidé pour l'ouverture …"
        for j in range(i, min(len(doc), i + 6)):
            if doc[j].lower_ in frames & {"contre", "pour"} and j + 1 < len(doc):
                if doc[j + 1].lower_ in ("que", "qu'", "qu’") and j + 2 < len(doc):
                    return j + 2, "object"  # "a plaidé pour que Lomé et Accra rouvrent …"
                return j + 1, "object"
            if doc[j].is_punct or doc[j].pos_ == "VERB" and not doc[j].text[:1].isupper():
                break  # a capitalised "verb" is a name the tagger misread (`accuse Bangkok d'avoir …`)
    if frames & {"a", "de"}:
        hit = _object_then_content(doc, i, frames)
        if hit is not None:
            return hit, "object"
    if frames & {"deobj", "defacts"} and t.lower_ in ("de", "d'", "d’", "du", "des") and i + 1 < len(doc):
        # `parle d'un « tournant »`: the noun phrase after `de` (`du`, `des` stay: they carry the article);
        # `fait état de « dix-sept impacts » d'obus dans le district …`: the facts reported, setting and all
        return (i + 1 if t.lower_ in ("de", "d'", "d’") else i), "obj" if "deobj" in frames else "facts"
    if "obj" in frames:
        # `a dénoncé sur X un « double langage »`: a short setting before the noun phrase
        k = _past_setting(doc, i)
        if k is not None:
            return k, "obj"
        # `des` and `du` come tagged as prepositions; `a salué « l'esprit … » des délégations` opens on the mark
        if t.pos_ in ("DET", "NOUN") and t.lower_ not in ("le", "la", "les", "l'", "l’") or t.pos_ == "DET" or (
                t.lower_ in ("des", "du") or t.text in M.OPENERS):
            return i, "obj"
    return None


def _object_then_content(doc: Doc, i: int, frames: frozenset[str]) -> int | None:
    """`a appelé le Conseil d'Etat et les communes à …`, `a exhorté « toutes les parties » à …`: where the
    content starts past the object. A preposition before an infinitive wins over an earlier one inside the
    object's name (`accuse les Forces de soutien rapide d'« utiliser … »`)."""
    first = None
    for j in range(i, min(len(doc), i + 14)):
        w = doc[j].lower_
        elided = w == "d" and j + 1 < len(doc) and doc[j + 1].text in ("'", "’")  # `d'«` split as d + '
        if doc[j].is_space and "\n" in doc[j].text:
            break
        if (w == "à" or w == "a" and doc[j].pos_ != "AUX") and "a" in frames \
                or (w in ("de", "d'", "d’") or elided) and "de" in frames:
            j += 1 if elided else 0
            nxt = doc[j + 1] if j + 1 < len(doc) else None
            if nxt is not None and (nxt.pos_ in ("VERB", "AUX", "DET", "NOUN", "ADV", "PRON")
                                    or nxt.text in M.ALL_MARKS or nxt.lower_ in ("la", "le", "l'")):
                # an object in marks holds the source's words: the quote starts on it (the scheme)
                marked_object = any(x.text in M.MAY_OPEN for x in doc[i:j])
                start = i if marked_object else j + 1
                if _infinitive_at(doc, j + 1):
                    return start
                if first is None and j < i + 10:
                    first = start  # a bare noun after the preposition: only near the verb
        if doc[j].is_punct and doc[j].text not in M.ALL_MARKS and doc[j].text not in ("(", ")") \
                or doc[j].pos_ == "VERB" and not doc[j].text[:1].isupper() and not _modifies_object(doc[j]):
            break  # a capitalised "verb" is a name the tagger misread (`accuse Bangkok d'avoir …`)
    return first


def _infinitive_at(doc: Doc, k: int) -> bool:
    """An infinitive at k, past an opening mark and clitics (`« ne pas céder »`, `s'abstenir`)."""
    if k < len(doc) and doc[k].text in M.OPENERS:
        k += 1
    return k < len(doc) and (doc[k].morph.get("VerbForm") == ["Inf"] or _infinitive_after_clitics(doc, k))


def _past_setting(doc: Doc, i: int) -> int | None:
    """After `sur X`, `devant la presse`, `dans un communiqué`: where an indefinite noun phrase with marks starts."""
    if doc[i].lower_ not in ("sur", "devant", "dans", "lors", "auprès", "depuis"):
        return None
    for k in range(i + 1, min(len(doc) - 2, i + 6)):
        if doc[k].text in M.OPENERS and k > i + 2 and doc[k - 1].pos_ in ("NOUN", "PROPN"):
            return k  # `a salué dans un communiqué « l'esprit d'ouverture » de …`: the marks open the object
        if doc[k].is_punct or doc[k].pos_ in ("VERB", "AUX"):
            return None
        if doc[k].lower_ in ("un", "une", "des") and k > i + 1 and any(
                x.text in M.MAY_OPEN for x in doc[k + 1:k + 4]):
            return k
    return None


def _modifies_object(tok) -> bool:
    """`a demandé aux Suisses établis en Géorgie d'éviter …`: a participle that qualifies the object."""
    return tok.dep_ == "acl" and tok.morph.get("VerbForm") == ["Part"] and not tok.lower_.endswith("ant")


# Between a cue verb and its content, besides the time words: the speaker's own side and the time phrases
# whose first word is no time word (`la veille au soir`, `ce week-end`)
_ASIDES = OWN_SIDE + tuple(tuple(a.split()) for a in (
    "la veille au soir", "la veille au matin", "la veille", "le lendemain", "ce week-end", "néanmoins"))


def _in_relative_on_noun(cue: Cue) -> bool:
    """The cue opens on `N que <subject>`: a relative clause whose object is the noun before, so an
    infinitive after the cue says what was said of that noun, not what was said."""
    doc = cue.span.doc
    for k in range(cue.span.start - 1, max(-1, cue.span.start - 7), -1):
        if doc[k].pos_ in ("VERB", "AUX") or doc[k].is_punct:
            return False
        if doc[k].lower_ in ("que", "qu'", "qu’"):
            return k > 0 and doc[k - 1].pos_ in ("NOUN", "PROPN") and k + 1 < cue.span.start
    return False


def _restrictive(cue: Cue) -> bool:
    """`ne … que` without a negator; `n'a pas exclu que` (a litote the cue kept) introduces its clause."""
    doc = cue.span.doc
    group = doc[max(0, cue.span.start - 2):cue.span.end]
    return any(t.lower_ in ("ne", "n'", "n’") for t in group) and not any(t.lower_ in NEGATORS for t in group)


def _aside_end(doc: Doc, comma: int) -> int | None:
    """The comma closing a short verbless aside opened at `comma` (`, lors d'un point presse,`)."""
    for k in range(comma + 1, min(len(doc) - 1, comma + 14)):
        t = doc[k]
        if t.text == ",":
            return k if k > comma + 1 else None
        if t.pos_ in ("VERB", "AUX") and t.morph.get("VerbForm") == ["Fin"] or t.text in M.ALL_MARKS or t.text in ".;:!?":
            return None
    return None


_CLITICS = {"ne", "n'", "n’", "pas", "plus", "jamais", "l'", "l’", "le", "la", "les", "lui", "leur", "y", "en",
            "se", "s'", "s’"}


def _infinitive_after_clitics(doc: Doc, i: int) -> bool:
    """`ne pas vouloir`, `l'avoir visé`, `ne plus s'en prendre`: negation and object clitics before an infinitive."""
    j = i
    while j < len(doc) and j - i < 4 and doc[j].lower_ in _CLITICS:
        j += 1
    return j > i and j < len(doc) and (doc[j].morph.get("VerbForm") == ["Inf"] or doc[j].lower_ in ("avoir", "être"))


def span_has_verb(doc: Doc, base: int, s: int, e: int) -> bool:
    span = doc.char_span(s - base, e - base, alignment_mode="expand")
    return span is not None and any(t.pos_ in ("VERB", "AUX") for t in span)


def before_coordinated_verb(cue: Cue, base: int, s: int, e: int) -> int:
    """`dénonce un « accord … » et organisera samedi sa propre manifestation`: a verb coordinated with
    the cue is the subject's next action, not reported content; the quote ends before its `et`."""
    for t in cue.head.children:
        if t.dep_ != "conj" or t.pos_ not in ("VERB", "AUX") or not s < base + t.idx < e:
            continue
        if t.morph.get("VerbForm") == ["Inf"] or any(k.lower_ in ("qui", "que", "qu'", "qu’") for k in t.children):
            continue  # `à cesser … et à imposer …`, `une feuille de route … et qui ignore …`: still the content
        cc = next((k for k in t.children if k.dep_ == "cc" and k.i < t.i), None)
        # only clitics, auxiliaries and adverbs between `et` and the verb: the cue's subject acts again
        # (`et a mis en place`, `et s'est dit prêt`), not a new subject (`Rabat et Alger rétablissent`)
        if cc is not None and s < base + cc.idx and all(
                k.pos_ in ("AUX", "ADV") or k.lower_ in ("se", "s'", "s’", "ne", "n'", "n’")
                for k in t.doc[cc.i + 1:t.i]):
            return base + cc.idx
    return _before_same_auxiliary(cue, base, s, e)


def _before_same_auxiliary(cue: Cue, base: int, s: int, e: int) -> int:
    """`a jugé que « la ligne rouge » avait été franchie et a convoqué le conseil`: when the parse hangs the
    second verb inside the clause, `et` + the cue's own auxiliary + a participle, with no subject between and
    that auxiliary nowhere earlier in the clause, is still the cue's subject acting again."""
    doc = cue.span.doc
    aux = next((t for t in cue.span if t.pos_ == "AUX" and t.lower_ in ("a", "ont", "avait", "avaient")), None)
    if aux is None:
        return e
    span = doc.char_span(s - base, e - base, alignment_mode="contract")
    if span is None:
        return e
    for t in span:
        if t.lower_ == aux.lower_:
            return e  # `que l'armée a tué … et a blessé …`: the clause's own tense, its own coordination
        if t.lower_ == "et" and t.i + 2 < len(doc):
            k = t.i + 1
            while k < len(doc) - 1 and doc[k].lower_ in ("ne", "n'", "n’", "s'", "s’", "se", "l'", "l’", "y", "en"):
                k += 1
            if doc[k].lower_ == aux.lower_ and doc[k + 1].morph.get("VerbForm") == ["Part"]:
                return base + t.idx
    return e


def before_next_title_clause(text: str, doc: Doc, base: int, s: int, e: int) -> int:
    """Titles join clauses with a comma: `X se dit prêt à A, New Delhi promet de B`, `X affirme qu'A, les
    syndicats maintiennent leur grève`. On a line that is no sentence of body text, a segment after a comma
    with its own subject and finite verb is the next clause, not the content."""
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", s)
    line = text[line_start:len(text) if line_end < 0 else line_end].rstrip()
    if len(line) > 220 or line.endswith((".", "…", "!", "?", "»", '"')):
        return e
    for m in re.finditer(r",[\s\u00a0]+", text[s:e]):
        seg = doc.char_span(s + m.end() - base, e - base, alignment_mode="contract")
        if seg is None:
            continue
        if any(t.dep_.startswith("nsubj") and seg.start <= t.i < t.head.i < seg.end
               and t.head.morph.get("VerbForm") == ["Fin"] for t in seg):
            return s + m.start()
        if _TITLE_SUBJECT.match(seg.text):
            return s + m.start()  # `…, Moscou dément toute implication`, `…, le Conseil de sécurité saisi`
    return e


# A named subject and the word after it, opening a title's next clause (the tagger often misreads its verb)
_TITLE_SUBJECT = re.compile(r"(?:(?:le|la|les|l['’])\s*)?[A-ZÉÈ][\w'’-]+(?:\s+(?:de|du|des|d['’])\s*\w[\w'’-]*)?"
                            r"\s+(?!et\b|ou\b|ni\b)[a-zéèêà][\w'’-]+")


# After the marked words of a noun phrase object, the narrator's setting (`devant le conseil`, `en 2022`) or a
# comma ends the quote; a `de` complement (`un « double langage » de Kinshasa`) is still the noun phrase.
_OBJECT_COMPLEMENT = re.compile(r"[\s\u00a0]+(?:de|du|des|d['’])[\s\u00a0]*[\w'’-]+(?:[\s\u00a0]+[\w'’-]+){0,3}?(?=[\s\u00a0,.;]|$)")
_OBJECT_SETTING = re.compile(r"[\s\u00a0]*,|[\s\u00a0]+(?:devant|lors|dans|en|pendant|après|avant|depuis|face|au cours|"
                             r"à l['’]issue|le long|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|"
                             r"aujourd['’]hui|ce|cette|la semaine|le mois|puis|et)\b", re.I)


def object_end(text: str, mark_end: int, e: int) -> int:
    """Where a noun-phrase object with marks ends: at its marks, or after its `de` complement."""
    if _OBJECT_SETTING.match(text, mark_end, e):
        return mark_end
    comp = _OBJECT_COMPLEMENT.match(text, mark_end, e)
    if comp:
        for m in _OBJECT_SETTING.finditer(text, mark_end, e):
            if m.start() >= mark_end + 3:
                return m.start()
    return e


_NARRATOR_AFTER_MARKS = re.compile(r"[\s\u00a0]*,[\s\u00a0]+(?!(?:et|ou|mais|puis|que|qu['’])\b)", re.I)


def after_marked_clause(text: str, marked: list[M.Marked], s: int, e: int) -> int:
    """`juge que « la balle est dans leur camp », à quatre jours de la grève`: a clause wholly in marks ends
    at its closing mark; what follows the comma is the narrator's (`, mais que …` still continues)."""
    m = next((m for m in marked if m.open == s and m.closed), None)
    if m is not None and m.outer_end < e and _NARRATOR_AFTER_MARKS.match(text, m.outer_end, e):
        return m.outer_end
    return e


def whole_marks_direct(text: str, props: list[Proposal], marked: list[M.Marked]) -> list[Proposal]:
    """`affirme que « … »`, `appelle X à « … »`: marks that hold a whole clause or infinitive make a direct
    quote; a noun phrase in marks after the verb (`a dénoncé « une provocation »`) stays mixed."""
    for p in props:
        if p.rule in ("frame_que", "frame_inf", "frame_object") and p.type == "mixed":
            inner = [m for m in marked if p.start <= m.open < p.end]
            if len(inner) == 1 and inner[0].closed and inner[0].open == p.start and inner[0].outer_end == p.end \
                    and (p.rule != "frame_object" or opens_on_verb(p.doc, p.base, inner[0].start)):
                p.start, p.end = trim(text, inner[0].start, inner[0].end)
                p.type = "direct"
    return props


def opens_on_verb(doc: Doc, base: int, pos: int) -> bool:
    """`« ne pas céder »`, `« s'abstenir de … »`, `« garder la tête froide »`: an infinitive, clitics first."""
    span = doc.char_span(pos - base, pos - base + 1, alignment_mode="expand")
    if span is None:
        return False
    i = span[0].i
    while i < len(doc) - 1 and doc[i].lower_ in ("ne", "n'", "n’", "pas", "plus", "jamais", "se", "s'", "s’", "y", "en",
                                                  "le", "la", "les", "l'", "l’", "lui", "leur"):
        i += 1
    return doc[i].morph.get("VerbForm") == ["Inf"] or doc[i].pos_ in ("VERB", "AUX") and doc[i].lower_.endswith(("er", "ir", "re"))
