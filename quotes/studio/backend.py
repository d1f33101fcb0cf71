"""`quotes studio backend`: the Label Studio ML backend protocol, served by the standard library.

Label Studio calls `GET /health`, `POST /setup` (the model version, and a token to read the
project with), `POST /predict` (tasks in, one prediction each out) and `POST /webhook` (project
events). `label-studio-ml` 1.0.9, the last release (2023), pins Flask 1.1.2, Werkzeug 2.0.2 and
Jinja2 3.0.3 and does not even import (it needs `rq`, which it does not declare), so this module
serves those four routes itself with `http.server`.

Predictions are the pipeline's output in exactly the result format of `quotes studio push`
(`convert.document_to_prediction`): the same regions, relations, per-quote choices, scores and
grey out-of-article regions. Annotation events are logged; with `--retrain-after N` they drive
`quotes.studio.retrain` (pull the corrections, then `python -m quotes.train` in a subprocess).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from quotes.document import Document, QuotesError

ANNOTATION_EVENTS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_CREATED")
MAX_BODY = 64 * 1024 * 1024
UNDEFINED = "$undefined$"  # Label Studio's key for a file imported through its UI as a single asset


def log(message: str) -> None:
    print(f"quotes backend: {message}", file=sys.stderr, flush=True)


class Predictor:
    """The current model: a loaded pipeline and its version; `reload` swaps it for a new model folder."""

    def __init__(self, decider: str = "rules", model_dir: str | None = None):
        self._lock = threading.Lock()  # one document at a time through spaCy and the model
        self.decider, self.model_dir = decider, model_dir
        self.pipeline = self._load(decider, model_dir)

    @staticmethod
    def _load(decider: str, model_dir: str | None):
        from quotes.pipeline import load_pipeline

        return load_pipeline(decider, model_dir) if model_dir else load_pipeline(decider)

    @property
    def version(self) -> str:
        return str(self.pipeline.version)

    def reload(self, model_dir: str) -> str:
        pipeline = self._load("model", model_dir)  # loaded before the swap: predictions go on meanwhile
        with self._lock:
            self.pipeline, self.decider, self.model_dir = pipeline, "model", model_dir
        return self.version

    def annotate(self, doc: Document) -> tuple[Document, str]:
        with self._lock:
            return self.pipeline.annotate(doc), self.version


class Backend:
    """What the routes do; the HTTP layer (`Handler`) only decodes and encodes JSON."""

    def __init__(self, predictor: Predictor, retrainer=None, url: str | None = None, api_key: str | None = None):
        self.predictor = predictor
        self.retrainer = retrainer
        self.url, self.api_key = url, api_key  # Label Studio, for reading task files and pulling
        self.server: dict = {}  # hostname and access_token from the last /setup
        self.events: list[dict] = []  # webhook events received, newest last
        self.public_url: str | None = None  # where Label Studio reaches this backend

    # ------------------------------------------------------------------ routes

    def health(self) -> dict:
        return {"status": "UP", "model_class": "quotes", "model_version": self.predictor.version,
                "training": bool(self.retrainer and self.retrainer.running)}

    def setup(self, payload: dict) -> dict:
        if payload.get("hostname") or payload.get("access_token"):
            self.server = {"hostname": payload.get("hostname"), "access_token": payload.get("access_token")}
        return {"model_version": self.predictor.version}

    def predict(self, payload: dict) -> dict:
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise ValueError("'tasks' must be a list of tasks")
        from quotes.studio.convert import document_to_prediction

        results = []
        version = self.predictor.version
        for task in tasks:
            text = self.task_text(task)
            data = task.get("data") or {}
            doc = Document(str(data.get("doc_id") or f"studio_task_{task.get('id')}"), text)
            annotated, version = self.predictor.annotate(doc)
            results.append(document_to_prediction(annotated, version))
        log(f"predicted {len(results)} task(s) ({', '.join(str(t.get('id')) for t in tasks[:10])}"
            f"{', ...' if len(tasks) > 10 else ''}) with {version}")
        return {"results": results, "model_version": version}

    def webhook(self, payload: dict) -> dict:
        action = str(payload.get("action") or "")
        project = payload.get("project") if isinstance(payload.get("project"), dict) else {}
        task = payload.get("task") if isinstance(payload.get("task"), dict) else {}
        annotation = payload.get("annotation") if isinstance(payload.get("annotation"), dict) else {}
        event = {"action": action, "project": project.get("id"), "project_title": project.get("title"),
                 "task": task.get("id"), "annotation": annotation.get("id"), "at": time.time()}
        self.events.append(event)
        del self.events[:-1000]
        log(f"webhook {action}: project {project.get('title')!r} (id {project.get('id')}), task {task.get('id')}, "
            f"annotation {annotation.get('id')}")
        status = "ok"
        if self.retrainer is not None and project.get("title"):
            if action in ANNOTATION_EVENTS:
                n = len(payload.get("annotations") or []) if action == "ANNOTATIONS_CREATED" else 1
                status = self.retrainer.annotated(project["title"], n, self.client)
            elif action == "START_TRAINING":  # the "Start Training" button of the project's model settings
                status = self.retrainer.annotated(project["title"], 0, self.client, force=True)
        return {"status": status}

    def versions(self) -> dict:
        return {"versions": [self.predictor.version], "model_dir": self.predictor.model_dir}

    # ------------------------------------------------------------------ Label Studio access

    def client(self):
        """An SDK client: --url/--api-key or the environment first, else what /setup said, else the stored token."""
        from quotes.studio.connect import connect

        url = self.url or os.environ.get("LABEL_STUDIO_URL") or self.server.get("hostname")
        key = self.api_key or os.environ.get("LABEL_STUDIO_API_KEY") or self.server.get("access_token")
        return connect(url, key)

    def task_text(self, task: dict) -> str:
        """The task's text; for a file imported through Label Studio's UI (its data holds the file's
        URL), the file's text, read from the server, so the offsets are those Label Studio shows."""
        from quotes.studio.connect import is_file_ref, read_task_file

        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        text = data.get("text", data.get(UNDEFINED))
        if not isinstance(text, str):
            raise ValueError(f"task {task.get('id')} has no 'text' in its data")
        return read_task_file(self.client(), text) if is_file_ref(text) else text


