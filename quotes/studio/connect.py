"""Connecting to a Label Studio server through the SDK, with one-line errors."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterator

from quotes.document import QuotesError

DEFAULT_URL = "http://127.0.0.1:8080"
LABEL_CONFIG = Path(__file__).with_name("labeling.xml")


# A task imported through Label Studio's UI as a file holds the file's URL, not its text.
FILE_REF = re.compile(r"(/data/(upload|local-files)/|https?://)\S+")


def is_file_ref(value) -> bool:
    return isinstance(value, str) and FILE_REF.fullmatch(value.strip()) is not None and len(value) < 2000


def read_task_file(client, ref: str) -> str:
    """The text of a file that a task points to on the server (read with the client's token)."""
    base = client.quotes_url.rstrip("/")
    ref = ref.strip()
    if ref.startswith(("http://", "https://")) and not ref.startswith(base + "/"):
        raise QuotesError(f"task file {ref} is not on {base}: import the text itself")
    path = ref[len(base):] if ref.startswith(base) else ref
    with sdk_errors(base, f"reading the task file {path}"):
        r = client._client_wrapper.httpx_client.request(path.lstrip("/"), method="GET")
        if r.status_code >= 400:
            raise QuotesError(f"Label Studio at {base}: reading the task file {path} failed ({r.status_code})")
        return r.content.decode("utf-8-sig")


def label_config() -> str:
    return LABEL_CONFIG.read_text(encoding="utf-8")


def resolve(url: str | None, api_key: str | None) -> tuple[str, str]:
    """URL and key from the flags, else LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY, else the
    token that `quotes studio start` stored in the default data dir."""
    url = (url or os.environ.get("LABEL_STUDIO_URL") or DEFAULT_URL).rstrip("/")
    key = api_key or os.environ.get("LABEL_STUDIO_API_KEY")
    if not key:
        from quotes.studio.server import default_data_dir, load_credentials

        try:
            stored = load_credentials(default_data_dir()) or {}
        except QuotesError:
            stored = {}
        key = stored.get("api_key")
    if not key:
        raise QuotesError(
            "no Label Studio API key: pass --api-key or set LABEL_STUDIO_API_KEY "
            "(`quotes studio start` prints it on first start)"
        )
    return url, key


def _detail(body) -> str:
    if isinstance(body, dict):
        for k in ("detail", "message", "validation_errors"):
            if body.get(k):
                return " ".join(str(body[k]).split())[:200]
    return " ".join(str(body).split())[:200] if body else ""


@contextlib.contextmanager
def sdk_errors(url: str, what: str = "") -> Iterator[None]:
    """Turn SDK and network failures into one-line QuotesErrors."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except ApiError as e:
        if e.status_code in (401, 403):
            raise QuotesError(
                f"Label Studio at {url} refused the API key ({e.status_code}): "
                "check --api-key / LABEL_STUDIO_API_KEY"
            ) from None
        raise QuotesError(f"Label Studio at {url}: {what + ' ' if what else ''}failed "
                          f"({e.status_code}: {_detail(e.body)})") from None
    except (httpx.ConnectError, httpx.ConnectTimeout) as e:
        raise QuotesError(f"cannot reach Label Studio at {url} ({e}): is it running? (`quotes studio start`)") from None
    except httpx.HTTPError as e:
        raise QuotesError(f"Label Studio at {url}: {what + ' ' if what else ''}failed ({type(e).__name__}: {e})") from None


def connect(url: str | None = None, api_key: str | None = None):
    """A checked `LabelStudio` client: the server answers and accepts the key."""
    from label_studio_sdk import LabelStudio

    url, key = resolve(url, api_key)
    if not url.startswith(("http://", "https://")):
        raise QuotesError(f"Label Studio URL {url!r} must start with http:// or https://")
    with sdk_errors(url):
        client = LabelStudio(base_url=url, api_key=key, timeout=120)
        client.users.whoami(request_options={"max_retries": 0})  # fail fast when nothing listens
    client.quotes_url = url  # for messages
    return client


def find_project(client, name: str):
    """The project titled exactly `name`, or None."""
    with sdk_errors(client.quotes_url, "listing projects"):
        for p in client.projects.list(title=name):
            if p.title == name:
                return p
    return None


def get_project(client, name: str):
    project = find_project(client, name)
    if project is None:
        raise QuotesError(f"no project {name!r} on {client.quotes_url} (`quotes studio push` creates it)")
    return project
