"""Documents <-> Label Studio tasks, predictions and annotations (pure functions).

The labelling config (`labeling.xml`) has one `Labels` control (`label`:
QUOTE / CUE / SPEAKER) on the `text` object, relations QUOTE -> CUE and
QUOTE -> SPEAKER (labelled `cue` / `speaker`), and per-region controls on QUOTE
regions: `type` and `stance` choices and a `speaker_name` text area. Per-region
results carry the id of their span region. A second `Labels` control (`scope`)
marks, in grey and read-only, the page's text outside the article (menus,
teasers, comments: what the pipeline never reads), so reviewers skip it while
every offset stays that of the whole page; pull ignores those regions.

Offsets: Label Studio 1.23 counts `Text` offsets in code points, as Python
does (not in JavaScript's UTF-16 units): the browser test puts an emoji before
the pre-annotated spans and checks that the highlights fall on the right words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from quotes.document import QUOTE_TYPES, STANCES, Document, Quote, Span

LABELS, TEXT = "label", "text"  # control and object names in labeling.xml
TYPE, STANCE, NAME = "type", "stance", "speaker_name"
QUOTE, CUE, SPEAKER = "QUOTE", "CUE", "SPEAKER"
SCOPE, OUTSIDE = "scope", "outside the article"  # the grey regions' control and label
ORIGIN = "label-studio"
# Provenance keys that pull writes and push must not carry over as document data.
PROVENANCE = ("origin", "annotator", "annotated_at", "studio_task", "studio_project", "model_version")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def task_key(doc_id: str, text: str) -> str:
    """What identifies a pushed document: its id and a hash of its text."""
    return f"{doc_id}:{text_hash(text)}"


def content_hash(doc: Document) -> str:
    """Hash of what an annotator can change: the text and the quotes (confidence left out)."""
    quotes = []
    for q in doc.quotes:
        d = q.to_dict()
        d.pop("confidence", None)
        quotes.append(d)
    blob = json.dumps([doc.text, quotes], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def doc_score(doc: Document) -> float | None:
    """How sure the system is of a document: its least confident quote, field by field.

    None when no quote carries a confidence (a document without quotes sorts
    as fully confident: 1.0).
    """
    values = [float(v) for q in doc.quotes if q.confidence for v in q.confidence.values()]
    if values:
        return round(min(values), 4)
    return 1.0 if not doc.quotes else None


def _region(rid: str, label: str, span: Span | Quote, score: float | None = None) -> dict:
    item = {
        "id": rid,
        "from_name": LABELS,
        "to_name": TEXT,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [label]},
    }
    if score is not None:
        item["score"] = round(float(score), 4)
    return item


def document_to_result(doc: Document, with_scores: bool = True) -> list[dict]:
    """The quotes of a document as a Label Studio result list (prediction or annotation)."""
    result: list[dict] = []
    shared: dict[tuple[str, int, int], str] = {}  # one region per distinct cue/speaker span

    def side(label: str, span: Span, score) -> str:
        key = (label, span.start, span.end)
        if key not in shared:
            shared[key] = f"{label[0].lower()}{len(shared)}"
            result.append(_region(shared[key], label, span, score))
        return shared[key]

    for i, q in enumerate(doc.quotes):
        conf = (q.confidence or {}) if with_scores else {}
        qid = f"q{i}"
        result.append(_region(qid, QUOTE, q, conf.get("quote")))
        where = {"start": q.start, "end": q.end}
        if q.type:
            result.append({"id": qid, "from_name": TYPE, "to_name": TEXT, "type": "choices",
                           "value": {**where, "text": q.text, "choices": [q.type]}})
        if q.stance:
            item = {"id": qid, "from_name": STANCE, "to_name": TEXT, "type": "choices",
                    "value": {**where, "text": q.text, "choices": [q.stance]}}
            if conf.get("stance") is not None:
                item["score"] = round(float(conf["stance"]), 4)
            result.append(item)
        names = q.speaker_name if isinstance(q.speaker_name, list) else [q.speaker_name]
        names = [n for n in names if n]
        if names:
            result.append({"id": qid, "from_name": NAME, "to_name": TEXT, "type": "textarea",
                           "value": {**where, "text": names}})
        for label, span, score in ((CUE, q.cue, None), (SPEAKER, q.speaker, conf.get("speaker"))):
            if span is not None:
                rid = side(label, span, score)
                result.append({"from_id": qid, "to_id": rid, "type": "relation",
                               "direction": "right", "labels": [label.lower()]})
    return result


def article_scope(doc: Document) -> list[tuple[int, int]]:
    """Where the article is in the page: the document's own `scope` ([[start, end], ...]) when it
    carries one, else the pipeline's regions (quotes.rules.scope, what `annotate` reads)."""
    given = doc.extra.get("scope")
    if isinstance(given, list) and given:
        try:
            regions = [(int(r[0]), int(r[1])) if isinstance(r, (list, tuple)) else (int(r["start"]), int(r["end"]))
                       for r in given]
        except (KeyError, TypeError, ValueError, IndexError):
            regions = None
        if regions is not None and all(0 <= s <= e <= len(doc.text) for s, e in regions):
            return sorted(regions)
    from quotes.rules.scope import article_regions

    return article_regions(doc.text)


