"""Documents <-> Label Studio results, the pull merge rules and the CLI wiring, without a server."""

from __future__ import annotations

import argparse
import copy
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotes.document import Document, Quote, QuotesError, Span, read_jsonl
from quotes.studio import register
from quotes.studio.convert import (
    Converted,
    annotation_to_document,
    article_scope,
    outside_scope,
    content_hash,
    doc_score,
    document_to_result,
    document_to_task,
    latest_human_annotation,
    result_to_quotes,
    task_key,
)
from quotes.studio.pull import merge, quote_changes
from quotes.studio.server import CREDENTIALS_FILE, ensure_credentials, mark_shown, server_env, studio_bin

DATA = Path(__file__).parents[1] / "data" / "studio"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def docs() -> list[Document]:
    return read_jsonl(DATA / "predictions.jsonl")


def strip(doc: Document) -> list[dict]:
    out = []
    for q in doc.quotes:
        d = q.to_dict()
        d.pop("confidence", None)
        out.append(d)
    return out


def test_fixture_is_valid(docs):
    assert [d.id for d in docs] == ["studio_001_frontiere", "studio_002_kremlin", "studio_003_geneve"]
    for d in docs:
        assert d.problems() == []


def test_round_trip_keeps_every_field(docs):
    for doc in docs:
        quotes, errors, warnings = result_to_quotes(doc.text, document_to_result(doc))
        assert errors == [] and warnings == []
        assert [q.to_dict() for q in quotes] == strip(doc)


def test_prediction_regions_relations_and_scores(docs):
    kremlin = docs[1]
    task = document_to_task(kremlin, "v7")
    data = task["data"]
    assert data["text"] == kremlin.text and data["doc_id"] == kremlin.id
    assert data["key"] == task_key(kremlin.id, kremlin.text)
    assert data["doc"]["base"] == content_hash(kremlin)
    (pred,) = task["predictions"]
    assert pred["model_version"] == "v7"
    assert pred["score"] == 0.35 == doc_score(kremlin)
    result = pred["result"]
    regions = [r for r in result if r["type"] == "labels"]
    # "Le Kremlin" speaks both quotes: one SPEAKER region, two relations.
    assert sorted(r["value"]["labels"][0] for r in regions) == ["CUE", "CUE", "QUOTE", "QUOTE", "SPEAKER"]
    speaker = next(r for r in regions if r["value"]["labels"] == ["SPEAKER"])
    assert speaker["value"]["text"] == "Le Kremlin" and speaker["score"] == 0.92
    rels = [r for r in result if r["type"] == "relation"]
    assert sum(r["to_id"] == speaker["id"] for r in rels) == 2
    assert {tuple(r["labels"]) for r in rels} == {("cue",), ("speaker",)}
    # Per-region controls share the id of their QUOTE region, with its offsets.
    quote_ids = {r["id"]: r["value"] for r in regions if r["value"]["labels"] == ["QUOTE"]}
    for r in result:
        if r["type"] in ("choices", "textarea"):
            assert r["id"] in quote_ids
            assert (r["value"]["start"], r["value"]["end"]) == (quote_ids[r["id"]]["start"], quote_ids[r["id"]]["end"])
    stance = next(r for r in result if r.get("from_name") == "stance" and r["id"] == "q1")
    assert stance["value"]["choices"] == ["escalation"] and stance["score"] == 0.86
    # Offsets are code points, as Label Studio 1.23 counts them (the flag emoji is before these).
    assert kremlin.text[quote_ids["q1"]["start"]:quote_ids["q1"]["end"]] == "Nous répondrons"


def test_text_outside_the_article_is_a_grey_read_only_region_that_pull_ignores(docs):
    frontiere = docs[0]  # a menu line above the article, a teaser and comments below
    scope = article_scope(frontiere)
    outside = outside_scope(frontiere.text, scope)
    assert [frontiere.text[s:e].split()[0] for s, e in outside] == ["Accueil", "À"]
    for s, e in outside:  # no edge white space, nothing inside the article
        assert frontiere.text[s:e] == frontiere.text[s:e].strip()
        assert not any(a < e and s < b for a, b in scope)
    assert sum(e - s for s, e in scope) + sum(e - s for s, e in outside) <= len(frontiere.text)
    task = document_to_task(frontiere, "v1")
    grey = [r for r in task["predictions"][0]["result"] if r.get("from_name") == "scope"]
    assert [(r["value"]["start"], r["value"]["end"]) for r in grey] == outside
    assert all(r["readonly"] and r["value"]["labels"] == ["outside the article"] for r in grey)
    assert all(r["value"]["text"] == frontiere.text[r["value"]["start"]:r["value"]["end"]] for r in grey)
    # Offsets are the page's: the quotes come back as pushed, grey regions and all, with no warning.
    quotes, errors, warnings = result_to_quotes(frontiere.text, task["predictions"][0]["result"])
    assert errors == [] and warnings == [] and [q.to_dict() for q in quotes] == strip(frontiere)


