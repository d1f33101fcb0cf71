"""Retraining from Label Studio: pull the corrections, then `python -m quotes.train` in a subprocess.

Off unless `quotes studio backend --retrain-after N`. Every N annotations submitted or updated in
a project (its webhook events), the backend pulls the project's reviewed tasks into the
annotations file with `quotes.studio.pull.pull` (so a human correction already in the file is
never replaced by a model guess, and predictions never reach it), then trains on that file and the
other training files, scored on the dev file, into the model folder. One run at a time: events
that arrive during a run count towards the next. A run that succeeds becomes the model the backend
predicts with. Every step says on stderr which data and which model it uses.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from quotes.document import QuotesError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ANNOTATIONS = "annotations/studio-{project}.jsonl"
DEFAULT_OUTPUT = "models/studio-{project}"


def log(message: str) -> None:
    print(f"quotes backend: {message}", file=sys.stderr, flush=True)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "project"


class Retrainer:
    def __init__(self, after: int, annotations: str, dev: str, train: list[str], output: str,
                 train_args: list[str] | None = None, python: str = sys.executable):
        if after < 1:
            raise QuotesError("--retrain-after must be 1 or more")
        self.after = after
        self.annotations, self.output = annotations, output  # may hold {project}
        self.dev, self.train = dev, list(train)
        self.train_args = list(train_args or [])
        self.python = python
        self.on_model: Callable[[str], None] | None = None
        self.pending: Counter = Counter()  # annotations per project since its last run started
        self.runs: list[dict] = []  # finished runs: project, command, exit code, model folder, seconds
        self._lock = threading.Lock()
        self._busy = False
        self._proc: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self._busy

    def paths(self, project: str) -> tuple[Path, Path]:
        """(annotations file, model folder) of a project."""
        s = slug(project)
        return Path(self.annotations.format(project=s)), Path(self.output.format(project=s))

    def describe(self) -> str:
        return (f"pull into {self.annotations}, train on {' '.join(self.train + [self.annotations])}, "
                f"dev {self.dev}, model {self.output}" + (f", {shlex.join(self.train_args)}" if self.train_args else ""))

    def command(self, project: str) -> list[str]:
        annotations, output = self.paths(project)
        return [self.python, "-m", "quotes.train", "--train", *self.train, str(annotations), "--dev", self.dev,
                "--output", str(output), *self.train_args]

    def annotated(self, project: str, n: int, client_factory, force: bool = False) -> str:
        """Count `n` new annotations of `project`; start a run in the background when due. Returns a status."""
        with self._lock:
            self.pending[project] += n
            if self._busy:
                return "counted (a training run is going on)"
            if not force and self.pending[project] < self.after:
                return f"counted ({self.pending[project]}/{self.after} before retraining)"
            self.pending[project] = 0
            self._busy = True
        threading.Thread(target=self._run, args=(project, client_factory), name="quotes-retrain", daemon=True).start()
        return "retraining"

    def _run(self, project: str, client_factory) -> None:
        from quotes.studio.pull import pull, summary

        t0 = time.monotonic()
        annotations, output = self.paths(project)
        try:
            annotations.parent.mkdir(parents=True, exist_ok=True)
            client = client_factory()
            report, messages, _ = pull(client, project, annotations)
            for m in messages:
                log(f"pull: {m}")
            log(f"pulled project {project!r}: {summary(report, annotations)}")
            if not annotations.exists():
                log(f"no reviewed task in {project!r} yet: nothing to train on")
                return
            cmd = self.command(project)
            log_path = output.with_name(output.name + ".train.log")
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log(f"training on {' '.join(self.train + [str(annotations)])} (dev {self.dev}) into {output}: "
                f"{shlex.join(cmd)} (log: {log_path})")
            env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
            env.setdefault("HF_HUB_OFFLINE", "1")
            with open(log_path, "ab") as fh:
                self._proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                              cwd=REPO, env=env)
                code = self._proc.wait()
            self.runs.append({"project": project, "command": cmd, "exit": code, "model": str(output),
                              "seconds": round(time.monotonic() - t0, 1)})
            if code != 0:
                log(f"training failed (exit {code}; see {log_path}): still predicting with the previous model")
                return
            log(f"training finished in {time.monotonic() - t0:.0f} s: model {output}")
            if self.on_model is not None:
                self.on_model(str(output))
        except QuotesError as e:
            log(f"retraining {project!r} stopped: {e}")
        except Exception as e:  # noqa: BLE001 - keep the backend serving
            log(f"retraining {project!r} failed: {type(e).__name__}: {e}")
        finally:
            self._proc = None
            with self._lock:
                self._busy = False
                again = self.pending[project] >= self.after
        if again:
            self.annotated(project, 0, client_factory)

    def stop(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            log("stopping the training run")
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def retrainer_from_args(args) -> Retrainer | None:
    if not getattr(args, "retrain_after", None):
        return None
    train = args.train if args.train is not None else [p for p in ("annotations/train.jsonl",) if Path(p).is_file()]
    for p in train + [args.dev]:
        if not Path(p).is_file():
            raise QuotesError(f"{p}: no such file (--train / --dev of the retraining)")
    extra: list[str] = []
    for a in args.train_arg or []:
        extra += shlex.split(a)
    # Absolute: the training runs from the repository root, wherever the backend was started.
    absolute = [str(Path(p).absolute()) for p in train]
    return Retrainer(args.retrain_after, str(Path(args.annotations).absolute()), str(Path(args.dev).absolute()),
                     absolute, str(Path(args.model_out).absolute()), extra)
