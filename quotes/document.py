"""Documents, quotes and spans, and the scheme's JSON Lines format.

This module is the contract of `shared/spec/annotation-scheme.md` in code. It
imports nothing of the project, so every stage (rules, model, Label Studio,
scorer) can depend on it without dragging the others in.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

QUOTE_TYPES = ("direct", "indirect", "mixed")
STANCES = ("escalation", "diplomacy", "neutral")


class QuotesError(Exception):
    """An error the user caused or can fix; the CLI prints its message as one line, no traceback."""


class DataError(QuotesError, ValueError):
    """A file that does not follow the scheme; the message is one line for the user."""


def run_command(body, interrupted: str = "interrupted") -> int:
    """A command's exit status: `body()`'s, or 2 with the QuotesError's one line, or 130 on Ctrl-C."""
    try:
        return int(body() or 0)
    except QuotesError as e:
        print(f"quotes: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"quotes: {interrupted}", file=sys.stderr)
        return 130


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Span":
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Span | None":
        if d is None:
            return None
        return cls(int(d["start"]), int(d["end"]), str(d.get("text", "")))


@dataclass
class Quote:
    start: int
    end: int
    text: str
    type: str
    cue: Span | None = None
    speaker: Span | None = None
    # A list only in gold files (several accepted names, see the scheme).
    speaker_name: str | list[str] | None = None
    # None only in gold files (annotators could not agree).
    stance: str | None = None
    confidence: dict[str, float] | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict:
        d = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "speaker_name": self.speaker_name,
            "stance": self.stance,
        }
        if self.confidence is not None:
            d["confidence"] = {k: round(float(v), 4) for k, v in self.confidence.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Quote":
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            text=str(d.get("text", "")),
            type=d.get("type"),
            cue=Span.from_dict(d.get("cue")),
            speaker=Span.from_dict(d.get("speaker")),
            speaker_name=d.get("speaker_name"),
            stance=d.get("stance"),
            confidence=d.get("confidence"),
        )


@dataclass
class Document:
    id: str
    text: str
    quotes: list[Quote] = field(default_factory=list)
    # Gold-only regions where a prediction is neither rewarded nor penalised.
    ignore: list[dict] = field(default_factory=list)
    # Anything else a file carries (source path, format, annotator...) survives a round trip.
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {"id": self.id, "text": self.text, "quotes": [q.to_dict() for q in self.quotes]}
        if self.ignore:
            d["ignore"] = [{"start": r["start"], "end": r["end"]} for r in self.ignore]
        d.update({k: v for k, v in self.extra.items() if k not in d})
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        if not isinstance(d, dict):
            raise DataError("a line is not a JSON object")
        for key in ("id", "text"):
            if key not in d:
                raise DataError(f"missing field {key!r}")
        if not isinstance(d["text"], str):
            raise DataError("field 'text' is not a string")
        try:
            quotes = [Quote.from_dict(q) for q in d.get("quotes") or []]
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"document {d['id']!r}: malformed quote ({e})") from None
        extra = {k: v for k, v in d.items() if k not in ("id", "text", "quotes", "ignore")}
        return cls(str(d["id"]), d["text"], quotes, list(d.get("ignore") or []), extra)

    def problems(self) -> list[str]:
        """Every way this document breaks the scheme, as readable lines (empty when valid)."""
        out: list[str] = []
        n = len(self.text)

        def check_span(what: str, s: Span | Quote) -> None:
            if not (0 <= s.start <= s.end <= n):
                out.append(f"{what}: offsets {s.start}-{s.end} outside the text (length {n})")
            elif self.text[s.start:s.end] != s.text:
                out.append(
                    f"{what}: text {s.text[:40]!r} != text[{s.start}:{s.end}] "
                    f"{self.text[s.start:s.end][:40]!r}"
                )

        spans = []
        for i, q in enumerate(self.quotes):
            where = f"quote {i} ({q.start}-{q.end})"
            check_span(where, q)
            if q.end <= q.start:
                out.append(f"{where}: empty span")
            if q.type not in QUOTE_TYPES:
                out.append(f"{where}: type {q.type!r} not in {QUOTE_TYPES}")
            if q.stance is not None and q.stance not in STANCES:
                out.append(f"{where}: stance {q.stance!r} not in {STANCES}")
            if q.cue is not None:
                check_span(f"{where} cue", q.cue)
            if q.speaker is not None:
                check_span(f"{where} speaker", q.speaker)
            names = q.speaker_name if isinstance(q.speaker_name, list) else [q.speaker_name]
            if any(nm is not None and not isinstance(nm, str) for nm in names):
                out.append(f"{where}: speaker_name must be a string, a list of strings or null")
            if q.confidence is not None:
                for k, v in q.confidence.items():
                    if not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                        out.append(f"{where}: confidence {k}={v!r} not in [0, 1]")
            spans.append((q.start, q.end, i))
        spans.sort()
        for (s1, e1, i1), (s2, e2, i2) in zip(spans, spans[1:]):
            if s2 < e1:
                out.append(f"quotes {i1} and {i2} overlap ({s1}-{e1} and {s2}-{e2})")
        for r in self.ignore:
            try:
                ok = 0 <= int(r["start"]) <= int(r["end"]) <= n
            except (KeyError, TypeError, ValueError):
                ok = False
            if not ok:
                out.append(f"ignore region {r!r} is malformed or outside the text")
        return out


def iter_jsonl(path: str | Path, stream: IO[str] | None = None) -> Iterator[Document]:
    """Documents of a JSONL file (or of `stream`), with the line number in every error."""
    name = str(path)
    try:
        fh = stream if stream is not None else open(path, encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a directory, expected a .jsonl file") from None
    except OSError as e:
        raise DataError(f"{name}: cannot read ({e.strerror})") from None
    try:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield Document.from_dict(json.loads(line))
            except json.JSONDecodeError as e:
                raise DataError(f"{name}:{lineno}: not valid JSON ({e.msg})") from None
            except DataError as e:
                raise DataError(f"{name}:{lineno}: {e}") from None
    except UnicodeDecodeError:
        raise DataError(f"{name}: not UTF-8 text") from None
    finally:
        if stream is None:
            fh.close()


def read_jsonl(path: str | Path) -> list[Document]:
    if str(path) == "-":
        return list(iter_jsonl("<stdin>", sys.stdin))
    return list(iter_jsonl(path))


def dumps(doc: Document) -> str:
    return json.dumps(doc.to_dict(), ensure_ascii=False)


def write_jsonl(docs: Iterable[Document], path: str | Path) -> int:
    """Write documents atomically: a temp file in the same folder, then a rename.

    A crash or an error half-way leaves any previous file untouched. `-` writes
    to standard output. Returns the number of documents written.
    """
    if str(path) == "-":
        n = 0
        for doc in docs:
            sys.stdout.write(dumps(doc) + "\n")
            n += 1
        sys.stdout.flush()
        return n
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DataError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for doc in docs:
                fh.write(dumps(doc) + "\n")
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return n