def test_scope_carried_by_the_document_wins_and_bad_ones_fall_back():
    text = "Menu | Accueil\n\nLe ministre a déclaré : « Oui ». Il a aussi parlé longuement de la situation.\n"
    doc = Document("s", text, extra={"scope": [[16, 40]]})
    assert article_scope(doc) == [(16, 40)]
    assert outside_scope(text, [(16, 40)]) == [(0, 14), (40, len(text) - 1)]
    from quotes.rules.scope import article_regions

    for bad in ([[0, 10_000]], [["a", 3]], "0-5"):
        assert article_scope(Document("s", text, extra={"scope": bad})) == article_regions(text)
    assert outside_scope("  \n ", []) == []


def test_task_columns_are_json_numbers(docs):
    for doc in docs:
        data = json.loads(json.dumps(document_to_task(doc, "v1")["data"]))
        for key in ("n_quotes", "article_chars", "outside_chars"):
            assert type(data[key]) is int, key
        assert type(data["confidence"]) is float
        assert data["article_chars"] > 0 and data["n_quotes"] == len(doc.quotes)
    gold = Document("g", "abc", [Quote(0, 1, "a", "direct")])
    assert document_to_task(gold, "v")["data"]["confidence"] is None  # no confidence: null, not "None"


def test_data_manager_tab_types_the_numeric_columns():
    from quotes.studio.push import NUMBER_COLUMNS, view_data

    v = view_data()
    assert v["ordering"] == ["tasks:data.confidence"]  # least confident first
    assert {f"tasks:data.{c}" for c in NUMBER_COLUMNS} == {k for k, t in v["columnsDisplayType"].items() if t == "Number"}
    assert set(NUMBER_COLUMNS) <= set(document_to_task(Document("x", "y"), "v")["data"])


def test_doc_score_orders_least_confident_first(docs):
    assert sorted(docs, key=doc_score)[0].id == "studio_002_kremlin"
    assert doc_score(Document("x", "rien", [])) == 1.0
    gold = Document("g", "abc", [Quote(0, 1, "a", "direct")])
    assert doc_score(gold) is None


def test_gold_list_names_and_null_stance_survive():
    text = "« Non », a déclaré Ned Price au nom d'Antony Blinken."
    q = Quote(2, 5, "Non", "direct", Span.of(text, 9, 19), Span.of(text, 20, 29), ["Ned Price", "Antony Blinken"], None)
    doc = Document("g1", text, [q], ignore=[{"start": 0, "end": 1}])
    result = document_to_result(doc)
    quotes, errors, warnings = result_to_quotes(text, result)
    assert errors == []
    assert quotes[0].speaker_name == ["Ned Price", "Antony Blinken"]
    assert quotes[0].stance is None and any("no stance" in w for w in warnings)


def _region(rid, label, text, s, e):
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}


def _per(rid, name, value, s, e):
    kind = "textarea" if name == "speaker_name" else "choices"
    key = "text" if kind == "textarea" else "choices"
    return {"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": {"start": s, "end": e, key: value}}


TEXT = "Selon Maud Bregeon, la France maintiendra ses sanctions. Fin."


