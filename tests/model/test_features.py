"""What the encoder is given: candidates, labels from gold, windows and their token marks."""

from __future__ import annotations

import pytest

from quotes.document import Document, Quote, Span
from quotes.model.data import GAP, prepare, row
from quotes.model.features import N_FEATURES, QuoteInput, Candidate, Window, attach_gold
from quotes.pipeline import load_pipeline

TEXT = ("Le ministre des Affaires étrangères, Paul Dumont, a déclaré mardi : « Nous ne céderons pas. » "
        "Selon Marie Laurent, porte-parole de l'opposition, « le dialogue reste possible ». "
        "Elle a ajouté que les négociations reprendraient lundi.")


@pytest.fixture(scope="module")
def prep():
    return prepare(load_pipeline("rules"), Document("t", TEXT))


def test_every_proposal_has_the_rule_choice_first_and_no_speaker_last(prep):
    assert len(prep.inputs) == len(prep.items) >= 2
    for q in prep.inputs:
        assert q.candidates[-1].name is None and q.candidates[-1].source == "none"
        names = [c.name for c in q.candidates if c.name]
        assert len(names) == len(set(names))  # one candidate per resolved name
        if q.candidates[0].name:
            assert q.candidates[0].rule_choice


def test_later_quotes_offer_the_previous_speaker(prep):
    last = prep.inputs[-1]
    assert any(c.source == "previous" or c.name == "Marie Laurent" for c in last.candidates)


def test_gold_labels_point_at_the_gold_candidate(prep):
    q1 = TEXT.index("« Nous")
    q1e = TEXT.index("»", q1) + 1
    gold = Document("t", TEXT, [Quote(q1, q1e, TEXT[q1:q1e], "direct", speaker_name="Paul Dumont",
                                      stance="escalation")])
    n = attach_gold(gold, prep.inputs)
    assert n == 1
    hit = [q for q in prep.inputs if q.stance_label != -100]
    assert len(hit) == 1 and hit[0].stance_label == 0
    assert hit[0].candidates[hit[0].speaker_label].name == "Paul Dumont"


def test_window_marks_quote_and_mentions(prep):
    q = prep.inputs[0]
    r = row(TEXT, q)
    s, e = r["quote"]
    assert r["text"][s:e] == TEXT[q.start:q.end]
    for c, (cs, ce) in zip(q.candidates, r["cand_spans"]):
        if c.mention is not None and cs >= 0:
            assert r["text"][cs:ce] == TEXT[c.mention.start:c.mention.end]
    assert all(len(f) == N_FEATURES for f in r["cand_feats"])


def test_long_quote_keeps_head_and_tail_in_view():
    body = "« " + " ".join(f"mot{i}" for i in range(400)) + " »"
    text = "Jean Martin a dit : " + body + ", a-t-il conclu."
    start = text.index("«")
    end = text.index("»") + 1
    assert end - start > Window().long_quote
    q = QuoteInput(start, end, (0, len(text)), [Candidate("Jean Martin", None, "before", "name", True)])
    r = row(text, q)
    assert GAP in r["text"] and r["text"].endswith(", a-t-il conclu.")
    s, e = r["quote"]
    assert r["text"][s:s + 10] == text[start:start + 10] and r["text"][e - 5:e] == text[end - 5:end]
    assert len(r["text"]) < len(text)


def test_tokenize_flags_quote_tokens_only_inside_the_quote(prep):
    from quotes.model.data import tokenize
    from quotes.model.network import MENTION, QUOTE

    class Tok:  # a whitespace tokenizer with offsets: enough to check the char→token mapping
        def __call__(self, text, **kw):
            import re

            spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
            return {"input_ids": list(range(len(spans))), "offset_mapping": spans}

    r = row(TEXT, prep.inputs[0])
    t = tokenize(r, Tok())
    words = r["text"].split()
    quoted = [w for w, m in zip(words, t["marks"]) if m == QUOTE]
    qs, qe = r["quote"]
    assert quoted == r["text"][qs:qe].split()
    for (a, b), cand in zip(t["cand_tok_spans"], r["cand_spans"]):
        if cand[0] >= 0:
            assert a < b and all(m in (MENTION, QUOTE) for m in t["marks"][a:b])
