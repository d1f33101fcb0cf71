"""Files, folders, standard input and HTML pages → `Document`s.

Plain text is kept exactly as read (no newline conversion, nothing stripped),
because every offset in the output points into it. HTML goes through
trafilatura, with three of its defaults undone: it drops the title, the
standfirst and figure captions, keeps reader comments, and turns no-break
spaces into plain ones (which French typography puts inside « »).
"""

from __future__ import annotations

import codecs
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..document import Document, QuotesError
from .tables import PARQUET_SUFFIXES, is_table, read_table

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
DEFAULT_MAX_BYTES = 5_000_000  # a news article is a few dozen KB; 5 MB is never one article

# trafilatura strips private-use and format characters, so the no-break spaces
# travel through it as visible tokens that no page contains.
_NBSP_TOKENS = {"\u00a0": "⁅0⁆", "\u202f": "⁅1⁆", "\u2007": "⁅2⁆"}
_ENTITY_NBSP = re.compile(r"&(?:nbsp|#160|#x0*a0|#8239|#x202f|NoBreak);", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STANDFIRST_CLASS = re.compile(
    r"chapo|chapeau|standfirst|lead|lede|intro|summary|excerpt|subtitle|subheadline|description",
    re.I,
)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ReadReport:
    """What happened to each input, so the CLI can say it in one line per file."""

    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_UTF_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
             (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, name: str, warn: Callable[[str], None]) -> str:
    # UTF-16/32 text is full of NUL bytes: its BOM must be read before the binary test. UTF-32 first,
    # since its little-endian BOM begins with UTF-16's.
    for bom, codec in _UTF_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)  # the codec reads the BOM and drops it
            except UnicodeDecodeError as e:
                raise QuotesError(f"{name}: starts with a {codec.upper()} byte order mark but is not "
                                  f"{codec.upper()} text (bad bytes at {e.start})") from None
    if b"\x00" in data[:8192]:
        raise QuotesError(f"{name}: looks like binary data, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        # The BOM is not part of the article; keeping it would shift nothing but
        # would show up as a stray character in spans at offset 0.
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise QuotesError(f"{name}: not UTF-8 text (bad byte at {e.start}) and not cp1252 either") from None
        warn(f"{name}: not valid UTF-8 (bad byte at offset {e.start}); read as cp1252")
        return text


def looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|article|p|div)\b", head[:500]))


def _promote_hidden_parts(tree) -> None:
    """Make trafilatura keep captions and standfirsts: it drops <figure> and some 'lead' blocks."""
    for fig in tree.iter("figure"):
        fig.tag = "div"
    for cap in tree.iter("figcaption"):
        cap.tag = "p"
    for img in list(tree.iter("img", "picture", "svg")):
        if img.getparent() is not None:
            img.drop_tree()


def _standfirsts(tree) -> list[str]:
    out = []
    for el in tree.iter():
        cls = " ".join(str(el.get(a) or "") for a in ("class", "id", "itemprop"))
        if el.tag in ("p", "div", "h2", "span") and _STANDFIRST_CLASS.search(cls):
            txt = " ".join(el.text_content().split())
            if 30 <= len(txt) <= 600 and txt not in out:
                out.append(txt)
    return out[:1]


def extract_html(html: str) -> str:
    """The article's text from an HTML page: title, standfirst, captions and body, no comments."""
    return extract_article(html)[0]


def extract_article(html: str) -> tuple[str, dict]:
    """The article's text (as `extract_html`) and its metadata: the META_KEYS trafilatura found."""
    from lxml import etree
    from lxml import html as lxml_html

    marked = _ENTITY_NBSP.sub(lambda m: "⁅1⁆" if "202f" in m.group().lower() or "8239" in m.group() else "⁅0⁆", html)
    for ch, tok in _NBSP_TOKENS.items():
        marked = marked.replace(ch, tok)
    # Control characters are not text, and lxml refuses some of them outright.
    marked = _CONTROL.sub("", marked)
    try:
        tree = lxml_html.document_fromstring(marked)
    except (etree.ParserError, ValueError) as e:
        raise QuotesError(f"cannot parse HTML ({e})") from None
    try:
        return _extract_tree(tree)
    except (etree.ParserError, ValueError) as e:
        raise QuotesError(f"cannot extract text from the HTML ({e})") from None


def _extract_tree(tree) -> tuple[str, dict]:
    import trafilatura
    from lxml import html as lxml_html
    from trafilatura.settings import set_date_params

    _promote_hidden_parts(tree)
    standfirsts = _standfirsts(tree)
    prepared = lxml_html.tostring(tree, encoding="unicode")
    doc = trafilatura.bare_extraction(
        prepared,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        favor_recall=True,
        with_metadata=True,
        # no extensive search: it takes a footer's `© 2024` for the date 2024-01-01
        date_extraction_params=set_date_params(extensive=False),
    )
    body = (doc.text if doc is not None else "") or ""
    title = (doc.title if doc is not None else "") or ""
    parts = []
    flat_body = " ".join(body.split())
    if title and " ".join(title.split()) not in flat_body[: len(title) + 200]:
        parts.append(title.strip())
    for sf in standfirsts:
        if " ".join(sf.split()) not in flat_body:
            parts.append(sf)
    parts.append(body.strip())
    text = "\n\n".join(p for p in parts if p)
    for ch, tok in _NBSP_TOKENS.items():
        text = text.replace(tok, ch)
    return text, _metadata(doc)


