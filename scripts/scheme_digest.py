"""The annotation scheme's statements, for the test that keeps docs/annotation-scheme.md in step with the contract.

The contract is ../shared/spec/annotation-scheme.md (outside the repository; a clone does not have
it). The project's copy, docs/annotation-scheme.md, must keep every heading, sentence and code block
of the contract, normalised (whitespace, typographic quotes outside code, link targets, emphasis);
it may add text. Where the contract points at files a clone lacks, the copy words the statement
for the repository: ADAPTED lists those statements and their wording in the copy.

tests/data/scheme-digest.json holds a hash of each normalised contract statement, so that the test
still catches a dropped or changed statement where the contract is absent. After the contract
changes, update the copy, then regenerate the digest:

    .venv/bin/python scripts/scheme_digest.py           # rewrite tests/data/scheme-digest.json
    .venv/bin/python scripts/scheme_digest.py --check   # exit 1 when the digest is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO.parent / "shared" / "spec" / "annotation-scheme.md"
COPY = REPO / "docs" / "annotation-scheme.md"
DIGEST = REPO / "tests" / "data" / "scheme-digest.json"

# contract statement -> its wording in the project copy (both normalised), where the contract names shared/ files
ADAPTED = {
    "A document is one article as the user has it: a plain-text scrape of a web page (menus, share buttons, "
    "teasers of other articles and reader comments included, as in `shared/samples/*.txt`), or an HTML page.":
    "A document is one article as the user has it: a plain-text scrape of a web page (menus, share buttons, "
    "teasers of other articles and reader comments included, as in the pages of `annotations/pages/`), "
    "or an HTML page.",
    "`../samples/gold.jsonl` annotates the five scraped pages in `../samples/` by this scheme: a worked example "
    "of every rule above, and a first dev set.":
    "The project's corpus (`annotations/`, datasheet in `annotations/README.md`) is annotated by this scheme; "
    "a system is judged on unseen articles of the same kind.",
    "It is small; a system is judged on unseen articles of the same kind.":
    "The project's corpus (`annotations/`, datasheet in `annotations/README.md`) is annotated by this scheme; "
    "a system is judged on unseen articles of the same kind.",
}

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'})
_CODE_SPACE = "\x00"  # a space inside a code span never ends a sentence (`M. Zakharova`)
# a sentence ends at . ! ? before a space and a capital, a code span, a mark or a parenthesis
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý`\"'«(])")


def _inline(token) -> str:
    """An inline token's text without markup: link targets and emphasis dropped, code spans kept as written."""
    out = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content.translate(_QUOTES))
        elif child.type == "code_inline":
            out.append("`" + child.content.replace(" ", _CODE_SPACE) + "`")
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content.translate(_QUOTES))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def statements(markdown: str) -> list[tuple[str, str]]:
    """(section, statement) for every heading, sentence and code block of a markdown text, in order."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    section, out = "", []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            section = f"{tok.markup} {_inline(tokens[i + 1])}"
            out.append((section, section))
        elif tok.type == "paragraph_open":
            sentences = _SENTENCE_END.split(_inline(tokens[i + 1]))
            out += [(section, s.replace(_CODE_SPACE, " ")) for s in sentences if s]
        elif tok.type in ("fence", "code_block"):
            out.append((section, re.sub(r"\s+", " ", tok.content).strip()))
    return out


def statement_hash(statement: str) -> str:
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()[:20]


def digest(markdown: str) -> dict:
    return {"contract": "../shared/spec/annotation-scheme.md",
            "regenerate": "python scripts/scheme_digest.py",
            "statements": [{"section": sec, "sha256": statement_hash(s)} for sec, s in statements(markdown)]}


def missing_from_copy(contract: list[tuple[str, str]] | list[dict], copy_markdown: str) -> list[str]:
    """The contract statements (from its text, or the digest's entries) that the copy lacks, as readable lines."""
    have = {s for _, s in statements(copy_markdown)}
    have_hashes = {statement_hash(s) for s in have}
    adapted = {statement_hash(c): p for c, p in ADAPTED.items()}
    lost = []
    for n, entry in enumerate(contract, 1):
        if isinstance(entry, dict):
            section, key, shown = entry["section"], entry["sha256"], f"statement {n} (sha256 {entry['sha256']})"
            present = key in have_hashes
        else:
            section, text = entry
            key, shown, present = statement_hash(text), repr(text), text in have
        if present:
            continue
        if key in adapted:
            if adapted[key] not in have:
                lost.append(f"{section}: the copy's wording of {shown} is gone: {adapted[key]!r}")
            continue
        lost.append(f"{section}: {shown}")
    return lost


def stale_adaptations(contract_markdown: str) -> list[str]:
    """ADAPTED entries whose contract statement the contract no longer has."""
    have = {s for _, s in statements(contract_markdown)}
    return [c for c in ADAPTED if c not in have]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the stored digest does not match the contract")
    args = ap.parse_args(argv)
    if not CONTRACT.is_file():
        print(f"scheme_digest: {CONTRACT} is not here; the digest can only be made beside the contract",
              file=sys.stderr)
        return 2
    fresh = digest(CONTRACT.read_text("utf-8"))
    if args.check:
        stored = json.loads(DIGEST.read_text("utf-8")) if DIGEST.is_file() else None
        if stored != fresh:
            print(f"scheme_digest: {DIGEST.relative_to(REPO)} is stale; run python scripts/scheme_digest.py",
                  file=sys.stderr)
            return 1
        return 0
    fd, tmp = tempfile.mkstemp(dir=DIGEST.parent, suffix=".tmp")
    head = {k: v for k, v in fresh.items() if k != "statements"}
    lines = [json.dumps(e, ensure_ascii=False) for e in fresh["statements"]]
    with os.fdopen(fd, "w", encoding="utf-8") as f:  # one statement a line: a contract change reads as a diff
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ',\n "statements": [\n  ' + ",\n  ".join(lines) + "\n]}\n")
    os.replace(tmp, DIGEST)
    print(f"{DIGEST.relative_to(REPO)}: {len(fresh['statements'])} statements of {CONTRACT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