def outside_scope(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `text` outside `regions`, without their edge white space (blank gaps dropped)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for s, e in sorted(regions) + [(len(text), len(text))]:
        a, b = pos, max(pos, s)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
        pos = max(pos, e)
    return out


def scope_result(text: str, regions: list[tuple[int, int]]) -> list[dict]:
    """Read-only grey regions over the text outside the article (see the module doc)."""
    return [{"id": f"x{i}", "from_name": SCOPE, "to_name": TEXT, "type": "labels", "readonly": True,
             "value": {"start": s, "end": e, "text": text[s:e], "labels": [OUTSIDE]}}
            for i, (s, e) in enumerate(outside_scope(text, regions))]


def document_to_prediction(doc: Document, model_version: str,
                           scope: list[tuple[int, int]] | None = None) -> dict:
    """The system's output for a document as one Label Studio prediction (push and the ML backend)."""
    if scope is None:
        scope = article_scope(doc)
    prediction = {"model_version": model_version, "result": document_to_result(doc) + scope_result(doc.text, scope)}
    score = doc_score(doc)
    if score is not None:
        prediction["score"] = score
    return prediction


def document_to_task(doc: Document, model_version: str) -> dict:
    """An import item: the text, what identifies the document, and the system's output as a prediction.

    The numeric columns are JSON numbers (push declares them as numbers to the Data Manager):
    `confidence` (the least confident field of any quote, null when no quote has one),
    `n_quotes`, and `article_chars` / `outside_chars` (how much of the page is article).
    """
    scope = article_scope(doc)
    outside = sum(e - s for s, e in outside_scope(doc.text, scope))
    extra = {k: v for k, v in doc.extra.items() if k not in PROVENANCE}
    score = doc_score(doc)
    data = {
        "text": doc.text,
        "doc_id": doc.id,
        "text_hash": text_hash(doc.text),
        "key": task_key(doc.id, doc.text),
        "confidence": None if score is None else float(score),
        "n_quotes": int(len(doc.quotes)),
        "article_chars": int(sum(e - s for s, e in scope)),
        "outside_chars": int(outside),
        # Given back by pull: the document's other fields, and what the task was made from.
        "doc": {"extra": extra, "ignore": doc.ignore, "base": content_hash(doc)},
    }
    return {"data": data, "predictions": [document_to_prediction(doc, model_version, scope)]}


# ---------------------------------------------------------------- back from Label Studio


@dataclass
class Converted:
    doc: Document
    errors: list[str] = field(default_factory=list)  # the document must not be written
    warnings: list[str] = field(default_factory=list)
    base: str | None = None  # content_hash of the document the task was pushed from


def _span(text: str, value: dict) -> Span | None:
    """A region's span in code points, trimmed of white space; None if empty or outside the text."""
    try:
        start, end = int(value["start"]), int(value["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= start < end <= len(text):
        return None
    seen = value.get("text")
    if isinstance(seen, str) and seen and text[start:end] != seen:
        # Offsets off by a few characters (another tool's counting): find the text nearby.
        hits = [i for i in range(max(0, start - 20), min(len(text), start + 20) + 1) if text.startswith(seen, i)]
        if hits:
            start = min(hits, key=lambda i: abs(i - start))
            end = start + len(seen)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span.of(text, start, end) if end > start else None


OPENING, CLOSING = "«“„‹", "»”›"


def _strip_marks(text: str, span: Span) -> Span:
    """A direct quote's span without the quotation marks a reviewer selected with it."""
    s, e = span.start, span.end
    t = text[s:e]
    inner = t[1:-1]
    if len(t) > 2 and t[0] in OPENING + '"' and t[-1] in CLOSING + '"' and not any(m in inner for m in OPENING + CLOSING + '"'):
        s, e = s + 1, e - 1
    elif t[0] in OPENING and not any(m in t for m in CLOSING):
        s += 1
    elif t[-1] in CLOSING and not any(m in t for m in OPENING):
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Span.of(text, s, e) if e > s else span


def _short(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return repr(s if len(s) <= n else s[: n - 1] + "…")


def result_to_quotes(text: str, result: list[dict]) -> tuple[list[Quote], list[str], list[str]]:
    """Quotes of a Label Studio result list, with errors (blocking) and warnings."""
    errors: list[str] = []
    warnings: list[str] = []
    regions: dict[str, tuple[str, Span]] = {}
    per: dict[tuple[str, str], dict] = {}
    relations: list[dict] = []
    for item in result or []:
        kind = item.get("type")
        if kind == "relation":
            relations.append(item)
        elif kind == "labels" and item.get("from_name") == LABELS:
            value = item.get("value") or {}
            labels = value.get("labels") or []
            span = _span(text, value)
            if len(labels) != 1 or labels[0] not in (QUOTE, CUE, SPEAKER):
                warnings.append(f"region {item.get('id')} with labels {labels} ignored")
            elif span is None:
                warnings.append(f"empty or out-of-text {labels[0]} region {item.get('id')} ignored")
            else:
                regions[item["id"]] = (labels[0], span)
        elif kind in ("choices", "textarea") and item.get("from_name") in (TYPE, STANCE, NAME):
            per[(item.get("id"), item["from_name"])] = item.get("value") or {}

    links: dict[str, dict[str, list[Span]]] = {}
    for rel in relations:
        a, b = regions.get(rel.get("from_id")), regions.get(rel.get("to_id"))
        if a is None or b is None:
            continue
        (la, sa), (lb, sb) = a, b
        if la == QUOTE and lb in (CUE, SPEAKER):
            qid, other, span = rel["from_id"], lb, sb
        elif lb == QUOTE and la in (CUE, SPEAKER):
            qid, other, span = rel["to_id"], la, sa
        else:
            warnings.append(f"relation {la} {_short(sa.text, 20)} -> {lb} {_short(sb.text, 20)} ignored")
            continue
        spans = links.setdefault(qid, {}).setdefault(other, [])
        if span not in spans:
            spans.append(span)

    quotes: list[Quote] = []
    for rid, (label, span) in regions.items():
        if label != QUOTE:
            continue
        where = f"quote {_short(span.text)} ({span.start}-{span.end})"
        choice = (per.get((rid, TYPE)) or {}).get("choices") or []
        qtype = choice[0] if choice else None
        if qtype not in QUOTE_TYPES:
            errors.append(f"{where} has no type: choose direct, indirect or mixed")
        choice = (per.get((rid, STANCE)) or {}).get("choices") or []
        stance = choice[0] if choice else None
        if stance is None:
            warnings.append(f"{where} has no stance: written as null (annotators could not agree)")
        elif stance not in STANCES:
            errors.append(f"{where} has stance {stance!r}, not one of {STANCES}")
        if qtype == "direct":
            trimmed = _strip_marks(text, span)
            if trimmed != span:
                warnings.append(f"{where}: quotation marks left out of the direct quote's span")
                span = trimmed
        linked = links.get(rid, {})
        cue = speaker = None
        for what in (CUE, SPEAKER):
            spans = linked.get(what, [])
            if len(spans) > 1:
                errors.append(f"{where} is linked to {len(spans)} {what} regions: keep one relation")
            elif spans:
                if what == CUE:
                    cue = spans[0]
                else:
                    speaker = spans[0]
        raw = (per.get((rid, NAME)) or {}).get("text")
        raw = [raw] if isinstance(raw, str) else list(raw or [])
        names = [" ".join(str(n).split()) for n in raw if str(n).strip()]
        name: str | list[str] | None = names[0] if len(names) == 1 else (names or None)
        if name is None and speaker is not None:
            name = speaker.text
            warnings.append(f"{where} has a speaker but no speaker name: used the mention {_short(speaker.text)}")
        quotes.append(Quote(span.start, span.end, span.text, qtype, cue, speaker, name, stance))
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes, errors, warnings


def annotation_to_document(task: dict, annotation: dict, annotator: str | None = None,
                           project: str | None = None) -> Converted:
    """The document that a human annotation of an exported task says, with provenance."""
    data = task.get("data") or {}
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError(f"task {task.get('id')} has no text")
    meta = data.get("doc") if isinstance(data.get("doc"), dict) else {}
    doc_id = str(data.get("doc_id") or f"studio_task_{task.get('id')}")
    quotes, errors, warnings = result_to_quotes(text, annotation.get("result") or [])
    extra = {k: v for k, v in (meta.get("extra") or {}).items() if k not in PROVENANCE}
    extra.update({
        "origin": ORIGIN,
        "annotator": annotator if annotator is not None else annotation.get("completed_by"),
        "annotated_at": annotation.get("updated_at") or annotation.get("created_at"),
        "studio_task": task.get("id"),
    })
    if project:
        extra["studio_project"] = project
    doc = Document(doc_id, text, quotes, list(meta.get("ignore") or []), extra)
    try:  # the corpus tool's rules (span edges, empty names) when this checkout has it
        from quotes.corpus.check import doc_problems
    except ImportError:
        doc_problems = Document.problems
    errors += doc_problems(doc)
    return Converted(doc, errors, warnings, meta.get("base"))


def latest_human_annotation(task: dict) -> dict | None:
    """The most recent submitted (not skipped) annotation of a task, or None."""
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled") and a.get("completed_by")]
    if not done:
        return None
    return max(done, key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
