"""Where a report's content starts past its object or a setting, and where the narrator takes over again.

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations

import pytest

from quotes.document import Document


@pytest.mark.parametrize("text, want", [
    # a setting between the verb and the marked object
    ("Le ministère a salué dans un communiqué « l'esprit constructif » du médiateur.",
     ("mixed", "« l'esprit constructif » du médiateur")),
    # a setting between the verb and its infinitive
    ("Mais il a proposé dans la foulée de confier le dossier à un arbitre international.",
     ("indirect", "confier le dossier à un arbitre international")),
    # a participle inside the object
    ("Le consulat a demandé aux quelque 200 Français installés dans la ville d'éviter le centre après minuit.",
     ("indirect", "éviter le centre après minuit")),
    # an object whose name holds `de`, and marks glued to an elided `d’`
    ("Le ministère a accusé en retour les Forces de soutien rapide (FSR) d’« utiliser le territoire voisin "
     "comme base arrière »." , ("direct", "utiliser le territoire voisin comme base arrière")),
    ("Il a accusé deux partis d'«attiser la colère» en diffusant des rumeurs.",
     ("mixed", "«attiser la colère» en diffusant des rumeurs")),
])
def test_content_past_a_setting_or_an_object(quote_spans, text, want):
    assert quote_spans(text) == [want]


def test_faire_etat_de_reports_the_facts_with_their_setting(quote_spans):
    text = "L'agence officielle fait état de \"plus de vingt roquettes\" tombées en une heure sur la ville."
    assert quote_spans(text) == [("mixed", '"plus de vingt roquettes" tombées en une heure sur la ville')]
    # without the source's words in marks it is a count, not a quote
    assert quote_spans("L'armée fait état de trois soldats tués et de sept blessés.") == []


@pytest.mark.parametrize("text, want", [
    # the cue's subject acting again, with the cue's own auxiliary
    ("Le ministre a jugé que « la limite » avait été dépassée et a réuni son cabinet d'urgence.",
     ("mixed", "« la limite » avait été dépassée")),
    # a clause wholly in marks, then the narrator's adjunct
    ("La secrétaire générale, Anne Morel, juge que « le gouvernement doit bouger », à trois jours de la grève.",
     ("direct", "le gouvernement doit bouger")),
    ("La ministre s'est félicitée qu'«un pas important» ait été franchi, à l'issue de dix heures de discussions.",
     ("mixed", "«un pas important» ait été franchi")),
])
def test_the_narrator_takes_over(quote_spans, text, want):
    assert quote_spans(text) == [want]


def test_the_clause_keeps_its_own_coordination_and_its_mais_que(quote_spans):
    assert quote_spans("Il a dit que l'armée a tué trois civils et a blessé dix autres.") == [
        ("indirect", "l'armée a tué trois civils et a blessé dix autres")]
    assert quote_spans("Elle estime que « la situation est grave », mais que rien n'est perdu.") == [
        ("mixed", "« la situation est grave », mais que rien n'est perdu")]


def test_a_setting_before_the_marks_is_the_narrators(quote_spans):
    text = "À New York, « le texte sera prêt avant la fin du mois », a précisé la porte-parole."
    assert quote_spans(text) == [("direct", "le texte sera prêt avant la fin du mois")]


@pytest.mark.parametrize("text", [
    # a free relative is the verb's object, not a reported clause
    "Le gouvernement cherche à rappeler à ses voisins ce que pèse sa production de gaz.",
    # the infinitive says what was said of the noun before the relative
    "Le forage a rouvert une querelle que les deux capitales disaient avoir mise en sommeil depuis 2023.",
])
def test_relatives_are_no_reports(quote_spans, text):
    assert quote_spans(text) == []


def test_a_long_pour_source_with_a_description(pipeline):
    text = ("Pour l'économiste de l'énergie Rachid Aït-Benali, enseignant à l'université, le gouvernement cherche "
            "moins à punir ses voisins qu'à leur montrer sa force.")
    got = pipeline.annotate(Document("t", text)).quotes
    assert [(q.text, q.speaker_name) for q in got] == [
        ("le gouvernement cherche moins à punir ses voisins qu'à leur montrer sa force", "Rachid Aït-Benali")]


def test_an_elided_capital_before_a_name_is_no_negation(pipeline):
    text = "Attaque près de Gao : N’Djamena affirme que des hommes armés venus du Niger ont visé un camp."
    got = pipeline.annotate(Document("t", text)).quotes
    assert [(q.text, q.speaker_name) for q in got] == [
        ("des hommes armés venus du Niger ont visé un camp", "N’Djamena")]
    assert [t.text for t in pipeline.nlp("N'Golo et N’Djamena. N'importe qui")][:4] == ["N'Golo", "et", "N’Djamena", "."]


def test_a_teaser_box_headline_that_weighs_like_prose_stays_out(quote_spans):
    text = ("Le maire a dénoncé mardi le projet de gazoduc devant le conseil municipal, réuni en séance "
            "extraordinaire pour la troisième fois depuis le début de l'année, et il a promis de saisir la justice "
            "si le tracé n'était pas modifié avant l'été.\n\n"
            "« Nous irons jusqu'au bout », a-t-il lancé devant une salle comble, où plusieurs dizaines d'habitants "
            "s'étaient déplacés malgré la pluie.\n\n"
            "À lire aussi\nGazoduc : «On ne nous a rien demandé», déplorent des élus de la vallée\n"
            "Énergie : les tarifs augmenteront de 3 % au printemps\n\n"
            "Paul Martin, professeur de droit à l'université de Lyon, a expliqué que le tracé pouvait encore "
            "changer, car la procédure n'est pas terminée.")
    got = [t for _, t in quote_spans(text)]
    assert "On ne nous a rien demandé" not in got
    assert "Nous irons jusqu'au bout" in got
    assert any(t.startswith("le tracé pouvait encore changer") for t in got)


def test_a_title_ends_at_its_site_separator(quote_spans):
    text = "Tirs sur Gao : l'ONU appelle les deux camps à \"cesser immédiatement\" les tirs | Jour 3\nPar la rédaction"
    assert quote_spans(text) == [("mixed", '"cesser immédiatement" les tirs')]
