"""The scheme's scoring (quotes.score) on tiny hand-made gold and predicted documents."""

from __future__ import annotations

import json

import pytest

from quotes.document import Document, Quote, QuotesError, read_jsonl, write_jsonl
from quotes.score import fold_name, iou, main, names_agree, score_documents, trimmed


def q(text: str, start: int, end: int, type_: str = "direct", speaker_name=None, stance="neutral") -> Quote:
    return Quote(start, end, text[start:end], type_, speaker_name=speaker_name, stance=stance)


def qp(text: str, piece: str, type_: str = "direct", **kw) -> Quote:
    s = text.index(piece)
    return q(text, s, s + len(piece), type_, **kw)


def score(gold: list[Document], pred: list[Document]):
    return score_documents(gold, pred)


# -- span matching -------------------------------------------------------------------------------

LETTERS = "a" * 100 + "b" * 150


@pytest.mark.parametrize("pred, matched", [
    ((50, 100), True),    # 50 / 100 = 0.5
    ((51, 100), False),   # 49 / 100 = 0.49
    ((0, 200), True),     # 100 / 200
    ((0, 201), False),    # 100 / 201
    ((0, 100), True),
    ((100, 200), False),  # touching, no overlap
])
def test_iou_threshold_is_one_half(pred, matched):
    gold = Document("d", LETTERS, [q(LETTERS, 0, 100)])
    pdoc = Document("d", LETTERS, [q(LETTERS, *pred)])
    m, res = score([gold], [pdoc])
    assert m["quotes"]["tp"] == int(matched)
    assert len(res.false_pos) == int(not matched) and len(res.missed) == int(not matched)


def test_iou_function():
    assert iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert iou((0, 10), (10, 20)) == 0.0
    assert iou((3, 3), (3, 3)) == 0.0


TRIM_TEXT = "Elle a dit : « « la paix » » !!! puis elle est partie."


def test_trimmed_strips_spaces_and_punctuation_at_both_ends():
    s, e = TRIM_TEXT.index("«"), TRIM_TEXT.index("!!!") + 3
    ts, te = trimmed(TRIM_TEXT, s, e)
    assert TRIM_TEXT[ts:te] == "la paix"
    t = "x\u00a0«\u00a0Non.\u00a0» y"
    assert t[slice(*trimmed(t, 1, len(t) - 2))] == "Non"
    assert trimmed("« »", 0, 3)[0] == trimmed("« »", 0, 3)[1]


def test_punctuation_and_marks_do_not_count_in_the_overlap():
    gold = Document("d", TRIM_TEXT, [qp(TRIM_TEXT, "la paix")])
    s, e = TRIM_TEXT.index("«"), TRIM_TEXT.index("!!!") + 3
    assert iou((gold.quotes[0].start, gold.quotes[0].end), (s, e)) < 0.5  # untrimmed it would not match
    pred = Document("d", TRIM_TEXT, [q(TRIM_TEXT, s, e)])
    m, _ = score([gold], [pred])
    assert m["quotes"]["tp"] == 1 and m["quotes"]["f1"] == 1.0


def test_final_full_stop_inside_or_outside_is_the_same():
    t = "« Nous négocierons. », a-t-il dit."
    gold = Document("d", t, [qp(t, "Nous négocierons.")])
    pred = Document("d", t, [qp(t, "Nous négocierons")])
    assert score([gold], [pred])[0]["quotes"]["f1"] == 1.0


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_matching_is_one_to_one_largest_overlap_first(order):
    gold = Document("d", LETTERS, [q(LETTERS, 0, 100)])
    candidates = [q(LETTERS, 0, 60), q(LETTERS, 0, 90), q(LETTERS, 5, 100)]  # IoU .60, .90, .95
    pred = Document("d", LETTERS, [candidates[i] for i in order])
    m, res = score([gold], [pred])
    assert len(res.matches) == 1
    assert (res.matches[0].pred.start, res.matches[0].pred.end) == (5, 100)
    assert m["quotes"] == {"precision": 0.3333, "recall": 1.0, "f1": 0.5, "tp": 1, "pred": 3, "gold": 1}


