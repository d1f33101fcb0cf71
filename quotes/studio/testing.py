"""Pytest plugin: a real Label Studio server for the tests, started by `quotes studio start`.

Load it with `pytest_plugins = ["quotes.studio.testing"]`. The session-scoped
`studio` fixture runs `python -m quotes.studio start` on a free loopback port
with a temporary data dir, reads the API key that the first start prints, and
stops the server with Ctrl-C (SIGINT) at the end, checking that it stopped
cleanly. Tests that need it skip, with the reason, only when `.venv-studio` is
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


@dataclass
class Studio:
    url: str
    api_key: str
    username: str
    password: str
    data_dir: Path
    start_seconds: float
    output: list[str] = field(default_factory=list)

    def client(self):
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.api_key, timeout=120)

    def flags(self) -> list[str]:
        return ["--url", self.url, "--api-key", self.api_key]


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
        [sys.executable, "-m", "quotes.studio", "start", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env, cwd=REPO,
    )  # fmt: skip
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    output: list[str] = []
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
                         ("ready", r"(Press Ctrl-C to stop)")):
            m = re.search(pat, line)
            if m:
                info[key] = m.group(1)
    studio = Studio(info["url"], info.get("api_key", ""), info.get("username", ""), info.get("password", ""),
                    Path(data_dir), time.monotonic() - t0, output)
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


@pytest.fixture(scope="session")
def browser_paths() -> tuple[str, str]:
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    return CHROMIUM, CHROMEDRIVER
