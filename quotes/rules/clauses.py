"""Where a sentence or a clause starts and ends in scraped text, and the edges of a span.

Kept apart from the extractor because every rule needs them: quoted content is opaque
(a full stop inside « … » ends nothing), a wire dateline is not part of the first sentence,
and a reported clause stops at a narrator's adjunct (", alors que …", ", tout en …").
"""

from __future__ import annotations

import re

from . import marks as M

ABBREV = re.compile(r"(?:\b[A-ZÉ]|\bM|\bMme|\bMM|\bDr|\bSt|\bav|\bJ\.-C|\betc|\bp|\bn°)$")
DATELINE = re.compile(
    r"^(?:[A-ZÉÈÀÂÎÔÛÇ][A-ZÉÈÀÂÎÔÛÇ'’ ./-]+|[A-ZÉ][\wé'’ -]+)\s*,?\s*(?:\d{1,2}(?:er)?\s+\w+\.?\s*|\d{1,2}/\d{1,2}(?:/\d{2,4})?\s*)?"
    r"(?:\d{4}\s*)?\((?:[^()]{1,30})\)\s*[-–—=]\s*"  # `PRISTINA/BELGRADE 6/12 (BELGA) =`
)
# A comma followed by one of these ends a reported clause ("…, tout en exhortant", "…, lors d'une conférence
# de presse", "…, par la voix de son porte-parole"): the narrator's setting, not the source's words.
CLAUSE_CUTS = re.compile(
    r",\s+(?:tout en|tandis que|alors que|avant de|après avoir|sans|a-t-(?:il|elle)|selon|d['’]après|ajoute-t|"
    r"poursuit-|précise-t|estime-t|lors d|au lendemain d|à l['’]issue d|en marge d|à la veille d|par la voix d|face à|malgré|"
    r"en référence (?:à|aux?\b)|"
    r"dans (?:un|une|son|sa|leur) (?:communiqué|entretien|message|déclaration|interview|discours|lettre|courrier))"
    r"|;|\s+même si\s|\s+bien que\s|\s+—\s|\s+-\s|\s+\|\s",
    re.I,
)

def clause_start(text: str, pos: int, floor: int, marked: list[M.Marked] = ()) -> int:
    """Start of the sentence or clause holding `pos`, skipping a wire dateline.

    Quoted content is opaque: a full stop inside « … » does not end the sentence around it.
    """
    closes = {m.close: m.open for m in marked if m.closed and m.outer_end <= pos}
    i = pos
    while i > floor:
        if i - 1 in closes:
            i = max(floor, closes[i - 1])
            continue
        ch = text[i - 1]
        if ch == "\n":
            break
        if ch in ":" and i < len(text) and text[i].isspace():
            break
        if ch in ".!?…" and i < len(text) and (text[i] in " \u00a0\t" or text[i] in M.MAY_OPEN) \
                and not ABBREV.search(text[floor:i - 1]):
            break
        i -= 1
    while i < pos and text[i] in M.SPACES + "-–—":
        i += 1
    m = DATELINE.match(text, i, pos)
    if m and m.end() <= pos:
        i = m.end()
    return i


def clause_end(text: str, pos: int, ceiling: int) -> int:
    """End of the sentence holding `pos` (before its final punctuation)."""
    depth = 0
    i = pos
    while i < ceiling:
        ch = text[i]
        if ch in M.OPENERS:
            depth += 1
        elif ch in M.CLOSERS and depth:
            depth -= 1
        if ch == "\n":
            break
        if ch in ".!?" and not depth and (i + 1 >= ceiling or text[i + 1] in " \n\u00a0\t\"»”") \
                and not ABBREV.search(text[max(0, i - 4):i]):
            break
        i += 1
    return i


def lines(text: str, start: int, end: int):
    """(start, end) of each line of text[start:end], without its line break."""
    pos = start
    while pos < end:
        stop = text.find("\n", pos, end)
        stop = end if stop < 0 else stop
        yield pos, stop
        pos = stop + 1


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    strip = M.SPACES + "\n\r,;:.–—-"
    while s < e and text[s] in strip:
        s += 1
    while e > s and text[e - 1] in strip + "!?…" and not (text[e - 1] in "!?…" and e - s > 0):
        e -= 1
    while e > s and text[e - 1] in strip:
        e -= 1
    return s, e


# "…, alors que l'Ukraine ne représente selon lui aucune menace": still the speaker's view.
_STILL_THE_SPEAKER = re.compile(r"\bselon (?:lui|elle|eux|elles)\b|-t-(?:il|elle|ils|elles)\b", re.I)


def clause_cut(text: str, start: int, end: int) -> int | None:
    """Where a reported clause in text[start:end] stops at a narrator's adjunct, or None."""
    quoted = [(q.open, q.close) for q in M.find_marked(text, start, end) if q.closed]
    for m in CLAUSE_CUTS.finditer(text, start, end):
        if any(o < m.start() < c for o, c in quoted):
            continue  # `à « travailler ensemble, sans conditions, à … »`: the source's words, not the narrator's
        if re.match(r",\s+malgré", m.group(0), re.I):
            stop = clause_end(text, m.end(), end)
            if any(m.end() <= o and c <= stop for o, c in quoted):
                continue  # `avait « globalement tenu », malgré des « violations ponctuelles »`: still the source's words
        if "alors que" in m.group(0).lower():
            stop = clause_end(text, m.end(), end)
            if _STILL_THE_SPEAKER.search(text, m.end(), stop):
                continue
        return m.start()
    return None
