"""Quotation marks: find the spans that marks enclose, in every French style.

Scraped French text mixes « », “ ”, " ", ‘ ’, ' ' and ‹ ›, glues them to words
(la"désescalade"), mismatches them (« … ") and runs one quote over several
paragraphs, re-opening it with « at each paragraph. This module pairs marks
with a stack, any closing mark closing the innermost open one, and decides
for the ambiguous straight marks and ’ from their neighbours.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

OPENERS = set("«“‹‘„‚")
CLOSERS = set("»”›’")
AMBIGUOUS = set("\"'")
ALL_MARKS = OPENERS | CLOSERS | AMBIGUOUS
# what may open a quotation where only the opening side matters: the openers and the straight double quote
MAY_OPEN = OPENERS | {'"'}
SPACES = " \t\u00a0\u202f\u2007\u2009"
# A paragraph ends at a line break: scrapes of HTML pages put one paragraph per line, plain-text
# scrapes leave blank lines between them; a run of breaks is one.
_PARA_BREAK = re.compile(r"\n(?:[ \t\u00a0]*\n)*")
_ELISION = re.compile(r"(?i)(?:\b[ldjmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu|aujourd)$")


@dataclass(frozen=True)
class Marked:
    """Content between a pair of marks; `open`/`close` are the marks' offsets."""

    open: int  # offset of the opening mark (the line's start when the scrape lost it)
    close: int  # offset of the closing mark, or the end of the content when it never closes
    start: int  # content, trimmed of the spaces inside the marks
    end: int
    depth: int
    closed: bool = True

    @property
    def outer_start(self) -> int:
        return self.open

    @property
    def outer_end(self) -> int:
        return self.close + 1 if self.closed else self.end


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _role(text: str, i: int, single_open: bool) -> str | None:
    """'open', 'close' or None (not a quotation mark here) for the mark at text[i]."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[i + 1] if i + 1 < len(text) else "\n"
    if ch in "«‹„‚":
        return "open"
    if ch in "»›":
        return "close"
    if ch == "“":
        # English-style closers “ appear in scrapes of German text; French uses it to open.
        return "open"
    if ch == "”":
        return "close"
    if ch == "‘":
        return "open" if not _is_word(prev) else None
    if ch == "’" or ch == "'":
        # Mostly an apostrophe (l’OTAN, aujourd’hui); a closing mark only after an open single.
        if _is_word(prev) and _is_word(nxt):
            return None
        if ch == "'" and not _is_word(prev) and _is_word(nxt) and prev not in "'’":
            return "open"
        if single_open and not nxt.isalpha():
            return "close"
        return None
    if ch == '"':
        before_space = prev.isspace() or prev in "([{—–-/:;,\n" or prev in OPENERS
        after_space = nxt.isspace() or nxt in ".,;:!?)]}…—–-\n" or nxt in CLOSERS
        if before_space and not after_space:
            return "open"
        if after_space and not before_space:
            return "close"
        return "toggle"  # glued on both sides or spaced on both: decided by parity
    return None


# A space the scrape left as an HTML entity (`«&nbsp;Non&nbsp;»`): still a space next to a mark.
ENTITY_SPACES = ("&nbsp;", "&#160;", "&#xa0;")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end:
        if text[start] in SPACES + "\n\r":
            start += 1
            continue
        ent = next((x for x in ENTITY_SPACES if text.startswith(x, start, end)), None)
        if ent is None:
            break
        start += len(ent)
    while end > start:
        if text[end - 1] in SPACES + "\n\r":
            end -= 1
            continue
        ent = next((x for x in ENTITY_SPACES if text.endswith(x, start, end)), None)
        if ent is None:
            break
        end -= len(ent)
    return start, end


def find_marked(text: str, start: int = 0, end: int | None = None) -> list[Marked]:
    """Every marked span in text[start:end], outermost and nested, in order of opening."""
    end = len(text) if end is None else end
    stack: list[tuple[int, str]] = []  # (offset of the opening mark, mark)
    out: list[Marked] = []
    para_ends = [m.start() for m in _PARA_BREAK.finditer(text, start, end)] + [end]

    def para_end_after(i: int) -> int:
        for p in para_ends:
            if p >= i:
                return p
        return end

    cont: dict[int, int] = {}  # opening mark → index of the last paragraph that reopened it

    def para_index(i: int) -> int:
        return bisect.bisect_left(para_ends, i)

    def emit(o: int, c: int, closed: bool) -> None:
        s, e = _trim(text, o + 1, c)
        if e > s:
            out.append(Marked(o, c, s, e, len(stack), closed))

    i = start
    while i < end:
        ch = text[i]
        if ch not in ALL_MARKS:
            i += 1
            continue
        single_open = any(m in "‘'" for _, m in stack)
        role = _role(text, i, single_open)
        if role == "toggle":
            role = "close" if any(m == '"' for _, m in stack) else "open"
        if role == "open":
            if stack and ch in "«“" and text[stack[-1][0]] in "«“":
                # « at the start of a paragraph while an earlier « is still open: the French way
                # of continuing one quote over several paragraphs, when the paragraph before also
                # belongs to it. After a paragraph that did not reopen, the earlier mark was never
                # closed (a truncated scrape): it ends with its paragraph, and this one opens anew.
                o = stack[-1][0]
                if para_end_after(o) < i and _starts_paragraph(text, i):
                    here = para_index(i)
                    if here == cont.get(o, para_index(o)) + 1:
                        cont[o] = here
                        i += 1
                        continue
                    stack.pop()
                    emit(o, para_end_after(o), False)
            stack.append((i, ch))
        elif role == "close" and stack:
            o, _ = stack.pop()
            emit(o, i, True)
        elif role == "close" and ch in "»”":
            orphan = lost_opening(text, i, start)
            if orphan is not None and not any(m.open >= orphan.open for m in out):
                out.append(orphan)
        i += 1
    # An opening mark never closed (a truncated scrape): its content runs to the end of its paragraph.
    while stack:
        o, _ = stack.pop()
        if text[o] in "'‘":
            continue
        emit(o, para_end_after(o), False)
    out.sort(key=lambda m: (m.open, -m.close))
    return out


def lost_opening(text: str, close: int, floor: int = 0, depth: int = 0) -> Marked | None:
    """The words of a closing mark whose opening one the scrape lost: from its line's start
    (not before `floor`), or None when no word is there."""
    line = max(text.rfind("\n", floor, close) + 1, floor)
    s, e = _trim(text, line, close)
    while s < e and (text[s] in ALL_MARKS or text[s] in SPACES):
        s += 1
    if e > s and any(c.isalnum() for c in text[s:e]):
        return Marked(line, close, s, e, depth, True)
    return None


def _starts_paragraph(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in SPACES:
        j -= 1
    return j < 0 or text[j] == "\n"


def outermost(marked: list[Marked]) -> list[Marked]:
    """Drop spans nested in another one (« … “inner” … » keeps the outer)."""
    out: list[Marked] = []
    for m in sorted(marked, key=lambda m: (m.open, -m.outer_end)):
        if out and m.open < out[-1].outer_end:
            continue
        out.append(m)
    return out


def strip_marks(s: str) -> str:
    return "".join(ch for ch in s if ch not in ALL_MARKS)
