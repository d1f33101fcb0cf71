"""quotes: French quote attribution and stance annotation for scraped news pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Union

from .version import __version__  # noqa: F401

if TYPE_CHECKING:
    from .document import Document

    Item = Union[str, tuple[str, str], Document]

BATCH_SIZE = 32


def annotate(texts: "Item | Iterable[Item]", doc_id: str = "text", *, batch_size: int = BATCH_SIZE,
             decider: str = "rules", model_dir: str | None = None) -> "Document | Iterator[Document]":
    """Quotes of French texts, with the pipeline loaded once per process and per decider.

    A str (or a Document) gives one `Document`. Any other iterable of texts, `(text, id)` pairs or
    Documents gives an iterator that reads `batch_size` items at a time, parses them together and
    yields their Documents in order, like spaCy's `nlp.pipe`: nothing is read before the first
    result is asked for. Texts without an id are numbered `{doc_id}-0`, `{doc_id}-1`, ...
    `decider="model"` (optionally `model_dir=`) uses the fine-tuned encoder instead of the rules.
    """
    from .document import Document, QuotesError
    from .pipeline import load_pipeline

    if not isinstance(batch_size, int) or batch_size < 1:
        raise QuotesError(f"batch_size must be a positive integer, not {batch_size!r}")
    if isinstance(texts, (bytes, bytearray)):
        raise QuotesError("annotate() takes text (str), not bytes: decode it first")
    single = isinstance(texts, (str, Document))
    if not single and not isinstance(texts, Iterable):
        raise QuotesError(f"annotate() takes a text, a Document or an iterable of them, not {type(texts).__name__}")
    pipeline = load_pipeline(decider, model_dir)
    if single:
        doc = texts if isinstance(texts, Document) else Document(doc_id, texts)
        return next(_stream(pipeline, [doc], doc_id, 1))
    return _stream(pipeline, texts, doc_id, batch_size)


def _stream(pipeline, items: Iterable, doc_id: str, batch_size: int) -> Iterator["Document"]:
    numbered = enumerate(items)
    while batch := [_as_document(i, x, doc_id) for i, x in islice(numbered, batch_size)]:
        regions = [pipeline.regions(d.text) for d in batch]
        # one nlp.pipe over the whole batch's article regions: spaCy batches them as it does texts
        parses = iter(pipeline.nlp.pipe([d.text[s:e] for d, rs in zip(batch, regions) for s, e in rs],
                                        batch_size=max(batch_size, 1)))
        for d, rs in zip(batch, regions):
            yield pipeline._finish(d, [(s, next(parses)) for s, _ in rs])


def _as_document(i: int, item, doc_id: str) -> "Document":
    from .document import Document, QuotesError

    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(f"{doc_id}-{i}", item)
    if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
        return Document(str(item[1]), item[0])
    raise QuotesError(f"annotate(): item {i} is a {type(item).__name__}; expected a text, a (text, id) pair "
                      "or a Document")
