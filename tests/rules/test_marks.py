"""quotes.marks: pairing French quotation marks of every style (find_marked, outermost)."""

from __future__ import annotations

import pytest

from quotes.rules.marks import find_marked, outermost, strip_marks


def contents(text: str, marked=None) -> list[str]:
    marked = find_marked(text) if marked is None else marked
    return [text[m.start:m.end] for m in marked]


# -- styles and spacing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre a répondu « nous partirons demain » aux journalistes.",
        "Le ministre a répondu «\u00a0nous partirons demain\u00a0» aux journalistes.",
        "Le ministre a répondu «\u202fnous partirons demain\u202f» aux journalistes.",
        "Le ministre a répondu «nous partirons demain» aux journalistes.",
        "Le ministre a répondu “nous partirons demain” aux journalistes.",
        'Le ministre a répondu "nous partirons demain" aux journalistes.',
        "Le ministre a répondu ‘nous partirons demain’ aux journalistes.",
        "Le ministre a répondu ‹ nous partirons demain › aux journalistes.",
        "Le ministre a répondu 'nous partirons demain' aux journalistes.",
    ],
    ids=["guillemets-space", "guillemets-nbsp", "guillemets-nnbsp", "guillemets-tight", "curly-double",
         "straight-double", "curly-single", "chevrons-single", "straight-single"],
)
def test_every_mark_style_gives_the_trimmed_content(text):
    marked = find_marked(text)
    assert contents(text, marked) == ["nous partirons demain"]
    m = marked[0]
    assert m.closed
    # The outer span covers the marks themselves; the content excludes marks and inner spaces.
    assert text[m.outer_start] in "«“\"‘‹'"
    assert text[m.outer_end - 1] in "»”\"’›'"
    assert m.outer_start < m.start and m.end < m.outer_end


def test_apostrophes_are_not_marks():
    text = "L’OTAN et l'Union européenne se réunissent aujourd'hui à Bruxelles ; jusqu’à présent, rien n’a filtré."
    assert find_marked(text) == []


def test_apostrophe_inside_single_quoted_words_does_not_close_them():
    text = "Il a lancé ‘c’est fini’ aux journalistes médusés."
    assert contents(text) == ["c’est fini"]


@pytest.mark.parametrize(
    "text",
    [
        'Le Premier ministre a lâché « nous ne signerons rien" avant de quitter la salle.',
        'Le Premier ministre a lâché "nous ne signerons rien » avant de quitter la salle.',
        "Le Premier ministre a lâché “nous ne signerons rien » avant de quitter la salle.",
    ],
    ids=["guillemet-then-straight", "straight-then-guillemet", "curly-then-guillemet"],
)
def test_mismatched_marks_still_make_one_span(text):
    marked = find_marked(text)
    assert contents(text, marked) == ["nous ne signerons rien"]
    assert marked[0].closed


def test_glued_straight_marks():
    text = 'Le chancelier plaide pour la"désescalade" et pour un retour à la table des discussions.'
    assert contents(text) == ["désescalade"]


def test_two_straight_quoted_terms_in_one_sentence_pair_in_order():
    text = 'Paris parle de "fermeté" tandis que Berlin préfère le mot "prudence" dans ce dossier.'
    assert contents(text) == ["fermeté", "prudence"]


# -- paragraphs -------------------------------------------------------------------------------------


def test_quote_reopened_at_each_paragraph_is_one_span():
    text = (
        "Le chef de l'Etat a poursuivi : « Nous ne céderons pas à l'intimidation.\n\n"
        "« Nous resterons fermes, quoi qu'il arrive dans les semaines qui viennent.\n\n"
        "« Mais la porte du dialogue reste ouverte », a-t-il conclu."
    )
    outer = outermost(find_marked(text))
    assert len(outer) == 1
    q = text[outer[0].start:outer[0].end]
    assert q.startswith("Nous ne céderons pas")
    assert q.endswith("la porte du dialogue reste ouverte")
    assert outer[0].closed


