"""The review loop against a real Label Studio server (started by `quotes studio start`).

push -> a reviewer's corrections through the SDK -> pull -> the annotations
file holds them and follows the scheme. Skips only when .venv-studio is missing.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import string
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from quotes.document import Document, Quote, Span, read_jsonl, write_jsonl
from quotes.cli import main as quotes_main
from quotes.studio.connect import label_config
from quotes.studio.server import free_port

pytest_plugins = ["quotes.studio.testing"]
pytestmark = pytest.mark.studio

DATA = Path(__file__).parents[1] / "data" / "studio"
PREDICTIONS = DATA / "predictions.jsonl"
REPO = Path(__file__).resolve().parents[2]


def cli(*argv: str) -> tuple[int, str, str]:
    """Run `quotes studio ...` through the CLI's main(), in-process; returns (code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = quotes_main(["studio", *argv])
    return code, out.getvalue(), err.getvalue()


def project_id(client, title: str) -> int:
    return next(p.id for p in client.projects.list(title=title) if p.title == title)


def tasks_of(client, pid: int) -> list:
    return sorted(client.tasks.list(project=pid, fields="all", page_size=100), key=lambda t: t.id)


def rid() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=10))


def region(i: str, label: str, text: str, start: int, end: int) -> dict:
    return {"id": i, "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}


def per_region(i: str, name: str, value: list, start: int, end: int) -> dict:
    kind, key = ("textarea", "text") if name == "speaker_name" else ("choices", "choices")
    return {"id": i, "from_name": name, "to_name": "text", "type": kind, "origin": "manual",
            "value": {"start": start, "end": end, key: value}}


def span(text: str, s: str) -> Span:
    i = text.index(s)
    return Span(i, i + len(s), s)


def review(task) -> tuple[list[dict], Document]:
    """What a reviewer does to a task, starting from the prediction; and the document it should give."""
    doc = next(d for d in read_jsonl(PREDICTIONS) if d.id == task.data["doc_id"])
    expected = copy.deepcopy(doc)
    for q in expected.quotes:
        q.confidence = None
    result = copy.deepcopy(task.predictions[0].result)
    text = doc.text
    qid = {r["value"]["text"]: r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["QUOTE"]}
    if doc.id == "studio_001_frontiere":
        # 1. A stance changed: "Rien n'est exclu" is a threat, not neutral.
        for r in result:
            if r.get("from_name") == "stance" and r["id"] == qid["Rien n'est exclu"]:
                r["value"]["choices"] = ["escalation"]
        expected.quotes[1].stance = "escalation"
        # 2. A missed quote added, with its cue and speaker.
        content = span(text, "la France maintiendra ses sanctions tant que les troupes resteront massées à la frontière")
        cue, who = span(text, "Selon"), span(text, "Maud Bregeon")
        q, c, s = rid(), rid(), rid()
        result += [
            region(q, "QUOTE", text, content.start, content.end),
            per_region(q, "type", ["indirect"], content.start, content.end),
            per_region(q, "stance", ["escalation"], content.start, content.end),
            per_region(q, "speaker_name", ["Maud Bregeon"], content.start, content.end),
            region(c, "CUE", text, cue.start, cue.end),
            region(s, "SPEAKER", text, who.start, who.end),
            {"from_id": q, "to_id": c, "type": "relation", "direction": "right", "labels": ["cue"]},
            {"from_id": q, "to_id": s, "type": "relation", "direction": "right", "labels": ["speaker"]},
        ]
        expected.quotes.append(Quote(content.start, content.end, content.text, "indirect", cue, who,
                                     "Maud Bregeon", "escalation"))
    elif doc.id == "studio_002_kremlin":
        # 3. A speaker changed: Dmitri Peskov, not the Kremlin, says "Nous répondrons".
        q = qid["Nous répondrons"]
        old = next(r for r in result if r.get("type") == "relation" and r["from_id"] == q and r["labels"] == ["speaker"])
        result.remove(old)
        who, s = span(text, "Dmitri Peskov"), rid()
        result += [region(s, "SPEAKER", text, who.start, who.end),
                   {"from_id": q, "to_id": s, "type": "relation", "direction": "right", "labels": ["speaker"]}]
        for r in result:
            if r.get("from_name") == "speaker_name" and r["id"] == q:
                r["value"]["text"] = ["Dmitri Peskov"]
        expected.quotes[1].speaker, expected.quotes[1].speaker_name = who, "Dmitri Peskov"
    return result, expected


@pytest.fixture(scope="module")
def reviewed(studio):
    """Project `loop`: the fixture pushed, two of its three tasks corrected by a reviewer."""
    code, out, err = cli("push", str(PREDICTIONS), "--project", "loop", *studio.flags())
    assert code == 0, err
    client = studio.client()
    pid = project_id(client, "loop")
    expected = {}
    for task in tasks_of(client, pid):
        if task.data["doc_id"] == "studio_003_geneve":
            continue  # not reviewed: its prediction must never reach the file
        result, doc = review(task)
        client.annotations.create(id=task.id, result=result, was_cancelled=False, ground_truth=False)
        expected[doc.id] = doc
    return pid, expected, err


def test_start_made_the_admin_and_printed_the_key_once(studio):
    assert studio.url.startswith("http://127.0.0.1:")
    assert len(studio.api_key) == 40 and studio.password
    creds = studio.data_dir / "quotes-studio.json"
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    stored = json.loads(creds.read_text())
    assert stored["api_key"] == studio.api_key and stored["shown"] is True  # not printed again
    print(f"\nLabel Studio first start (migrations included): {studio.start_seconds:.1f} s")


def test_push_makes_the_project_with_predictions_least_confident_first(studio, reviewed):
    pid, _, err = reviewed
    assert "pushed 3 document(s) with 5 predicted quote(s)" in err
    client = studio.client()
    project = client.projects.get(pid)
    assert project.label_config.strip() == label_config().strip()  # so a second push leaves it alone
    assert project.sampling == "Uncertainty sampling"
    tasks = tasks_of(client, pid)
    assert [t.data["doc_id"] for t in tasks] == ["studio_002_kremlin", "studio_001_frontiere", "studio_003_geneve"]
    scores = [t.predictions[0].score for t in tasks]
    assert scores == sorted(scores) and scores[0] == 0.35
    assert {t.predictions[0].model_version for t in tasks} == {"jsonl:predictions.jsonl"}
    assert project.model_version == "jsonl:predictions.jsonl"


def test_push_twice_adds_no_duplicate(studio, reviewed):
    pid, _, _ = reviewed
    code, out, err = cli("push", str(PREDICTIONS), "--project", "loop", *studio.flags())
    assert code == 0 and "skipped 3 already there" in err and "pushed 0 document(s)" in err
    assert len(tasks_of(studio.client(), pid)) == 3


def test_pull_writes_the_corrections(studio, reviewed, tmp_path):
    _, expected, _ = reviewed
    out = tmp_path / "annotations.jsonl"
    code, stdout, err = cli("pull", "--project", "loop", "-o", str(out), *studio.flags())
    assert code == 0, err
    assert "2 document(s) added" in stdout
    docs = {d.id: d for d in read_jsonl(out)}
    assert set(docs) == {"studio_001_frontiere", "studio_002_kremlin"}  # the unreviewed task is not written
    for doc_id, want in expected.items():
        got = docs[doc_id]
        assert got.problems() == []
        assert [q.to_dict() for q in got.quotes] == [q.to_dict() for q in want.quotes]
        assert got.extra["origin"] == "label-studio" and got.extra["annotator"] == studio.username
        assert got.extra["annotated_at"] and got.extra["studio_project"] == "loop"
    assert docs["studio_001_frontiere"].extra["source"] == "tests/data/studio/frontiere.txt"
    frontiere = docs["studio_001_frontiere"]
    assert frontiere.quotes[1].stance == "escalation" and len(frontiere.quotes) == 3
    assert docs["studio_002_kremlin"].quotes[1].speaker_name == "Dmitri Peskov"
    corpus_check(out)


def corpus_check(path: Path) -> None:
    """The lead's `quotes corpus check`, when it exists in this checkout."""
    if not (REPO / "quotes" / "corpus.py").exists() and not (REPO / "quotes" / "corpus").is_dir():
        return
    r = subprocess.run([sys.executable, "-m", "quotes.corpus", "check", str(path)], cwd=REPO,
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stdout + r.stderr


def test_pull_twice_is_idempotent(studio, reviewed, tmp_path):
    out = tmp_path / "a.jsonl"
    assert cli("pull", "--project", "loop", "-o", str(out), *studio.flags())[0] == 0
    before, mtime = out.read_bytes(), out.stat().st_mtime_ns
    code, stdout, _ = cli("pull", "--project", "loop", "-o", str(out), *studio.flags())
    assert code == 0 and "0 document(s) added, 0 updated" in stdout and "2 unchanged" in stdout
    assert out.read_bytes() == before and out.stat().st_mtime_ns == mtime


def test_pull_never_overwrites_human_work_with_predictions(studio, reviewed, tmp_path):
    docs = {d.id: d for d in read_jsonl(PREDICTIONS)}
    # A hand-written gold document for the unreviewed task (only predictions in Label Studio).
    gold = copy.deepcopy(docs["studio_003_geneve"])
    gold.quotes[0].confidence, gold.quotes[0].stance = None, "diplomacy"
    # A human annotation newer than the one in Label Studio.
    newer = copy.deepcopy(docs["studio_001_frontiere"])
    for q in newer.quotes:
        q.confidence = None
    newer.quotes = newer.quotes[:1]
    newer.extra.update({"origin": "label-studio", "annotator": "x@y.z", "annotated_at": "2999-01-01T00:00:00Z"})
    # The system's output for the third: replaced by the reviewer's correction.
    model = docs["studio_002_kremlin"]
    out = tmp_path / "mixed.jsonl"
    write_jsonl([gold, newer, model], out)
    code, stdout, err = cli("pull", "--project", "loop", "-o", str(out), *studio.flags())
    assert code == 0, err
    got = {d.id: d for d in read_jsonl(out)}
    assert got["studio_003_geneve"].to_dict() == gold.to_dict()
    assert got["studio_001_frontiere"].to_dict() == newer.to_dict()
    assert got["studio_002_kremlin"].quotes[1].speaker_name == "Dmitri Peskov"
    assert "kept studio_001_frontiere" in err and "1 updated (quotes: 0 added, 0 removed, 1 changed)" in stdout
    assert [d.id for d in read_jsonl(out)] == ["studio_003_geneve", "studio_001_frontiere", "studio_002_kremlin"]


def one_line_error(code: int, err: str, *needles: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], lines[0]


def test_error_server_down(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = cli("pull", "--project", "loop", "-o", str(tmp_path / "x.jsonl"), "--url", url, "--api-key", "k" * 40)
    one_line_error(code, err, "cannot reach Label Studio", url)
    code, _, err = cli("push", str(PREDICTIONS), "--project", "loop", "--url", url, "--api-key", "k" * 40)
    one_line_error(code, err, "cannot reach Label Studio")


def test_error_bad_token(studio, tmp_path):
    code, _, err = cli("pull", "--project", "loop", "-o", str(tmp_path / "x.jsonl"), "--url", studio.url,
                       "--api-key", "0" * 40)
    one_line_error(code, err, "refused the API key")


def test_error_unknown_project(studio, tmp_path, monkeypatch):
    # Through the environment this time.
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.api_key)
    out = tmp_path / "x.jsonl"
    code, _, err = cli("pull", "--project", "no such project", "-o", str(out))
    one_line_error(code, err, "no project 'no such project'")
    assert not out.exists()


def test_error_invalid_input_is_refused_before_import(studio, tmp_path):
    bad = tmp_path / "bad.jsonl"
    doc = Document("bad", "Il a dit oui.", [Quote(0, 5, "xx", "direct")])
    write_jsonl([doc], bad)
    code, _, err = cli("push", str(bad), "--project", "refused", *studio.flags())
    one_line_error(code, err, "does not follow the scheme")


def test_newer_model_updates_only_untouched_tasks(studio, reviewed, tmp_path):
    """A re-push from another model version replaces the prediction of the task nobody reviewed, and only it."""
    pid, expected, _ = reviewed
    client = studio.client()
    before = {t.data["doc_id"]: t for t in tasks_of(client, pid)}
    code, out, err = cli("push", str(PREDICTIONS), "--project", "loop", "--model-version", "model:newer", *studio.flags())
    assert code == 0, err
    assert "updated the prediction of 1 unannotated task(s)" in err and "skipped 2 already there" in err
    after = {t.data["doc_id"]: t for t in tasks_of(client, pid)}
    assert len(after) == 3
    assert [p.model_version for p in after["studio_003_geneve"].predictions] == ["model:newer"]
    for doc_id in expected:  # reviewed: predictions and annotations as they were
        assert [p.model_version for p in after[doc_id].predictions] == \
            [p.model_version for p in before[doc_id].predictions]
        assert [a["id"] for a in after[doc_id].annotations] == [a["id"] for a in before[doc_id].annotations]
    # the same version again changes nothing
    code, _, err = cli("push", str(PREDICTIONS), "--project", "loop", "--model-version", "model:newer", *studio.flags())
    assert code == 0 and "updated" not in err and "skipped 3 already there" in err
    # and the pull still holds the human corrections only
    pulled = tmp_path / "pulled.jsonl"
    code, _, err = cli("pull", "--project", "loop", "-o", str(pulled), *studio.flags())
    assert code == 0, err
    assert sorted(d.id for d in read_jsonl(pulled)) == sorted(expected)
