"""`quotes studio`: review the system's output in Label Studio and pull the corrections back.

    quotes studio start [--port 8080] [--data-dir DIR]
    quotes studio push FILE.jsonl|PATH... --project NAME
    quotes studio pull --project NAME -o annotations/FILE.jsonl

Nothing heavy is imported here: the SDK, the pipeline and torch load only when
a command runs.
"""

from __future__ import annotations

import argparse

__all__ = ["register"]


def _start(args) -> int:
    from quotes.studio.server import run_start

    return run_start(args)


def _push(args) -> int:
    from quotes.studio.push import run_push

    return run_push(args)


def _pull(args) -> int:
    from quotes.studio.pull import run_pull

    return run_pull(args)


def _connection(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("connection")
    g.add_argument("--url", help="Label Studio URL (default: $LABEL_STUDIO_URL, else http://127.0.0.1:8080)")
    g.add_argument(
        "--api-key",
        help="API token (default: $LABEL_STUDIO_API_KEY, else the one `quotes studio start` stored)",
    )


def register(subparsers) -> argparse.ArgumentParser:
    """Add `studio` and its subcommands to the `quotes` command's subparsers."""
    studio = subparsers.add_parser(
        "studio",
        help="review and correct annotations in Label Studio",
        description="Review the system's output in Label Studio and pull the corrections into annotations/.",
    )
    sub = studio.add_subparsers(dest="studio_command", metavar="{start,push,pull}")
    studio.set_defaults(func=lambda args: (studio.print_help(), 2)[1])

    p = sub.add_parser(
        "start",
        help="run the Label Studio server on 127.0.0.1",
        description="Run Label Studio (from .venv-studio) on 127.0.0.1 with signup closed and nothing calling "
        "out. The first start creates the admin and its API token ($LABEL_STUDIO_API_KEY when set, else a "
        "random one, stored in the data dir with mode 0600 and printed once). Ctrl-C stops it.",
    )
    p.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    p.add_argument("--data-dir", help="server data (default: $QUOTES_STUDIO_DATA, else <repo>/.studio-data)")
    p.set_defaults(func=_start)

    p = sub.add_parser(
        "push",
        help="send documents and the system's output to a project",
        description="Create or reuse the project and import the documents with the system's output as "
        "predictions, least confident first. A .jsonl is taken as `quotes annotate` output; other paths "
        "(text, HTML, folders, -) are annotated by the pipeline. Documents already in the project "
        "(same id and text) are skipped.",
    )
    p.add_argument("inputs", nargs="+", metavar="FILE.jsonl|PATH", help="documents to push")
    p.add_argument("--project", required=True, help="project title")
    p.add_argument("--model-version", help="model version of the predictions (default: the pipeline's)")
    p.add_argument("--decider", help="deciding stage of the pipeline for non-JSONL inputs (default: rules)")
    _connection(p)
    p.set_defaults(func=_push)

    p = sub.add_parser(
        "pull",
        help="merge the reviewed tasks into an annotations file",
        description="Export the tasks that a human annotated and merge them into the JSONL file (created if "
        "missing, rewritten atomically). A human annotation in the file is only replaced by a newer human "
        "annotation; model predictions are never written.",
    )
    p.add_argument("--project", required=True, help="project title")
    p.add_argument("-o", "--output", required=True, help="annotations file (JSONL) to merge into")
    _connection(p)
    p.set_defaults(func=_pull)
    return studio