def test_unclosed_quote_ends_at_its_paragraph():
    text = (
        "Le ministre a ajouté : « Nous ne céderons pas sur ce point\n\n"
        "Les discussions reprendront lundi à Vienne, selon un diplomate."
    )
    marked = find_marked(text)
    assert len(marked) == 1
    m = marked[0]
    assert not m.closed
    assert text[m.start:m.end] == "Nous ne céderons pas sur ce point"
    assert "\n" not in text[m.start:m.end]


def test_unclosed_quote_does_not_swallow_a_later_closed_one():
    text = "« Un premier passage jamais refermé\n\nUn autre paragraphe. Puis « une citation close » ici."
    outer = outermost(find_marked(text))
    assert contents(text, outer) == ["Un premier passage jamais refermé", "une citation close"]


# -- nesting ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("inner_open,inner_close", [("“", "”"), ('"', '"'), ("‹ ", " ›")])
def test_nested_marks_outermost_keeps_the_outer(inner_open, inner_close):
    text = f"« Nous refusons ce {inner_open}plan de paix{inner_close} imposé de l'extérieur », a-t-il dit."
    marked = find_marked(text)
    assert sorted(contents(text, marked)) == sorted(
        [f"Nous refusons ce {inner_open}plan de paix{inner_close} imposé de l'extérieur", "plan de paix"]
    )
    outer = outermost(marked)
    assert contents(text, outer) == [f"Nous refusons ce {inner_open}plan de paix{inner_close} imposé de l'extérieur"]
    inner = [m for m in marked if m not in outer]
    assert inner[0].depth > outer[0].depth


def test_find_marked_respects_bounds():
    text = "Avant « une » et après « deux » puis « trois »."
    start = text.index("après")
    end = text.index("puis")
    assert contents(text, find_marked(text, start, end)) == ["deux"]


def test_strip_marks():
    assert strip_marks("« Nous “partirons” demain »") == " Nous partirons demain "


def test_reopening_mark_after_a_paragraph_that_did_not_reopen_starts_a_new_quote():
    text = ("« Nous ne céderons pas, a-t-il dit.\n\nPARIS, 12 mars - Le ministère a justifié la mesure.\n\n"
            "« Ce n'est pas une sanction », a répondu le ministre.")
    spans = [(text[m.start:m.end], m.closed) for m in outermost(find_marked(text))]
    assert spans[-1] == ("Ce n'est pas une sanction", True)
    assert spans[0][1] is False and "PARIS" not in spans[0][0]


def test_reopening_mark_of_each_paragraph_continues_one_quote():
    text = "« Nous voulons la paix.\n\n« Mais nous attendons des actes.\n\n« Et vite », a-t-il conclu."
    spans = [text[m.start:m.end] for m in outermost(find_marked(text))]
    assert len(spans) == 1 and spans[0].endswith("Et vite")


def test_paragraphs_one_per_line_continue_a_quote_as_blank_lines_do():
    # HTML pages come out of extraction with one paragraph per line and no blank line between them
    text = ("Le général a insisté.\n« Nous tiendrons la ligne jusqu'au bout.\n"
            "« Et nous ne reculerons pas d'un mètre », a-t-il lancé.\nLa séance a été levée à midi.")
    outer = outermost(find_marked(text))
    assert len(outer) == 1 and outer[0].closed
    q = text[outer[0].start:outer[0].end]
    assert q.startswith("Nous tiendrons") and q.endswith("pas d'un mètre")


def test_an_unclosed_mark_ends_with_its_line():
    text = "« Nous ne céderons pas sur ce point\nLes discussions reprendront lundi, selon un diplomate « proche » du dossier."
    first = outermost(find_marked(text))[0]
    assert not first.closed and text[first.start:first.end] == "Nous ne céderons pas sur ce point"


def test_a_space_left_as_an_html_entity_is_trimmed_like_a_space():
    text = "Le conseil «&nbsp;demande la reprise du dialogue&nbsp;», dans une motion. Il a dit «&#160;non, jamais&#160;»."
    assert contents(text) == ["demande la reprise du dialogue", "non, jamais"]
