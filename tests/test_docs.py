"""The documentation stands on its own in a clone: links resolve inside the repository, the scheme's copy
keeps every statement of the contract, and the README's runnable command blocks run as written."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "annotations" / "README.md",
        REPO / "annotations" / "src" / "FORMAT.md"]
_spec = importlib.util.spec_from_file_location("scheme_digest", REPO / "scripts" / "scheme_digest.py")
scheme = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scheme)
MD = MarkdownIt("commonmark")


# -- links ---------------------------------------------------------------------------------------------------


def _targets(markdown: str) -> list[str]:
    """Link and image targets of a markdown text (inline, reference and HTML), not those inside code."""
    out = []
    for tok in MD.parse(markdown):
        if tok.type == "html_block":
            out += re.findall(r'(?:href|src)="([^"]+)"', tok.content)
        for child in tok.children or []:
            if child.type == "link_open":
                out.append(child.attrs["href"])
            elif child.type == "image":
                out.append(child.attrs["src"])
            elif child.type == "html_inline":
                out += re.findall(r'(?:href|src)="([^"]+)"', child.content)
    return out


def _slugs(markdown: str) -> set[str]:
    """GitHub's anchors for a file's headings."""
    seen: dict[str, int] = {}
    tokens = MD.parse(markdown)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            text = "".join(c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline"))
            slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
            seen[slug] = seen.get(slug, -1) + 1
            if seen[slug]:
                seen[f"{slug}-{seen[slug]}"] = 0
    return set(seen)


def broken_links(path: Path, root: Path = REPO) -> list[str]:
    bad = []
    for target in _targets(path.read_text("utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.is_relative_to(root.resolve()):
            bad.append(f"{target}: outside the repository")
        elif not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _slugs(dest.read_text("utf-8")):
            bad.append(f"{target}: no heading #{anchor} in {dest.name}")
    return bad


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_resolves_inside_the_repository(path):
    assert path.is_file()
    assert broken_links(path) == []


def test_the_link_check_catches_what_a_clone_would_miss(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "here.md").write_text("# Here\n\n## Two words\n", "utf-8")
    page = root / "README.md"
    page.write_text(
        "[ok](docs/here.md) [ok](docs/here.md#two-words) [web](https://example.org) `[code](nowhere.md)`\n\n"
        "[gone](docs/gone.md) [out](../shared/spec/annotation-scheme.md) [anchor](docs/here.md#three)\n"
        "![img](docs/missing.png)\n\n[ref]: docs/ref.md\n\nSee [the ref][ref].\n", "utf-8")
    assert broken_links(page, root) == [
        "docs/gone.md: no such file", "../shared/spec/annotation-scheme.md: outside the repository",
        "docs/here.md#three: no heading #three in here.md", "docs/missing.png: no such file",
        "docs/ref.md: no such file"]


# -- the scheme: the project copy against the contract ---------------------------------------------------------


def test_scheme_copy_keeps_every_statement_of_the_digest():
    """Runs everywhere: the digest stands in for the contract where ../shared is absent (a clone, CI)."""
    stored = json.loads(scheme.DIGEST.read_text("utf-8"))["statements"]
    assert len(stored) > 50
    assert scheme.missing_from_copy(stored, scheme.COPY.read_text("utf-8")) == []


def test_scheme_copy_keeps_every_statement_of_the_contract():
    if not scheme.CONTRACT.is_file():
        pytest.skip("../shared/spec/annotation-scheme.md is not beside this checkout; the digest test covers it")
    contract = scheme.CONTRACT.read_text("utf-8")
    assert scheme.missing_from_copy(scheme.statements(contract), scheme.COPY.read_text("utf-8")) == []
    assert scheme.stale_adaptations(contract) == []
    assert json.loads(scheme.DIGEST.read_text("utf-8")) == scheme.digest(contract), (
        "tests/data/scheme-digest.json is stale: run .venv/bin/python scripts/scheme_digest.py")


def test_the_drift_check_catches_a_dropped_or_changed_statement():
    copy = scheme.COPY.read_text("utf-8")
    stored = json.loads(scheme.DIGEST.read_text("utf-8"))["statements"]
    contract = scheme.statements(copy)  # the copy holds the contract's statements, adapted ones aside
    dropped = copy.replace("- `neutral`: factual, procedural or non-committal content (schedules, who will\n"
                           "  meet, \"on verra\").\n", "")
    changed = copy.replace("is at least half of their union", "is at least a third of their union")
    retitled = copy.replace("## Gold-only conventions", "## Conventions")
    adapted = copy.replace("as in the pages of `annotations/pages/`", "as in the pages")
    for edited in (dropped, changed, retitled, adapted):
        assert edited != copy
        assert len(scheme.missing_from_copy(stored, edited)) == 1
        assert len(scheme.missing_from_copy(contract, edited)) == 1
    # what the copy may do: add text, re-wrap lines, use typographic quotes, change a link target
    added = (copy.replace("## Scoring\n", "## Scoring\n\nA sentence the project adds.\n")
             .replace("the main clause.", "the main\nclause.")
             .replace("\"on verra\"", "\u201con verra\u201d"))
    assert added != copy
    assert scheme.missing_from_copy(stored, added) == []


def test_normalisation():
    got = scheme.statements("# T\n\nOne [link](a.md) and **bold**  text.\nTwo \u2019quotes\u2019: `M. X`. Three?\n\n"
                            "```json\n{\"a\":  1}\n```\n")
    assert [s for _, s in got] == ["# T", "One link and bold text.", "Two 'quotes': `M. X`.", "Three?", '{"a": 1}']


# -- the README's runnable blocks -----------------------------------------------------------------------------

MARK = "<!-- runnable -->"


def runnable_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced block right after a `<!-- runnable -->` line."""
    tokens = MD.parse(markdown)
    out = []
    for tok, nxt in zip(tokens, tokens[1:]):
        if tok.type == "html_block" and tok.content.strip() == MARK:
            assert nxt.type == "fence" and nxt.info.strip() in ("bash", "python"), f"{MARK} must precede a fence"
            out.append((nxt.info.strip(), nxt.content))
    return out


