"""Files, folders, standard input and HTML pages → Documents (quotes.io.read)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from quotes.io.read import ReadReport, expand, extract_html, read_inputs

PAGES = Path(__file__).parents[1] / "data" / "pages"
NBSP, NNBSP = "\u00a0", "\u202f"


def read(paths, **kw) -> tuple[list, ReadReport]:
    report = ReadReport()
    docs = list(read_inputs([str(p) for p in paths], report, **kw))
    return docs, report


def only_skip(report: ReadReport):
    assert len(report.skipped) == 1, report.skipped
    return report.skipped[0]


# -- plain text is kept exactly as read ---------------------------------------------------------


def test_utf8_text_is_kept_byte_exact(tmp_path):
    text = (
        "Titre : la crise\r\n\r\n"
        f"«{NBSP}Nous voulons la paix{NBSP}», a déclaré le ministre.\r\n"
        f"Il a ajouté{NNBSP}: “rien n’est exclu”.   \n"
        "\tDernière ligne sans fin de ligne  "
    )
    raw = text.encode("utf-8")
    f = tmp_path / "page.txt"
    f.write_bytes(raw)
    docs, report = read([f])
    assert report.skipped == [] and report.warnings == []
    [doc] = docs
    assert doc.text == text
    assert doc.text.encode("utf-8") == raw
    assert "\r\n" in doc.text and NBSP in doc.text and NNBSP in doc.text
    assert doc.id == "page"
    assert doc.extra["format"] == "txt"


def test_fixture_scrapes_are_read_byte_exact():
    for name in ("sahel_scrape.txt", "balkans_scrape.txt"):
        raw = (PAGES / name).read_bytes()
        [doc], report = read([PAGES / name])
        assert report.skipped == []
        assert doc.text.encode("utf-8") == raw, name
    [doc], _ = read([PAGES / "balkans_scrape.txt"])
    assert doc.text.count("\r\n") == (PAGES / "balkans_scrape.txt").read_bytes().count(b"\r\n") > 0
    assert NBSP in doc.text


def test_sample_pages_are_read_as_the_gold_text(samples_dir):
    gold = {}
    for line in (samples_dir / "gold.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            gold[d["id"]] = d["text"]
    docs, report = read(sorted(samples_dir.glob("*.txt")))
    assert report.skipped == []
    assert docs, "no sample page read"
    for doc in docs:
        if doc.id in gold:
            assert doc.text == gold[doc.id], doc.id


def test_cp1252_file_is_decoded_with_a_warning(tmp_path):
    text = "Le ministre a déclaré : « Nous refusons cet ultimatum », selon l’agence – été 2024."
    f = tmp_path / "ancien.txt"
    f.write_bytes(text.encode("cp1252"))
    [doc], report = read([f])
    assert doc.text == text
    assert report.skipped == []
    assert len(report.warnings) == 1
    assert str(f) in report.warnings[0] and "cp1252" in report.warnings[0]


def test_binary_file_is_skipped_with_a_clear_reason(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8)
    docs, report = read([f])
    assert docs == []
    s = only_skip(report)
    assert s.path == str(f)
    assert "binary" in s.reason


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t  \n"], ids=["empty", "blank"])
def test_empty_file_is_skipped(tmp_path, content):
    f = tmp_path / "vide.txt"
    f.write_bytes(content)
    docs, report = read([f])
    assert docs == []
    assert "empty" in only_skip(report).reason


def test_50_mb_file_is_skipped_with_the_size_message(tmp_path):
    f = tmp_path / "enorme.txt"
    with open(f, "wb") as fh:
        fh.write("Le ministre a déclaré « non ».\n".encode("utf-8"))
        fh.truncate(50_000_000)  # sparse: costs no disk
    docs, report = read([f])
    assert docs == []
    s = only_skip(report)
    assert s.path == str(f)
    assert "50.0 MB" in s.reason and "5 MB limit" in s.reason


def test_size_limit_is_configurable_and_the_others_go_on(tmp_path):
    big = tmp_path / "a.txt"
    big.write_text("Un texte en français. " * 100, encoding="utf-8")
    small = tmp_path / "b.txt"
    small.write_text("Un texte court en français.", encoding="utf-8")
    docs, report = read([big, small], max_bytes=1000)
    assert [d.id for d in docs] == ["b"]
    assert "limit" in only_skip(report).reason


# -- folders -----------------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    files = {
        "b/2.txt": "Deuxième.",
        "a/1.txt": "Premier.",
        "a/sub/0.html": "<html><body><p>Une page en français, avec une phrase complète.</p></body></html>",
        "c.TXT": "Majuscules.",
        "z.htm": "<html><body><p>Encore une page en français, avec une phrase.</p></body></html>",
        ".hidden.txt": "caché",
        ".git/objets.txt": "caché",
        "a/.cache/y.txt": "caché",
        "notes.json": "{}",
        "image.png": "x",
    }
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")


def test_folder_is_walked_recursively_in_a_stable_order_without_hidden_files(tmp_path):
    make_tree(tmp_path)
    expected = ["a/1.txt", "a/sub/0.html", "b/2.txt", "c.TXT", "z.htm"]
    files, skipped = expand([str(tmp_path)])
    assert skipped == []
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == expected
    assert expand([str(tmp_path)])[0] == files
    docs, report = read([tmp_path])
    assert report.skipped == []
    assert [d.extra["source"] for d in docs] == [str(tmp_path / e) for e in expected]
    assert [d.extra["format"] for d in docs] == ["txt", "html", "txt", "txt", "html"]
    assert not any("caché" in d.text for d in docs)


def test_folder_with_no_text_file_is_skipped(tmp_path):
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("caché", encoding="utf-8")
    docs, report = read([tmp_path])
    assert docs == []
    s = only_skip(report)
    assert s.path == str(tmp_path)
    assert "no .txt, .html or .parquet" in s.reason


def test_missing_path_is_skipped_and_the_others_are_read(tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("Un article.", encoding="utf-8")
    docs, report = read([tmp_path / "absent.txt", ok])
    assert [d.id for d in docs] == ["ok"]
    s = only_skip(report)
    assert s.path == str(tmp_path / "absent.txt") and "no such file" in s.reason


def test_duplicate_stems_get_distinct_ids(tmp_path):
    for rel in ("lundi/article.txt", "mardi/article.txt"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text(f"Texte de {rel}.", encoding="utf-8")
    docs, report = read([tmp_path])
    ids = [d.id for d in docs]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert ids[0] == "article"
    assert len(report.warnings) == 1 and "mardi" in report.warnings[0]


def test_three_files_with_one_stem_get_three_distinct_ids(tmp_path):
    for rel in ("a/x.txt", "b/a/x.txt", "c/a/x.txt"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text(f"Texte de {rel}.", encoding="utf-8")
    docs, _ = read([tmp_path])
    ids = [d.id for d in docs]
    assert len(ids) == 3
    assert len(set(ids)) == 3, ids


# -- standard input ----------------------------------------------------------------------------


def fake_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_is_read_exactly(monkeypatch):
    text = f"Le président a déclaré :\r\n«{NBSP}Nous négocierons{NBSP}».\n"
    fake_stdin(monkeypatch, text.encode("utf-8"))
    [doc], report = read(["-"])
    assert report.skipped == []
    assert doc.id == "stdin"
    assert doc.text == text


def test_stdin_html_is_recognised(monkeypatch):
    fake_stdin(monkeypatch, (PAGES / "article.html").read_bytes())
    [doc], _ = read(["-"])
    assert doc.extra["format"] == "html"
    assert "Crise au Sahel" in doc.text and "<p" not in doc.text


def test_stdin_empty_is_skipped(monkeypatch):
    fake_stdin(monkeypatch, b"")
    docs, report = read(["-"])
    assert docs == []
    s = only_skip(report)
    assert s.path == "<stdin>" and "empty" in s.reason


def test_stdin_over_the_limit_is_skipped(monkeypatch):
    fake_stdin(monkeypatch, b"Un texte assez long. " * 100)
    docs, report = read(["-"], max_bytes=500)
    assert docs == []
    assert "limit" in only_skip(report).reason


# -- HTML ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_doc():
    [doc], report = read([PAGES / "article.html"])
    assert report.skipped == []
    return doc


def test_html_keeps_title_standfirst_caption_and_body(html_doc):
    t = html_doc.text
    assert html_doc.extra["format"] == "html"
    assert "Crise au Sahel : Paris appelle au dialogue" in t
    assert "a plaidé mardi pour une reprise rapide des négociations" in t  # <p class="chapo">
    assert "lors de sa conférence de presse à Paris, mardi" in t  # <figcaption>
    assert "Selon un diplomate européen en poste à Bamako" in t
    # The title comes first, the body in order.
    assert t.index("Crise au Sahel") < t.index("a plaidé mardi") < t.index("Selon un diplomate")


def test_html_keeps_no_break_spaces_inside_guillemets(html_doc):
    assert f"«{NBSP}Nous devons reprendre le dialogue sans attendre{NBSP}»" in html_doc.text
    assert "&nbsp;" not in html_doc.text
    assert "⁅" not in html_doc.text  # the placeholders never leak


def test_html_drops_comments_teasers_navigation_and_markup(html_doc):
    t = html_doc.text
    assert "grand-père" not in t and "la guerre ne règle jamais rien" not in t  # comments
    assert "Nous ne reculerons jamais" not in t and "Zelensky" not in t  # aside teasers
    assert "Accueil" not in t and "Tous droits réservés" not in t
    assert "<" not in t and "&amp;" not in t


def test_extract_html_decodes_numeric_no_break_spaces():
    html = ("<html><body><article><p>Le porte-parole a déclaré&#160;: «&#xA0;Rien n'est décidé&#8239;», "
            "avant de quitter la salle sous les questions des journalistes présents.</p></article></body></html>")
    t = extract_html(html)
    assert f"déclaré{NBSP}: «{NBSP}Rien n'est décidé{NNBSP}»" in t


BROKEN_HTML = [
    "<html><body><p>Le ministre a déclaré « nous verrons <div><p>sans fermer <b>rien",
    "<html><body></body></html>",
    "<html><<<>>>&&&; <p <div class=>>< /p>",
    "<!DOCTYPE html><html><head><title>Seul titre</title></head></html>",
    "<html>" + "<div>" * 3000 + "Un texte très profondément imbriqué dans la page." + "</div>" * 10,
    "<html><body><p>Texte\x0c avec un saut de page et des caractères de contrôle\x01.</p></body></html>",
    "<html><body><!-- commentaire jamais fermé <p>Le ministre a parlé.</p>",
    "<?xml version='1.0' encoding='latin-1'?><html><body><p>Déclaration « surprise » du ministre.</p></body></html>",
]


@pytest.mark.parametrize("html", BROKEN_HTML, ids=range(len(BROKEN_HTML)))
def test_broken_html_is_read_or_skipped_without_raising(tmp_path, html):
    f = tmp_path / "casse.html"
    f.write_text(html, encoding="utf-8")
    docs, report = read([f])
    assert len(docs) + len(report.skipped) == 1
    for d in docs:
        assert d.text.strip()
        assert "⁅" not in d.text
    for s in report.skipped:
        assert s.reason and "\n" not in s.reason


def test_html_with_control_character_after_an_image_does_not_raise(tmp_path):
    f = tmp_path / "controle.html"
    f.write_text('<html><body><p><img src="a.jpg">Légende\x1b de la photo du ministre.</p></body></html>',
                 encoding="utf-8")
    docs, report = read([f])
    assert len(docs) + len(report.skipped) == 1


# -- UTF-16 and UTF-32 with a byte order mark ---------------------------------------------------


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                        ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff")])
def test_utf16_and_utf32_with_a_bom_are_decoded_not_refused_as_binary(tmp_path, codec, bom):
    text = f"«{NBSP}Nous ne céderons pas{NBSP}», a déclaré le ministre.\r\nFin – été 2024.\n"
    f = tmp_path / "unicode.txt"
    f.write_bytes(bom + text.encode(codec))
    assert b"\x00" in f.read_bytes()[:100]  # what made it look binary
    [doc], report = read([f])
    assert report.skipped == [] and report.warnings == []
    assert doc.text == text  # the BOM is not part of the text: offsets start at the first character


def test_utf16_html_with_a_bom_is_extracted(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes("<html><body><article><p>Le ministre a déclaré « nous verrons » devant la presse réunie à Paris "
                  "ce mardi pour un long entretien.</p></article></body></html>".encode("utf-16"))
    [doc], report = read([f])
    assert report.skipped == []
    assert doc.extra["format"] == "html" and "« nous verrons »" in doc.text


def test_a_bom_over_bytes_that_are_not_utf16_is_one_clear_reason(tmp_path):
    f = tmp_path / "faux.txt"
    f.write_bytes(b"\xff\xfeA")  # an odd byte count cannot be UTF-16
    docs, report = read([f])
    assert docs == []
    assert "UTF-16" in only_skip(report).reason


# -- article metadata ------------------------------------------------------------------------------

META_HTML = """<!DOCTYPE html><html lang="fr"><head>
<title>Négociations : Paris hausse le ton | Le Quotidien</title>
<meta property="og:site_name" content="Le Quotidien">
<meta name="author" content="Jeanne Martin">
<link rel="canonical" href="https://www.lequotidien.example/monde/negociations-123.html">
<meta property="article:published_time" content="2024-02-03T18:02:00+01:00">
</head><body><article><h1>Négociations : Paris hausse le ton</h1>
<p>« Nous ne céderons pas », a déclaré mardi le ministre des Affaires étrangères devant la presse réunie à Paris,
avant de quitter la salle sans répondre aux questions des journalistes.</p>
<p>Selon un diplomate européen, les discussions pourraient reprendre avant la fin du mois.</p>
</article><footer>© 2021 Le Quotidien</footer></body></html>"""


def test_html_metadata_is_kept_in_meta(tmp_path):
    f = tmp_path / "meta.html"
    f.write_text(META_HTML, encoding="utf-8")
    [doc], report = read([f])
    assert report.skipped == []
    assert doc.meta == {"title": "Négociations : Paris hausse le ton", "date": "2024-02-03", "site": "Le Quotidien",
                        "author": "Jeanne Martin", "url": "https://www.lequotidien.example/monde/negociations-123.html"}
    assert doc.extra["meta"] == doc.meta
    assert json.loads(json.dumps(doc.to_dict()))["meta"] == doc.meta


def test_absent_metadata_is_left_out_and_a_copyright_year_is_not_a_date(html_doc):
    # article.html has a title and a `© 2024` footer, nothing else
    assert html_doc.to_dict()["meta"] == {"title": "Crise au Sahel : Paris appelle au dialogue"}


def test_plain_text_has_no_meta(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text("Le ministre a parlé.", encoding="utf-8")
    [doc], _ = read([f])
    assert doc.meta == {} and "meta" not in doc.to_dict()