def _metadata(doc) -> dict:
    found = {key: getattr(doc, attr, None) for key, attr in
             (("title", "title"), ("date", "date"), ("site", "sitename"), ("author", "author"), ("url", "url"))}
    out = {}
    for key, value in found.items():
        if isinstance(value, str):
            for ch, tok in _NBSP_TOKENS.items():
                value = value.replace(tok, ch)
            value = " ".join(value.split())
            if value:
                out[key] = value
    return out


def read_text_source(data: bytes, name: str, is_html: bool | None, warn: Callable[[str], None]) -> Document:
    text = decode(data, name, warn)
    if is_html is None:
        is_html = looks_like_html(text)
    stem = Path(name).stem if name != "<stdin>" else "stdin"
    if is_html:
        extracted, meta = extract_article(text)
        if not extracted.strip():
            raise QuotesError(f"{name}: no article text found in the HTML")
        extra = {"source": name, "format": "html"}
        if meta:
            extra["meta"] = meta
        return Document(stem, extracted, extra=extra)
    if not text.strip():
        raise QuotesError(f"{name}: empty file")
    return Document(stem, text, extra={"source": name, "format": "txt"})


def expand(paths: list[str]) -> tuple[list[Path | str], list[Skipped]]:
    """Inputs in a stable order: folders are walked recursively for .txt and .html files."""
    files: list[Path | str] = []
    skipped: list[Skipped] = []
    for p in paths:
        if p == "-":
            files.append("-")
            continue
        path = Path(p)
        if is_table(path):
            files.append(path)  # a Parquet file or a saved dataset: its rows are read in read_inputs
        elif path.is_dir():
            found = sorted(
                f for f in path.rglob("*")
                if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | PARQUET_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
            if not found:
                skipped.append(Skipped(p, "folder has no .txt, .html or .parquet file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            skipped.append(Skipped(p, "not a regular file"))
        else:
            skipped.append(Skipped(p, "no such file or folder"))
    return files, skipped


def read_inputs(
    paths: list[str],
    report: ReadReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    text_column: str = "text",
    id_column: str = "id",
) -> Iterator[Document]:
    """Documents from files, folders (recursive) and `-` (standard input).

    An input that cannot be read is recorded in `report.skipped` (and logged)
    and the others go on; the caller decides whether that is fatal.
    """
    report = report if report is not None else ReadReport()
    files, skipped = expand(paths)
    for s in skipped:
        report.skipped.append(s)
        log.debug("skipped %s: %s", s.path, s.reason)

    def warn(msg: str) -> None:
        report.warnings.append(msg)
        log.debug("%s", msg)

    def documents():
        for f in files:
            if f != "-" and is_table(f):
                # A table's error (a missing column, not Parquet) concerns all its rows: fatal, one line.
                yield from read_table(f, text_column, id_column)
                continue
            name = "<stdin>" if f == "-" else str(f)
            try:
                yield read_file(f, max_bytes, warn)
            except (QuotesError, OSError) as e:
                report.skipped.append(skipped_for(name, e))
                log.debug("skipped %s: %s", name, e)

    yield from unique_ids(documents(), warn)


def skipped_for(name: str, e: Exception) -> Skipped:
    if isinstance(e, QuotesError):
        return Skipped(name, str(e).removeprefix(f"{name}: "))
    return Skipped(name, getattr(e, "strerror", None) or str(e))


def unique_ids(docs: Iterable[Document], warn: Callable[[str], None]) -> Iterator[Document]:
    """Two inputs with one id would collide in the output and in Label Studio: the later one is renamed
    after its folder (`FOLDER__STEM`, then `__2`, …), in input order, with a warning."""
    seen: dict[str, str] = {}
    for doc in docs:
        name = str(doc.extra.get("source", doc.id))
        if doc.id in seen:
            first = seen[doc.id]
            parent = Path(name).parent.name
            new_id = f"{parent}__{doc.id}" if parent else doc.id
            n = 2
            while new_id in seen:
                new_id = f"{parent + '__' if parent else ''}{doc.id}__{n}"
                n += 1
            doc.id = new_id
            warn(f"{name}: id already used by {first}; using {doc.id!r}")
        seen[doc.id] = name
        yield doc


def read_file(f: Path | str, max_bytes: int, warn: Callable[[str], None]) -> Document:
    """One text or HTML file (or `-`, standard input) as a document; QuotesError or OSError when it cannot be."""
    return _read_file(f, "<stdin>" if f == "-" else str(f), max_bytes, warn)


def _read_file(f: Path | str, name: str, max_bytes: int, warn: Callable[[str], None]) -> Document:
    if f == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        is_html = None
    else:
        size = f.stat().st_size
        if size > max_bytes:
            raise QuotesError(f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit "
                              "for one article (raise it with --max-bytes)")
        data = f.read_bytes()
        suffix = f.suffix.lower()
        is_html = True if suffix in HTML_SUFFIXES else None if suffix not in TEXT_SUFFIXES else False
    if len(data) > max_bytes:
        raise QuotesError(f"{name}: over the {max_bytes / 1e6:g} MB limit for one article")
    return read_text_source(data, name, is_html, warn)
