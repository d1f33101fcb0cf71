"""The scheme's data model and JSON Lines format (quotes.document)."""

from __future__ import annotations

import json
import os

import pytest

from quotes.document import DataError, Document, Quote, Span, dumps, iter_jsonl, read_jsonl, write_jsonl

TEXT = "«\u00a0Nous voulons la paix\u00a0», a déclaré la ministre. Selon elle, les pourparlers reprendront lundi."


def quote(text: str, piece: str, type_: str = "direct", **kw) -> Quote:
    s = text.index(piece)
    return Quote(s, s + len(piece), piece, type_, **kw)


def sp(piece: str, after: int = 0) -> Span:
    s = TEXT.index(piece, after)
    return Span(s, s + len(piece), piece)


def good_doc() -> Document:
    q1 = quote(TEXT, "Nous voulons la paix", cue=sp("a déclaré"), speaker=sp("la ministre"),
               speaker_name="Claire Martin", stance="diplomacy",
               confidence={"quote": 0.9, "speaker": 0.8, "stance": 0.55556})
    q2 = quote(TEXT, "les pourparlers reprendront lundi", "indirect", cue=sp("Selon"),
               speaker=sp("elle", 50), speaker_name=["Claire Martin", "la ministre"], stance=None)
    return Document("doc_1", TEXT, [q1, q2], ignore=[{"start": 0, "end": 3}],
                    extra={"source": "pages/a.txt", "annotator": "marie", "meta": {"lot": 3, "tags": ["x"]}})


def test_fixture_document_is_valid():
    d = good_doc()
    assert d.quotes[0].cue.text == "a déclaré"
    assert d.quotes[0].speaker.text == "la ministre"
    assert d.quotes[1].cue.text == "Selon" and d.quotes[1].speaker.text == "elle"
    assert d.problems() == []


def test_jsonl_round_trip_keeps_everything(tmp_path):
    d = good_doc()
    path = tmp_path / "docs.jsonl"
    assert write_jsonl([d, Document("vide", "Aucun texte cité.")], path) == 2
    back = read_jsonl(path)
    assert [b.id for b in back] == ["doc_1", "vide"]
    b = back[0]
    assert b.text == TEXT
    assert b.ignore == [{"start": 0, "end": 3}]
    assert b.extra == {"source": "pages/a.txt", "annotator": "marie", "meta": {"lot": 3, "tags": ["x"]}}
    assert b.quotes[1].speaker_name == ["Claire Martin", "la ministre"]
    assert b.quotes[1].stance is None
    assert b.quotes[0].confidence == {"quote": 0.9, "speaker": 0.8, "stance": 0.5556}
    assert b.quotes[0].cue == d.quotes[0].cue and b.quotes[0].speaker == d.quotes[0].speaker
    # A second trip is a fixed point, byte for byte.
    assert dumps(b) == dumps(read_jsonl(path)[0])
    assert back[1].quotes == [] and "ignore" not in json.loads(dumps(back[1]))


def test_jsonl_is_utf8_with_unix_newlines_and_no_escapes(tmp_path):
    d = Document("a", "Ligne 1\r\nLigne «\u00a02\u00a0»")
    path = tmp_path / "o.jsonl"
    write_jsonl([d], path)
    raw = path.read_bytes()
    assert raw.count(b"\n") == 1 and raw.endswith(b"\n")
    assert "«".encode() in raw and b"\\u00ab" not in raw
    assert read_jsonl(path)[0].text == d.text


def test_extra_keys_never_override_the_document_fields():
    d = Document.from_dict({"id": "x", "text": "abc", "quotes": [], "source": "s"})
    d.extra["text"] = "autre"
    assert json.loads(dumps(d))["text"] == "abc"


def failing_docs(n_before: int):
    for i in range(n_before):
        yield Document(f"d{i}", f"texte {i}")
    raise RuntimeError("boom")


def test_write_jsonl_is_atomic_when_the_documents_fail_half_way(tmp_path):
    path = tmp_path / "out.jsonl"
    old = b'{"id": "ancien", "text": "ancien contenu", "quotes": []}\n'
    path.write_bytes(old)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(RuntimeError, match="boom"):
        write_jsonl(failing_docs(3), path)
    assert path.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == before  # no temp file left behind


def test_write_jsonl_failure_leaves_no_file_where_there_was_none(tmp_path):
    with pytest.raises(RuntimeError):
        write_jsonl(failing_docs(2), tmp_path / "new.jsonl")
    assert os.listdir(tmp_path) == []


