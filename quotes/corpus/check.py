"""`quotes corpus check`: JSONL files validated against the annotation scheme
(docs/annotation-scheme.md), one `FILE:LINE: doc ID: problem` line per problem."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..document import DataError, Document, QuotesError, read_jsonl

_MARK_PAIRS = (("«", "»"), ("“", "”"), ("„", "“"), ("‹", "›"), ('"', '"'))


def _has_outer_marks(t: str) -> bool:
    """A direct quote's span that starts or ends with one of its own marks.

    An inner mark at an edge (`… entend “Assab”`) is content: its partner is in
    the span. A mark whose partner is missing, or a span that is one quoted
    unit from edge to edge (`« Non »`), is not.
    """
    if not t:
        return False
    for op, cl in _MARK_PAIRS:
        n_op, n_cl = (t.count(op) // 2, t.count(op) // 2) if op == cl else (t.count(op), t.count(cl))
        unbalanced = (t.count(op) % 2 == 1) if op == cl else n_op != n_cl
        if (t[0] == op or t[-1] == cl) and unbalanced:
            return True
        if t[0] == op and t[-1] == cl and len(t) > 1 and n_op == 1 and n_cl == 1:
            return True
    return False

# -- check ----------------------------------------------------------------------------------


def doc_problems(doc: Document) -> list[str]:
    """Document.problems() plus the scheme's rules on span edges and empty names."""
    out = doc.problems()
    for i, q in enumerate(doc.quotes):
        where = f"quote {i} ({q.start}-{q.end})"
        if q.text != q.text.strip():
            out.append(f"{where}: span starts or ends with a space")
        if q.type == "direct" and _has_outer_marks(q.text.strip()):
            out.append(f"{where}: direct quote span includes its quotation marks")
        for what, s in (("cue", q.cue), ("speaker", q.speaker)):
            if s is not None and s.start >= s.end:
                out.append(f"{where} {what}: empty span")
            elif s is not None and s.text != s.text.strip():
                out.append(f"{where} {what}: span starts or ends with a space")
        names = q.speaker_name if isinstance(q.speaker_name, list) else [q.speaker_name]
        if q.speaker_name == [] or any(isinstance(n, str) and not n.strip() for n in names):
            out.append(f"{where}: empty speaker_name (null when there is none)")
    return out


def _raw_problems(d) -> list[str]:
    """Shape errors that would make Document.from_dict or problems() choke or silently coerce."""
    if not isinstance(d, dict):
        return ["not a JSON object"]
    out = [f"missing field {k!r}" for k in ("id", "text") if k not in d]
    if "id" in d and (not isinstance(d["id"], str) or not d["id"]):
        out.append("id must be a non-empty string")
    if "text" in d and not isinstance(d["text"], str):
        out.append("text must be a string")
    quotes = d.get("quotes", [])
    if not isinstance(quotes, list):
        return out + ["quotes must be a list"]

    def offsets(where: str, s) -> None:
        for k in ("start", "end"):
            if not isinstance(s.get(k), int) or isinstance(s.get(k), bool):
                out.append(f"{where}: {k} must be an integer, got {s.get(k)!r}")

    for i, q in enumerate(quotes):
        if not isinstance(q, dict):
            out.append(f"quote {i}: not a JSON object")
            continue
        offsets(f"quote {i}", q)
        for k in ("cue", "speaker"):
            if q.get(k) is not None:
                if isinstance(q[k], dict):
                    offsets(f"quote {i} {k}", q[k])
                else:
                    out.append(f"quote {i}: {k} must be an object or null")
        if q.get("confidence") is not None and not isinstance(q["confidence"], dict):
            out.append(f"quote {i}: confidence must be an object")
    return out


def jsonl_files(paths: list[str]) -> list[Path]:
    """Files as given, folders' `*.jsonl` (not recursive); QuotesError for what cannot be read."""
    files = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise QuotesError(f"{p}: no .jsonl file in this folder")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise QuotesError(f"{p}: no such file or folder")
    return files


def _lines(path: Path) -> list[str]:
    try:
        data = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QuotesError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise QuotesError(f"{path}: cannot read ({e.strerror})") from None
    # Split on \n only: JSON written with ensure_ascii=False may hold U+2028 inside strings.
    return data.split("\n")


def check(paths: list[str], out=None) -> int:
    out = out or sys.stdout
    files = jsonl_files(paths)
    contents = [(f, _lines(f)) for f in files]  # every file readable before any output
    seen: dict[str, str] = {}
    n_docs = n_quotes = n_problems = 0
    bad_docs = set()
    for f, lines in contents:
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{f}:{lineno}"
            problems: list[str] = []
            doc_id = "?"
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                d, problems = None, [f"not valid JSON ({e.msg}, column {e.colno})"]
            if d is not None:
                problems = _raw_problems(d)
                if isinstance(d, dict) and isinstance(d.get("id"), str):
                    doc_id = d["id"]
                if not problems:
                    try:
                        doc = Document.from_dict(d)
                        problems = doc_problems(doc)
                        n_quotes += len(doc.quotes)
                    except DataError as e:
                        problems = [str(e)]
            n_docs += 1
            if doc_id != "?":
                if doc_id in seen:
                    problems.append(f"duplicate id (first at {seen[doc_id]})")
                else:
                    seen[doc_id] = where
            for p in problems:
                print(f"{where}: doc {doc_id}: {p}", file=out)
            if problems:
                n_problems += len(problems)
                bad_docs.add(where)
    verdict = (f"{n_problems} problem{'s' * (n_problems > 1)} in {len(bad_docs)} "
               f"document{'s' * (len(bad_docs) > 1)}") if n_problems else "no problems"
    print(f"checked {len(files)} files, {n_docs} documents, {n_quotes} quotes: {verdict}", file=out)
    return 1 if n_problems else 0


# -- stats ----------------------------------------------------------------------------------
