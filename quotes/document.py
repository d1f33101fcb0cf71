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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

QUOTE_TYPES = ("direct", "indirect", "mixed")
STANCES = ("escalation", "diplomacy", "neutral")
# What the speaker mention is (system output only; see quotes.kinds).
SPEAKER_KINDS = ("person", "role", "organisation", "pronoun", "none")
# Article metadata a document may carry under `meta` (from the HTML; absent keys are left out).
META_KEYS = ("title", "date", "site", "author", "url")


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
    # System output only: the sentence(s) holding the quote, (start, end) into the document text.
    sentence: tuple[int, int] | None = None
    speaker_kind: str | None = None

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
        if self.sentence is not None:
            d["sentence"] = {"start": self.sentence[0], "end": self.sentence[1]}
        if self.speaker_kind is not None:
            d["speaker_kind"] = self.speaker_kind
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
            sentence=(int(d["sentence"]["start"]), int(d["sentence"]["end"])) if d.get("sentence") else None,
            speaker_kind=d.get("speaker_kind"),
        )


@dataclass
class Document:
    id: str
    text: str
    quotes: list[Quote] = field(default_factory=list)
    # Gold-only regions where a prediction is neither rewarded nor penalised.
    ignore: list[dict] = field(default_factory=list)
    # Anything else a file carries (source path, format, annotator, `meta`...) survives a round trip.
    extra: dict = field(default_factory=dict)

    @property
    def meta(self) -> dict:
        """The article's metadata (META_KEYS present in the source). It lives in `extra`, so that every
        stage that copies a document's extra (pipeline, Label Studio push and pull) carries it along."""
        m = self.extra.get("meta")
        return m if isinstance(m, dict) else {}

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
            if q.sentence is not None and not 0 <= q.sentence[0] <= q.start <= q.end <= q.sentence[1] <= n:
                out.append(f"{where}: sentence {q.sentence[0]}-{q.sentence[1]} does not hold the quote")
            if q.speaker_kind is not None and q.speaker_kind not in SPEAKER_KINDS:
                out.append(f"{where}: speaker_kind {q.speaker_kind!r} not in {SPEAKER_KINDS}")
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
        if "meta" in self.extra and not isinstance(self.extra["meta"], dict):
            out.append("meta must be an object")
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


def write_jsonl(docs: Iterable[Document], path: str | Path, make_folders: bool = False) -> int:
    """Write documents atomically: a temp file in the same folder, then a rename.

    A crash or an error half-way leaves any previous file untouched. `-` writes
    to standard output. `make_folders` creates missing folders and says an OS
    refusal in one line (`output_file`). Returns the number of documents written.
    """
    if str(path) == "-":
        n = 0
        for doc in docs:
            sys.stdout.write(dumps(doc) + "\n")
            n += 1
        sys.stdout.flush()
        return n
    n = 0
    with (output_file if make_folders else atomic_path)(path) as tmp, \
            open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for doc in docs:
            fh.write(dumps(doc) + "\n")
            n += 1
    return n


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temp file beside `path` to write into; renamed onto `path` when the block succeeds, removed otherwise.

    The rename is atomic, so readers see the old file or the whole new one. The file keeps the mode of the
    one it replaces (0644 for a new one).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DataError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def prepare_output(path: str | Path, inputs: Iterable[str | Path] = (), folder_ok: bool = False) -> None:
    """Refuse, before any work is done, an output that is one of the inputs or that cannot be written
    (a folder only where `folder_ok`: an output of shards).

    Missing folders are not created here (a run that fails later leaves nothing behind); the nearest
    existing one is probed with a real temp file, since os.access says yes to root on a read-only mount.
    """
    if str(path) == "-":
        return
    path = Path(path)
    if path.is_dir() and not folder_ok:
        raise DataError(f"{path}: is a folder; give a file name such as out.jsonl")
    if path.is_file():
        for p in inputs:
            if str(p) != "-" and Path(p).exists() and os.path.samefile(path, p):
                raise DataError(f"{path}: the output is one of the inputs; write to another file")
    folder = path if path.is_dir() else path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise DataError(f"cannot write {path}: {folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".quotes-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise DataError(f"cannot write {path}: {(e.strerror or str(e)).lower()}") from None


@contextmanager
def output_file(path: str | Path) -> Iterator[Path]:
    """`atomic_path` that creates missing folders and turns an OS refusal into one line for the user."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            yield tmp
    except OSError as e:
        if e.errno is None:
            raise
        raise DataError(f"cannot write {path}: {(e.strerror or str(e)).lower()}") from None
