"""`quotes corpus stats`: counts overall and per split.
Heuristics of `stats`, read off the span texts only:

cue form (first match wins)
  none         the quote has no cue
  colon        the cue is `:`
  preposition  the cue starts with selon, d'après, pour, suivant, aux yeux de,
               à en croire, de l'avis de, au(x) dire(s) de
  inverted     a verb with an inverted clitic subject: `a-t-il dit`,
               `assure-t-elle`, `ajoutent-ils`
  verb         any other cue (`a déclaré`, `a mis en garde`, `estimait`)

speaker kind (first match wins; a leading determiner is set aside)
  none          the quote has no speaker span
  pronoun       il, elle, ils, elles, on, lui, je, nous, vous, ce dernier...
  anonymous     mentions a source, an entourage or a relative (`une source
                proche`, `cette source`, `l'entourage du ministre`), or starts
                with an indefinite (`un diplomate`, `des habitants`)
  organisation  its head word is an institution (gouvernement, ministère,
                armée, Kremlin, Otan, syndicat...), or it is a country, a
                capital used for its government (`Moscou`), an acronym, or
                a capitalised name right after le/la/les/l' (`la Monusco`)
  named person  it holds a capitalised word that is not a title word and does
                not follow de/du/des/la/le/l' (`Avraham Golan`, `M. Mudavadi`,
                `le président Zelensky`, not `le ministre de la Défense`)
  role          anything else (`le ministre`, `la porte-parole de la diplomatie russe`)
"""

from __future__ import annotations

import re
from collections import Counter

from ..document import Document, read_jsonl
from ..rules.lexicons import words
from .check import jsonl_files

CUE_FORMS = ("verb", "inverted", "preposition", "colon", "none")
SPEAKER_KINDS = ("named person", "role", "organisation", "pronoun", "anonymous", "none")
_INVERTED = re.compile(r"\w-(?:t-)?(?:il|elle|on|ils|elles|je|nous|vous)\b", re.I)
_PREPOSITIONS = re.compile(
    r"(selon|d['’]après|pour|suivant|aux yeux d|à en croire|à l['’]en croire|de l['’]avis d|aux? dires? d)", re.I)
_PRONOUNS = {"il", "elle", "ils", "elles", "on", "lui", "eux", "je", "j'", "nous", "vous", "tu",
             "celui-ci", "celle-ci", "ceux-ci", "celles-ci", "ce dernier", "cette dernière",
             "ces derniers", "ces dernières", "lui-même", "elle-même"}
_DETERMINER = re.compile(
    r"^(?:(?:les|le|la|du|de la|des|ces|cet|cette|ce|son|sa|ses|leurs|leur)\s+|l['’]\s*)", re.I)
_DEFINITE = re.compile(r"^(?:(?:les|le|la)\s+|l['’]\s*)", re.I)
_INDEFINITE = re.compile(
    r"^(?:un|une|des|plusieurs|certains|certaines|quelques|d['’]autres|de nombreux|deux|trois|quatre|cinq)\b", re.I)
# Texts as sources (`le communiqué`, `une résolution`) count as descriptions, not anonymous people.
_TEXT_HEADS = {"texte", "communiqué", "courrier", "résolution", "rapport", "déclaration", "lettre", "bilan", "document"}
_ANONYMOUS = re.compile(r"\b(?:sources?|entourage|proches?|anonymat)\b", re.I)
_TOKEN = re.compile(r"\b[ldjLDJ]['’]|[\w.-]+")
_ACRONYM = re.compile(r"[A-Z0-9]{2,}(?:-\w+)?")
_TITLE_WORDS = {"le", "la", "les", "l'", "l’", "ce", "cet", "cette", "ces", "premier", "première", "son", "sa", "ses"}
_PREP_BEFORE_NAME = {"de", "du", "des", "d'", "d’", "la", "le", "les", "l'", "l’", "à", "au", "aux", "en", "pour", "sur"}


def cue_form(q) -> str:
    if q.cue is None:
        return "none"
    t = q.cue.text.strip()
    if t.startswith(":"):
        return "colon"
    if _PREPOSITIONS.match(t):
        return "preposition"
    if _INVERTED.search(t):
        return "inverted"
    return "verb"


