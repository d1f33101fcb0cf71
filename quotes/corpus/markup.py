"""The corpus source format (`annotations/src/FORMAT.md`): inline span markers plus a quote table.

`parse(source)` strips the markers and returns the plain text with every marked
span's offsets into it, so nobody ever types an offset. `python -m quotes.corpus.markup
FILE...` checks source files and prints one line per problem.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..document import QUOTE_TYPES, STANCES, DataError, Document, Quote, QuotesError, Span

SEPARATOR = "@@@"
_ID = re.compile(r"[qcsi]\d+")
_OPEN = re.compile(r"\[\[([qcsi]\d+)\|")
_SEP_LINE = re.compile(r"^@@@\r?$", re.M)

# HTML sources: markers become sentinels before text extraction, so that the
# offsets can be read off the extracted text. They must survive trafilatura,
# which deletes non-printable characters (private-use ones included), so they
# are printable but rare brackets; ingest.py already uses ⁅ ⁆ for its own tokens.
S_OPEN, S_ID_END, S_CLOSE = "\u27e6", "\u27e7", "\u27ed"  # ⟦q1⟧ ... ⟭
SENTINELS = (S_OPEN, S_ID_END, S_CLOSE)
_S_OPEN = re.compile(re.escape(S_OPEN) + r"([qcsi]\d+)" + re.escape(S_ID_END))


@dataclass
class Source:
    text: str
    spans: dict[str, tuple[int, int]]
    table: list[dict] = field(default_factory=list)


def _strip(marked: str, open_re: re.Pattern, close: str, stray: tuple[str, ...], where: str):
    """The one marker walker: `open_re` opens a span (group 1 = its id), `close` closes the innermost."""
    out: list[str] = []
    pos = 0  # length of the text produced so far
    stack: list[tuple[str, int]] = []
    spans: dict[str, tuple[int, int]] = {}
    i = 0
    while i < len(marked):
        m = open_re.match(marked, i)
        if m:
            stack.append((m.group(1), pos))
            i = m.end()
            continue
        if marked.startswith(close, i) and stack:
            sid, start = stack.pop()
            if sid in spans:
                raise DataError(f"span {sid} is marked twice")
            spans[sid] = (start, pos)
            i += len(close)
            continue
        bad = next((t for t in stray if marked.startswith(t, i)), None)
        if bad is not None:
            line = marked.count("\n", 0, i) + 1
            raise DataError(f"{where}line {line}: stray {bad!r} (not a well-formed marker)")
        out.append(marked[i])
        pos += 1
        i += 1
    if stack:
        raise DataError(f"span {stack[-1][0]} is never closed{' in ' + where.rstrip(', ') if where else ''}")
    return "".join(out), spans


def strip_markers(marked: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """Remove `[[ID|...]]` markers; return the text and each ID's (start, end) in it."""
    return _strip(marked, _OPEN, "]]", ("[[", "]]"), "")


def to_sentinels(page: str) -> str:
    """`[[ID|` → ⟦ID⟧ and `]]` → ⟭ (call strip_markers(page) first to know the markers are well formed)."""
    return _OPEN.sub(lambda m: S_OPEN + m.group(1) + S_ID_END, page).replace("]]", S_CLOSE)


