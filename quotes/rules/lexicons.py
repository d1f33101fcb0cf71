"""The word lists under rules/data/: one file per list, read once, shared by every stage.

A list that two stages need lives here once, so that a word added for one stage
does not silently go missing in the other.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Lower-case, unaccented, typographic apostrophes made straight: the key names are compared on.
    (Cached: the rules fold the same few thousand words tens of thousands of times per page batch.)"""
    s = unicodedata.normalize("NFKD", s.replace("’", "'").lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def read_rows(name: str) -> list[str]:
    """Non-empty, non-comment lines of data/NAME, as written."""
    text = resources.files("quotes.rules").joinpath("data", name).read_text("utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """A one-word-per-line list (data/NAME), lower-cased as written."""
    return frozenset(r.strip().lower() for r in read_rows(name))


@lru_cache(maxsize=None)
def folded_words(name: str) -> frozenset[str]:
    """The same list folded (see `fold`), for lookups that ignore accents."""
    return frozenset(fold(r.strip()) for r in read_rows(name))


@lru_cache(maxsize=None)
def _time_rows() -> tuple[tuple[str, str], ...]:
    rows = tuple(tuple(r.split("\t")) for r in read_rows("time_words.tsv"))
    bad = [r for r in rows if len(r) != 2 or r[1] not in ("adverb", "phrase")]
    if bad:
        raise ValueError(f"rules/data/time_words.tsv: bad rows {bad[:3]}")
    return rows


@lru_cache(maxsize=None)
def time_words(phrases: bool = False) -> frozenset[str]:
    """Time words and sentence adverbs that sit between a cue and its subject or complement
    (`a déclaré mardi soir`, `a aussi estimé`, `Hier, le ministre a dit`). With `phrases`, also
    the words that only belong to a time phrase (`cette semaine`, `mardi dernier`): safe to skip
    before a complement, not before a subject (`cette source`, `ce dernier`)."""
    return frozenset(w for w, kind in _time_rows() if kind == "adverb" or phrases)


@lru_cache(maxsize=1)
def role_equivalents() -> list[set[str]]:
    """Groups of role phrases that name one office (data/roles.tsv), folded."""
    return [{fold(x.strip()) for x in row.split("\t") if x.strip()} for row in read_rows("roles.tsv")]


@lru_cache(maxsize=1)
def _first_names() -> dict[str, bool]:
    out = {}
    for row in read_rows("first_names.tsv"):
        g, _, name = row.partition("\t")
        out[name.strip()] = g == "f"
    return out


def first_name_gender(first: str) -> bool | None:
    """True for a feminine first name, False for a masculine one, None when the name does not tell
    (data/first_names.tsv; a name ending in -a and not listed there reads as feminine)."""
    f = fold(first).strip(".")
    if f in _first_names():
        return _first_names()[f]
    if "-" in f and f.split("-")[0] in _first_names():
        return _first_names()[f.split("-")[0]]
    if len(f) > 2 and f.endswith("a"):
        return True
    return None
