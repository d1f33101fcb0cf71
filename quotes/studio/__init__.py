"""`quotes studio`: review the system's output in Label Studio and pull the corrections back.

    quotes studio start [--port 8080] [--data-dir DIR] [--backend --project NAME]
    quotes studio push FILE.jsonl|PATH... --project NAME
    quotes studio pull --project NAME -o annotations/FILE.jsonl
    quotes studio backend [--port 9090] [--connect NAME] [--retrain-after N]

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


def _backend(args) -> int:
    from quotes.studio.backend import run_backend

    return run_backend(args)


def _deciders(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model (as `quotes annotate`)")
    g.add_argument("--model", metavar="DIR", help="a model folder from python -m quotes.train (default: the shipped model)")
    g.add_argument("--rules-only", action="store_true", help="speaker and stance from the rule layer alone (no model)")
    g.add_argument("--decider", help="deciding stage by name (rules, model)")


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
    sub = studio.add_subparsers(dest="studio_command", metavar="{start,push,pull,backend}")
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
    g = p.add_argument_group("live ML backend")
    g.add_argument("--backend", action="store_true",
                   help="also run `quotes studio backend` and connect it to the --project projects")
    g.add_argument("--project", action="append", default=[], metavar="NAME",
                   help="project to connect the backend to (created when missing; repeat for several)")
    g.add_argument("--backend-port", type=int, default=0, help="port of the backend on 127.0.0.1 (default: a free one)")
    g.add_argument("--backend-args", default="",
                   help="more options for the backend, in one string: --backend-args=\"--rules-only --retrain-after 20\"")
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

    p = sub.add_parser(
        "backend",
        help="serve the current model to Label Studio (ML backend), optionally retraining on corrections",
        description="Serve the Label Studio ML backend protocol (/health, /setup, /predict, /webhook) on "
        "127.0.0.1: Label Studio gets the current model's predictions for the tasks that have none (imported "
        "through its UI), in the format of `quotes studio push`. Annotation events are logged; with "
        "--retrain-after N, every N annotations of a project pull its reviewed tasks (never replacing a human "
        "correction) and run `python -m quotes.train` on them in the background; the new model then serves.",
    )
    p.add_argument("--port", type=int, default=9090, help="port on 127.0.0.1 (default 9090; 0: a free one)")
    p.add_argument("--connect", action="append", default=[], metavar="PROJECT",
                   help="connect to this project once up (created when missing; repeat for several)")
    _deciders(p)
    g = p.add_argument_group("retraining (off unless --retrain-after)")
    g.add_argument("--retrain-after", type=int, metavar="N", help="retrain after every N new annotations of a project")
    g.add_argument("--annotations", default="annotations/studio-{project}.jsonl",
                   help="file the corrections are pulled into ({project}: the project title; default %(default)s)")
    g.add_argument("--train", action="append", metavar="FILE",
                   help="other gold training files (repeat; default annotations/train.jsonl when present)")
    g.add_argument("--dev", default="annotations/dev.jsonl", help="gold dev file (default %(default)s)")
    g.add_argument("--model-out", default="models/studio-{project}", help="model folder to write (default %(default)s)")
    g.add_argument("--train-arg", action="append", metavar="ARGS",
                   help="more options for python -m quotes.train, e.g. --train-arg='--epochs 2'")
    _connection(p)
    p.set_defaults(func=_backend)
    return studio
