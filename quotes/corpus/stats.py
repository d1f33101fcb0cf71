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

speaker kind  quotes.kinds (named person, role, organisation, pronoun, anonymous,
              none), read off the speaker mention
"""

from __future__ import annotations

import re
from collections import Counter

from ..document import Document, read_jsonl
from ..kinds import DETAILED_KINDS as SPEAKER_KINDS, mention_kind
from .check import jsonl_files

CUE_FORMS = ("verb", "inverted", "preposition", "colon", "none")
_INVERTED = re.compile(r"\w-(?:t-)?(?:il|elle|on|ils|elles|je|nous|vous)\b", re.I)
_PREPOSITIONS = re.compile(
    r"(selon|d['’]après|pour|suivant|aux yeux d|à en croire|à l['’]en croire|de l['’]avis d|aux? dires? d)", re.I)


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
    """The stats' finer kinds: `named person` and `anonymous` where the output says `person` and `role`."""
    return mention_kind(q.speaker.text if q.speaker else None)


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