def test_reviewer_result_reverse_relation_unlabelled_and_trimmed():
    s = TEXT.index("la France") - 1  # a selection that took the space before
    e = TEXT.index(". Fin")
    result = [
        _region("Ab12", "QUOTE", TEXT, s, e),
        _per("Ab12", "type", ["indirect"], s, e),
        _per("Ab12", "stance", ["escalation"], s, e),
        _per("Ab12", "speaker_name", ["  Maud   Bregeon "], s, e),
        _region("Cd34", "SPEAKER", TEXT, 6, 18),
        _region("Ef56", "CUE", TEXT, 0, 5),
        _region("Zz99", "CUE", TEXT, 57, 60),  # a stray region, not linked: ignored
        {"from_id": "Cd34", "to_id": "Ab12", "type": "relation", "direction": "left"},  # no label, reversed
        {"from_id": "Ab12", "to_id": "Ef56", "type": "relation", "direction": "right", "labels": ["cue"]},
    ]
    (q,), errors, warnings = result_to_quotes(TEXT, result)
    assert errors == [] and warnings == []
    assert q.text == "la France maintiendra ses sanctions" and TEXT[q.start:q.end] == q.text
    assert (q.type, q.stance, q.speaker_name) == ("indirect", "escalation", "Maud Bregeon")
    assert q.cue.text == "Selon" and q.speaker.text == "Maud Bregeon"


def test_reviewer_mistakes_are_errors_or_warnings():
    s, e = TEXT.index("la France"), TEXT.index(". Fin")
    result = [
        _region("a", "QUOTE", TEXT, s, e),
        _region("b", "SPEAKER", TEXT, 6, 18),
        _region("c", "SPEAKER", TEXT, 6, 10),
        {"from_id": "a", "to_id": "b", "type": "relation"},
        {"from_id": "a", "to_id": "c", "type": "relation"},
    ]
    quotes, errors, warnings = result_to_quotes(TEXT, result)
    assert any("no type" in x for x in errors)
    assert any("2 SPEAKER regions" in x for x in errors)
    assert any("no stance" in x for x in warnings)


def test_speaker_without_name_falls_back_to_mention():
    s, e = TEXT.index("la France"), TEXT.index(". Fin")
    result = [_region("a", "QUOTE", TEXT, s, e), _per("a", "type", ["indirect"], s, e),
              _per("a", "stance", ["neutral"], s, e), _region("b", "SPEAKER", TEXT, 6, 18),
              {"from_id": "a", "to_id": "b", "type": "relation", "labels": ["speaker"]}]
    (q,), errors, warnings = result_to_quotes(TEXT, result)
    assert q.speaker_name == "Maud Bregeon" and any("no speaker name" in w for w in warnings)


def test_quotation_marks_selected_with_a_direct_quote_are_left_out():
    text = "Il a dit : « Nous répondrons », puis « Non."
    for sel in ("« Nous répondrons »", "« Nous répondrons", "Nous répondrons »"):
        s = text.index(sel)
        e = s + len(sel)
        r = [_region("a", "QUOTE", text, s, e), _per("a", "type", ["direct"], s, e), _per("a", "stance", ["neutral"], s, e)]
        (q,), errors, warnings = result_to_quotes(text, r)
        assert q.text == "Nous répondrons" and errors == [] and any("quotation marks" in w for w in warnings)
    s = text.index("Il")
    e = text.index(" »") + 2  # a mixed quote keeps its inner marks
    r = [_region("a", "QUOTE", text, s, e), _per("a", "type", ["mixed"], s, e)]
    (q,), _, _ = result_to_quotes(text, r)
    assert q.text.endswith("répondrons »")


def test_offsets_slightly_off_are_recovered_from_the_region_text():
    s, e = TEXT.index("Maud"), TEXT.index("Maud") + len("Maud Bregeon")
    item = _region("b", "QUOTE", TEXT, s, e)
    item["value"]["start"] += 2  # another tool counting differently
    item["value"]["end"] += 2
    result = [item, _per("b", "type", ["direct"], s, e), _per("b", "stance", ["neutral"], s, e)]
    (q,), errors, _ = result_to_quotes(TEXT, result)
    assert errors == [] and q.text == "Maud Bregeon" and (q.start, q.end) == (s, e)


def _task(doc: Document, result, updated="2026-01-02T10:00:00.000000Z", **ann):
    t = document_to_task(doc, "v1")
    annotation = {"id": 1, "completed_by": 3, "result": result, "was_cancelled": False,
                  "created_at": updated, "updated_at": updated, **ann}
    return {"id": 11, "data": t["data"], "annotations": [annotation], "predictions": [1]}


def test_annotation_to_document_restores_the_document_and_adds_provenance(docs):
    doc = docs[0]
    task = _task(doc, document_to_result(doc))
    conv = annotation_to_document(task, latest_human_annotation(task), "ann@example.org", "proj")
    assert conv.errors == [] and conv.base == content_hash(doc)
    out = conv.doc.to_dict()
    assert out["id"] == doc.id and out["text"] == doc.text
    assert out["quotes"] == strip(doc)
    assert out["source"] == "tests/data/studio/frontiere.txt"
    assert out["origin"] == "label-studio" and out["annotator"] == "ann@example.org"
    assert out["annotated_at"] == "2026-01-02T10:00:00.000000Z" and out["studio_task"] == 11
    assert conv.doc.problems() == []