def test_two_golds_two_preds_each_pred_matches_its_best_gold():
    t = "a" * 100 + "b" * 100
    gold = Document("d", t, [q(t, 0, 100), q(t, 100, 200)])
    # The first prediction overlaps both golds' region, but only the first enough.
    pred = Document("d", t, [q(t, 110, 200), q(t, 0, 120)])
    m, res = score([gold], [pred])
    assert m["quotes"]["tp"] == 2
    pairs = sorted(((x.gold.start, x.pred.start) for x in res.matches))
    assert pairs == [(0, 0), (100, 110)]


SENTENCES = [
    "« Nous ne céderons pas », a déclaré le ministre.",
    "« Le dialogue reste possible », a-t-il ajouté.",
    "Selon Moscou, les troupes se retireront bientôt.",
    "Il a dit avoir vu « des signes » de détente.",
    "La porte-parole a rappelé que rien ne change.",
]
TYPED = " ".join(SENTENCES)


def test_precision_recall_f1_overall_and_by_type():
    t = TYPED
    gold = Document("d", t, [
        qp(t, "Nous ne céderons pas", "direct"),
        qp(t, "Le dialogue reste possible", "direct"),
        qp(t, "les troupes se retireront bientôt", "indirect"),
        qp(t, "avoir vu « des signes » de détente", "mixed"),
    ])
    pred = Document("d", t, [
        qp(t, "Nous ne céderons pas", "direct"),
        qp(t, "Le dialogue reste possible", "indirect"),  # matched, wrong type
        qp(t, "avoir vu « des signes » de détente", "mixed"),
        qp(t, "rien ne change", "indirect"),  # false positive
    ])  # the indirect gold quote is missed
    m, _ = score([gold], [pred])
    assert m["quotes"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "tp": 3, "pred": 4, "gold": 4}
    assert m["by_type"]["direct"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 1, "pred": 1, "gold": 2}
    assert m["by_type"]["indirect"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 2, "gold": 1}
    assert m["by_type"]["mixed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1, "pred": 1, "gold": 1}


def test_documents_without_prediction_count_as_missed_and_unknown_preds_are_ignored():
    t = TYPED
    gold = [Document("a", t, [qp(t, "Nous ne céderons pas")]), Document("b", t, [qp(t, "rien ne change", "indirect")])]
    pred = [Document("a", t, [qp(t, "Nous ne céderons pas")]), Document("zzz", "autre", [])]
    m, res = score(gold, pred)
    assert m["quotes"]["tp"] == 1 and m["quotes"]["gold"] == 2 and m["quotes"]["pred"] == 1
    assert [d.id for d, _ in res.missed] == ["b"]


# -- speakers ----------------------------------------------------------------------------------

AGREE = [
    ("L'Otan", "Otan"),
    ("l’OTAN", "Otan"),
    ("La Russie", "Russie"),
    ("département d’État américain", "Département d'Etat américain"),
    ("Zakharova", "M. Zakharova"),
    ("S. Lavrov", "Sergueï Lavrov"),
    ("sergueï lavrov", "Sergueï Lavrov"),
    ("un diplomate européen", "un diplomate européen en poste à Alger"),
    ("un diplomate européen en poste à Alger", "un diplomate européen"),
    ("Blinken", ["Ned Price", "Antony Blinken"]),
    ("Ned Price", ["Ned Price", "Antony Blinken"]),
    (None, None),
    ("Lavrov", "Sergueï Lavrov"),
    ("Lagarde", "Christine Lagarde"),
    ("Le Drian", "Jean-Yves Le Drian"),
    ("Les Etats-Unis", "États-Unis"),
]
DISAGREE = [
    ("diplomate", "diplomate européen en poste à Alger"),  # a one-word prefix does not count
    ("Vladimir", "Vladimir Poutine"),
    ("Zakharova", ["Ned Price", "Antony Blinken"]),
    ("Otan", None),
    (None, "Otan"),
    ("un responsable américain", "un responsable russe"),
    ("", "Otan"),
]


@pytest.mark.parametrize("name, folded", [
    ("L'Otan", ["otan"]),
    ("l’OTAN", ["otan"]),
    ("Les Verts", ["verts"]),
    ("Lavrov", ["lavrov"]),  # an article only when it is a word of its own
    ("Lesage", ["lesage"]),
    ("Département d’État", ["departement", "d", "etat"]),
])
def test_fold_name(name, folded):
    assert fold_name(name) == folded


@pytest.mark.parametrize("pred, gold", AGREE)
def test_speaker_names_that_agree(pred, gold):
    assert names_agree(pred, gold)


@pytest.mark.parametrize("pred, gold", DISAGREE)
def test_speaker_names_that_disagree(pred, gold):
    assert not names_agree(pred, gold)


def test_speaker_accuracy_and_end_to_end():
    t = TYPED
    gold = Document("d", t, [
        qp(t, "Nous ne céderons pas", speaker_name="Sergueï Lavrov"),
        qp(t, "Le dialogue reste possible", speaker_name=["Ned Price", "Antony Blinken"]),
        qp(t, "les troupes se retireront bientôt", "indirect", speaker_name="Kremlin"),
        qp(t, "rien ne change", "indirect", speaker_name="Maria Zakharova"),
    ])
    pred = Document("d", t, [
        qp(t, "Nous ne céderons pas", speaker_name="S. Lavrov"),  # right
        qp(t, "Le dialogue reste possible", speaker_name="Blinken"),  # right (one of the list)
        qp(t, "les troupes se retireront bientôt", "indirect", speaker_name="Moscou"),  # wrong
        qp(t, "avoir vu « des signes » de détente", "mixed", speaker_name="Zakharova"),  # FP
    ])  # the last gold quote is missed
    m, _ = score([gold], [pred])
    sp = m["speaker"]
    assert (sp["correct"], sp["matched"], sp["accuracy"]) == (2, 3, 0.6667)
    assert sp["end_to_end"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 2, "pred": 4, "gold": 4}


# -- stance ------------------------------------------------------------------------------------


def test_stance_null_in_gold_is_left_out():
    t = TYPED
    gold = Document("d", t, [
        qp(t, "Nous ne céderons pas", stance="escalation"),
        qp(t, "Le dialogue reste possible", stance="diplomacy"),
        qp(t, "les troupes se retireront bientôt", "indirect", stance=None),
    ])
    pred = Document("d", t, [
        qp(t, "Nous ne céderons pas", stance="neutral"),
        qp(t, "Le dialogue reste possible", stance="diplomacy"),
        qp(t, "les troupes se retireront bientôt", "indirect", stance="escalation"),
    ])
    m, _ = score([gold], [pred])
    st = m["stance"]
    assert st["scored"] == 2
    assert st["accuracy"] == 0.5
    assert st["confusion"]["escalation"] == {"escalation": 0, "diplomacy": 0, "neutral": 1}
    assert st["confusion"]["diplomacy"]["diplomacy"] == 1
    assert sum(sum(r.values()) for r in st["confusion"].values()) == 2
    # diplomacy F1 1, escalation 0 (its only gold is missed), neutral 0 (its only prediction is wrong)
    assert st["macro_f1"] == pytest.approx(1 / 3, abs=1e-4)


# -- ignore regions ----------------------------------------------------------------------------

PAGE = ("Le chef de l'opération 'EMMA 7' a parlé. « Nous partirons », a déclaré le général. "
        "À lire aussi : « Jamais de la vie », lance le président dans une autre affaire.")


def page_gold(ignore) -> Document:
    return Document("p", PAGE, [qp(PAGE, "Nous partirons", speaker_name="le général")], ignore=ignore)


def region(piece: str) -> dict:
    s = PAGE.index(piece)
    return {"start": s, "end": s + len(piece)}


def test_unmatched_prediction_inside_an_ignore_region_is_not_a_false_positive():
    gold = page_gold([region("'EMMA 7'")])
    pred = Document("p", PAGE, [qp(PAGE, "Nous partirons"), qp(PAGE, "EMMA 7")])
    m, res = score([gold], [pred])
    assert m["ignored_predictions"] == 1
    assert m["quotes"]["pred"] == 1 and m["quotes"]["precision"] == 1.0
    assert res.false_pos == []


def test_prediction_in_a_teaser_without_ignore_is_a_false_positive():
    gold = page_gold([region("'EMMA 7'")])
    pred = Document("p", PAGE, [qp(PAGE, "Nous partirons"), qp(PAGE, "Jamais de la vie")])
    m, res = score([gold], [pred])
    assert m["ignored_predictions"] == 0
    assert m["quotes"]["pred"] == 2 and m["quotes"]["precision"] == 0.5
    assert [x.text for _, x in res.false_pos] == ["Jamais de la vie"]


def test_prediction_mostly_outside_an_ignore_region_still_counts():
    gold = page_gold([region("EMMA")])
    s = PAGE.index("opération")
    pred = Document("p", PAGE, [q(PAGE, s, PAGE.index("' a parlé"))])  # "opération 'EMMA 7": 4 of 15 ignored
    m, res = score([gold], [pred])
    assert m["ignored_predictions"] == 0 and len(res.false_pos) == 1


def test_matched_quote_in_an_ignore_region_still_counts_as_a_match():
    gold = page_gold([region("« Nous partirons »")])
    pred = Document("p", PAGE, [qp(PAGE, "Nous partirons")])
    m, _ = score([gold], [pred])
    assert m["quotes"]["tp"] == 1 and m["ignored_predictions"] == 0


# -- command line ------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    t = TYPED
    gold = Document("d", t, [qp(t, "Nous ne céderons pas", speaker_name="le ministre", stance="escalation"),
                             qp(t, "rien ne change", "indirect", speaker_name="la porte-parole", stance="neutral")])
    pred = Document("d", t, [qp(t, "Nous ne céderons pas", speaker_name="ministre", stance="diplomacy"),
                             qp(t, "les troupes se retireront bientôt", "indirect", speaker_name="Moscou")])
    g, p = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    write_jsonl([gold], g)
    write_jsonl([pred], p)
    return g, p


def test_json_output_parses(files, capsys):
    g, p = files
    assert main([str(g), str(p), "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["quotes"]["tp"] == 1 and m["quotes"]["f1"] == 0.5
    assert m["speaker"]["accuracy"] == 1.0
    assert m["stance"]["confusion"]["escalation"]["diplomacy"] == 1
    assert set(m["by_type"]) == {"direct", "indirect", "mixed"}


def test_table_and_errors_output(files, capsys):
    g, p = files
    assert main([str(g), str(p), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "1 gold documents, 2 gold quotes; 1 predicted documents" in out
    assert any(line.startswith("MISS  d ") and "[rien ne change]" in line for line in out.splitlines())
    assert any(line.startswith("FP    d ") for line in out.splitlines())
    assert any(line.startswith("STNC  d ") and "gold=escalation" in line for line in out.splitlines())


def test_differing_text_is_an_error_exit_2_in_one_line(files, tmp_path, capsys):
    g, _ = files
    other = tmp_path / "other.jsonl"
    write_jsonl([Document("d", TYPED.replace("ministre", "ministère"), [])], other)
    assert main([str(g), str(other)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("quotes.score: error: ") and "'d'" in lines[0] and "text differs" in lines[0]
    with pytest.raises(QuotesError):
        score_documents(read_jsonl(g), read_jsonl(other))


def test_missing_or_broken_file_is_an_error_exit_2_in_one_line(files, tmp_path, capsys):
    g, _ = files
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "d", "text": "x"}\n{oops\n', encoding="utf-8")
    for other in (tmp_path / "absent.jsonl", broken):
        assert main([str(g), str(other)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("quotes.score: error: ") and str(other) in err[0]


def test_gold_scored_against_itself_is_perfect(tmp_path, capsys):
    t = TYPED
    gold = Document("d", t, [qp(t, "Le dialogue reste possible", speaker_name=["Ned Price", "Antony Blinken"],
                                stance="diplomacy")])
    g = tmp_path / "gold.jsonl"
    write_jsonl([gold], g)
    assert main([str(g), str(g), "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["quotes"]["f1"] == 1.0 and m["speaker"]["accuracy"] == 1.0


def test_samples_gold_scores_perfectly_against_itself(samples_dir):
    gold = read_jsonl(samples_dir / "gold.jsonl")
    pred = []
    for d in gold:
        quotes = []
        for x in d.quotes:
            name = x.speaker_name[0] if isinstance(x.speaker_name, list) else x.speaker_name
            quotes.append(Quote(x.start, x.end, x.text, x.type, x.cue, x.speaker, name, x.stance or "neutral"))
        pred.append(Document(d.id, d.text, quotes))
    m, res = score_documents(gold, pred)
    assert m["quotes"]["f1"] == 1.0
    assert all(v["f1"] == 1.0 for v in m["by_type"].values() if v["gold"])
    assert m["speaker"]["accuracy"] == 1.0
    assert m["stance"]["accuracy"] == 1.0
    assert m["stance"]["scored"] == sum(1 for d in gold for x in d.quotes if x.stance is not None)
    assert res.false_pos == [] and res.missed == []


def test_reliability_bins_confidence_against_precision():
    from quotes.document import Document, Quote
    from quotes.score import reliability, score_documents

    text = "a b c d e f g h i j k l m n o p"
    gold = Document("d", text, [Quote(0, 3, text[0:3], "direct", speaker_name="X", stance="neutral"),
                                Quote(4, 7, text[4:7], "direct", speaker_name="Y", stance="escalation")])
    pred = Document("d", text, [
        Quote(0, 3, text[0:3], "direct", speaker_name="X", stance="neutral",
              confidence={"quote": 0.9, "speaker": 0.9, "stance": 0.3}),
        Quote(4, 7, text[4:7], "direct", speaker_name="Z", stance="escalation",
              confidence={"quote": 0.9, "speaker": 0.95, "stance": 0.7}),
        Quote(10, 13, text[10:13], "direct", confidence={"quote": 0.1, "speaker": 0.1, "stance": 0.5})])
    _, res = score_documents([gold], [pred])
    rel = reliability(res, bins=5)
    q = {b["bin"]: b for b in rel["quote"]["bins"]}
    assert q["0.8-1.0"]["n"] == 2 and q["0.8-1.0"]["precision"] == 1.0
    assert q["0.0-0.2"]["n"] == 1 and q["0.0-0.2"]["precision"] == 0.0
    # speaker: both at >= 0.8, one right: |0.925 - 0.5|
    assert rel["speaker"]["ece"] == pytest.approx(0.425, abs=1e-3)
    assert rel["stance"]["n"] == 2


# -- type errors, the `quotes score` command, system-output fields ------------------------------


def test_errors_list_type_errors_with_both_types(files, capsys):
    g, p = files
    gold = read_jsonl(g)[0]
    pred = read_jsonl(p)[0]
    pred.quotes[0].type = "mixed"  # matched to the gold direct quote
    write_jsonl([pred], p)
    assert main([str(g), str(p), "--errors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    q0 = gold.quotes[0]
    assert f"TYPE  d {q0.start}-{q0.end} pred=mixed gold=direct 'Nous ne céderons pas'" in lines
    assert sum(ln.startswith("TYPE ") for ln in lines) == 1
    assert any(ln.startswith("STNC  d ") for ln in lines)


def test_quotes_score_subcommand_is_the_scorer(files, capsys):
    from quotes.cli import main as cli_main

    g, p = files
    assert cli_main(["score", str(g), str(p), "--json", "-v"]) == 0
    via_cli = json.loads(capsys.readouterr().out)
    assert main([str(g), str(p), "--json"]) == 0
    assert via_cli == json.loads(capsys.readouterr().out)
    assert cli_main(["score", str(g), str(g.parent / "absent.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]


def test_predictions_with_meta_sentence_and_speaker_kind_score_like_without(files, tmp_path, capsys):
    g, p = files
    pred = read_jsonl(p)[0]
    pred.extra["meta"] = {"title": "Un titre", "url": "https://example.org/a"}
    for q_ in pred.quotes:
        q_.sentence = (0, len(pred.text))
        q_.speaker_kind = "role"
    rich = tmp_path / "rich.jsonl"
    write_jsonl([pred], rich)
    raw = json.loads(rich.read_text(encoding="utf-8"))
    assert raw["meta"]["title"] == "Un titre" and raw["quotes"][0]["sentence"] == {"start": 0, "end": len(pred.text)}
    assert main([str(g), str(p), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([str(g), str(rich), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == plain
    # and the other way round: a system file as gold, a gold file without the fields as prediction
    assert main([str(rich), str(p), "--json"]) == 0
