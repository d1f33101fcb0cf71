"""The rule layer: text → article regions → proposals → candidate speakers.

Stages, in the order the pipeline runs them: `scope` (the article's regions of a
page), `marks` (quotation marks), `cues` (reporting cues, a spaCy Matcher over
`data/cues.tsv`), `extract` (quote proposals), `speakers` (candidate mentions),
`names` (resolving a mention to the article's name for it), `stance` (the lexicon
baseline). Word lists live once under `data/`. Nothing here imports the
pipeline, the model, the corpus tools, the studio or the CLI.
"""
