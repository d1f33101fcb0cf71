"""Where the article is in a scraped page.

A scrape holds the article (title, standfirst, body) among menus, teasers of
other articles, "à lire aussi" blocks, cookie banners and reader comments.
Each line gets a weight: prose (long lines with sentences) counts for the
article, navigation and boilerplate against it. The article body is the
stretch of lines with the largest total weight (a maximum-sum segment), then
the title and standfirst just above it are added and interleaved teasers
("À lire aussi : …") are cut out. Quotes are only looked for in the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_SENTENCE_END = re.compile(r"[.!?…»\"”)]\s*$")
_FULL_STOP = re.compile(r"[.!?…][»\"”)]?\s*$")  # a headline ends on none (`X : « … »`)
# Lines between a title and its body: dates, bylines, credits, a video's caption.
_META_LINE = re.compile(
    r"(?i)^(publié|mis à jour|modifié|published|updated|par\s|texte par|avec notre correspondant|▶|©|"
    r"photo\s*:|crédit|dépêche n°|(?:live|direct|fil) (?:animé|suivi|tenu) par|partager\b|résumé\s*:?\s*$)"
)
# A live blog's summary box between its title and the first entry: the heading and its bullets, left out
# of the article (the scheme keeps summary bullets out) without hiding the title above them.
_SUMMARY_BOX = re.compile(r"(?i)^(?:[•▪·●◆►]|[-–][\s\u00a0]|l['’]essentiel\b|à retenir\b|ce qu['’]il faut (?:retenir|savoir)\b|"
                          r"les points clés\b|en bref\s*$)")
_ENTRY_TIME = re.compile(r"\d{1,2}[h:]\d{2}\b")
_DATE_ONLY = re.compile(
    r"^\s*(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(er)? \w+ \d{4}|\d{1,2}h\d{2}|\d{1,2}:\d{2})[\s\d:h,.à-]*$",
    re.I,
)


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # without the newline
    text: str


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    """data/boilerplate.tsv: lines that end the article, open a comment section, or are noise."""
    kinds: dict[str, list[str]] = {"stop": [], "comments": [], "noise": []}
    for line in resources.files("quotes.rules").joinpath("data/boilerplate.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, pattern = line.partition("\t")
        kinds[kind].append(pattern)
    return {k: re.compile("|".join(v), re.I) for k, v in kinds.items()}


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[re.Pattern, re.Pattern]:
    """(block stops, comment headings included; noise lines)."""
    p = _patterns()
    return re.compile(f"{p['stop'].pattern}|{p['comments'].pattern}", re.I), p["noise"]


def split_lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


_GLUED_HEADLINE = re.compile(r"[a-zà-ÿ0-9…!?][A-ZÀ-Ý][a-zà-ÿ]")
_TRUNCATED = re.compile(r"(\.\.\.|…)\s*$|(\.\.\.|…)\s+\S")


def _is_teaser(t: str) -> bool:
    """A headline glued to its truncated summary, as scraped from a list of other articles."""
    glued = _GLUED_HEADLINE.search(t) is not None
    truncated = _TRUNCATED.search(t) is not None
    return truncated and (glued or t.rstrip().endswith(("...", "…")))


def line_weight(s: str) -> float:
    """> 0 for article prose, < 0 for navigation or boilerplate, ~0 for blank lines."""
    stop, noise = _boilerplate()
    t = s.strip()
    if not t:
        return -0.5
    if noise.search(t) or stop.search(t):
        return -60.0
    words = t.split()
    if t.startswith(("•", "·", "|", "›", "»", "- ", "* ", "▶", "►", "— ", "– ", "○", "◦", "■", "→", "➜", "▸")) \
            and len(words) < 25:
        return -25.0
    if _DATE_ONLY.match(t):
        return -15.0
    if len(words) < 6:
        return -12.0
    if _is_teaser(t):
        return -40.0
    # Prose: sentences with lower-case words and closing punctuation.
    lower = sum(1 for w in words if w[:1].islower())
    score = len(t) * (0.4 + 0.6 * lower / len(words))
    if not _SENTENCE_END.search(t):
        score *= 0.5
    if len(words) < 12:
        score -= 30.0
    return score


def _is_title_like(t: str) -> bool:
    words = t.split()
    return 3 <= len(words) <= 40 and not _DATE_ONLY.match(t)


def _best_run(weights: list[float], lo: int, hi: int) -> tuple[float, int, int]:
    """Kadane: the contiguous run of lines in [lo, hi) with the largest total weight."""
    best, best_i, best_j = float("-inf"), lo, lo
    cur, cur_i = 0.0, lo
    for j in range(lo, hi):
        w = weights[j]
        if cur <= 0:
            cur, cur_i = w, j
        else:
            cur += w
        if cur > best:
            best, best_i, best_j = cur, cur_i, j
    return best, best_i, best_j


def _is_block_stop(t: str, stop: re.Pattern) -> bool:
    """A heading that opens a block of other content ("À lire aussi", "3 commentaires").

    The same words followed by a headline on one line ("À lire aussi : …") are a
    single interleaved teaser: that line is skipped, and the article goes on.
    """
    m = stop.search(t)
    if not m:
        return False
    rest = t[m.end():].strip(" :–—-»>›")
    return len(rest.split()) < 4


# A box of links inside the article ("À lire aussi" and a few headlines) is followed by more of it:
# prose of at least this weight starting within a few lines of the box's heading.
_BOX_LINES, _BOX_PROSE = 8, 150.0
_BOX_HEADING = re.compile(r"(?i)^\W*(?:à |a )?lire (?:aussi|également|encore)\b")


def _across_boxes(runs, lines: list[Line], i: int, j: int) -> tuple[int, int, set[int]]:
    """Widen the best run over "À lire aussi" boxes set inside the article; the boxes' lines are left out."""
    spans = [(lo_hi, run, is_comments or lo_hi[0] == 0 or not _BOX_HEADING.match(lines[lo_hi[0] - 1].text.strip()))
             for lo_hi, (run, is_comments) in runs]
    k = next(n for n, (_, run, _) in enumerate(spans) if run[1] == i and run[2] == j)
    skipped: set[int] = set()
    for step in (1, -1):
        n = k
        while 0 <= n + step < len(spans):
            (lo, _), run, not_box = spans[n + step]
            (cur_lo, _), cur_run, cur_not_box = spans[n]
            # the section below the box must open on a box heading (forward: the next one; backward: ours)
            if run[0] < _BOX_PROSE or (not_box if step == 1 else cur_not_box):
                break
            if step == 1:
                if run[1] - lo > _BOX_LINES:
                    break
                skipped.update(range(j + 1, run[1]))
                k = run[1]
                # the box's own headlines, when they weigh enough to open the run (`Pipeline : « … », déplorent …`)
                while k < run[2] and k - lo < _BOX_LINES and not _FULL_STOP.search(lines[k].text):
                    skipped.add(k)
                    k += 1
                j = run[2]
            else:
                if cur_run[1] - cur_lo > _BOX_LINES:
                    break
                skipped.update(range(run[2] + 1, i))
                i = run[1]
            n += step
    return i, j, skipped


