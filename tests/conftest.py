"""Shared fixtures: one loaded pipeline per session, a CLI runner, the fixture pages, the samples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
PAGES = TESTS / "data" / "pages"
# Real scraped pages and their gold annotations, outside the repository: read only, never copied.
SAMPLES = TESTS.parents[1] / "shared" / "samples"


@pytest.fixture(scope="session")
def pipeline():
    """The rule pipeline, loaded once (spaCy takes seconds to load)."""
    from quotes.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def quote_spans(pipeline):
    """(type, text) of each quote the rule pipeline finds, after checking every span against the text."""
    from quotes.document import Document

    def run(text: str) -> list[tuple[str, str]]:
        doc = pipeline.annotate(Document("t", text))
        assert all(text[q.start:q.end] == q.text for q in doc.quotes)
        return [(q.type, q.text) for q in doc.quotes]

    return run


@pytest.fixture(scope="session")
def attributed(pipeline):
    """(type, text, speaker mention, speaker name) of each quote the rule pipeline finds, offsets checked."""
    from quotes.document import Document

    def run(text: str) -> list[tuple[str, str, str | None, str | None]]:
        doc = pipeline.annotate(Document("t", text))
        assert all(text[q.start:q.end] == q.text for q in doc.quotes)
        return [(q.type, q.text, q.speaker.text if q.speaker else None, q.speaker_name) for q in doc.quotes]

    return run


def _run_cli(*args: str, input: str | bytes | None = None, cwd: str | Path | None = None,
             timeout: float = 300) -> tuple[int, str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "quotes.cli", *map(str, args)],
        input=input,
        capture_output=True,
        cwd=str(cwd or REPO),
        env=env,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="session")
def run_cli():
    """`run_cli("annotate", path, "-o", out)` → (exit code, stdout, stderr) of `python -m quotes.cli` in a subprocess."""
    return _run_cli


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    return PAGES


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """shared/samples (real pages and gold.jsonl); the test is skipped where the folder is absent."""
    if not (SAMPLES / "gold.jsonl").is_file():
        pytest.skip("shared/samples is not available")
    return SAMPLES
