"""Running `quotes annotate` over many documents: resumable chunked runs (`chunks`), a Ray cluster
(`cluster`). Both take the pipeline as it is; nothing here changes what a document's output is."""
