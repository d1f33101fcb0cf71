"""Incises whose subject sits past a setting or a clitic, pronouns whose antecedent is not inside the quote
they close, roles named through a participle's setting, and cue verbs used in another sense.

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations


def test_a_pronoun_closing_a_quote_does_not_resolve_inside_it(attributed):
    got = attributed("Khartoum tempère\n\nDans un communiqué, le ministère a assuré que ces propos ne "
                     "reflétaient pas sa position. « Le Soudan tient à ses voisins », précise le communiqué.\n\n"
                     "Joint par notre rédaction, le gouverneur de la province, Mahamat Issa Brahim, dément tout "
                     "incident. « Aucun avion n'a atterri à Amdjarass ces derniers mois », nous a-t-il déclaré.")
    assert got[-1][2:] == ("il", "Mahamat Issa Brahim")


def test_an_object_clitic_opens_the_incise(attributed):
    got = attributed("« On n'est pas là pour casser, on veut être entendus », nous explique Paul Ravel, "
                     "viticulteur à Béziers.")
    assert got[0][3] == "Paul Ravel"


def test_a_participle_setting_is_not_the_subject(attributed):
    got = attributed("Sur le quai, la réponse n'a pas tardé. Joint par téléphone, Marc Lebreton a assuré que ses "
                     "adhérents « ne plieront pas », avant de préciser : « Nous sommes prêts à discuter dès "
                     "lundi. »")
    assert [n for *_, n in got] == ["Marc Lebreton", "Marc Lebreton"]


def test_a_role_named_after_a_participle_setting(attributed):
    got = attributed("Le délégué syndical du port a dénoncé un « passage en force ». Contacté par téléphone, "
                     "Marc Lebreton a ensuite quitté la réunion.")
    assert got[0][3] == "Marc Lebreton"


def test_a_setting_between_the_cue_and_its_subject(attributed):
    got = attributed("« Nous ne voterons pas ce budget », a martelé sur les ondes de la radio publique la "
                     "présidente du parti, Hélène Marchetti.\n\n« Les routes sont coupées depuis une semaine », "
                     "raconte depuis Goma Espérance Furaha, une infirmière jointe par téléphone.")
    assert [n for *_, n in got] == ["Hélène Marchetti", "Espérance Furaha"]


def test_a_reflexive_use_is_no_cue(attributed):
    got = attributed("Le porte-parole, Amadou Sy, a indiqué que Dakar saisirait la Cour si les incursions se "
                     "poursuivaient. « Notre patience a des limites. »")
    assert got[-1][1:] == ("Notre patience a des limites.", None, "Amadou Sy") or \
        got[-1][1:] == ("Notre patience a des limites", None, "Amadou Sy")


def test_relever_de_is_no_cue(attributed):
    got = attributed("Le ministre, Olivier Carré, a jugé que le blocage du port relevait « d'une prise d'otage "
                     "de l'économie ».")
    assert [(t, n) for t, _, _, n in got] == [("mixed", "Olivier Carré")]
    assert got[0][1].startswith("le blocage du port")


def test_a_concession_holding_marks_is_still_the_source(quote_spans):
    got = quote_spans("Elle a estimé que le cessez-le-feu avait « largement tenu », malgré des « incidents isolés » "
                      "relevés par les observateurs.")
    assert got == [("mixed", "le cessez-le-feu avait « largement tenu », malgré des « incidents isolés » relevés "
                             "par les observateurs")]


def test_an_incise_ending_a_sentence_inside_the_marks(quote_spans):
    got = quote_spans("« Nous ne sommes pas des ennemis, nous sommes voisins, assure-t-elle. Il faut que les deux "
                      "capitales se parlent. »")
    assert [t for _, t in got] == ["Nous ne sommes pas des ennemis, nous sommes voisins",
                                   "Il faut que les deux capitales se parlent"]


def test_a_role_with_its_list_of_portfolios(attributed):
    got = attributed("Le ministre de l'Intérieur affirme que les postes resteront fermés.\n"
                     "Le ministre de l'Intérieur, de la Sécurité publique et du Développement local, Jean-Bosco "
                     "Ndayisenga, a annoncé mardi que les piétons ne passeraient plus.")
    assert got[0][3] == "Jean-Bosco Ndayisenga"


def test_a_portfolio_is_not_a_demonym(attributed):
    got = attributed("De son côté, le ministre de la Défense, Pierre Lemaire, a visité une caserne.\n\n"
                     "« Nous irons jusqu'au bout », a lâché le Premier ministre devant la presse.")
    assert got[-1][3] != "Pierre Lemaire"


def test_a_deputy_does_not_hold_the_role(attributed):
    got = attributed("« Il n'y aura pas de délai supplémentaire », affirme le Premier ministre.\n\n"
                     "Pour la vice-Première ministre Sofie Peeters, un accord reste possible.")
    assert got[0][3] == "Premier ministre"


def test_a_hyphenated_first_name_gives_its_gender(attributed):
    got = attributed("Son président, Marc-Antoine Favre, a refusé de commenter.\n\n"
                     "Plus conciliante, la présidente du Grand Conseil a appelé les deux rives à « garder la tête "
                     "froide ».")
    assert got[-1][3] != "Marc-Antoine Favre"
