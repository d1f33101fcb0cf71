"""What a speaker mention is: `person`, `role`, `organisation`, `pronoun` or `none`, read off its text.

Shared by the pipeline (each output quote's `speaker_kind`) and `quotes corpus stats`, which keeps
the finer split (`named person`, `anonymous`). Rules, first match wins, a leading determiner set aside:

  none          no speaker mention
  pronoun       il, elle, ils, elles, on, lui, je, nous, vous, ce dernier...
  anonymous     mentions a source, an entourage or a relative (`une source
                proche`, `cette source`, `l'entourage du ministre`), or starts
                with an indefinite (`un diplomate`, `des habitants`);
                output kind `role` (a description, not a name)
  organisation  its head word is an institution (gouvernement, ministère,
                armée, Kremlin, Otan, syndicat...), or it is a country, a
                capital used for its government (`Moscou`), an acronym, or
                a capitalised name right after le/la/les/l' (`la Monusco`)
  named person  it holds a capitalised word that is not a title word and does
                not follow de/du/des/la/le/l' (`Avraham Golan`, `M. Mudavadi`,
                `le président Zelensky`, not `le ministre de la Défense`);
                output kind `person`
  role          anything else (`le ministre`, `la porte-parole de la diplomatie russe`)
"""

from __future__ import annotations

import re

from .rules.lexicons import words

DETAILED_KINDS = ("named person", "role", "organisation", "pronoun", "anonymous", "none")
_OUTPUT = {"named person": "person", "anonymous": "role"}

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


def mention_kind(mention: str | None) -> str:
    """One of DETAILED_KINDS for a speaker mention's text (None or blank: `none`)."""
    t = " ".join((mention or "").split())
    if not t:
        return "none"
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
    orgs, places = words("org_nouns.txt"), words("places.txt")
    if (head in orgs or head.split("-")[0] in orgs or _ACRONYM.fullmatch(rest[0])
            or (head in places and not person_after_place) or article_name):
        return "organisation"
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1].lower() if k else ""
        low = tok.lower()
        if (tok[0].isupper() and low not in places and low not in orgs and low not in _TITLE_WORDS
                and prev not in _PREP_BEFORE_NAME and not _ACRONYM.fullmatch(tok)):
            return "named person"
    return "role"


def speaker_kind(mention: str | None) -> str:
    """One of the output's kinds, quotes.document.SPEAKER_KINDS (`person`, `role`, `organisation`, `pronoun`,
    `none`)."""
    k = mention_kind(mention)
    return _OUTPUT.get(k, k)
