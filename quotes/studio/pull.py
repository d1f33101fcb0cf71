"""`quotes studio pull`: reviewed tasks back into an annotations file, never losing a human's work.

Only tasks with a human annotation (submitted, not skipped) are written; model
predictions never are. Merging into an existing file (`merge`):

- a document not in the file is added;
- a document of the file that came from the system (it has a `model_version`,
  or `origin` is `model`, or its quotes carry a `confidence`) is replaced;
- a human document whose text and quotes are unchanged is left as it is (so
  pulling twice changes nothing);
- a human document of the file (anything else) is replaced only by a newer
  human annotation: one annotated after the file's `annotated_at`, or, when
  the file's document has no `annotated_at` (written by hand), an annotation of
  a task that was pushed from exactly that document. Otherwise it is kept and
  reported as a conflict.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quotes.document import Document, Quote, QuotesError, read_jsonl, write_jsonl
from quotes.studio.connect import connect, get_project, is_file_ref, read_task_file, sdk_errors
from quotes.studio.convert import Converted, annotation_to_document, content_hash, latest_human_annotation


def is_human(doc: Document) -> bool:
    """False for the system's output: `origin: model`, a `model_version`, or quotes with a confidence."""
    if doc.extra.get("origin") == "model" or "model_version" in doc.extra:
        return False
    return not any(q.confidence is not None for q in doc.quotes)


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _fields(q: Quote) -> dict:
    d = q.to_dict()
    d.pop("confidence", None)
    return d


def quote_changes(old: Document, new: Document) -> dict[str, int]:
    """Quotes added, removed and changed (same span, other type, stance, cue, speaker or name)."""
    a = {(q.start, q.end): _fields(q) for q in old.quotes}
    b = {(q.start, q.end): _fields(q) for q in new.quotes}
    if old.text != new.text:
        return {"added": len(b), "removed": len(a), "changed": 0}
    return {
        "added": len(b.keys() - a.keys()),
        "removed": len(a.keys() - b.keys()),
        "changed": sum(1 for k in a.keys() & b.keys() if a[k] != b[k]),
    }


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    replaced: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (doc id, why the file's version stays)
    reviewed: int = 0  # tasks with a human annotation in the project

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)

    def quotes(self) -> dict[str, int]:
        total = {"added": 0, "removed": 0, "changed": 0}
        for _, c in self.replaced:
            for k in total:
                total[k] += c[k]
        return total


def merge(existing: list[Document], pulled: list[Converted]) -> tuple[list[Document], MergeReport]:
    """The file's documents with the pulled human annotations merged in (see the module doc)."""
    report = MergeReport()
    out = list(existing)
    index = {d.id: i for i, d in enumerate(out)}
    for item in pulled:
        new = item.doc
        i = index.get(new.id)
        if i is None:
            index[new.id] = len(out)
            out.append(new)
            report.added.append(new.id)
            continue
        old = out[i]
        if is_human(old) and content_hash(old) == content_hash(new):
            report.unchanged.append(new.id)
            continue
        if is_human(old):
            t_old, t_new = _when(old.extra.get("annotated_at")), _when(new.extra.get("annotated_at"))
            if t_old is not None:
                if t_new is None or t_new <= t_old:
                    report.kept.append((new.id, f"the file's human annotation ({old.extra.get('annotated_at')}) "
                                                "is as new or newer"))
                    continue
            elif item.base != content_hash(old):
                report.kept.append((new.id, "the file holds a human annotation that the task was not made from"))
                continue
        out[i] = new
        report.replaced.append((new.id, quote_changes(old, new)))
    return out, report


def fetch_reviewed(client, project) -> tuple[list[Converted], int]:
    """Documents of the project's tasks that have a human annotation (latest one per document)."""
    url = client.quotes_url
    with sdk_errors(url, "exporting the project"):
        raw = b"".join(client.projects.exports.download_sync(project.id, export_type="JSON",
                                                            download_all_tasks=False))
    try:
        tasks = json.loads(raw)
    except ValueError:
        raise QuotesError(f"Label Studio at {url}: the export of project {project.title!r} is not JSON") from None
    users: dict = {}
    try:
        with sdk_errors(url):
            users = {u.id: u.email or u.username for u in client.users.list()}
    except QuotesError:
        pass
    best: dict[str, Converted] = {}
    n_reviewed = 0
    for task in tasks:
        ann = latest_human_annotation(task)
        if ann is None:
            continue
        n_reviewed += 1
        data = task.get("data") or {}
        if is_file_ref(data.get("text")):  # imported through the UI as a file: the offsets are the file's
            data["text"] = read_task_file(client, data["text"])
        conv = annotation_to_document(task, ann, users.get(ann.get("completed_by")), project.title)
        prev = best.get(conv.doc.id)
        if prev is None or (_when(conv.doc.extra["annotated_at"]) or datetime.min) > (
            _when(prev.doc.extra["annotated_at"]) or datetime.min
        ):
            best[conv.doc.id] = conv
    return list(best.values()), n_reviewed


def pull(client, project_name: str, path: str | Path) -> tuple[MergeReport, list[str], bool]:
    """Merge the project's reviewed tasks into `path`. Returns the report, messages, and
    whether some reviewed documents could not be written (invalid annotations)."""
    project = get_project(client, project_name)
    pulled, n_reviewed = fetch_reviewed(client, project)
    path = Path(path)
    existing = read_jsonl(path) if path.exists() else []
    messages: list[str] = []
    valid: list[Converted] = []
    for conv in pulled:
        task = conv.doc.extra.get("studio_task")
        for w in conv.warnings:
            messages.append(f"warning: task {task} ({conv.doc.id}): {w}")
        if conv.errors:
            for e in conv.errors:
                messages.append(f"error: task {task} ({conv.doc.id}): {e}")
            messages.append(f"error: task {task} ({conv.doc.id}) not written: fix it in Label Studio and pull again")
        else:
            valid.append(conv)
    docs, report = merge(existing, valid)
    report.reviewed = n_reviewed
    if report.changed:
        write_jsonl(docs, path)
    for doc_id, why in report.kept:
        messages.append(f"kept {doc_id} from {path}: {why}")
    return report, messages, len(valid) < len(pulled)


def summary(report: MergeReport, path: str | Path) -> str:
    q = report.quotes()
    parts = [f"{report.reviewed} reviewed task(s): {len(report.added)} document(s) added"]
    parts.append(f"{len(report.replaced)} updated (quotes: {q['added']} added, {q['removed']} removed, "
                 f"{q['changed']} changed)")
    parts.append(f"{len(report.unchanged)} unchanged")
    if report.kept:
        parts.append(f"{len(report.kept)} kept from the file")
    return f"{path}: " + ", ".join(parts) + ("" if report.changed else " - file not rewritten")


def run_pull(args) -> int:
    client = connect(args.url, args.api_key)
    out = Path(args.output)
    if out.parent and not out.parent.is_dir():
        raise QuotesError(f"{out}: folder {out.parent} does not exist")
    report, messages, incomplete = pull(client, args.project, out)
    for m in messages:
        print(m, file=sys.stderr)
    for doc_id in report.added:
        print(f"added {doc_id}", file=sys.stderr)
    for doc_id, c in report.replaced:
        print(f"updated {doc_id}: {c['added']} quote(s) added, {c['removed']} removed, {c['changed']} changed",
              file=sys.stderr)
    print(summary(report, out))
    return 1 if incomplete else 0
