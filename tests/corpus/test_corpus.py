"""`quotes corpus build | check | stats` on the small fixtures in tests/data/corpus/."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from quotes import corpus
from quotes.corpus import check, markup, stats
from quotes.corpus.build import assign_splits
from quotes.cli import main as cli_main
from quotes.document import read_jsonl

DATA = Path(__file__).parents[1] / "data" / "corpus"


def run(argv, capsys):
    code = cli_main(["corpus", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- check ------------------------------------------------------------------------------------


def test_check_valid_file_exits_0(capsys):
    code, out, _ = run(["check", str(DATA / "valid.jsonl")], capsys)
    assert code == 0
    assert out.strip() == "checked 1 files, 3 documents, 7 quotes: no problems"


def test_check_lists_every_problem_of_a_broken_file(capsys):
    path = DATA / "broken.jsonl"
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    lines = out.splitlines()
    expected = [
        (2, "br_text", "text 'la trêve tiendra' != text[26:44]"),
        (3, "br_labels", "type 'quoted' not in"),
        (3, "br_labels", "stance 'hostile' not in"),
        (4, "br_ok", f"duplicate id (first at {path}:1)"),
        (5, "br_overlap", "quotes 0 and 1 overlap (26-44 and 29-49)"),
        (6, "br_outside", "quote 0 (48-97): offsets 48-97 outside the text (length 87)"),
        (6, "br_outside", "quote 0 (48-97) speaker: offsets 85-91 outside the text"),
        (7, "br_conf", "confidence quote=1.5 not in [0, 1]"),
        (7, "br_conf", "confidence stance=-0.1 not in [0, 1]"),
        (8, "?", "not valid JSON"),
    ]
    problems = lines[:-1]
    assert len(problems) == len(expected)
    for line, (lineno, doc_id, what) in zip(problems, expected):
        assert line.startswith(f"{path}:{lineno}: doc {doc_id}: "), line
        assert what in line
    assert lines[-1] == "checked 1 files, 8 documents, 8 quotes: 10 problems in 7 documents"


def test_check_finds_duplicate_ids_across_files_and_folders(capsys):
    code, out, _ = run(["check", str(DATA / "valid.jsonl"), str(DATA / "dup.jsonl")], capsys)
    assert code == 1
    assert f"{DATA / 'dup.jsonl'}:1: doc fx_001: duplicate id (first at {DATA / 'valid.jsonl'}:1)" in out


def test_check_span_edges_and_quote_marks(tmp_path, capsys):
    text = "« Nous partirons », a-t-il dit."
    doc = {"id": "e1", "text": text, "quotes": [
        {"start": 0, "end": 17, "text": text[:17], "type": "direct", "cue": None, "speaker": None,
         "speaker_name": "", "stance": "neutral"}]}
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run(["check", str(f)], capsys)
    assert code == 1
    assert "direct quote span includes its quotation marks" in out
    assert "span starts or ends with a space" in out
    assert "empty speaker_name" in out


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp / "missing.jsonl"),
    lambda tmp: str(tmp),  # a folder without .jsonl files
    lambda tmp: (tmp / "latin1.jsonl").write_bytes('{"id": "é"}'.encode("latin-1")) and str(tmp / "latin1.jsonl"),
])
def test_check_unreadable_input_is_one_line_and_exit_2(tmp_path, capsys, make):
    code, out, err = run(["check", make(tmp_path)], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("quotes: error: ")


@pytest.mark.parametrize("span, flagged", [
    ("« Non »", True), ("« Non", True), ('Non"', True), ('"Non"', True),
    ("Tout le monde à Asmara entend “Assab”", False), ("“Assab” ou “Massaoua”", False), ("Non", False),
])
def test_direct_quote_outer_marks(span, flagged):
    assert check._has_outer_marks(span) is flagged


def test_register_on_a_fresh_parser():
    parser = argparse.ArgumentParser(prog="quotes")
    corpus.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["corpus", "check", str(DATA / "valid.jsonl")])
    assert args.func(args) == 0
    args = parser.parse_args(["corpus", "build"])
    assert (args.src, args.out, args.skip_bad) == ("annotations/src", "annotations", False)


# -- stats ------------------------------------------------------------------------------------


def test_stats_counts(capsys):
    code, out, _ = run(["stats", "--json", str(DATA / "valid.jsonl")], capsys)
    assert code == 0
    st = json.loads(out)

    def n(block, group):
        return {k: v["n"] for k, v in block[group].items()}

    a = st["all"]
    assert (a["documents"], a["quotes"], a["quotes_per_doc"]) == (3, 7, 2.33)
    assert n(a, "type") == {"direct": 4, "indirect": 2, "mixed": 1}
    assert a["type"]["direct"]["pct"] == 57.1
    assert n(a, "stance") == {"escalation": 3, "diplomacy": 2, "neutral": 1, "null": 1}
    assert n(a, "cue_form") == {"verb": 2, "inverted": 1, "preposition": 2, "colon": 1, "none": 1}
    assert n(a, "speaker_kind") == {"named person": 1, "role": 1, "organisation": 2, "pronoun": 1,
                                    "anonymous": 1, "none": 1}
    assert list(st["splits"]) == ["train", "dev"]
    assert (st["splits"]["train"]["documents"], st["splits"]["train"]["quotes"]) == (2, 5)
    assert n(st["splits"]["dev"], "cue_form") == {"verb": 0, "inverted": 0, "preposition": 1, "colon": 0, "none": 1}

    code, out, _ = run(["stats", str(DATA / "valid.jsonl")], capsys)
    assert code == 0
    rows = {line[:16].strip(): line.split() for line in out.splitlines()}
    assert rows["documents"][-3:] == ["3", "2", "1"]
    assert rows["colon"][1:] == ["1", "(14.3%)", "1", "(20.0%)", "0", "(0.0%)"]


@pytest.mark.parametrize("cue, form", [
    ("a déclaré", "verb"), ("a mis en garde", "verb"), ("a-t-il dit", "inverted"),
    ("assure-t-elle", "inverted"), ("ajoutent-ils", "inverted"), ("selon", "preposition"),
    ("D'après", "preposition"), ("Aux yeux de", "preposition"), ("pour", "preposition"), (":", "colon"),
])
def test_cue_form(cue, form):
    q = markup.Quote(0, 1, "x", "direct", cue=markup.Span(0, len(cue), cue))
    assert stats.cue_form(q) == form


@pytest.mark.parametrize("speaker, kind", [
    ("Jeanne Morel", "named person"), ("M. Mudavadi", "named person"),
    ("le président Volodymyr Zelensky", "named person"), ("Israël Katz", "named person"),
    ("le ministre de la Défense", "role"), ("la porte-parole de la diplomatie russe", "role"),
    ("le Premier ministre", "role"), ("le communiqué", "role"),
    ("le département d'Etat américain", "organisation"), ("Moscou", "organisation"),
    ("L'Otan", "organisation"), ("la Monusco", "organisation"), ("le Dr Sarraj", "named person"), ("la CGT", "organisation"), ("la Corée du Nord", "organisation"),
    ("elle", "pronoun"), ("Ils", "pronoun"),
    ("une source proche du dossier", "anonymous"), ("un diplomate européen", "anonymous"),
    ("cette source", "anonymous"),
])
def test_speaker_kind(speaker, kind):
    q = markup.Quote(0, 1, "x", "direct", speaker=markup.Span(0, len(speaker), speaker))
    assert stats.speaker_kind(q) == kind


# -- build ------------------------------------------------------------------------------------


def test_build_tiny_src(tmp_path, capsys):
    from quotes.io.read import extract_html

    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "src", src)
    code, stdout, err = run(["build", "--src", str(src), "--out", str(out)], capsys)
    assert code == 0, err
    docs = {}
    for split in ("train", "dev", "test"):
        assert (out / f"{split}.jsonl").is_file()
        for d in read_jsonl(out / f"{split}.jsonl"):
            assert d.extra["split"] == split
            docs[d.id] = d
    assert sorted(docs) == ["t1_001_frontiere_wire", "t1_002_manoeuvres_radio"]  # example/ skipped
    for d in docs.values():
        assert d.problems() == []
        for q in d.quotes:
            assert d.text[q.start:q.end] == q.text
            for s in (q.cue, q.speaker):
                assert s is None or d.text[s.start:s.end] == s.text

    txt = docs["t1_001_frontiere_wire"]
    assert txt.extra["format"] == "txt"
    assert txt.extra["source"] == f"{src.as_posix()}/b1/t1_001_frontiere_wire.txt"
    assert (out / "pages" / "t1_001_frontiere_wire.txt").read_bytes() == txt.text.encode("utf-8")
    assert [q.text for q in txt.quotes][2] == "La réunion technique aura lieu jeudi à Genève.\n\nLes deux délégations y seront"
    assert (txt.quotes[2].cue.text, txt.quotes[2].speaker.text) == ("a-t-elle ajouté", "elle")

    html = docs["t1_002_manoeuvres_radio"]
    assert html.extra["format"] == "html"
    page = (out / "html" / "t1_002_manoeuvres_radio.html").read_text(encoding="utf-8")
    assert "[[" not in page and "]]" not in page and "@@@" not in page
    assert html.text == extract_html(page)
    assert "Commentaires" not in html.text and "Ivan B." not in html.text
    assert [(q.type, q.text, q.speaker.text) for q in html.quotes] == [
        ("mixed", "vouloir « répondre fermement » à toute manœuvre organisée près de ses côtes",
         "Le gouvernement russe"),
        ("direct", "Il faut revenir à la table des négociations avant qu'un accident ne se produise",
         "Anna Lindqvist"),
        ("indirect", "ces exercices constituent une menace directe contre la sécurité de la région", "Moscou"),
    ]
    assert not (out / "pages" / "ex_001_demo.txt").exists()

    # What build writes passes check.
    code, stdout, _ = run(["check", str(out)], capsys)
    assert code == 0, stdout


def test_build_refuses_bad_sources_and_writes_nothing(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "src", src)
    bad = src / "b1" / "t1_003_bad.html"
    bad.write_text('<html><body><article><p title="[[i1|titre]]">Un texte '
                   'assez long pour un article.</p></article></body></html>\n@@@\n', encoding="utf-8")
    (src / "b1" / "t1_004_bad.txt").write_text("« [[q1|Non]] », a-t-il dit.\n@@@\nq1 | direct | furieux | null\n",
                                               encoding="utf-8")
    code, _, err = run(["build", "--src", str(src), "--out", str(out)], capsys)
    assert code == 1
    assert "t1_003_bad.html: span(s) i1 not in the extracted text" in err
    assert "t1_004_bad.txt: q1: stance 'furieux' not in" in err
    assert not out.exists()
    code, _, err = run(["build", "--src", str(src), "--out", str(out), "--skip-bad"], capsys)
    assert code == 1
    assert sum(len(read_jsonl(out / f"{s}.jsonl")) for s in ("train", "dev", "test")) == 2


def test_assign_splits_is_deterministic_stratified_and_close_to_target():
    batches = {f"b{b}": [f"b{b}_{i:03d}_x" for i in range(25)] for b in range(1, 6)}
    split = assign_splits(batches)
    shuffled = {k: list(reversed(v)) for k, v in reversed(list(batches.items()))}
    assert assign_splits(shuffled) == split
    counts = {s: sum(1 for v in split.values() if v == s) for s in ("train", "dev", "test")}
    assert counts == {"train": 87, "dev": 19, "test": 19}
    for b, ids in batches.items():
        assert 16 <= sum(split[i] == "train" for i in ids) <= 19
    assert set(assign_splits({"b1": ["a", "b"]}).values()) <= {"train", "dev", "test"}


def test_sentinels_round_trip_like_markers():
    page = "« [[q1|Nous [[i1|ne]] céderons pas]] », [[c1|a-t-[[s1|il]] dit]]."
    assert markup.strip_sentinels(markup.to_sentinels(page)) == markup.strip_markers(page)
    with pytest.raises(markup.DataError, match="stray"):
        markup.strip_sentinels("texte " + markup.S_CLOSE)


def test_batch_with_own_split_shares_moves_no_default_document(tmp_path, capsys):
    src = tmp_path / "src"
    shutil.copytree(DATA / "src", src)
    before = tmp_path / "before"
    assert run(["build", "--src", str(src), "--out", str(before)], capsys)[0] == 0
    first = {d.id: d.extra["split"] for s in ("train", "dev", "test") for d in read_jsonl(before / f"{s}.jsonl")}

    extra = src / "b9"
    extra.mkdir()
    (extra / "splits.json").write_text('{"train": 0.5, "dev": 0.5}', encoding="utf-8")
    page = (src / "b1" / "t1_001_frontiere_wire.txt").read_text(encoding="utf-8")
    for i in range(6):
        (extra / f"t9_{i:03d}_copy.txt").write_text(page, encoding="utf-8")
    after = tmp_path / "after"
    code, _, err = run(["build", "--src", str(src), "--out", str(after)], capsys)
    assert code == 0, err
    second = {d.id: d.extra["split"] for s in ("train", "dev", "test") for d in read_jsonl(after / f"{s}.jsonl")}
    assert {i: second[i] for i in first} == first
    new = [second[i] for i in second if i.startswith("t9_")]
    assert sorted(new) == ["dev"] * 3 + ["train"] * 3

    (extra / "splits.json").write_text('{"train": 0.5, "exam": 0.5}', encoding="utf-8")
    code, _, err = run(["build", "--src", str(src), "--out", str(tmp_path / "bad")], capsys)
    assert code == 2 and "splits.json: expected shares of train, dev, test" in err
