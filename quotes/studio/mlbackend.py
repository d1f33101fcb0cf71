"""Connecting `quotes studio backend` to Label Studio projects (the `/api/ml` and `/api/webhooks` APIs)."""

from __future__ import annotations

from quotes.studio.connect import sdk_errors
from quotes.studio.push import SAMPLING, ensure_project, ensure_view


def _same(a: str | None, b: str) -> bool:
    return (a or "").rstrip("/") == b.rstrip("/")


def rename(client, ml, project_id: int, version: str) -> None:
    # Label Studio 1.23 checks the backend on every update with the fields given only: a title
    # alone fails (500, no url), so the url and project go with it.
    client.ml.update(ml.id, title=version, url=ml.url, project=project_id)


def connect_backend(client, project_name: str, url: str, version: str) -> int:
    """Make the backend at `url` the project's model (created with our config when missing); returns its id.

    The ML backend is titled with the model version and the project's model version set to it, so that
    Label Studio asks the backend for the predictions of tasks that have none of that version (tasks
    imported through its UI) and serves them least confident first. Connecting twice changes nothing.
    Label Studio adds the backend's `/webhook` itself; it is added here when missing.
    """
    project = ensure_project(client, project_name)
    ensure_view(client, project.id)
    where = f"connecting the ML backend {url} to project {project_name!r}"
    with sdk_errors(client.quotes_url, where):
        mine = [m for m in client.ml.list(project=project.id) if _same(m.url, url)]
        if mine:
            ml = mine[0]
            if ml.title != version:
                rename(client, ml, project.id, version)
        else:
            ml = client.ml.create(project=project.id, url=url, title=version, is_interactive=False, auto_update=True,
                                  description="quotes studio backend")
        client.projects.update(project.id, model_version=version, show_collab_predictions=True, sampling=SAMPLING)
        hook = url.rstrip("/") + "/webhook"
        if not any(_same(w.url, hook) for w in client.webhooks.list(project=str(project.id))):
            client.webhooks.create(url=hook, project=project.id, send_payload=True, send_for_all_actions=True)
    return int(ml.id)


def retitle_backends(client, url: str | None, version: str) -> int:
    """Name the ML backends at `url` after a new model version (and their projects' model version)."""
    if not url:
        return 0
    n = 0
    with sdk_errors(client.quotes_url, "renaming the ML backends"):
        for project in client.projects.list():
            for ml in client.ml.list(project=project.id):
                if _same(ml.url, url) and ml.title != version:
                    rename(client, ml, project.id, version)
                    client.projects.update(project.id, model_version=version)
                    n += 1
    return n