def speaker_kind(q) -> str:
    if q.speaker is None:
        return "none"
    t = " ".join(q.speaker.text.split())
    low = t.lower()
    if low in _PRONOUNS:
        return "pronoun"
    tokens = _TOKEN.findall(t)
    rest = _TOKEN.findall(_DETERMINER.sub("", _INDEFINITE.sub("", t, count=1), count=1)) or [""]
    head = rest[0].lower()
    if head in _TEXT_HEADS:
        return "role"
    if _ANONYMOUS.search(low) or _INDEFINITE.match(low):
        return "anonymous"
    person_after_place = len(rest) > 1 and rest[1][:1].isupper()  # `Israël Katz`
    # A definite article straight before a capital names an entity, not a person (`la Monusco`).
    article_name = (_DEFINITE.match(t) is not None and rest[0][:1].isupper()
                    and head not in _TITLE_WORDS and head.rstrip(".") not in ("dr", "pr", "me", "mgr"))
    orgs = words("org_nouns.txt")
    if (head in orgs or head.split("-")[0] in orgs or _ACRONYM.fullmatch(rest[0])
            or (head in words("places.txt") and not person_after_place) or article_name):
        return "organisation"
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1].lower() if k else ""
        low = tok.lower()
        if (tok[0].isupper() and low not in words("places.txt") and low not in words("org_nouns.txt") and low not in _TITLE_WORDS
                and prev not in _PREP_BEFORE_NAME and not _ACRONYM.fullmatch(tok)):
            return "named person"
    return "role"


def _counts(docs: list[Document]) -> dict:
    quotes = [q for d in docs for q in d.quotes]
    n = len(quotes)

    def table(keys, values) -> dict:
        c = Counter(values)
        return {k: {"n": c[k], "pct": round(100 * c[k] / n, 1) if n else 0.0} for k in keys}

    return {
        "documents": len(docs),
        "quotes": n,
        "quotes_per_doc": round(n / len(docs), 2) if docs else 0.0,
        "type": table(("direct", "indirect", "mixed"), (q.type for q in quotes)),
        "stance": table(("escalation", "diplomacy", "neutral", "null"), (q.stance or "null" for q in quotes)),
        "cue_form": table(CUE_FORMS, map(cue_form, quotes)),
        "speaker_kind": table(SPEAKER_KINDS, map(speaker_kind, quotes)),
    }


def stats(paths: list[str]) -> dict:
    docs: list[Document] = []
    for f in jsonl_files(paths):
        docs += read_jsonl(f)
    out = {"all": _counts(docs)}
    names = sorted({str(d.extra.get("split")) for d in docs if "split" in d.extra},
                   key=lambda s: (["train", "dev", "test"] + [s]).index(s))
    if names:
        out["splits"] = {s: _counts([d for d in docs if str(d.extra.get("split")) == s]) for s in names}
        if any("split" not in d.extra for d in docs):
            out["splits"]["(no split)"] = _counts([d for d in docs if "split" not in d.extra])
    return out


def render(st: dict) -> str:
    cols = {"all": st["all"], **st.get("splits", {})}
    rows = [("documents", lambda c: str(c["documents"])), ("quotes", lambda c: str(c["quotes"])),
            ("quotes per doc", lambda c: f"{c['quotes_per_doc']:.2f}")]
    for group in ("type", "stance", "cue_form", "speaker_kind"):
        rows.append((group.replace("_", " "), None))
        for key in st["all"][group]:
            rows.append((f"  {key}", lambda c, g=group, k=key: f"{c[g][k]['n']} ({c[g][k]['pct']:.1f}%)"))
    width = [max(len(r[0]) for r in rows)] + [max(14, len(c) + 2) for c in cols]
    lines = ["".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(["", *cols], width)))]
    for label, cell in rows:
        cells = [cell(c) if cell else "" for c in cols.values()]
        lines.append(label.ljust(width[0]) + "".join(x.rjust(w) for x, w in zip(cells, width[1:])))
    return "\n".join(lines)