def test_overlapping_quotes_block_the_document():
    text = "Il a dit : « un deux trois »."
    r = [_region("a", "QUOTE", text, 12, 20), _per("a", "type", ["direct"], 12, 20),
         _region("b", "QUOTE", text, 15, 26), _per("b", "type", ["direct"], 15, 26)]
    doc = Document("o", text, [])
    conv = annotation_to_document(_task(doc, r), _task(doc, r)["annotations"][0])
    assert any("overlap" in e for e in conv.errors)


def test_latest_human_annotation_skips_cancelled_and_picks_newest():
    task = {"annotations": [
        {"id": 1, "completed_by": 1, "was_cancelled": False, "updated_at": "2026-01-01T00:00:00Z"},
        {"id": 2, "completed_by": 1, "was_cancelled": False, "updated_at": "2026-03-01T00:00:00Z"},
        {"id": 3, "completed_by": 1, "was_cancelled": True, "updated_at": "2026-05-01T00:00:00Z"},
    ]}
    assert latest_human_annotation(task)["id"] == 2
    assert latest_human_annotation({"annotations": [task["annotations"][2]]}) is None
    assert latest_human_annotation({"annotations": []}) is None


# ---------------------------------------------------------------- merge rules


def pulled(doc: Document, when="2026-02-01T00:00:00Z", base=None) -> Converted:
    d = copy.deepcopy(doc)
    for q in d.quotes:
        q.confidence = None
    d.extra.update({"origin": "label-studio", "annotator": "a@b.c", "annotated_at": when})
    return Converted(d, base=base)


def corrected(doc: Document) -> Document:
    d = copy.deepcopy(doc)
    d.quotes[0].stance = "escalation" if d.quotes[0].stance != "escalation" else "neutral"
    return d


def test_merge_adds_and_is_idempotent(docs):
    new = pulled(docs[0])
    out, rep = merge([], [new])
    assert rep.added == [docs[0].id] and rep.changed
    out2, rep2 = merge(out, [new])
    assert rep2.unchanged == [docs[0].id] and not rep2.changed
    assert [d.to_dict() for d in out2] == [d.to_dict() for d in out]


def test_merge_replaces_model_output(docs):
    model = docs[0]  # its quotes carry confidences: the system's output
    out, rep = merge([model], [pulled(corrected(model))])
    assert rep.replaced == [(model.id, {"added": 0, "removed": 0, "changed": 1})]
    assert out[0].extra["origin"] == "label-studio"
    # Confirmed as is: still replaced (gains provenance, loses confidences).
    out, rep = merge([model], [pulled(model)])
    assert rep.replaced and all(q.confidence is None for q in out[0].quotes)


def test_merge_human_with_timestamp_only_replaced_by_newer(docs):
    human = pulled(docs[0], when="2026-02-01T00:00:00Z").doc
    older, newer = pulled(corrected(docs[0]), "2026-01-01T00:00:00Z"), pulled(corrected(docs[0]), "2026-03-01T00:00:00Z")
    out, rep = merge([human], [older])
    assert rep.kept and not rep.changed and out[0] is human
    out, rep = merge([human], [newer])
    assert rep.replaced and out[0].quotes[0].stance == corrected(docs[0]).quotes[0].stance


def test_merge_hand_written_gold_replaced_only_by_a_review_of_itself(docs):
    gold = copy.deepcopy(docs[0])
    for q in gold.quotes:
        q.confidence = None
    gold.extra = {}
    review = pulled(corrected(gold), base=content_hash(gold))
    out, rep = merge([gold], [review])
    assert rep.replaced
    other = pulled(corrected(gold), base="0123456789abcdef")  # pushed from model output, not from this gold
    out, rep = merge([gold], [other])
    assert rep.kept and out == [gold]