def strip_sentinels(text: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """strip_markers for text that went through to_sentinels and an extractor."""
    return _strip(text, _S_OPEN, S_CLOSE, SENTINELS, "extracted text, ")


def split_source(source: str) -> tuple[str, str]:
    """(page, table): the parts before and after the last line holding exactly `@@@`."""
    last = None
    for last in _SEP_LINE.finditer(source):
        pass
    if last is None:
        raise DataError(f"no '{SEPARATOR}' line separating the page from the quote table")
    page = source[: last.start()]
    # The line break before `@@@` ends the separator line, not the page.
    page = page[:-2] if page.endswith("\r\n") else page[:-1] if page.endswith("\n") else page
    return page, source[last.end():]


def parse_table(table_txt: str) -> list[dict]:
    table = []
    for n, line in enumerate(table_txt.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 4:
            raise DataError(f"table line {n}: expected 'qN | type | stance | speaker_name [| options]'")
        qid, qtype, stance, name = cells[:4]
        opts = {}
        for opt in " ".join(cells[4:]).split():
            key, eq, val = opt.partition("=")
            if not eq or key not in ("cue", "speaker"):
                raise DataError(f"table line {n}: unknown option {opt!r}")
            opts[key] = val
        if name == "null":
            names = None
        else:
            names = [x.strip() for x in name.split(";")]
            if not all(names):
                raise DataError(f"table line {n}: empty speaker_name (write null when there is none)")
        table.append({"id": qid, "type": qtype, "stance": None if stance == "null" else stance,
                      "speaker_name": names[0] if names and len(names) == 1 else names, **opts})
    return table


def parse(source: str) -> Source:
    page, table_txt = split_source(source)
    text, spans = strip_markers(page)
    return Source(text, spans, parse_table(table_txt))


def to_document(doc_id: str, src: Source) -> Document:
    """Build the gold Document; raise DataError listing what is inconsistent."""
    problems: list[str] = []
    quotes: list[Quote] = []
    seen = set()
    for row in src.table:
        qid = row["id"]
        if not re.fullmatch(r"q\d+", qid):
            problems.append(f"{qid}: table ids must be qN")
            continue
        if qid in seen:
            problems.append(f"{qid}: listed twice in the table")
        seen.add(qid)
        if qid not in src.spans:
            problems.append(f"{qid}: in the table but not marked in the page")
            continue
        if row["type"] not in QUOTE_TYPES:
            problems.append(f"{qid}: type {row['type']!r} not in {QUOTE_TYPES}")
        if row["stance"] is not None and row["stance"] not in STANCES:
            problems.append(f"{qid}: stance {row['stance']!r} not in {STANCES}")
        num = qid[1:]
        ref = {}
        for kind, letter in (("cue", "c"), ("speaker", "s")):
            sid = row.get(kind, f"{letter}{num}")
            if sid == "none":
                ref[kind] = None
            elif sid in src.spans:
                s, e = src.spans[sid]
                ref[kind] = Span.of(src.text, s, e)
            elif kind in row:
                problems.append(f"{qid}: {kind}={sid} is not marked in the page")
                ref[kind] = None
            else:
                ref[kind] = None
        s, e = src.spans[qid]
        qtext = src.text[s:e]
        if qtext != qtext.strip():
            problems.append(f"{qid}: span starts or ends with a space: {qtext[:30]!r}")
        quotes.append(Quote(s, e, qtext, row["type"], ref["cue"], ref["speaker"],
                            row["speaker_name"], row["stance"]))
    for sid in src.spans:
        if sid.startswith("q") and sid not in seen:
            problems.append(f"{sid}: marked in the page but missing from the table")
        if sid[0] in "cs" and not any(
            q for q in quotes if (q.cue and (q.cue.start, q.cue.end) == src.spans[sid])
            or (q.speaker and (q.speaker.start, q.speaker.end) == src.spans[sid])
        ):
            problems.append(f"{sid}: marked but used by no quote")
    quotes.sort(key=lambda q: q.start)
    ignore = [{"start": s, "end": e} for sid, (s, e) in sorted(src.spans.items()) if sid[0] == "i"]
    doc = Document(doc_id, src.text, quotes, ignore)
    # type and stance are already reported above under the table id (qN)
    problems += [p for p in doc.problems() if not re.search(r"\): (type|stance) ", p)]
    if problems:
        raise DataError("; ".join(problems))
    return doc


def compile_html(doc_id: str, source: str, extract) -> tuple[Document, str]:
    """An HTML source → (gold Document over the extracted text, the HTML page without markers).

    `extract(html) -> str` is the extractor that `quotes annotate` uses
    (`quotes.io.read.extract_html`). The markers become sentinels, the page goes
    through `extract`, and the sentinels are read back out of its text. The
    result must equal what `extract` gives for the page without markers, or
    the offsets would not be those a user gets.
    """
    page, table_txt = split_source(source)
    html, marked = strip_markers(page)
    if any(ch in html for ch in SENTINELS):
        raise DataError(f"the page contains one of {''.join(SENTINELS)}, reserved for the compiler")
    text, spans = strip_sentinels(extract(to_sentinels(page)))
    lost = sorted(set(marked) - set(spans), key=lambda k: marked[k])
    if lost:
        raise DataError(f"span(s) {', '.join(lost)} not in the extracted text "
                        "(marked outside the article, e.g. in a menu, a teaser or an attribute?)")
    plain = extract(html)
    if text != plain:
        i = next((k for k, (a, b) in enumerate(zip(text, plain)) if a != b), min(len(text), len(plain)))
        raise DataError(f"the markers change the extracted text at offset {i}: "
                        f"{text[max(0, i - 20):i + 20]!r} vs {plain[max(0, i - 20):i + 20]!r}")
    return to_document(doc_id, Source(text, spans, parse_table(table_txt))), html


def load(path: str | Path) -> Document:
    """A source file → gold Document (`.html`: over the text that `quotes annotate` extracts)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".html", ".htm"):
            from ..io.read import extract_html

            return compile_html(path.stem, source, extract_html)[0]
        return to_document(path.stem, parse(source))
    except QuotesError as e:  # DataError, or the extractor's own
        raise DataError(f"{path}: {e}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    files = [p for a in paths for p in (sorted(Path(a).rglob("*.*")) if Path(a).is_dir() else [Path(a)])
             if p.suffix in (".txt", ".html")]
    bad = nq = 0
    for p in files:
        try:
            doc = load(p)
            nq += len(doc.quotes)
        except DataError as e:
            bad += 1
            print(e)
    print(f"{len(files)} files, {nq} quotes, {bad} with problems", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
