"""Where a quote ends and which lines are the article: lists of other articles, a live page's title above
its summary box, negation and litotes, a title's second clause, a narrator's reference adjunct, and a
source that vouches for the sentence's own report.

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations


def test_a_most_read_list_is_not_the_article(quote_spans):
    page = ("Le port de Lomé a rouvert mardi après deux jours de grève. Les dockers ont obtenu une hausse de leurs "
            "primes, a indiqué la direction, qui parle d'un « accord équilibré » pour les deux parties.\n\n"
            "Dépêches les plus lues\n"
            "1. Bénin : « Nous ne lâcherons rien », prévient un syndicaliste de Cotonou\n"
            "2. Togo : la saison des pluies s'annonce précoce\n")
    assert all("lâcherons" not in text for _, text in quote_spans(page))


def test_a_negation_with_an_adverb_inside_is_no_report(quote_spans):
    assert quote_spans("Le ministre n'a en revanche pas dit que les soldats quitteraient la région en bloc.") == []


def test_a_litote_introduces_its_clause(quote_spans):
    assert quote_spans("Le gouvernement n'a pas exclu que certains postes frontaliers rouvrent avant la fin du "
                       "trimestre.") == [("indirect", "certains postes frontaliers rouvrent avant la fin du trimestre")]


def test_a_title_clause_after_a_comma_is_the_next_clause(quote_spans):
    got = quote_spans("Mer Baltique : l'Otan promet de renforcer ses patrouilles, Moscou dément toute implication\n\n"
                      "Le texte de l'article suit ici.")
    assert ("indirect", "renforcer ses patrouilles") in got
    got = quote_spans("Ukraine : Kiev appelle à protéger Odessa, Kharkiv et Soumy\n\nLe texte de l'article suit ici.")
    assert ("indirect", "protéger Odessa, Kharkiv et Soumy") in got


def test_a_live_pages_title_above_its_summary_box_and_first_entry(quote_spans):
    page = ("INFO DIRECT\nMonde   Afrique   Économie   Sport\n\n"
            "DIRECT. Golfe de Guinée : Abuja accuse Malabo d'avoir saisi un pétrolier\n\n"
            "Publié le 8 décembre 2026 à 09h10\nPartager  f  X\n\n"
            "Ce qu'il faut retenir\n"
            "- Un pétrolier nigérian a été intercepté au large de Bioko.\n"
            "- L'équipage est sain et sauf.\n\n"
            "10h05 — Malabo dément toute saisie\n\n"
            "Le gouvernement équato-guinéen parle d'un simple contrôle de routine mené par ses garde-côtes au large "
            "de l'île de Bioko, à une trentaine de milles de la côte, et assure que l'équipage n'a jamais été "
            "menacé. Les autorités nigérianes ont convoqué l'ambassadeur.\n")
    assert ("indirect", "avoir saisi un pétrolier") in quote_spans(page)


def test_a_reference_adjunct_is_the_narrators(quote_spans):
    got = quote_spans("Le chef d'état-major a mis en garde contre toute « provocation » dans la zone, en référence "
                      "aux patrouilles menées par les garde-côtes voisins.")
    assert got == [("mixed", "toute « provocation » dans la zone")]


def test_a_source_vouching_for_the_sentences_report_is_no_second_quote(quote_spans):
    got = quote_spans("Lors d'un conseil restreint tenu la semaine dernière, le ministre aurait affirmé que le pays "
                      "était prêt à « reprendre langue » avec ses voisins, selon un participant.")
    assert got == [("mixed", "le pays était prêt à « reprendre langue » avec ses voisins")]
