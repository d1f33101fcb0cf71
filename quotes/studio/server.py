"""Run the real Label Studio server (from `.venv-studio/`) on loopback, quietly.

`quotes studio start` and the tests both use `StudioServer`: it finds the
label-studio executable, makes the admin and its API token on first start,
binds to 127.0.0.1 only, closes signup, switches off everything that calls
out (analytics, version check, Sentry), waits for `/health` and stops the
server cleanly.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from quotes.document import QuotesError

REPO = Path(__file__).resolve().parents[2]
CREDENTIALS_FILE = "quotes-studio.json"
LOG_FILE = "label-studio.log"
PID_FILE = "label-studio.pid"
DEFAULT_USERNAME = "admin@quotes.local"
SETUP_HINT = "run scripts/setup_studio.sh (or set QUOTES_STUDIO_BIN to a label-studio executable)"


def studio_bin() -> Path:
    """The label-studio executable: $QUOTES_STUDIO_BIN, else <repo>/.venv-studio/bin/label-studio."""
    env = os.environ.get("QUOTES_STUDIO_BIN")
    path = Path(env) if env else REPO / ".venv-studio" / "bin" / "label-studio"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise QuotesError(f"Label Studio is not installed ({path} not found): {SETUP_HINT}")
    return path


def default_data_dir() -> Path:
    env = os.environ.get("QUOTES_STUDIO_DATA")
    return Path(env) if env else REPO / ".studio-data"


@dataclass
class Credentials:
    username: str
    password: str
    api_key: str
    # True when the key was made here (printed once); False when it came from LABEL_STUDIO_API_KEY.
    generated: bool = False
    # True until the credentials were printed once by a start that got the server up.
    created: bool = False


def load_credentials(data_dir: Path) -> dict | None:
    path = Path(data_dir) / CREDENTIALS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise QuotesError(f"{path}: unreadable credentials ({e}); remove it to start afresh") from None


def _write_private(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def ensure_credentials(data_dir: Path, api_key: str | None = None) -> Credentials:
    """The admin of this data dir, made on first use and stored (mode 0600) in it.

    The API token is `api_key` (from LABEL_STUDIO_API_KEY) when given, else a
    random one. A token given by the environment is not written to disk.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if api_key is not None and len(api_key) <= 5:
        raise QuotesError("LABEL_STUDIO_API_KEY is too short: Label Studio needs more than 5 characters")
    stored = load_credentials(data_dir)
    if stored is not None:
        key = stored.get("api_key") or api_key
        if not key:
            raise QuotesError(
                f"the API token of {data_dir} was given by LABEL_STUDIO_API_KEY at first start: set it again"
            )
        return Credentials(stored["username"], stored["password"], key,
                           generated=bool(stored.get("api_key")), created=not stored.get("shown", True))
    username = os.environ.get("LABEL_STUDIO_USERNAME") or DEFAULT_USERNAME
    password = os.environ.get("LABEL_STUDIO_PASSWORD") or secrets.token_urlsafe(12)
    generated = api_key is None
    key = api_key or secrets.token_hex(20)
    _write_private(
        data_dir / CREDENTIALS_FILE,
        {"username": username, "password": password, "api_key": key if generated else None, "shown": False},
    )
    return Credentials(username, password, key, generated=generated, created=True)


def mark_shown(data_dir: Path) -> None:
    """Record that the credentials were printed, so later starts do not print them again."""
    stored = load_credentials(data_dir)
    if stored is not None and not stored.get("shown", True):
        _write_private(Path(data_dir) / CREDENTIALS_FILE, {**stored, "shown": True})


# Label Studio 1.23's reserved networks (core/utils/io.py validate_ip) less the IPv4 loopback: the server
# may then call an ML backend and webhooks on 127.0.0.1 (`quotes studio backend`), and nothing else
# that it refuses by default (private networks, link-local, ...).
BANNED_SUBNETS = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "233.252.0.0/24", "240.0.0.0/4", "255.255.255.255/32", "::/128",
    "::1/128", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
    "2001:0000::/32", "2001:20::/28", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8",
)


