"""What the report shows, counted in one pass over the predictions (JSONL or Parquet).

The documents stream through `summarize`: only counters and the first `max_rows` quotes (with
their context) are kept, so a report over an archive does not hold the archive in memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..document import STANCES, DataError, Document, Quote, iter_jsonl
from ..io.tables import iter_parquet
from ..score import fold_name

CONTEXT = 200
NO_STANCE = "none"
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_SPACES = re.compile(r"\s+")


def iter_documents(path: str | Path, batch_size: int = 512) -> Iterator[Document]:
    """Documents of a `quotes annotate` output: JSONL, or Parquet (a file or a folder of shards)."""
    p = Path(path)
    if p.suffix == ".parquet" or (p.is_dir() and any(p.glob("*.parquet"))):
        yield from iter_parquet(p, batch_size)
        return
    if p.is_dir():
        raise DataError(f"{p}: is a folder with no .parquet files; give a .jsonl or .parquet file")
    yield from iter_jsonl(p)


def document_date(doc: Document) -> dt.date | None:
    """`meta.date` or a top-level `date` (ISO text, a date or a datetime, as JSONL or Parquet carry it)."""
    meta = doc.extra.get("meta")
    value = meta.get("date") if isinstance(meta, dict) else None
    if value is None:
        value = doc.extra.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _ISO_DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def document_title(doc: Document) -> tuple[str | None, str | None]:
    meta = doc.extra.get("meta")
    if not isinstance(meta, dict):
        return None, None
    title, url = meta.get("title"), meta.get("url")
    return (title if isinstance(title, str) and title.strip() else None,
            url if isinstance(url, str) and url.startswith(("http://", "https://")) else None)


def speaker_of(q: Quote) -> str | None:
    """The name to count a quote under; gold files may give several accepted names: the first."""
    name = q.speaker_name
    if isinstance(name, list):
        name = name[0] if name else None
    return (name.strip() or None) if isinstance(name, str) else None


def cue_of(q: Quote) -> str | None:
    return (_SPACES.sub(" ", q.cue.text).strip().casefold() or None) if q.cue else None


@dataclass
class Row:
    """One quote of the table, with the text around it as (kind, text) pieces: kind is "", quote, cue or speaker."""
    doc_id: str
    title: str | None
    url: str | None
    date: dt.date | None
    quote: Quote
    speaker: str | None
    cue: str | None
    pieces: list[tuple[str, str]]


def context_pieces(text: str, q: Quote, width: int = CONTEXT) -> list[tuple[str, str]]:
    """The quote with `width` characters either side; the cue and the speaker mention marked where they fall inside."""
    lo, hi = max(0, q.start - width), min(len(text), q.end + width)
    spans = [(q.start, q.end, "quote")]
    for kind, s in (("cue", q.cue), ("speaker", q.speaker)):
        if s is None or s.end <= s.start:
            continue
        a, b = max(s.start, lo), min(s.end, hi)
        if a < b and all(b <= x or a >= y for x, y, _ in spans):
            spans.append((a, b, kind))
    spans.sort()
    pieces, at = [], lo
    for a, b, kind in spans:
        if a > at:
            pieces.append(("", text[at:a]))
        pieces.append((kind, text[a:b]))
        at = b
    if at < hi:
        pieces.append(("", text[at:hi]))
    if lo > 0:
        pieces.insert(0, ("", "…"))
    if hi < len(text):
        pieces.append(("", "…"))
    return pieces


@dataclass
class Summary:
    documents: int = 0
    quotes: int = 0
    dated_documents: int = 0
    no_speaker: int = 0
    types: Counter = field(default_factory=Counter)
    stances: Counter = field(default_factory=Counter)
    cues: Counter = field(default_factory=Counter)
    # speaker key (folded name) -> quotes, stance counts, the spellings seen
    speakers: Counter = field(default_factory=Counter)
    speaker_stances: dict = field(default_factory=lambda: defaultdict(Counter))
    spellings: dict = field(default_factory=lambda: defaultdict(Counter))
    by_date: dict = field(default_factory=lambda: defaultdict(Counter))
    versions: Counter = field(default_factory=Counter)
    rows: list[Row] = field(default_factory=list)
    max_rows: int = 5000

    def add(self, doc: Document) -> None:
        self.documents += 1
        self.versions[str(doc.extra.get("model_version") or "unknown")] += 1
        date = document_date(doc)
        self.dated_documents += date is not None
        title, url = document_title(doc)
        for q in doc.quotes:
            self.quotes += 1
            stance = q.stance if q.stance in STANCES else NO_STANCE
            self.types[q.type] += 1
            self.stances[stance] += 1
            cue = cue_of(q)
            if cue:
                self.cues[cue] += 1
            name = speaker_of(q)
            if name is None:
                self.no_speaker += 1
            else:
                key = " ".join(fold_name(name)) or name.casefold()
                self.speakers[key] += 1
                self.speaker_stances[key][stance] += 1
                self.spellings[key][name] += 1
            if date is not None:
                self.by_date[date][stance] += 1
            if len(self.rows) < self.max_rows:
                self.rows.append(Row(doc.id, title, url, date, q, name, cue, context_pieces(doc.text, q)))

    def speaker_name(self, key: str) -> str:
        """The spelling most often seen for a speaker (ties: the longest, then alphabetical)."""
        return max(self.spellings[key].items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]

    def top_speakers(self, n: int) -> list[tuple[str, int, Counter]]:
        """(name, quotes, stance counts) of the n most quoted speakers, most quoted first."""
        top = sorted(self.speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(self.speaker_name(k), c, self.speaker_stances[k]) for k, c in top]

    def timeline(self) -> tuple[str, list[tuple[str, Counter]]]:
        """Quotes per stance per period, every period between the first and last date (empty ones too):
        days over two months at most, else months over three years at most, else years."""
        if not self.by_date:
            return "day", []
        first, last = min(self.by_date), max(self.by_date)
        if (last - first).days <= 62:
            unit, key = "day", lambda d: d.isoformat()
            periods, d = [], first
            while d <= last:
                periods.append(key(d))
                d += dt.timedelta(days=1)
        elif (last.year - first.year) * 12 + last.month - first.month < 36:
            unit, key = "month", lambda d: f"{d.year:04d}-{d.month:02d}"
            periods, (y, m) = [], (first.year, first.month)
            while (y, m) <= (last.year, last.month):
                periods.append(f"{y:04d}-{m:02d}")
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            unit, key = "year", lambda d: f"{d.year:04d}"
            periods = [f"{y:04d}" for y in range(first.year, last.year + 1)]
        counts: dict[str, Counter] = {p: Counter() for p in periods}
        for d, c in self.by_date.items():
            counts[key(d)].update(c)
        return unit, list(counts.items())


def summarize(docs: Iterable[Document], max_rows: int = 5000, source: str = "") -> Summary:
    """Count everything the report shows; a document whose spans do not point into its text is an error."""
    s = Summary(max_rows=max_rows)
    for doc in docs:
        problems = doc.problems()
        if problems:
            raise DataError(f"{source + ': ' if source else ''}document {doc.id!r}: {problems[0]}")
        s.add(doc)
    return s
