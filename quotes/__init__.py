"""quotes: French quote attribution and stance annotation for scraped news pages."""

__version__ = "0.1.0"


def annotate(text: str, doc_id: str = "text"):
    """Quotes of one French text as a `Document` (loads the pipeline on first use)."""
    from .pipeline import annotate as _annotate

    return _annotate(text, doc_id)
