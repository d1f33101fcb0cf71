"""`quotes studio push`: documents and the system's output into a Label Studio project."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from quotes.document import Document, QuotesError, read_jsonl
from quotes.studio.connect import connect, find_project, label_config, sdk_errors
from quotes.studio.convert import document_to_prediction, document_to_task, doc_score, task_key

SAMPLING = "Uncertainty sampling"  # Label All Tasks: lowest prediction score of the project's model version first
CHUNK = 200
# The Data Manager tab that push makes: numeric columns typed as numbers (sorted and filtered as
# numbers, not as text), least confident first, the bookkeeping columns hidden.
VIEW_TITLE = "Least confident first"
NUMBER_COLUMNS = ("confidence", "n_quotes", "article_chars", "outside_chars")
HIDDEN_COLUMNS = ("doc", "key", "text_hash")


def view_data() -> dict:
    hidden = [f"tasks:data.{c}" for c in HIDDEN_COLUMNS]
    return {
        "title": VIEW_TITLE,
        "type": "list",
        "target": "tasks",
        "ordering": ["tasks:data.confidence"],
        "columnsDisplayType": {f"tasks:data.{c}": "Number" for c in NUMBER_COLUMNS},
        "hiddenColumns": {"explore": hidden, "labeling": hidden + [f"tasks:data.{c}" for c in NUMBER_COLUMNS]},
        "filters": {"conjunction": "and", "items": []},
    }


def ensure_view(client, project_id: int) -> None:
    """The project's "least confident first" tab, made once (a reviewer may change it afterwards)."""
    with sdk_errors(client.quotes_url, "setting up the Data Manager tab"):
        for v in client.views.list(project=project_id):
            if (getattr(v, "data", None) or {}).get("title") == VIEW_TITLE:
                return
        # The SDK's view model drops the column types: the plain API call keeps them.
        r = client._client_wrapper.httpx_client.request(
            "api/dm/views/", method="POST", json={"project": project_id, "data": view_data()})
        if r.status_code >= 400:
            raise QuotesError(f"Label Studio at {client.quotes_url}: creating the Data Manager tab failed "
                              f"({r.status_code}: {r.text[:200]})")


def has_backend(client, project_id: int) -> bool:
    with sdk_errors(client.quotes_url, "listing ML backends"):
        return bool(client.ml.list(project=project_id))