README_BLOCKS = runnable_blocks((REPO / "README.md").read_text("utf-8"))


def _outputs(code: str) -> list[str]:
    """Paths a bash block writes with -o/--output or a redirection."""
    out = []
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        for w, nxt in zip(words, words[1:]):
            if w in ("-o", "--output", ">", ">>"):
                out.append(nxt)
        out += [w.split("=", 1)[1] for w in words if w.startswith("--output=")]
    return out


def test_readme_marks_its_command_blocks():
    langs = [lang for lang, _ in README_BLOCKS]
    assert langs.count("bash") >= 2 and langs.count("python") >= 2
    assert any("quotes annotate" in code for _, code in README_BLOCKS)


@pytest.mark.parametrize("lang,code", README_BLOCKS, ids=[f"{i}-{lang}" for i, (lang, _) in enumerate(README_BLOCKS)])
def test_readme_block_runs_as_written(lang, code, tmp_path):
    """Each block runs, unchanged, in a view of the repository where only runs/ (and /tmp) may be written."""
    if not (REPO / ".venv" / "bin" / "quotes").exists():
        pytest.skip("the README's commands need the set-up's .venv (bash setup.sh)")
    for target in _outputs(code) if lang == "bash" else []:
        assert target == "-" or target.startswith(("runs/", "/tmp/")), f"the block writes {target}"
    view = tmp_path / "repo"
    view.mkdir()
    entries = sorted(p.name for p in REPO.iterdir() if p.name not in ("runs", ".git"))
    for name in entries:
        (view / name).symlink_to(REPO / name)
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
    cmd = ["bash", "-euo", "pipefail", "-c", code] if lang == "bash" else [sys.executable, "-c", code]
    try:
        proc = subprocess.run(cmd, cwd=view, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
        assert sorted(p.name for p in view.iterdir() if not p.is_symlink()) in ([], ["runs"])
    finally:
        shutil.rmtree(view / "runs", ignore_errors=True)
