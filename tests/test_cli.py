"""`quotes annotate` as a user runs it: a subprocess per scenario.

Each run loads spaCy (seconds), so the scenarios are few, each checked by
several tests, and they run two at a time in the background while the tests
that need them wait.
"""

from __future__ import annotations

import json
import shutil
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
        "no_text_folder": (root / "sans_texte", "no .txt or .html"),
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

    # Output paths that cannot be written.
    s["no_outdir"] = dict(args=["annotate", good, "-o", root / "absent" / "out.jsonl"], out=root / "absent")
    s["out_is_dir"] = dict(args=["annotate", good, "-o", root])

    # An HTML page with a control character after an image (seen in scraped pages).
    ctrl = root / "ctrl"
    write(ctrl / "bon.txt", GOOD_TEXT)
    write(ctrl / "controle.html", '<html><body><p><img src="a.jpg">Légende\x1b de la photo du ministre à Paris.</p>'
                                  "<p>Le ministre a parlé longuement devant la presse réunie à Paris ce mardi.</p></body></html>")
    s["ctrl"] = dict(args=["annotate", ctrl, "-o", root / "ctrl.jsonl"], out=root / "ctrl.jsonl")

    pool = ThreadPoolExecutor(max_workers=2)
    for sc in s.values():
        sc["future"] = pool.submit(run_cli, *sc["args"], input=sc.get("input"))
    yield s
    pool.shutdown(wait=True, cancel_futures=True)


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


def test_progress_bar_with_five_files(scenarios):
    _, _, err, _ = result(scenarios, "folder")
    assert "annotate" in err and "5/5" in err


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


def test_missing_output_folder_is_a_clear_error(scenarios):
    rc, out, err, sc = result(scenarios, "no_outdir")
    assert rc != 0
    assert "Traceback" not in err
    lines = quotes_lines(err)
    assert len(lines) == 1 and lines[0].startswith("quotes: error: ")
    assert "does not exist" in lines[0] and str(sc["out"]) in lines[0]
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