def test_pipeline_output_without_quotes_is_not_human_work():
    from quotes.studio.pull import is_human

    assert not is_human(Document("m", "rien", [], extra={"model_version": "quotes-0.1+rules"}))
    assert not is_human(Document("m", "rien", [], extra={"origin": "model"}))
    assert is_human(Document("h", "rien", []))
    new = Converted(Document("m", "rien", [], extra={"origin": "label-studio", "annotated_at": "2026-01-01T00:00:00Z"}))
    out, rep = merge([Document("m", "rien", [], extra={"model_version": "v"})], [new])
    assert rep.replaced and out[0].extra["origin"] == "label-studio"


def test_quote_changes_counts(docs):
    a = docs[0]
    b = copy.deepcopy(a)
    b.quotes[0].stance = "escalation"
    b.quotes.pop(1)
    b.quotes.append(Quote(300, 310, a.text[300:310], "indirect"))
    assert quote_changes(a, b) == {"added": 1, "removed": 1, "changed": 1}


# ---------------------------------------------------------------- property: round trip

# No quotation marks: pull leaves a direct quote's own marks out of its span (tested above).
WORD = st.text(alphabet="abcdéèàçôœ’'-😀🇫🇷\u00a0", min_size=1, max_size=8).filter(lambda w: w.strip() == w)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(WORD, st.booleans(), st.sampled_from(["direct", "indirect", "mixed"]),
                          st.sampled_from(["escalation", "diplomacy", "neutral", None])), min_size=1, max_size=12))
def test_round_trip_property(parts):
    text, quotes = "", []
    for word, is_quote, qtype, stance in parts:
        start = len(text)
        text += word + " \n"
        if is_quote:
            quotes.append(Quote(start, start + len(word), word, qtype, None, None, None, stance))
    doc = Document("p", text, quotes)
    back, errors, _ = result_to_quotes(text, document_to_result(doc))
    assert errors == []
    assert [q.to_dict() for q in back] == [q.to_dict() for q in quotes]


# ---------------------------------------------------------------- server set-up and CLI wiring


def test_credentials_generated_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_USERNAME", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_PASSWORD", raising=False)
    c = ensure_credentials(tmp_path / "d")
    assert c.created and c.generated and len(c.api_key) == 40
    path = tmp_path / "d" / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["api_key"] == c.api_key
    again = ensure_credentials(tmp_path / "d")  # a first start that failed: not shown yet
    assert again.created and again.api_key == c.api_key and again.password == c.password
    mark_shown(tmp_path / "d")
    later = ensure_credentials(tmp_path / "d")
    assert not later.created and later.api_key == c.api_key and later.generated
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_credentials_from_environment_not_written(tmp_path):
    c = ensure_credentials(tmp_path / "e", api_key="my-secret-token")
    assert c.api_key == "my-secret-token" and not c.generated
    assert "my-secret-token" not in (tmp_path / "e" / CREDENTIALS_FILE).read_text()
    with pytest.raises(QuotesError, match="too short"):
        ensure_credentials(tmp_path / "f", api_key="abc")


def test_server_env_closes_signup_and_calls_nothing(tmp_path):
    env = server_env(ensure_credentials(tmp_path), tmp_path)
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert env["LABEL_STUDIO_COLLECT_ANALYTICS"] == "false"
    assert env["LABEL_STUDIO_LATEST_VERSION_CHECK"] == "false"
    assert env["SENTRY_DSN"] == "" and env["FRONTEND_SENTRY_DSN"] == ""


def test_missing_label_studio_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv("QUOTES_STUDIO_BIN", str(tmp_path / "nope" / "label-studio"))
    with pytest.raises(QuotesError, match="setup_studio.sh") as e:
        studio_bin()
    assert "\n" not in str(e.value)


def test_register_adds_the_commands():
    parser = argparse.ArgumentParser(prog="quotes")
    register(parser.add_subparsers(dest="command"))
    a = parser.parse_args(["studio", "start"])
    assert a.port == 8080 and callable(a.func)
    a = parser.parse_args(["studio", "push", "x.jsonl", "y.txt", "--project", "P"])
    assert a.inputs == ["x.jsonl", "y.txt"] and a.project == "P" and callable(a.func)
    a = parser.parse_args(["studio", "pull", "--project", "P", "-o", "out.jsonl", "--url", "http://h:1"])
    assert a.output == "out.jsonl" and a.url == "http://h:1" and callable(a.func)


def test_importing_the_package_loads_no_sdk_pipeline_or_torch():
    code = ("import sys, quotes.studio; bad = [m for m in ('torch', 'label_studio_sdk', 'quotes.pipeline', 'httpx') "
            "if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stdout + r.stderr