def load_documents(paths: list[str], model_version: str | None = None,
                   decider: str | None = None) -> list[tuple[Document, str]]:
    """(document with its predicted quotes, model version) for every input.

    A `.jsonl` is the system's output as it is (`quotes annotate`); any other
    path (text, HTML, folder, `-`) is read and annotated by the pipeline,
    loaded only then.
    """
    out: list[tuple[Document, str]] = []
    raw: list[str] = []
    for p in paths:
        if p.lower().endswith(".jsonl"):
            for doc in read_jsonl(p):
                out.append((doc, model_version or str(doc.extra.get("model_version") or f"jsonl:{Path(p).name}")))
        else:
            raw.append(p)
    if raw:
        try:
            from quotes.io.read import ReadReport, read_inputs
            from quotes.pipeline import load_pipeline
        except ImportError as e:
            raise QuotesError(f"cannot annotate {raw[0]}: the pipeline is not available ({e}); "
                              "push the .jsonl output of `quotes annotate` instead") from None
        pipe = load_pipeline(decider) if decider else load_pipeline()
        version = model_version or str(getattr(pipe, "version", "quotes"))
        report = ReadReport()
        for doc in read_inputs(raw, report):
            out.append((pipe.annotate(doc), version))
        for w in report.warnings:
            print(f"quotes: warning: {w}", file=sys.stderr)
        for skipped in report.skipped:
            print(f"quotes: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    return out


def check_documents(docs: list[tuple[Document, str]]) -> None:
    for doc, _ in docs:
        problems = doc.problems()
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise QuotesError(f"document {doc.id!r} does not follow the scheme: {problems[0]}{more}")


def ensure_project(client, name: str, create: bool = True):
    """The project titled `name` with our labelling config, created when missing."""
    config = label_config()
    project = find_project(client, name)
    with sdk_errors(client.quotes_url, f"setting up project {name!r}"):
        if project is None:
            if not create:
                return None
            project = client.projects.create(
                title=name,
                label_config=config,
                description="Quotes, cues, speakers and stance (quotes studio push)",
                sampling=SAMPLING,
                show_collab_predictions=True,
                enable_empty_annotation=True,
            )
            return client.projects.get(project.id)
        full = client.projects.get(project.id)
    if (full.label_config or "").strip() != config.strip():
        try:
            with sdk_errors(client.quotes_url):
                client.projects.update(full.id, label_config=config)
        except QuotesError as e:
            raise QuotesError(f"project {name!r} has another labelling config that cannot be updated: {e}") from None
    return full


def existing_tasks(client, project_id: int) -> dict:
    """Key → task of every task in the project (annotations and predictions included)."""
    tasks: dict = {}
    with sdk_errors(client.quotes_url, "listing tasks"):
        for task in client.tasks.list(project=project_id, fields="all", page_size=500):
            data = task.data or {}
            if data.get("key"):
                tasks[data["key"]] = task
            elif data.get("doc_id") is not None and isinstance(data.get("text"), str):
                tasks[task_key(str(data["doc_id"]), data["text"])] = task
    return tasks


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _untouched(task) -> bool:
    """No human has annotated (or skipped) this task: its prediction may be replaced."""
    return not (task.annotations or []) and not int(getattr(task, "total_annotations", 0) or 0) \
        and not int(getattr(task, "cancelled_annotations", 0) or 0)


def refresh(client, task, doc: Document, version: str) -> bool:
    """Replace the predictions of an untouched task by `doc`'s when they come from another model version."""
    if not _untouched(task):
        return False
    old = task.predictions or []
    if any(_field(p, "model_version") == version for p in old):
        return False
    new = document_to_prediction(doc, version)
    with sdk_errors(client.quotes_url, f"updating the prediction of task {task.id}"):
        client.predictions.create(task=task.id, **new)
        for p in old:
            if _field(p, "id") is not None:
                client.predictions.delete(id=_field(p, "id"))
    return True


def push(client, docs: list[tuple[Document, str]], project_name: str) -> dict:
    """Import the documents not yet in the project, least confident first; for those already there, replace
    the prediction of tasks no human has touched when it comes from another model version. Returns counts."""
    check_documents(docs)
    project = ensure_project(client, project_name)
    ensure_view(client, project.id)
    have = existing_tasks(client, project.id)
    fresh: list[tuple[Document, str]] = []
    seen: set[str] = set()
    updated = 0
    for doc, version in docs:
        key = task_key(doc.id, doc.text)
        if key in seen:
            continue
        seen.add(key)
        if key in have:
            updated += refresh(client, have[key], doc, version)
        else:
            fresh.append((doc, version))
    skipped = len(docs) - len(fresh) - updated

    def order(item):
        score = doc_score(item[0])
        return 1.0 if score is None else score

    fresh.sort(key=order)  # stable: ties keep the input order
    tasks = [document_to_task(doc, version) for doc, version in fresh]
    imported = 0
    with sdk_errors(client.quotes_url, "importing tasks"):
        for i in range(0, len(tasks), CHUNK):
            r = client.projects.import_tasks(project.id, request=tasks[i : i + CHUNK], return_task_ids=True)
            imported += int(r.task_count or 0)
        # A connected ML backend names the project's current model itself (`quotes studio backend`).
        if fresh and not has_backend(client, project.id):
            version = Counter(v for _, v in fresh).most_common(1)[0][0]
            client.projects.update(project.id, model_version=version, sampling=SAMPLING)
    return {
        "project": project.title,
        "project_id": project.id,
        "imported": imported,
        "skipped": skipped,
        "updated": updated,
        "quotes": sum(len(d.quotes) for d, _ in fresh),
        "least_confidence": order(fresh[0]) if fresh else None,
    }


def run_push(args) -> int:
    docs = load_documents(args.inputs, args.model_version, getattr(args, "decider", None))
    if not docs:
        raise QuotesError("nothing to push: no documents in the inputs")
    client = connect(args.url, args.api_key)
    r = push(client, docs, args.project)
    url = f"{client.quotes_url}/projects/{r['project_id']}/data"
    print(
        f"pushed {r['imported']} document(s) with {r['quotes']} predicted quote(s) to project {r['project']!r}"
        + (f", updated the prediction of {r['updated']} unannotated task(s)" if r["updated"] else "")
        + (f", skipped {r['skipped']} already there" if r["skipped"] else "")
        + (f"; review queue least confident first: a task's confidence is its least sure quote field "
           f"(quote, speaker or stance; 0 = unsure, 1 = sure), and Label All Tasks serves the lowest first "
           f"(lowest here: {r['least_confidence']:.2f})" if r["least_confidence"] is not None else ""),
        file=sys.stderr,
    )
    print(url)
    return 0
