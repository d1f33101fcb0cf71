"""`quotes studio backend`: the ML backend protocol on its own (fast), then against the real server
(`-m studio`): `quotes studio start --backend` connects it, a task imported through the API gets its
prediction from the backend, a correction submitted through the API reaches its webhook, and
`--retrain-after 1` pulls the correction and trains a model that then serves.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from quotes.document import Document, QuotesError, read_jsonl, write_jsonl
from quotes.studio.backend import Backend, serve
from quotes.studio.convert import document_to_prediction
from quotes.studio.retrain import Retrainer

pytest_plugins = ["quotes.studio.testing"]

DATA = Path(__file__).parents[1] / "data" / "studio"
PREDICTIONS = DATA / "predictions.jsonl"
REPO = Path(__file__).resolve().parents[2]


class StubPredictor:
    """The fixture's predicted documents, looked up by text: the protocol without spaCy."""

    version = "stub-1"
    model_dir = None

    def __init__(self):
        self.docs = {d.text: d for d in read_jsonl(PREDICTIONS)}

    def annotate(self, doc: Document):
        found = self.docs.get(doc.text)
        return (copy.deepcopy(found) if found else Document(doc.id, doc.text)), self.version


@pytest.fixture
def running():
    backend = Backend(StubPredictor())
    httpd = serve(backend, 0)
    backend.public_url = url = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield backend, url
    httpd.shutdown()
    httpd.server_close()