class Handler(BaseHTTPRequestHandler):
    backend: Backend  # set by `serve`
    server_version = "quotes-backend"

    def log_message(self, fmt, *args) -> None:  # the routes log what matters
        pass

    def _send(self, code: int, body: dict) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _payload(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError(f"request body over {MAX_BODY} bytes")
        raw = self.rfile.read(n) if n else b"{}"
        payload = json.loads(raw.decode("utf-8") or "{}")
        if not isinstance(payload, dict):
            raise ValueError("the request body is not a JSON object")
        return payload

    def do_GET(self) -> None:
        path = urllib.parse.urlparse(self.path).path.rstrip("/")
        if path in ("", "/health"):
            self._send(200, self.backend.health())
        elif path == "/metrics":
            self._send(200, {})
        elif path == "/versions":
            self._send(200, self.backend.versions())
        else:
            self._send(404, {"error": f"no route GET {path}"})

    def do_POST(self) -> None:
        path = urllib.parse.urlparse(self.path).path.rstrip("/")
        routes = {"/setup": self.backend.setup, "/predict": self.backend.predict, "/webhook": self.backend.webhook,
                  "/versions": lambda p: self.backend.versions(),
                  "/train": lambda p: self.backend.webhook({**p, "action": "START_TRAINING"})}
        route = routes.get(path)
        if route is None:
            self._send(404, {"error": f"no route POST {path}"})
            return
        try:
            payload = self._payload()
        except (ValueError, UnicodeDecodeError) as e:
            self._send(400, {"error": f"bad request: {e}"})
            return
        try:
            self._send(200 if path != "/webhook" else 201, route(payload))
        except (ValueError, QuotesError, OSError) as e:
            log(f"{path}: {e}")
            self._send(400 if isinstance(e, ValueError) else 500, {"error": str(e)})
        except Exception as e:  # noqa: BLE001 - a bug of ours must not kill the server thread silently
            log(f"{path}: internal error: {type(e).__name__}: {e}")
            self._send(500, {"error": f"internal error: {type(e).__name__}: {e}"})


def serve(backend: Backend | None, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for `backend` bound to host:port (not started: call serve_forever; a None
    backend is set later on `httpd.RequestHandlerClass.backend`)."""
    handler = type("BoundHandler", (Handler,), {"backend": backend})
    try:
        httpd = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise QuotesError(f"cannot serve the ML backend on {host}:{port} ({e.strerror or e}): pick another --port") from None
    httpd.daemon_threads = True
    return httpd


def _decider(args) -> tuple[str, str | None]:
    """As `quotes annotate`: --rules-only, --model DIR, --decider NAME, else the shipped model when present."""
    if getattr(args, "rules_only", False):
        if getattr(args, "model", None):
            raise QuotesError("--rules-only and --model exclude each other")
        return "rules", None
    if getattr(args, "model", None):
        return "model", args.model
    if getattr(args, "decider", None):
        return args.decider, None
    from quotes.model.checkpoint import SHIPPED_DIR

    if (SHIPPED_DIR / "config.json").is_file():
        return "model", None
    log(f"warning: no model at {SHIPPED_DIR}; predicting with the rules alone")
    return "rules", None


def run_backend(args) -> int:
    """`quotes studio backend`: serve until Ctrl-C; connect to the --connect projects once up."""
    from quotes.studio.retrain import Retrainer, retrainer_from_args

    retrainer: Retrainer | None = retrainer_from_args(args)
    decider, model_dir = _decider(args)
    httpd = serve(None, args.port)  # the port is checked before the model loads
    log(f"loading the {decider} pipeline" + (f" from {model_dir}" if model_dir else "") + "...")
    backend = Backend(Predictor(decider, model_dir), retrainer, args.url, args.api_key)
    if retrainer is not None:
        retrainer.on_model = lambda folder: _new_model(backend, folder)
    httpd.RequestHandlerClass.backend = backend
    url = backend.public_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="quotes-backend", daemon=True)
    thread.start()
    log(f"ML backend is up: {url} (model {backend.predictor.version})")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        if args.connect:
            from quotes.studio.mlbackend import connect_backend

            client = backend.client()
            for name in args.connect:
                ml = connect_backend(client, name, url, backend.predictor.version)
                log(f"connected to project {name!r} on {client.quotes_url} (ML backend {ml})")
        if retrainer is not None:
            log(f"retraining after every {retrainer.after} new annotation(s): {retrainer.describe()}")
        print(f"ML backend ready: {url}", flush=True)
        while thread.is_alive():
            thread.join(0.5)
        return 1
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
        httpd.shutdown()
        httpd.server_close()
        if retrainer is not None:
            retrainer.stop()


def _new_model(backend: Backend, folder: str) -> None:
    """After a training run: predict with the new model, and rename the connected ML backends after it."""
    version = backend.predictor.reload(folder)
    log(f"now predicting with {version} ({folder})")
    try:
        from quotes.studio.mlbackend import retitle_backends

        n = retitle_backends(backend.client(), backend.public_url, version)
        if n:
            log(f"renamed {n} connected ML backend(s) to {version}")
    except QuotesError as e:
        log(f"warning: could not rename the connected ML backends: {e}")
