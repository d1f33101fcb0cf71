"""`quotes studio backend` as a child process of `quotes studio start --backend`."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from quotes.document import QuotesError

REPO = Path(__file__).resolve().parents[2]


class BackendProcess:
    """`quotes studio backend` as a child of `quotes studio start --backend`, reading the server through
    the environment (the API key stays out of the process list)."""

    def __init__(self, studio_url: str, api_key: str, port: int, projects: list[str], extra: list[str]):
        self.studio_url, self.api_key = studio_url, api_key
        self.port, self.projects, self.extra = port, list(projects), list(extra)
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "quotes.studio", "backend", "--port", str(self.port)]
        for name in self.projects:
            cmd += ["--connect", name]
        return cmd + self.extra

    def start(self, timeout: float = 300.0) -> str:
        env = {**os.environ, "LABEL_STUDIO_URL": self.studio_url, "LABEL_STUDIO_API_KEY": self.api_key}
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        # Its stderr (the log) goes to ours; its stdout says when it is ready.
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                     env=env, cwd=os.getcwd(), start_new_session=True)
        lines: queue.Queue = queue.Queue()

        def read() -> None:
            for line in iter(self.proc.stdout.readline, ""):
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                self.stop()
                raise QuotesError("the ML backend did not start (its messages are above)")
            m = re.search(r"ML backend ready: (\S+)", line or "")
            if m:
                self.url = m.group(1)
                return self.url

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(wait)
                return
            except ProcessLookupError:
                return
            except subprocess.TimeoutExpired:
                continue
