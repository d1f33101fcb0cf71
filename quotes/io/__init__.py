"""Reading and writing: files, folders, standard input and HTML pages in; the scheme's JSONL out.

`read` turns whatever the user points at into `Document`s (HTML through
trafilatura), reporting what it skipped; the JSONL itself lives with the
`Document` in `quotes.document`.
"""