def test_write_jsonl_replaces_and_keeps_the_file_mode(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("ancien\n", encoding="utf-8")
    os.chmod(path, 0o600)
    write_jsonl([Document("n", "nouveau")], path)
    assert read_jsonl(path)[0].id == "n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_write_jsonl_into_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        write_jsonl([Document("a", "b")], tmp_path / "absent" / "out.jsonl")


def test_write_jsonl_dash_writes_to_stdout(capsys):
    assert write_jsonl([Document("a", "é")], "-") == 1
    out = capsys.readouterr().out
    assert json.loads(out)["text"] == "é"


# -- reading errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("content, message", [
    ('{"id": "a", "text": "x"}\n{"id": "b", "text": \n', ":2: not valid JSON"),
    ('{"id": "a", "text": "x"}\n\n[1, 2]\n', ":3: a line is not a JSON object"),
    ('{"text": "x"}\n', ":1: missing field 'id'"),
    ('{"id": "a", "text": 3}\n', ":1: field 'text' is not a string"),
    ('{"id": "a", "text": "x", "quotes": [{"start": 0}]}\n', ":1: document 'a': malformed quote"),
])
def test_read_errors_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_jsonl(path)
    assert str(e.value).startswith(str(path))
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_read_errors_for_missing_folder_and_non_utf8(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_jsonl(tmp_path / "absent.jsonl")
    with pytest.raises(DataError, match="is a directory"):
        read_jsonl(tmp_path)
    bad = tmp_path / "latin.jsonl"
    bad.write_bytes('{"id": "a", "text": "été"}\n'.encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        list(iter_jsonl(bad))


# -- problems() --------------------------------------------------------------------------------


def with_quotes(*quotes: Quote, ignore=()) -> Document:
    return Document("p", TEXT, list(quotes), ignore=list(ignore))


def one_problem(d: Document) -> str:
    probs = d.problems()
    assert len(probs) == 1, probs
    return probs[0]


def test_problems_wrong_span_text():
    q = quote(TEXT, "Nous voulons la paix")
    q.text = "Nous voulons la guerre"
    assert "text 'Nous voulons la guerre' != text[" in one_problem(with_quotes(q))


def test_problems_wrong_cue_and_speaker_text():
    c = sp("a déclaré")
    q = quote(TEXT, "Nous voulons la paix", cue=Span(c.start, c.end, "a dit"), speaker=sp("la ministre"))
    assert "cue: text 'a dit'" in one_problem(with_quotes(q))
    m = sp("la ministre")
    q = quote(TEXT, "Nous voulons la paix", speaker=Span(m.start, m.end, "le ministre"))
    assert "speaker: text 'le ministre'" in one_problem(with_quotes(q))


def test_problems_bad_type_and_stance():
    q = quote(TEXT, "Nous voulons la paix", "quoted", stance="hostile")
    probs = with_quotes(q).problems()
    assert len(probs) == 2
    assert any("type 'quoted' not in" in p for p in probs)
    assert any("stance 'hostile' not in" in p for p in probs)


def test_problems_overlap():
    q1 = quote(TEXT, "Nous voulons la paix")
    q2 = quote(TEXT, "la paix\u00a0», a déclaré")
    assert "overlap" in one_problem(with_quotes(q1, q2))
    # Touching spans do not overlap.
    q3 = Quote(q1.end, q1.end + 3, TEXT[q1.end:q1.end + 3], "direct")
    assert with_quotes(q1, q3).problems() == []


@pytest.mark.parametrize("start, end", [(-1, 5), (90, 200), (len(TEXT), len(TEXT) + 1)])
def test_problems_out_of_range(start, end):
    q = Quote(start, end, "x", "direct")
    assert "outside the text" in one_problem(with_quotes(q))


def test_problems_speaker_out_of_range_empty_span_confidence_and_ignore():
    q = quote(TEXT, "Nous voulons la paix", speaker=Span(500, 510, "x"), confidence={"quote": 1.5})
    probs = with_quotes(q, ignore=[{"start": 5, "end": 2}, {"start": 0}]).problems()
    assert any("speaker: offsets 500-510 outside the text" in p for p in probs)
    assert any("confidence quote=1.5 not in [0, 1]" in p for p in probs)
    assert sum("ignore region" in p for p in probs) == 2
    assert "empty span" in one_problem(with_quotes(Quote(3, 3, "", "direct")))


def test_problems_speaker_name_type():
    q = quote(TEXT, "Nous voulons la paix", speaker_name=["a", 3])
    assert "speaker_name must be" in one_problem(with_quotes(q))
