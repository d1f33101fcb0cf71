"""`quotes corpus build`: compile `annotations/src/<batch>/*` into the split JSONL files.

Every batch folder under `--src` (all but `example/`) is compiled with
`quotes.corpus.markup` (an `.html` source over the text that `quotes annotate`
extracts, see `markup.compile_html`). The documents are split by document,
70/15/15, with no randomness:

1. each document gets a stable hash of its id (sha256 → [0, 1));
2. inside its batch, documents are ranked by that hash and get the position
   (rank + 0.5) / batch size, so every batch spreads evenly over the splits;
3. all documents are sorted by (position, hash) and cut into train, dev, test
   with counts of 70/15/15 % of the total (largest remainders).

A batch may carry its own shares in `<batch>/splits.json`
(`{"train": 0.8, "dev": 0.2}`): the batches that share a policy are split
together by the same steps, apart from the others. Adding such a batch
therefore moves no document of the default batches (the test split stays
comparable); it can move a document of an earlier batch of its own policy
between that policy's splits, since they are cut together.

Outputs, under `--out`: `train.jsonl`, `dev.jsonl`, `test.jsonl` (atomic
writes), `pages/<id>.txt` (each txt document's page, exactly its `text`) and
`html/<id>.html` (each html source without its markers), so that
`quotes annotate annotations/pages annotations/html` sees the pages as a user
has them. Stale `.txt` / `.html` files in `pages/` and `html/` are removed.
Nothing is written when a source has a problem, unless `--skip-bad`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from ..document import DataError, Document, QuotesError, write_jsonl

SPLITS = (("train", 0.70), ("dev", 0.15), ("test", 0.15))
SKIP_BATCHES = {"example"}
SUFFIXES = {".txt": "txt", ".html": "html"}
ID_RE = re.compile(r"[a-z0-9_]+")


def source_files(src: Path) -> list[Path]:
    """Source files of every batch folder (sorted), skipping `example/` and hidden names."""
    if not src.is_dir():
        raise QuotesError(f"{src}: no such folder")
    files = []
    for batch in sorted(p for p in src.iterdir() if p.is_dir()):
        if batch.name in SKIP_BATCHES or batch.name.startswith("."):
            continue
        files += sorted(f for f in batch.rglob("*") if f.is_file() and f.suffix in SUFFIXES
                        and not any(part.startswith(".") for part in f.relative_to(batch).parts))
    if not files:
        raise QuotesError(f"{src}: no .txt or .html source in any batch folder")
    return files


def compile_source(path: Path, label: str) -> tuple[Document, str]:
    """(Document with source/format in extra, the page as a user has it)."""
    from . import markup

    fmt = SUFFIXES[path.suffix]
    try:
        source = path.read_text(encoding="utf-8")
        if fmt == "html":
            from ..io.read import extract_html

            doc, page = markup.compile_html(path.stem, source, extract_html)
        else:
            doc = markup.to_document(path.stem, markup.parse(source))
            page = doc.text
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text") from None
    doc.extra.update(source=label, format=fmt)
    return doc, page


def _hash(doc_id: str) -> float:
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big") / 2**64


def batch_splits(folder: Path) -> tuple[tuple[str, float], ...]:
    """A batch's split shares: its `splits.json`, else the default 70/15/15."""
    path = folder / "splits.json"
    if not path.is_file():
        return SPLITS
    try:
        shares = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a JSON object of split shares ({e})") from None
    names = [n for n, _ in SPLITS]
    if (not isinstance(shares, dict) or not shares or set(shares) - set(names)
            or not all(isinstance(v, (int, float)) and v >= 0 for v in shares.values())
            or abs(sum(shares.values()) - 1) > 1e-6):
        raise DataError(f"{path}: expected shares of {', '.join(names)} summing to 1, got {shares!r}")
    return tuple((n, float(shares.get(n, 0.0))) for n in names)


def assign_splits(batches: dict[str, list[str]],
                  splits: tuple[tuple[str, float], ...] = SPLITS) -> dict[str, str]:
    """doc id → split name, by the procedure in the module docstring."""
    keyed = []
    for ids in batches.values():
        ranked = sorted(ids, key=lambda i: (_hash(i), i))
        keyed += [((r + 0.5) / len(ranked), _hash(i), i) for r, i in enumerate(ranked)]
    keyed.sort()
    n = len(keyed)
    counts = [int(share * n) for _, share in splits]
    by_remainder = sorted(range(len(splits)), key=lambda k: -(splits[k][1] * n - counts[k]))
    for k in by_remainder[: n - sum(counts)]:
        counts[k] += 1
    out, i = {}, 0
    for (name, _), c in zip(splits, counts):
        for _, _, doc_id in keyed[i:i + c]:
            out[doc_id] = name
        i += c
    return out


def _sync_folder(folder: Path, pages: dict[str, str], suffix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"*{suffix}"):
        if old.stem not in pages:
            old.unlink()
    for doc_id, page in pages.items():
        path = folder / f"{doc_id}{suffix}"
        tmp = folder / f".{doc_id}{suffix}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as fh:  # byte-exact: offsets point into it
            fh.write(page)
        os.replace(tmp, path)


def build(src: Path, out: Path, skip_bad: bool = False, err=None) -> int:
    err = err or sys.stderr
    from .check import doc_problems

    files = source_files(src)
    docs: dict[str, Document] = {}
    pages: dict[str, tuple[str, str]] = {}
    batch_of: dict[str, str] = {}
    bad = 0
    for path in files:
        rel = path.relative_to(src)
        label = (src / rel).as_posix()
        problems = []
        if not ID_RE.fullmatch(path.stem):
            problems.append(f"id {path.stem!r} is not lowercase ASCII letters, digits and '_'")
        if path.stem in docs:
            problems.append(f"id {path.stem!r} already used by {docs[path.stem].extra['source']}")
        doc = None
        if not problems:
            try:
                doc, page = compile_source(path, label)
                problems += doc_problems(doc)
            except QuotesError as e:
                problems.append(str(e))
        if problems:
            bad += 1
            for p in problems:
                print(f"{label}: {p}", file=err)
            continue
        docs[doc.id] = doc
        pages[doc.id] = (doc.extra["format"], page)
        batch_of[doc.id] = rel.parts[0]
    if bad and not skip_bad:
        print(f"{bad} of {len(files)} source files have problems; nothing written "
              "(--skip-bad builds from the others)", file=err)
        return 1
    by_policy: dict[tuple, dict[str, list[str]]] = {}
    for doc_id, batch in batch_of.items():
        by_policy.setdefault(batch_splits(src / batch), {}).setdefault(batch, []).append(doc_id)
    split_of: dict[str, str] = {}
    for policy, batches in sorted(by_policy.items()):
        split_of.update(assign_splits(batches, policy))
    out.mkdir(parents=True, exist_ok=True)
    summary = []
    for name, _ in SPLITS:
        chosen = [docs[i] for i in sorted(docs) if split_of[i] == name]
        for d in chosen:
            d.extra["split"] = name
        write_jsonl(chosen, out / f"{name}.jsonl")
        summary.append(f"{name} {len(chosen)} docs / {sum(len(d.quotes) for d in chosen)} quotes")
    _sync_folder(out / "pages", {i: p for i, (f, p) in pages.items() if f == "txt"}, ".txt")
    _sync_folder(out / "html", {i: p for i, (f, p) in pages.items() if f == "html"}, ".html")
    print(f"built {len(docs)} documents from {src} into {out}: " + ", ".join(summary))
    if bad:
        print(f"{bad} of {len(files)} source files skipped (see above)", file=err)
        return 1
    return 0
