"""quotes: French quote attribution and stance annotation for scraped news pages."""

from .version import __version__  # noqa: F401


def annotate(text: str, doc_id: str = "text"):
    """Quotes of one French text as a `Document` (loads the pipeline on first use)."""
    from .pipeline import annotate as _annotate

    return _annotate(text, doc_id)
