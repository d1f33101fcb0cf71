"""Pytest plugin: a real Label Studio server for the tests, started by `quotes studio start`.

Load it with `pytest_plugins = ["quotes.studio.testing"]`. The session-scoped
`studio` fixture runs `python -m quotes.studio start --backend --project live`
(the ML backend with the rules alone) on free loopback ports with a temporary
data dir, reads the API key that the first start prints, and stops both with
Ctrl-C (SIGINT) at the end, checking that they stopped cleanly. What the
command prints afterwards (the backend's log included) is read with
`Studio.wait_for`. Tests that need it skip, with the reason, only when `.venv-studio` is
missing; `browser_paths` does the same for Chromium and chromedriver.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from quotes.document import QuotesError
from quotes.studio.server import PID_FILE, REPO, free_port, port_in_use, studio_bin

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_TIMEOUT = 300
LIVE_PROJECT = "live"  # the project that the fixture's ML backend is connected to


@dataclass
class Studio:
    url: str
    api_key: str
    username: str
    password: str
    data_dir: Path
    start_seconds: float
    output: list[str] = field(default_factory=list)
    backend_url: str = ""
    lines: "Lines | None" = None

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match:
        """The next line that `quotes studio start` (or its backend) prints matching `pattern`."""
        return self.lines.wait_for(pattern, timeout)

    def client(self):
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.api_key, timeout=120)

    def flags(self) -> list[str]:
        return ["--url", self.url, "--api-key", self.api_key]


class Lines:
    """The lines a child process prints, read in a thread; `wait_for` takes them in order."""

    def __init__(self, stream, output: list[str] | None = None):
        self.queue: queue.Queue = queue.Queue()
        self.output = output if output is not None else []
        threading.Thread(target=_reader, args=(stream, self.queue), daemon=True).start()

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.queue.get(timeout=max(0.05, left)) if left > 0 else ""
            except queue.Empty:
                line = ""
            if line is None or (not line and time.monotonic() >= deadline):
                raise AssertionError(f"no line matching {pattern!r} in {timeout:.0f} s:\n" + "".join(self.output[-15:]))
            if line:
                self.output.append(line)
                m = re.search(pattern, line)
                if m:
                    return m


def studio_missing() -> str | None:
    try:
        studio_bin()
    except QuotesError as e:
        return str(e)
    return None


def browser_missing() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return f"{' and '.join(missing)} missing: install Debian's chromium and chromium-driver (scripts/setup_studio.sh)"
    return None


def _reader(stream, q: "queue.Queue[str | None]") -> None:
    for line in iter(stream.readline, ""):
        q.put(line)
    q.put(None)


@pytest.fixture(scope="session")
def studio(tmp_path_factory) -> Studio:
    reason = studio_missing()
    if reason:
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp("studio-data")
    port = free_port()
    env = dict(os.environ)
    for var in ("LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL", "LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD"):
        env.pop(var, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "quotes.studio", "start", "--port", str(port), "--data-dir", str(data_dir),
         "--backend", "--project", LIVE_PROJECT, "--backend-args=--rules-only"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env, cwd=REPO,
    )  # fmt: skip
    output: list[str] = []
    follow = Lines(proc.stdout, output)
    lines = follow.queue
    info: dict[str, str] = {}
    deadline = t0 + START_TIMEOUT
    while "ready" not in info:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = ""
        if line is None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("quotes studio start did not come up:\n" + "".join(output[-20:]))
        output.append(line)
        for key, pat in (("url", r"Label Studio is up: (\S+)"), ("username", r"login:\s+(\S+)"),
                         ("password", r"password:\s+(\S+)"), ("api_key", r"API key:\s+(\S+)"),
                         ("backend", r"ML backend is up: (http://[^\s,]+)"), ("ready", r"(Press Ctrl-C to stop)")):
            m = re.search(pat, line)
            if m:
                info[key] = m.group(1)
    studio = Studio(info["url"], info.get("api_key", ""), info.get("username", ""), info.get("password", ""),
                    Path(data_dir), time.monotonic() - t0, output, info.get("backend", ""), follow)
    try:
        yield studio
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        pid_file = Path(data_dir) / PID_FILE
        if pid_file.exists():  # the server outlived the command: stop it, then fail
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        assert code == 0, f"quotes studio start exited with {code} on Ctrl-C"
        assert not port_in_use(port), f"port {port} still in use after Ctrl-C"
        if studio.backend_url:
            backend_port = int(studio.backend_url.rsplit(":", 1)[1])
            assert not port_in_use(backend_port), f"ML backend port {backend_port} still in use after Ctrl-C"


@pytest.fixture(scope="session")
def browser_paths() -> tuple[str, str]:
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    return CHROMIUM, CHROMEDRIVER