def server_env(creds: Credentials, data_dir: Path) -> dict:
    """The environment of the server process: admin, closed signup, nothing calling out."""
    env = dict(os.environ)
    env.update(
        {
            "LABEL_STUDIO_USERNAME": creds.username,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.api_key,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_FEATURE_FLAGS_OFFLINE": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LABEL_STUDIO_BASE_DATA_DIR": str(Path(data_dir).resolve()),
            "SSRF_PROTECTION_ENABLED": "true",
            "ML_BLOCK_LOCAL_IP": "true",
            "USE_DEFAULT_BANNED_SUBNETS": "false",
            "USER_ADDITIONAL_BANNED_SUBNETS": ",".join(BANNED_SUBNETS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # The server's own virtualenv must win over the caller's (the project's .venv).
    for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(var, None)
    return env


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as r:
            return r.status == 200 and b"UP" in r.read()
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _log_tail(path: Path, n: int = 1) -> str:
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [ln for ln in lines if ln]
    return " | ".join(lines[-n:])


class StudioServer:
    """A Label Studio server process on 127.0.0.1:port with its data in data_dir."""

    def __init__(self, data_dir: Path | str | None = None, port: int = 8080, api_key: str | None = None):
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.port = int(port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_key_env = api_key
        self.proc: subprocess.Popen | None = None
        self.creds: Credentials | None = None
        self.log_path = self.data_dir / LOG_FILE

    def start(self, timeout: float = 240.0) -> "StudioServer":
        exe = studio_bin()
        if port_in_use(self.port):
            raise QuotesError(f"port {self.port} on 127.0.0.1 is already in use: pick another with --port")
        self.creds = ensure_credentials(self.data_dir, self.api_key_env)
        cmd = [
            str(exe), "start", "--no-browser",
            "--port", str(self.port),
            "--internal-host", "127.0.0.1",
            "--host", self.url,
            "--data-dir", str(self.data_dir.resolve()),
            "--enable-legacy-api-token",
        ]  # fmt: skip
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=server_env(self.creds, self.data_dir),
                cwd=str(self.data_dir),
                start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves.
            )
        finally:
            log.close()
        (self.data_dir / PID_FILE).write_text(f"{self.proc.pid}\n")
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if self.proc.poll() is not None:
                tail = _log_tail(self.log_path)
                self.stop()
                raise QuotesError(f"Label Studio exited before it was ready (see {self.log_path})"
                                  + (f": {tail[-300:]}" if tail else ""))
            if time.monotonic() > deadline:
                self.stop()
                raise QuotesError(f"Label Studio did not answer {self.url}/health in {timeout:.0f} s (see {self.log_path})")
            time.sleep(0.5)
        return self

    def stop(self, grace: float = 15.0) -> None:
        """Ctrl-C to the server's process group, then SIGTERM, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                if proc.poll() is not None:
                    break
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        finally:
            try:
                (self.data_dir / PID_FILE).unlink()
            except OSError:
                pass

    def __enter__(self) -> "StudioServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def run_start(args) -> int:
    """`quotes studio start`: run the server until Ctrl-C."""
    env_key = os.environ.get("LABEL_STUDIO_API_KEY") or None
    server = StudioServer(args.data_dir, args.port, env_key)
    studio_bin()
    if port_in_use(server.port):
        raise QuotesError(f"port {server.port} on 127.0.0.1 is already in use: pick another with --port")
    first = not (server.data_dir / CREDENTIALS_FILE).exists()
    print(f"Starting Label Studio on 127.0.0.1:{server.port} (data: {server.data_dir}; log: {server.log_path})"
          + (" - first start, migrating the database (about 30 s)..." if first else "..."), flush=True)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_term)
    old_int = signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    backend = None
    try:
        server.start()
        creds = server.creds
        print(f"Label Studio is up: {server.url}", flush=True)
        if creds.created:
            print(f"  login:    {creds.username}")
            print(f"  password: {creds.password}")
            if creds.generated:
                print(f"  API key:  {creds.api_key}")
            print(f"  (stored in {server.data_dir / CREDENTIALS_FILE}, mode 0600; shown only this once)")
            mark_shown(server.data_dir)
        else:
            print(f"  login and API key: in {server.data_dir / CREDENTIALS_FILE}")
        if env_key and env_key != creds.api_key:
            print("  warning: LABEL_STUDIO_API_KEY is not this data dir's token (set at its first start): "
                  "push and pull will be refused with it", file=sys.stderr)
        print(f"  export LABEL_STUDIO_URL={server.url}")
        if getattr(args, "backend", False):
            backend = _start_backend(server, creds, args)
        elif getattr(args, "project", None):
            print("  (--project only matters with --backend)", file=sys.stderr)
        print("Press Ctrl-C to stop.", flush=True)
        while server.proc is not None and server.proc.poll() is None:
            if backend is not None and not backend.alive():
                print("quotes: warning: the ML backend stopped (its messages are above); Label Studio goes on",
                      file=sys.stderr)
                backend = None
            time.sleep(0.5)
        code = server.proc.returncode if server.proc is not None else 0
        server.stop()
        print(f"Label Studio stopped by itself (exit {code}; see {server.log_path})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if backend is not None:
            print("\nStopping the ML backend...", flush=True)
            backend.stop()
        print("\nStopping Label Studio...", flush=True)
        server.stop()
        print("Stopped.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
        signal.signal(signal.SIGINT, old_int)
        if backend is not None:
            backend.stop()
        server.stop()


def _start_backend(server: StudioServer, creds: Credentials, args):
    """`start --backend`: the ML backend on --backend-port, connected to the --project projects."""
    import shlex

    from quotes.studio.process import BackendProcess

    port = args.backend_port or free_port()
    if port_in_use(port):
        raise QuotesError(f"port {port} on 127.0.0.1 is already in use: pick another with --backend-port")
    backend = BackendProcess(server.url, creds.api_key, port, args.project, shlex.split(args.backend_args or ""))
    print(f"Starting the ML backend on 127.0.0.1:{port} (loading the model)...", flush=True)
    url = backend.start()
    print(f"ML backend is up: {url}" + (f", connected to {', '.join(map(repr, args.project))}" if args.project
                                         else " (no --project: connect it with `quotes studio backend --connect`)"),
          flush=True)
    return backend