def article_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of the article in a scraped page, in order; never empty for prose."""
    lines = split_lines(text)
    if not lines:
        return []
    stop, noise = _boilerplate()
    weights = [line_weight(ln.text) for ln in lines]
    # Block headings cut the page into sections; the article is the best run of the best section.
    cuts = [k for k, ln in enumerate(lines) if _is_block_stop(ln.text.strip(), stop)]
    bounds = list(zip([0] + [c + 1 for c in cuts], cuts + [len(lines)]))
    comments = _patterns()["comments"]
    runs = [((lo, hi), (_best_run(weights, lo, hi), lo > 0 and bool(comments.search(lines[lo - 1].text.strip()))))
            for lo, hi in bounds if hi > lo]
    # A reader-comment thread can be longer than a short article: it never wins while another section has prose.
    article_runs = [r for _, (r, is_comments) in runs if not is_comments and r[0] > 0]
    best, i, j = max(article_runs or [r for _, (r, _) in runs], default=(0, 0, 0))
    if best <= 0:
        return [(0, len(text))] if text.strip() else []
    i, j, skipped = _across_boxes(runs, lines, i, j)
    # Title and standfirst: up to a few lines above the body that look like headings.
    i_title_end = i
    k, taken = i - 1, 0
    box: set[int] = set()
    entry = False  # what was taken is a live entry's heading under its time (`11h52`, then `Tallinn convoque …`)
    while k >= 0 and taken < 4:
        t = lines[k].text.strip()
        if not t:
            k -= 1
            continue
        if _META_LINE.match(t) or _DATE_ONLY.match(t):
            entry = entry or bool(_DATE_ONLY.match(t)) and taken == 1
            k -= 1  # "Publié le …", "Par …", a video caption: between the title and the body, skipped
            continue
        if _SUMMARY_BOX.match(t) and (not taken or entry):
            box.add(k)
            k -= 1
            continue
        if noise.search(t) or stop.search(t) or not _is_title_like(t) or weights[k] <= -25 or "|" in t:
            break
        i, taken = k, taken + 1
        entry = entry or taken == 1 and _ENTRY_TIME.match(t) is not None  # `21h05 — Le Brésil propose …`
        k -= 1
    regions: list[tuple[int, int]] = []
    cur_start = None
    seen: set[str] = set()
    # The page printed its title twice and the article's run starts at the second copy (after a share bar
    # or a summary box): the first copy is the one annotated, the second a repeat.
    head = lines[i].text.strip()
    first = next((k for k in range(max(0, i - 40), i) if lines[k].text.strip() == head), None) \
        if len(head.split()) >= 5 else None
    if first is not None:
        regions.append((lines[first].start, lines[first].end))
        seen.add(head)
    for idx in range(i, j + 1):
        ln = lines[idx]
        t = ln.text.strip()
        # A page that repeats its title or a paragraph: only the first copy is the article.
        repeat = len(t.split()) >= 5 and t in seen
        seen.add(t)
        if t and (weights[idx] <= -40 or repeat or idx in skipped or idx in box) \
                or idx < i_title_end and (_META_LINE.match(t) or _DATE_ONLY.match(t)):
            if cur_start is not None:
                regions.append((cur_start, lines[idx - 1].end))
                cur_start = None
            continue
        if cur_start is None and t:
            cur_start = ln.start
    if cur_start is not None:
        regions.append((cur_start, lines[j].end))
    return [(s, e) for s, e in regions if text[s:e].strip()]


def in_regions(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in regions)
