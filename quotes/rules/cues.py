"""The reporting-cue lexicon (data/cues.tsv, data/sources.tsv) and its matcher.

The lexicon lists lemmas; the inflected forms (every tense, mood and voice,
participles agreeing in gender and number) are generated here for regular -er
and -ir verbs and listed in the data file for irregular ones, because spaCy's
French lemmatizer misses inverted forms (`estime-t-il`) and tags them oddly.
A spaCy Matcher finds the head verb; `cue_group` widens it to the whole verb
group (`a aussi semblé se réjouir`, `a-t-elle précisé`, `venait d'appeler`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from .lexicons import first_name_gender, time_words, words
from .parse import sentence_of

AUXILIARIES = {
    "a", "ai", "as", "avons", "avez", "ont", "avait", "avaient", "avais", "aurait", "auraient",
    "aura", "auront", "ayant", "avoir", "eu", "est", "sont", "était", "étaient", "sera", "serait",
    "été", "être", "va", "vont", "allait", "venait", "vient", "viennent", "venaient", "semble",
    "semblait", "a-t", "aurait-il", "aurait-elle",
}
# Words that may sit inside a verb group without ending it.
INSIDE_GROUP = {
    "aussi", "également", "encore", "déjà", "ensuite", "alors", "enfin", "toutefois", "cependant",
    "pourtant", "néanmoins", "d'ailleurs", "d’ailleurs", "notamment", "même", "bien", "plutôt",
    "ainsi", "par", "ailleurs", "pour", "sa", "son", "leur", "part", "de", "d'", "d’", "se", "s'",
    "s’", "ne", "n'", "n’", "pas", "jamais", "plus", "semblé", "sembler", "voulu", "tenu", "à",
    "fermement", "clairement", "publiquement", "vivement", "longuement", "immédiatement",
    "souvent", "toujours", "récemment", "mardi", "lundi", "mercredi", "jeudi", "vendredi",
    "samedi", "dimanche", "hier", "soir", "matin",
}
_OBJECT_CLITICS = {"nous", "vous", "me", "m'", "m’", "lui", "leur", "te", "t'", "t’"}
PRONOUNS = {"il", "elle", "ils", "elles", "on", "-il", "-elle", "-ils", "-elles", "-on", "t-il", "t-elle"}
_DETERMINERS = {
    "le", "la", "l'", "l’", "les", "un", "une", "des", "du", "sa", "son", "ses", "leur", "leurs", "cette", "ce",
    "cet", "ces", "nos", "vos", "mes", "tes", "notre", "votre", "aux", "au", "quelques", "plusieurs", "ces",
}


@dataclass(frozen=True)
class CueEntry:
    cue: str  # lemma or multiword expression
    frames: frozenset[str]
    tail: tuple[str, ...]  # fixed words after the inflected verb ("en garde")
    reflexive: bool = False  # "s'inquiéter": needs se/s' before the verb


def _inflect(lemma: str) -> set[str]:
    """Regular forms of a French -er or 2nd-group -ir verb."""
    forms = {lemma}
    if lemma.endswith("er"):
        st = lemma[:-2]
        soft = st + ("e" if st.endswith("g") else "")  # mangeait, exigeant
        ced = st[:-1] + "ç" if st.endswith("c") else st  # annonçait, lançant
        front = {"e", "es", "ent", "é", "ée", "és", "ées", "er", "erai", "era", "erons", "erez",
                 "eront", "erait", "eraient", "erions", "eriez", "ez", "èrent", "iez"}
        back = {"ons", "ais", "ait", "aient", "ant", "a", "âmes", "ât", "ions"}
        forms |= {st + e for e in front}
        forms |= {(ced if st.endswith("c") else soft) + e for e in back if not e.startswith("i")}
        forms |= {st + "ions", st + "iez"}
    elif lemma.endswith("ir"):
        st = lemma[:-2]
        forms |= {st + e for e in ("is", "it", "issons", "issez", "issent", "issait", "issaient",
                                  "i", "ie", "is", "ies", "ira", "iront", "irait", "iraient",
                                  "issant", "irent", "ît", "isse")}
    return forms


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[dict[str, list[CueEntry]], dict[str, CueEntry]]:
    """(surface form of the inflected word → entries, lemma → entry) from data/cues.tsv."""
    by_form: dict[str, list[CueEntry]] = {}
    by_cue: dict[str, CueEntry] = {}
    rows = resources.files("quotes.rules").joinpath("data/cues.tsv").read_text("utf-8").splitlines()
    for line in rows:
        if not line.strip() or line.startswith("#") or line.startswith("cue\t"):
            continue
        cols = line.split("\t")
        cue, frames = cols[0].strip(), frozenset(f.strip() for f in cols[1].split(","))
        extra = cols[2].split() if len(cols) > 2 else []
        words = cue.split()
        verb = words[0]
        tail = tuple(words[1:])
        if verb.startswith(("s'", "s’")) or verb == "se":
            # Reflexive: "se" / "s'" sits inside the verb group; index the verb itself.
            verb = tail[0] if verb == "se" else verb[2:]
            tail = tail[1:] if cue.split()[0] == "se" else tail
        reflexive = cue.split()[0] in ("se", "s'", "s’") or cue.startswith(("s'", "s’"))
        entry = CueEntry(cue, frames | by_cue.get(cue, CueEntry(cue, frozenset(), tail)).frames, tail, reflexive)
        by_cue[cue] = entry
        for form in _inflect(verb) | set(extra):
            lst = by_form.setdefault(form.lower(), [])
            lst[:] = [e for e in lst if e.cue != cue] + [entry]
    return by_form, by_cue


@lru_cache(maxsize=1)
def load_sources() -> tuple[str, ...]:
    rows = resources.files("quotes.rules").joinpath("data/sources.tsv").read_text("utf-8").splitlines()
    return tuple(r.strip() for r in rows if r.strip() and not r.startswith("#") and r != "phrase")


def build_matcher(vocab) -> Matcher:
    by_form, _ = load_lexicon()
    matcher = Matcher(vocab)
    matcher.add("CUE_VERB", [[{"LOWER": {"IN": sorted(by_form)}}]])
    # Inverted forms are split by the tokenizer: "estime" "-t" "-il", "dit" "-elle".
    matcher.add("CUE_INVERTED", [[{"LOWER": {"IN": sorted(by_form)}}, {"LOWER": "-t", "OP": "?"},
                                  {"LOWER": {"IN": ["-il", "-elle", "-ils", "-elles", "-on"]}}]])
    for phrase in load_sources():
        matcher.add("SOURCE", [[{"LOWER": w} for w in _split_phrase(phrase)]])
    return matcher


def _split_phrase(phrase: str) -> list[str]:
    out = []
    for w in phrase.split():
        if "'" in w[:-1] or "’" in w[:-1]:
            sep = "'" if "'" in w else "’"
            a, b = w.split(sep, 1)
            out += [a + sep, b]
        else:
            out.append(w)
    return out


@dataclass
class Cue:
    """A reporting cue found in a parsed text: a verb group or a source phrase."""

    span: Span  # the cue's words
    head: Token  # the reporting verb (or the preposition for `selon`)
    kind: str  # "verb", "source" or "colon"
    entries: tuple[CueEntry, ...] = ()
    inverted_subject: Token | None = None  # the pronoun of a-t-il / estime-t-elle
    chained: tuple[CueEntry, ...] = ()  # "a dit espérer": the entries of the second verb

    @property
    def frames(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for e in self.chained or self.entries:
            out |= e.frames
        return out

    @property
    def lemma(self) -> str:
        return self.entries[0].cue if self.entries else self.head.lower_


# The speaker's own side (`de son côté`, `pour sa part`): between a cue and its subject, or its content.
OWN_SIDE = (
    ("de", "son", "côté"), ("de", "leur", "côté"), ("pour", "sa", "part"), ("pour", "leur", "part"),
    ("à", "son", "tour"), ("quant", "à", "lui"), ("quant", "à", "elle"), ("lui", "aussi"), ("elle", "aussi"),
)
_ADJUNCTS = OWN_SIDE + (
    ("à", "leur", "tour"), ("en", "une"), ("sur", "x"), ("sur", "twitter"), ("en", "conclusion"),
    ("d'", "un", "ton", "ferme"), ("en", "substance"), ("de", "nouveau"), ("à", "nouveau"),
)


def phrase_at(doc: Doc, i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """How many tokens the first of `phrases` (lower-case word tuples) starting at doc[i] spans; 0 if none does."""
    return next((len(a) for a in phrases if tuple(x.lower_ for x in doc[i:i + len(a)]) == a), 0)


_SEASONS = {"automne", "été", "hiver", "printemps"}
_PARTICIPLE = re.compile(r"(?:ée?s?|ie?s?|ise?s?|ue?s?|inte?s?)$")
_OPENER_PREPOSITIONS = {"par", "à", "au", "aux", "auprès", "sur", "lors", "en", "dans", "depuis"}


def participle_words(first: str, second: str) -> bool:
    """`Joint par`, `Interrogée sur`, `Contacté à`: a participle then a preposition (lower-case words);
    not a first name shaped like one (`Ali par …`)."""
    return _PARTICIPLE.search(first) is not None and second in _OPENER_PREPOSITIONS \
        and first_name_gender(first) is None


def participle_opener(doc: Doc, i: int) -> int:
    """`Joint par téléphone,` / `Interrogée sur France Inter,` opening a clause: the index past its comma,
    else 0. A capitalised participle then a preposition, up to a comma within eight words with no verb."""
    if i + 2 >= len(doc):
        return 0
    t = doc[i]
    at_start = i == 0 or doc[i - 1].text in (".", "!", "?", ":", "»") or "\n" in doc[i - 1].text_with_ws
    if not (at_start and t.is_title and participle_words(t.lower_, doc[i + 1].lower_)):
        return 0
    for k in range(i + 2, min(len(doc), i + 10)):
        if doc[k].text == ",":
            return k + 1
        if doc[k].pos_ in ("VERB", "AUX") or doc[k].text in ("«", "»", ".", ";", ":"):
            return 0
    return 0


def skip_adjuncts(doc: Doc, i: int) -> int:
    """Index of the subject after an incise cue: past time words and short adjuncts
    (`a affirmé de son côté le porte-parole`, `a dit à Reuters un responsable`, `a déclaré au Soir le …`)."""
    while i < len(doc):
        t = doc[i]
        low = t.lower_
        if t.is_space or low in time_words():
            i += 1
            continue
        if low in ("la", "cette", "ce") and i + 1 < len(doc) and doc[i + 1].lower_ in (
            "veille", "semaine", "nuit", "soirée", "matinée", "journée", "lendemain", "mois", "soir", "matin",
            "après-midi", "week-end"
        ):
            i += 2
            continue
        if low in ("l'", "l’", "le", "cet", "ce") and i + 1 < len(doc) and doc[i + 1].lower_ in _SEASONS:
            i += 2  # `a averti l'automne dernier le ministre`
            if i < len(doc) and doc[i].lower_ in ("dernier", "prochain"):
                i += 1
            continue
        if t.text == "," and i + 1 < len(doc) and doc[i + 1].pos_ == "ADP":
            # `a averti, devant la Ligue arabe, le ministre`: a setting between two commas
            close = next((k for k in range(i + 2, min(len(doc), i + 9)) if doc[k].text == ","), None)
            if close is not None and not any(x.pos_ in ("VERB", "AUX") or x.text in ("«", "»", ".") for x in doc[i + 1:close]):
                i = close + 1
                continue
        hit = phrase_at(doc, i, _ADJUNCTS)
        if hit:
            i += hit
            continue
        opener = participle_opener(doc, i)
        if opener:
            i = opener  # `Joint par téléphone, X a assuré …`: the participle's setting, then the subject
            continue
        # "à Reuters", "au Soir", "à l'AFP", "auprès de l'AFP", "à la télévision d'État", "depuis Goma",
        # "sur les ondes de la radio publique", "devant la presse" before the subject.
        if low in ("à", "au", "aux", "auprès", "sur", "devant", "depuis") and i + 1 < len(doc):
            j = i + 1
            if doc[j].lower_ in ("de", "du", "des"):
                j += 1
            if j < len(doc) and doc[j].lower_ in ("l'", "l’", "la", "le", "les") and j + 1 < len(doc):
                j += 1
            # the PP is a proper name or a short common noun phrase, then the subject starts with a determiner or a name
            k = j
            if k < len(doc) and doc[k].ent_iob_ == "B" and doc[k].ent_type_ in ("LOC", "ORG", "MISC"):
                k += 1  # a named place or outlet ends where its entity does (`depuis Goma Espérance M.`)
                while k < len(doc) and doc[k].ent_iob_ == "I":
                    k += 1
                if low == "depuis" and k - j > 2 and k < len(doc) and doc[k].text == "," and doc[j + 1].is_title:
                    k = j + 1  # `depuis Goma Espérance Mapendo,` tagged one place: a town, then the speaker
            else:
                while k < len(doc) and k - j < 4 and (doc[k].pos_ in ("PROPN", "NOUN", "ADJ") or doc[k].text[:1].isupper()):
                    k += 1
                if k > j and k + 1 < len(doc) and doc[k].lower_ in ("de", "du", "des", "d'", "d’"):
                    # `sur les ondes de la radio publique`, `à la sortie de l'audience`, `depuis le siège
                    # new-yorkais des Nations unies`: one complement of the PP's noun, then a determiner
                    k0 = k
                    k += 1
                    if doc[k].lower_ in ("l'", "l’", "la", "le", "les"):
                        k += 1
                    k1 = k
                    while k < len(doc) and (k - k1 < 3 and doc[k].pos_ in ("PROPN", "NOUN", "ADJ")
                                            or k > k1 and doc[k].ent_iob_ == "I"):
                        k += 1  # (`des Nations unies`, `unies` tagged a verb: the entity runs on)
                    if k == k1:
                        k = k0
            determiner = doc[k].lower_ in ("un", "une", "le", "la", "l'", "les") if k < len(doc) else False
            complement = k > j and doc[k - 1].i > j and any(x.lower_ in ("de", "du", "des", "d'", "d’") for x in doc[j:k])
            if (low in ("sur", "devant") or complement) and not determiner:
                break  # `Sur l'antenne de Télé Sahel, le ministre`: only `… le président` opens a subject here
            if k > j and k < len(doc) and (doc[k].pos_ in ("DET", "PROPN") or determiner
                                           or low == "depuis" and doc[k].is_title):
                i = k
                continue
        break
    return i


def _is_noun_use(tok: Token) -> bool:
    """`la note`, `une estime`, `le dit`, `un point presse`: a cue form used as a noun or adjective."""
    prev = tok.nbor(-1) if tok.i > tok.doc[0].i else None
    if prev is None:
        return False
    return prev.lower_ in _DETERMINERS or (prev.pos_ == "NOUN" and tok.lower_ in words("noun_forms.txt"))


def cue_group(doc: Doc, head: Token, entries: tuple[CueEntry, ...]) -> tuple[Span, Token | None, tuple]:
    """Widen a head verb to its verb group; return it with the inverted pronoun, if any."""
    start, end = head.i, head.i + 1
    # Fixed words of a multiword cue (mettre en garde, faire savoir).
    for e in entries:
        n = len(e.tail)
        if n and [t.lower_ for t in doc[end:end + n]] == list(e.tail):
            end += n
            break
    pron = None
    # Inversion: "a-t-il précisé" (pronoun before the participle), "estime-t-elle" (after).
    j = end
    if j < len(doc) and doc[j].lower_ == "-t":
        j += 1
    if j < len(doc) and doc[j].lower_ in PRONOUNS and doc[j].text.startswith("-"):
        pron, end = doc[j], j + 1
    k = start - 1
    while k >= 0 and head.i - k <= 6:
        w = doc[k].lower_
        if doc[k].lower_ in PRONOUNS and doc[k].text.startswith("-"):
            pron = doc[k]
        elif w in ("se", "s'", "s’") and k + 1 <= head.i:
            pass
        elif w == "-t" or w in AUXILIARIES or w.endswith(("-t", "-il", "-elle")):
            pass
        elif w in INSIDE_GROUP and k > 0 and any(
            doc[m].lower_ in AUXILIARIES for m in range(max(0, k - 4), k)
        ):
            pass
        else:
            break
        start = k
        k -= 1
    # Trim leading words that are not part of the group (a trailing "de" from "part de").
    while start < head.i and doc[start].lower_ not in AUXILIARIES and doc[start].lower_ not in (
        "-t", "se", "s'", "s’"
    ):
        start += 1
    # `», nous explique X` / `», m'a dit X`: an object clitic opening an incise belongs to its verb group
    # (after a comma or a closing mark only: `nous expliquons` has `nous` for subject)
    if start > 1 and doc[start - 1].lower_ in _OBJECT_CLITICS and doc[start - 2].text in (",", "»", '"', "”") \
            and not doc[start].lower_.endswith(("ons", "ez")):
        start -= 1
    # Chains: "a dit espérer", "a affirmé vouloir" — a second cue verb in the infinitive.
    by_form, _ = load_lexicon()
    chained: tuple = ()
    if end < len(doc) and doc[end].lower_ in by_form and doc[end].lower_.endswith(("er", "ir", "re")):
        nxt = tuple(by_form[doc[end].lower_])
        if any(e.frames & {"obj", "que"} for e in nxt) and doc[end].lower_ not in ("dire",):
            end += 1
            chained = nxt
    return doc[start:end], pron, chained


def find_cues(doc: Doc, matcher: Matcher) -> list[Cue]:
    by_form, _ = load_lexicon()
    out: dict[int, Cue] = {}
    for match_id, s, e in matcher(doc):
        label = doc.vocab.strings[match_id]
        if label == "SOURCE":
            span = doc[s:e]
            if span.text.lower() == "pour" and not _pour_is_source(doc, s):
                continue
            out.setdefault(s, Cue(span, doc[s], "source"))
            continue
        head = doc[s]
        if _is_noun_use(head) or head.i in out:
            continue
        entries = tuple(e for e in by_form.get(head.lower_, ()) if _entry_fits(doc, head, e))
        if not entries:
            continue
        group, pron, chained = cue_group(doc, head, entries)
        if _adjectival(doc, group, head):
            continue  # `un « marché de dupes » conclu « sur le dos … »`: a participle qualifying a noun
        if _negated(doc, group, head) and not any(e.cue in words("litotes.txt") for e in entries):
            continue  # `n'a pas affirmé que …`: the scheme leaves negated reports out
        out[head.i] = Cue(group, head, "verb", entries, pron, chained)
    cues = sorted(out.values(), key=lambda c: (c.span.start, -len(c.span)))
    # A verb inside another cue's group ("espérer" in "a dit espérer") is not a cue of its own.
    kept: list[Cue] = []
    for c in cues:
        if kept and c.span.start < kept[-1].span.end:
            continue
        kept.append(c)
    return kept


def _adjectival(doc: Doc, group: Span, head: Token) -> bool:
    """A bare past participle right after a noun or a closing mark qualifies it; it reports nothing."""
    if group.start != head.i or head.i == 0 or head.morph.get("VerbForm") != ["Part"] or head.lower_.endswith("ant"):
        return False
    if any(t.lower_ in AUXILIARIES for t in doc[max(0, head.i - 4):head.i]):
        return False  # `a en revanche promis`: an adverbial the verb group does not list
    if any(ch.dep_ == "nsubj" for ch in head.children):
        return False  # `L'Union africaine salue …` tagged a participle: a verb with its subject reports
    prev = doc[head.i - 1]
    return prev.pos_ in ("NOUN", "ADJ") or prev.text in ("»", '"', "”")


NEGATORS = {"pas", "jamais", "guère", "nullement", "aucunement", "point"}


def _negated(doc: Doc, group: Span, head: Token) -> bool:
    """`n'a pas affirmé`, `n'a jamais dit`, `ne dit pas`: a `ne` just before the verb group and a negator
    inside it or right after its verb (`ne … que` alone restricts, it does not negate)."""
    lo = group.start
    # (`n'a en revanche pas dit`: an adverb between the auxiliary and the negator)
    ne = next((t.i for t in doc[max(0, lo - 6):group.end] if t.lower_ in ("ne", "n'", "n’")
               and not any(x.is_punct for x in doc[t.i:lo])), None)
    return ne is not None and any(t.lower_ in NEGATORS for t in doc[min(ne + 1, lo):min(len(doc), head.i + 2)])


@lru_cache(maxsize=1)
def _other_senses() -> tuple[frozenset[str], frozenset[str]]:
    """(verbs whose reflexive is another verb, verbs that are another verb before `de`): data/other_senses.txt."""
    reflexive, before_de = set(), set()
    for row in words("other_senses.txt"):
        first, _, rest = row.partition(" ")
        if first == "se":
            reflexive.add(rest)
        elif first.startswith(("s'", "s’")):
            reflexive.add(first[2:])
        elif rest == "de":
            before_de.add(first)
    return frozenset(reflexive), frozenset(before_de)


def _reflexive_use(doc: Doc, head: Token) -> bool:
    """`se poursuivaient`, `s'est poursuivi`, `ne s'est pas poursuivi` (not `se contentant de répéter`)."""
    k = head.i - 1
    while k >= 0 and (doc[k].lower_ in AUXILIARIES or doc[k].lower_ in ("ne", "n'", "n’", "pas", "plus", "jamais")):
        k -= 1
    return k >= 0 and doc[k].lower_ in ("se", "s'", "s’")


def _entry_fits(doc: Doc, head: Token, e: CueEntry) -> bool:
    """A multiword cue needs its fixed words after the verb, a reflexive one its pronoun before; a plain
    one must not be used in another sense (data/other_senses.txt)."""
    if e.tail and [t.lower_ for t in doc[head.i + 1:head.i + 1 + len(e.tail)]] != list(e.tail):
        return False
    if e.reflexive:
        before = {t.lower_ for t in doc[max(0, head.i - 3):head.i]}
        return bool(before & {"se", "s'", "s’", "me", "m'", "nous", "vous", "te", "t'"})
    reflexive, before_de = _other_senses()
    if e.cue in reflexive and _reflexive_use(doc, head):
        return False
    if e.cue in before_de:
        k = head.i + 1
        while k < len(doc) and doc[k].text in ("«", '"', "“", "‘"):
            k += 1  # `relevait « d'une prise d'otage »`
        if k < len(doc) and doc[k].lower_ in ("de", "d'", "d’", "du"):
            return False
    return True


_ORDINAL = re.compile(r"\d+(?:e|è|ème|eme|er|re)|\w+ième")


def _pour_is_source(doc: Doc, i: int) -> bool:
    """`Pour Moscou, …` / `pour lui, …`: a source only when it opens a clause and a comma follows."""
    at_clause_start = i == sentence_of(doc, i).start or doc[i - 1].text in {",", ";", ":", "\n"} or doc[i - 1].is_space
    if not at_clause_start:
        return False
    j = i + 1
    if j < len(doc) and doc[j].lower_ in _DETERMINERS:
        j += 1
    if j < len(doc) and (doc[j].lower_ in words("not_sources.txt") or _ORDINAL.fullmatch(doc[j].lower_)):
        return False  # "Pour l'heure, …", "Pour la neuvième soirée, …": an adverbial
    for t in doc[i + 1:i + 14]:  # `Pour l'économiste de l'énergie Rachid Aït-Mokhtar, …`
        if t.text == ",":
            return True
        if (t.pos_ in ("VERB", "AUX") and t.morph.get("VerbForm") != ["Part"]) or t.is_punct and t.text not in (
                "-", "'", "’", ".", "(", ")"):
            return False  # a hyphenated or initialled name ("Boubacar-Maïga", "J."), an acronym in brackets,
            # a participle (`Pour les chercheurs interrogés par …,`) still read on
    return False