def call(url: str, path: str, body=None, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url + path, data=data, method="GET" if data is None else "POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_health_setup_and_versions(running):
    backend, url = running
    code, body = call(url, "/health")
    assert code == 200 and body["status"] == "UP" and body["model_version"] == "stub-1"
    code, body = call(url, "/setup", {"project": "3.1700000000", "schema": "<View/>", "hostname": "http://h:1",
                                      "access_token": "tok"})
    assert code == 200 and body == {"model_version": "stub-1"}
    assert backend.server == {"hostname": "http://h:1", "access_token": "tok"}
    assert call(url, "/versions")[1]["versions"] == ["stub-1"]


def test_predict_returns_push_format_per_task(running):
    _, url = running
    docs = read_jsonl(PREDICTIONS)
    tasks = [{"id": 10 + i, "data": {"text": d.text, "doc_id": d.id}, "project": 3} for i, d in enumerate(docs)]
    tasks.append({"id": 99, "data": {"text": "Rien à signaler."}, "project": 3})
    code, body = call(url, "/predict", {"tasks": tasks, "project": "3.1700000000", "label_config": "<View/>"})
    assert code == 200 and body["model_version"] == "stub-1"
    assert len(body["results"]) == len(tasks)  # one per task, in order: Label Studio pairs them by position
    for doc, got in zip(docs, body["results"]):
        assert got == json.loads(json.dumps(document_to_prediction(doc, "stub-1")))
    assert [r["from_name"] for r in body["results"][-1]["result"]] == []  # nothing found, nothing outside


def test_bad_requests_are_answered_not_crashed(running):
    _, url = running
    assert call(url, "/predict", raw=b"{not json")[0] == 400
    assert call(url, "/predict", {"tasks": "x"})[0] == 400
    code, body = call(url, "/predict", {"tasks": [{"id": 1, "data": {"image": "x.png"}}]})
    assert code == 400 and "no 'text'" in body["error"]
    assert call(url, "/nope", {})[0] == 404 and call(url, "/nope")[0] == 404
    assert call(url, "/health")[0] == 200  # still serving


def test_webhook_events_are_logged(running, capsys):
    backend, url = running
    event = {"action": "ANNOTATION_CREATED", "project": {"id": 3, "title": "p"}, "task": {"id": 7},
             "annotation": {"id": 12}}
    code, body = call(url, "/webhook", event)
    assert code == 201 and body == {"status": "ok"}
    assert backend.events[-1]["action"] == "ANNOTATION_CREATED" and backend.events[-1]["task"] == 7
    assert "webhook ANNOTATION_CREATED: project 'p' (id 3), task 7, annotation 12" in capsys.readouterr().err


def test_a_file_imported_through_the_ui_is_read_from_the_server(monkeypatch):
    from quotes.studio.connect import is_file_ref

    assert is_file_ref("/data/upload/3/0f1e-page.txt") and is_file_ref("http://127.0.0.1:8080/data/upload/1/a.txt")
    assert not is_file_ref("Le ministre a dit : « non ». http://x.fr/a") and not is_file_ref(None)
    page = "\ufeffAccueil\n\nLe ministre a déclaré : « Nous voulons la paix »."
    asked = []

    class Response:
        status_code = 200
        content = page.encode("utf-8")

    class Client:
        quotes_url = "http://127.0.0.1:8080"

        class _client_wrapper:
            class httpx_client:
                @staticmethod
                def request(path, method):
                    asked.append((method, path))
                    return Response()

    backend = Backend(StubPredictor())
    monkeypatch.setattr(backend, "client", lambda: Client())
    # The server sends the file's URL under `text` (or `$undefined$`); the text is the file's, BOM left out
    # as the browser does, so the offsets are those Label Studio shows.
    for data in ({"text": "/data/upload/3/0f1e-page.txt"}, {"$undefined$": "/data/upload/3/0f1e-page.txt"}):
        assert backend.task_text({"id": 1, "data": data}) == page[1:]
    assert asked == [("GET", "data/upload/3/0f1e-page.txt")] * 2
    with pytest.raises(QuotesError, match="not on http://127.0.0.1:8080"):
        backend.task_text({"id": 1, "data": {"text": "https://elsewhere.example/a.txt"}})


def test_bad_set_up_is_one_line(tmp_path, capsys):
    from quotes.cli import main as quotes_main

    backend = Backend(StubPredictor())
    httpd = serve(backend, 0)
    try:
        with pytest.raises(QuotesError, match="pick another --port"):
            serve(backend, httpd.server_address[1])
        code = quotes_main(["studio", "backend", "--port", str(httpd.server_address[1]), "--rules-only"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "already in use" in err, err
    finally:
        httpd.server_close()
    code = quotes_main(["studio", "backend", "--rules-only", "--retrain-after", "3", "--dev", str(tmp_path / "no.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no.jsonl: no such file" in err, err


FAKE_TRAIN = """\
#!{python}
# Stands in for `python -m quotes.train`: records its arguments and writes a model folder.
import json, os, sys
args = sys.argv[1:]
out = args[args.index("--output") + 1]
os.makedirs(out, exist_ok=True)
json.dump(args, open(os.path.join(out, "args.json"), "w"))
"""


def test_retrainer_counts_pulls_then_trains(tmp_path, monkeypatch):
    import quotes.studio.pull as pull_module

    fake = tmp_path / "python"
    fake.write_text(FAKE_TRAIN.format(python=sys.executable))
    fake.chmod(0o755)
    pulled = []

    def fake_pull(client, project, path):
        pulled.append((project, Path(path)))
        write_jsonl([Document("d", "Il a dit oui.")], path)
        return pull_module.MergeReport(added=["d"]), [], False

    monkeypatch.setattr(pull_module, "pull", fake_pull)
    train = tmp_path / "train.jsonl"
    dev = tmp_path / "dev.jsonl"
    r = Retrainer(2, str(tmp_path / "{project}.jsonl"), str(dev), [str(train)], str(tmp_path / "m-{project}"),
                  ["--epochs", "1"], python=str(fake))
    done = threading.Event()
    models = []
    r.on_model = lambda folder: (models.append(folder), done.set())
    assert r.annotated("my proj", 1, lambda: None).startswith("counted (1/2")
    assert r.annotated("my proj", 1, lambda: None) == "retraining"
    assert done.wait(30), r.runs
    assert pulled == [("my proj", tmp_path / "my-proj.jsonl")]
    assert models == [str(tmp_path / "m-my-proj")]
    args = json.loads((tmp_path / "m-my-proj" / "args.json").read_text())
    assert args == ["-m", "quotes.train", "--train", str(train), str(tmp_path / "my-proj.jsonl"), "--dev", str(dev),
                    "--output", str(tmp_path / "m-my-proj"), "--epochs", "1"]
    assert r.runs[0]["exit"] == 0 and r.pending["my proj"] == 0


def test_register_adds_backend_and_start_flags():
    import argparse

    from quotes.studio import register

    parser = argparse.ArgumentParser(prog="quotes")
    register(parser.add_subparsers(dest="command"))
    a = parser.parse_args(["studio", "backend", "--port", "0", "--connect", "P", "--rules-only", "--retrain-after", "5",
                           "--train-arg=--epochs 2"])
    assert (a.port, a.connect, a.rules_only, a.retrain_after, a.train_arg) == (0, ["P"], True, 5, ["--epochs 2"])
    a = parser.parse_args(["studio", "start", "--backend", "--project", "A", "--project", "B",
                           "--backend-args=--rules-only"])
    assert a.backend and a.project == ["A", "B"] and a.backend_args == "--rules-only"


# ---------------------------------------------------------------- against the real server


def live_project(client):
    from quotes.studio.testing import LIVE_PROJECT

    return next(p for p in client.projects.list(title=LIVE_PROJECT) if p.title == LIVE_PROJECT)


def health(url: str) -> dict:
    with urllib.request.urlopen(url + "/health", timeout=10) as r:
        return json.loads(r.read())


def strip_ids(result: list[dict]) -> list[dict]:
    keys = ("id", "from_name", "to_name", "type", "value", "score", "readonly", "from_id", "to_id", "labels")
    return [{k: r[k] for k in keys if k in r} for r in result]


@pytest.mark.studio
def test_start_backend_connects_it_to_the_project(studio):
    assert studio.backend_url.startswith("http://127.0.0.1:")
    version = health(studio.backend_url)["model_version"]
    assert "+rules+" in version  # --backend-args=--rules-only reached the backend
    client = studio.client()
    project = live_project(client)
    (ml,) = [m for m in client.ml.list(project=project.id)]
    assert ml.url.rstrip("/") == studio.backend_url and ml.title == version
    assert client.projects.get(project.id).model_version == version
    hooks = [w.url for w in client.webhooks.list(project=str(project.id))]
    assert hooks.count(studio.backend_url + "/webhook") == 1


@pytest.mark.studio
def test_imported_task_gets_the_backend_prediction_and_correction_reaches_the_webhook(studio, pipeline, tmp_path):
    client = studio.client()
    project = live_project(client)
    doc = read_jsonl(PREDICTIONS)[0]  # menus and comments around the article
    r = client.projects.import_tasks(project.id, request=[{"data": {"text": doc.text, "doc_id": doc.id}}],
                                     return_task_ids=True)
    (task_id,) = r.task_ids
    # Opening the task (as the labelling screen does) makes the server ask the backend for its prediction.
    task = client.tasks.get(task_id)
    studio.wait_for(rf"predicted 1 task\(s\) \({task_id}\)", timeout=60)
    version = health(studio.backend_url)["model_version"]
    (pred,) = [p for p in task.predictions if p.model_version == version]
    want = document_to_prediction(pipeline.annotate(Document(doc.id, doc.text)), version)
    assert strip_ids(pred.result) == strip_ids(json.loads(json.dumps(want["result"])))
    assert pred.score == want["score"]
    assert any(x.get("from_name") == "scope" for x in pred.result)  # the grey out-of-article regions too

    # A reviewer's correction through the API: the webhook reaches the backend.
    result = copy.deepcopy(pred.result)
    quote = next(x for x in result if x.get("from_name") == "stance")
    quote["value"]["choices"] = ["escalation" if quote["value"]["choices"] != ["escalation"] else "neutral"]
    ann = client.annotations.create(id=task_id, result=result, was_cancelled=False, ground_truth=False)
    studio.wait_for(rf"webhook ANNOTATION_CREATED: project 'live' \(id {project.id}\), task {task_id}, "
                    rf"annotation {ann.id}", timeout=60)


TRAIN_ARGS = "--epochs 1 --max_steps 1 --num_layers 2 --quiet"


@pytest.mark.studio
def test_retrain_after_one_correction(studio, tmp_path):
    """A second backend with --retrain-after 1: the correction is pulled (the file's human work kept),
    `python -m quotes.train` runs on it, and the new model serves and names the ML backend."""
    from quotes.studio.server import free_port
    from quotes.studio.testing import Lines

    gold = read_jsonl(PREDICTIONS)
    for d in gold:
        for q in d.quotes:
            q.confidence = None
    write_jsonl(gold, tmp_path / "train.jsonl")
    write_jsonl(gold, tmp_path / "dev.jsonl")
    hand = Document("hand_1", "« Non », a dit Paul.", [], extra={"annotator": "me"})
    write_jsonl([hand], tmp_path / "retrain.jsonl")  # already in the annotations file: must stay as it is
    port = free_port()
    cmd = [sys.executable, "-m", "quotes.studio", "backend", "--port", str(port), "--rules-only",
           "--connect", "retrain", "--retrain-after", "1", "--annotations", str(tmp_path / "{project}.jsonl"),
           "--train", str(tmp_path / "train.jsonl"), "--dev", str(tmp_path / "dev.jsonl"),
           "--model-out", str(tmp_path / "model-{project}"), f"--train-arg={TRAIN_ARGS}"]
    env = {**os.environ, "LABEL_STUDIO_URL": studio.url, "LABEL_STUDIO_API_KEY": studio.api_key,
           "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            text=True, env=env, cwd=REPO)
    out = Lines(proc.stdout)
    try:
        url = out.wait_for(r"ML backend ready: (\S+)", timeout=120).group(1)
        old = health(url)["model_version"]
        client = studio.client()
        pid = next(p.id for p in client.projects.list(title="retrain") if p.title == "retrain")
        doc = gold[1]
        (task_id,) = client.projects.import_tasks(pid, request=[{"data": {"text": doc.text, "doc_id": doc.id}}],
                                                  return_task_ids=True).task_ids
        (pred,) = client.tasks.get(task_id).predictions
        result = copy.deepcopy(pred.result)
        stance = next(x for x in result if x.get("from_name") == "stance")
        stance["value"]["choices"] = ["escalation" if stance["value"]["choices"] != ["escalation"] else "neutral"]
        client.annotations.create(id=task_id, result=result, was_cancelled=False, ground_truth=False)

        out.wait_for(rf"webhook ANNOTATION_CREATED: project 'retrain' \(id {pid}\), task {task_id}", timeout=60)
        out.wait_for(r"pulled project 'retrain': .*1 document\(s\) added", timeout=60)
        line = out.wait_for(r"training on (.*) \(dev (\S+)\) into (\S+):", timeout=30)
        assert line.group(1).split() == [str(tmp_path / "train.jsonl"), str(tmp_path / "retrain.jsonl")]
        assert line.group(3) == str(tmp_path / "model-retrain")
        out.wait_for(r"training finished", timeout=300)
        new = out.wait_for(r"now predicting with (\S+)", timeout=120).group(1)
        out.wait_for(r"renamed 1 connected ML backend", timeout=60)
    finally:
        proc.send_signal(2)  # Ctrl-C
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    assert code == 0, "".join(out.output[-20:])
    docs = {d.id: d for d in read_jsonl(tmp_path / "retrain.jsonl")}
    assert docs["hand_1"].to_dict() == hand.to_dict()
    got = docs[doc.id]
    assert got.extra["origin"] == "label-studio" and all(q.confidence is None for q in got.quotes)
    assert got.quotes[0].stance == stance["value"]["choices"][0]  # the correction, not the model's guess
    assert (tmp_path / "model-retrain" / "config.json").is_file()
    assert new != old and "model-retrain" in new
    (ml,) = client.ml.list(project=pid)
    assert ml.title == new and client.projects.get(pid).model_version == new
