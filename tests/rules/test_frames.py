"""Reported clauses and their edges: where a frame's content starts and stops, and reports that are not quotes.

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations

import pytest

from quotes.document import Document


def spans(pipeline, text):
    doc = pipeline.annotate(Document("t", text))
    for q in doc.quotes:
        assert text[q.start:q.end] == q.text
    return [(q.type, q.text) for q in doc.quotes]


@pytest.mark.parametrize("text", [
    "Le porte-parole n'a pas affirmé que la frontière serait fermée dès lundi aux camions étrangers.",
    "La ministre n'a jamais dit que les subventions seraient supprimées l'an prochain.",
    "Le syndicat ne dit pas que la grève sera reconduite au-delà de vendredi.",
])
def test_a_negated_report_is_no_quote(pipeline, text):
    assert spans(pipeline, text) == []


def test_a_negated_litotes_still_reports(pipeline):
    got = spans(pipeline, "Le gouverneur n'a pas exclu de rétablir le couvre-feu dans les quartiers nord.")
    assert [t for _, t in got] == ["rétablir le couvre-feu dans les quartiers nord"]


@pytest.mark.parametrize("text, content", [
    ("Le chef de l'opposition a accusé la junte d'avoir fixé la date du scrutin sans consulter les partis.",
     "avoir fixé la date du scrutin sans consulter les partis"),
    ("La commissaire a exhorté les deux gouvernements à « reprendre sans tarder le dialogue » sur les quotas.",
     "« reprendre sans tarder le dialogue » sur les quotas"),
])
def test_the_object_of_accuser_or_exhorter_stays_out_of_the_span(pipeline, text, content):
    assert [t for _, t in spans(pipeline, text)] == [content]


@pytest.mark.parametrize("text, content", [
    ("Le ministre a assuré que les négociations reprendraient en mars, lors d'une conférence de presse à Rabat.",
     "les négociations reprendraient en mars"),
    ("L'armée a affirmé que le village avait été repris, par la voix de son porte-parole.",
     "le village avait été repris"),
    ("La présidente a promis que l'usine resterait ouverte, face à la colère des salariés réunis devant la grille.",
     "l'usine resterait ouverte"),
])
def test_a_narrators_adjunct_after_a_comma_ends_the_reported_clause(pipeline, text, content):
    assert [t for _, t in spans(pipeline, text)] == [content]


def test_a_verb_coordinated_with_the_cue_is_the_next_action_not_the_quote(pipeline):
    got = spans(pipeline, "Le collectif dénonce un « plan de casse sociale » et organisera samedi un rassemblement à Lyon.")
    assert got == [("mixed", "un « plan de casse sociale »")]


def test_coordinated_infinitives_stay_in_the_complement(pipeline):
    got = spans(pipeline, "Le médiateur a exhorté les deux camps à « cesser les tirs » et à rouvrir la route du nord.")
    assert [t for _, t in got] == ["« cesser les tirs » et à rouvrir la route du nord"]


def test_a_new_subject_after_et_is_still_the_reported_clause(pipeline):
    got = spans(pipeline, "Le diplomate a plaidé pour que Lomé et Accra rouvrent au plus vite leur frontière commune.")
    assert [t for _, t in got] == ["Lomé et Accra rouvrent au plus vite leur frontière commune"]


def test_promis_de_then_marks_is_a_quote(pipeline):
    got = spans(pipeline, "Le chef rebelle a revendiqué l'embuscade et promis de « marcher sur la capitale » avant l'hiver.")
    assert [t for _, t in got] == ["« marcher sur la capitale » avant l'hiver"]


def test_se_dire_with_a_participle_attribute(pipeline):
    got = spans(pipeline, "Le Qatar s'est dit disposé à accueillir une nouvelle session de pourparlers dès janvier.")
    assert [t for _, t in got] == ["disposé à accueillir une nouvelle session de pourparlers dès janvier"]


def test_a_bare_noun_phrase_after_appeler_a_is_no_quote(pipeline):
    assert spans(pipeline, "Le Vatican a appelé les deux voisins à la retenue après les incidents de la nuit.") == []


def test_a_participle_qualifying_a_noun_is_no_cue(pipeline):
    got = spans(pipeline, "Le parti a fustigé un « marchandage » conclu « dans le dos des électeurs » par la majorité.")
    assert got and all(t.startswith("un « marchandage »") for _, t in got)


@pytest.mark.parametrize("text, content", [
    ("Pour Léa Marchetti, chercheuse associée installée à Dakar, la junte cherche surtout à gagner du temps.",
     "la junte cherche surtout à gagner du temps"),
    ("Pour Omar Belkadi, lui aussi exclu du parti, la direction a trahi ses engagements de campagne.",
     "la direction a trahi ses engagements de campagne"),
    ("Pour les économistes interrogés par notre rédaction, la hausse des taxes pèsera d'abord sur les ménages.",
     "la hausse des taxes pèsera d'abord sur les ménages"),
])
def test_a_description_of_the_source_stays_out_of_the_content(pipeline, text, content):
    assert [t for _, t in spans(pipeline, text)] == [content]


def test_source_then_a_quote_in_marks_is_direct(pipeline):
    got = spans(pipeline, "Pour le Syndicat des enseignants (SNE), « supprimer ces postes revient à fermer des classes ».")
    assert got == [("direct", "supprimer ces postes revient à fermer des classes")]


def test_a_subject_with_a_determiner_after_the_source_is_content(pipeline):
    got = spans(pipeline, "Selon le ministre, la Russie, qui a massé des troupes, prépare une offensive au printemps.")
    assert [t for _, t in got] == ["la Russie, qui a massé des troupes, prépare une offensive au printemps"]


def test_a_titles_second_clause_with_its_verb_inside_the_marks(pipeline):
    text = "Pêche : Nouakchott arraisonne deux navires, Madrid « exige des garanties »\n\nPublié le 3 mars\n"
    doc = pipeline.annotate(Document("t", text))
    assert [(q.type, q.text, q.speaker_name) for q in doc.quotes] == [("direct", "exige des garanties", "Madrid")]


@pytest.mark.parametrize("text, content", [
    ("Le Kremlin a assuré ne pas vouloir s'« immiscer » dans les affaires du pays voisin.",
     "ne pas vouloir s'« immiscer » dans les affaires du pays voisin"),
    ("Les rebelles affirment l'avoir touché « de plein fouet » avec un drone.",
     "l'avoir touché « de plein fouet » avec un drone"),
    ("Le chef de bande a menacé d'« embraser la capitale » si la police entrait dans le quartier.",
     "« embraser la capitale » si la police entrait dans le quartier"),
])
def test_infinitive_complements_behind_clitics_or_a_split_elision(pipeline, text, content):
    assert [t for _, t in spans(pipeline, text)] == [content]


def test_a_titles_next_clause_after_a_comma_is_not_the_content(pipeline):
    text = "Grève : le syndicat se dit prêt à « suspendre le mouvement », la direction maintient son plan\n\nPublié le 2 mai\n"
    got = spans(pipeline, text)
    assert ("mixed", "prêt à « suspendre le mouvement »") in got
    assert not any("direction" in t for _, t in got)


def test_a_body_sentence_keeps_its_clauses_after_a_comma(pipeline):
    text = "Le ministre a affirmé que les routes étaient rouvertes, les convois pouvaient passer.\n"
    assert [t for _, t in spans(pipeline, text)] == ["les routes étaient rouvertes, les convois pouvaient passer"]


def test_a_name_the_tagger_reads_as_a_verb_does_not_stop_the_object(pipeline):
    got = spans(pipeline, "Phnom Penh accuse Bangkok d'avoir bombardé des villages frontaliers.")
    assert [t for _, t in got] == ["avoir bombardé des villages frontaliers"]


def test_marks_with_entity_spaces_and_the_verb_inside(pipeline):
    text = "Le débat reste vif. Le conseil municipal «&nbsp;exige le maintien de la ligne de bus&nbsp;», dans une motion.\n"
    assert spans(pipeline, text) == [("direct", "exige le maintien de la ligne de bus")]


def test_an_agency_headline_names_its_source_after_a_dash(pipeline):
    text = ("Accueil\n\nKiev et Moscou pourraient reprendre les pourparlers en janvier - Kallas\n"
            "information fournie par l'agence\n\n"
            "La cheffe de la diplomatie européenne Kaja Kallas s'est exprimée mardi devant la presse à Bruxelles.\n")
    got = [(q.text, q.speaker_name) for q in pipeline.annotate(Document("t", text)).quotes]
    assert ("Kiev et Moscou pourraient reprendre les pourparlers en janvier", "Kaja Kallas") in got


def test_a_site_name_after_a_dash_is_no_source(pipeline):
    text = "Ukraine : les Européens redoutent une nouvelle offensive au printemps - Le Quotidien\n\nTexte de l'article.\n"
    assert spans(pipeline, text) == []


def test_the_auxiliary_outside_the_marks_and_the_participle_inside(pipeline):
    text = "La ministre a reçu son homologue. Elle a aussi « appelé les deux camps à reprendre le dialogue » à Genève.\n"
    assert ("direct", "appelé les deux camps à reprendre le dialogue") in spans(pipeline, text)


@pytest.mark.parametrize("text, content", [
    ("Le conseiller a assuré, sous couvert d'anonymat, que la décision reviendrait au seul chef de l'État.",
     "la décision reviendrait au seul chef de l'État"),
    ("La ministre a affirmé, lors d'une visite au port de pêche de Kayar, que les quotas seraient revus.",
     "les quotas seraient revus"),
    ("Le préfet a assuré à notre correspondant que les barrages seraient levés avant samedi.",
     "les barrages seraient levés avant samedi"),
])
def test_an_aside_or_an_indirect_object_between_the_verb_and_que(pipeline, text, content):
    assert spans(pipeline, text) == [("indirect", content)]


@pytest.mark.parametrize("text, content", [
    ("Le porte-parole a dénoncé sur X un « double langage » de la capitale.", "un « double langage » de la capitale"),
    ("La ministre a dénoncé mardi des « manœuvres dilatoires » de l'opposition.",
     "des « manœuvres dilatoires » de l'opposition"),
    ("Le maire a défendu une mesure « temporaire et ciblée » devant le conseil municipal.",
     "une mesure « temporaire et ciblée »"),
    ("La ministre parle d'un « tournant » dans les négociations.", "un « tournant »"),
    ("La mission a salué « l'esprit de responsabilité » des deux délégations.",
     "« l'esprit de responsabilité » des deux délégations"),
    ("Le général a décrit des patrouilles « nerveuses et mal coordonnées », puis il a quitté la salle.",
     "des patrouilles « nerveuses et mal coordonnées »"),
])
def test_a_noun_phrase_with_marks_after_the_verb_is_a_mixed_quote(pipeline, text, content):
    assert spans(pipeline, text) == [("mixed", content)]


def test_speaking_of_something_without_marks_is_no_quote(pipeline):
    assert spans(pipeline, "La ministre parle de la guerre avec ses homologues chaque semaine.") == []


@pytest.mark.parametrize("text, content", [
    ("Le ministère affirme que « le pays n'est pas partie aux discussions de Genève ».",
     "le pays n'est pas partie aux discussions de Genève"),
    ("La Commission a appelé les deux voisins à « privilégier le dialogue et rouvrir la frontière ».",
     "privilégier le dialogue et rouvrir la frontière"),
])
def test_marks_around_the_whole_complement_make_a_direct_quote(pipeline, text, content):
    assert spans(pipeline, text) == [("direct", content)]


def test_marks_around_a_noun_phrase_complement_stay_mixed(pipeline):
    got = spans(pipeline, "Le ministre a mis en garde contre « toute nouvelle violation de la frontière ».")
    assert got == [("mixed", "« toute nouvelle violation de la frontière »")]


@pytest.mark.parametrize("text, content", [
    ("La ministre s'est dite satisfaite des garanties obtenues sur les salaires.",
     "satisfaite des garanties obtenues sur les salaires"),
    ("La ministre s'est dite ouverte à une conférence des pays riverains.", "ouverte à une conférence des pays riverains"),
])
def test_se_dire_with_an_attribute_in_the_feminine(pipeline, text, content):
    assert spans(pipeline, text) == [("indirect", content)]


def test_pour_sa_part_and_la_veille_before_the_noun_phrase(pipeline):
    assert spans(pipeline, "Le président parle pour sa part d'un « tournant » historique.") == [
        ("mixed", "un « tournant » historique")]
    assert spans(pipeline, "Il avait dénoncé la veille au soir des « manœuvres électoralistes ».") == [
        ("mixed", "des « manœuvres électoralistes »")]


def test_an_object_in_marks_opens_the_quote(pipeline):
    # the object's marks hold the source's words: the scheme keeps that object inside the span
    got = spans(pipeline, "La porte-parole a exhorté « toutes les parties » à reprendre le dialogue sans délai.")
    assert got == [("mixed", "« toutes les parties » à reprendre le dialogue sans délai")]


def test_a_long_object_before_a(pipeline):
    got = spans(pipeline, "Le syndicat a appelé le Conseil d'Etat et les communes voisines à ouvrir une négociation "
                          "tripartite avec les employeurs.")
    assert got == [("indirect", "ouvrir une négociation tripartite avec les employeurs")]


def test_a_setting_between_commas_before_de(pipeline):
    got = spans(pipeline, "Le directeur du port, Marc Vandamme, a menacé, sur une radio privée, de réclamer des "
                          "indemnités aux syndicats si les écluses restaient fermées.")
    assert got == [("indirect", "réclamer des indemnités aux syndicats si les écluses restaient fermées")]


def test_the_a_frame_stops_at_the_line_and_at_the_auxiliary(pipeline):
    # `appellent au calme` is an intertitle; the `a` of the next line's `a publié` is no preposition
    text = "Les évêques appellent au calme\n\nLa conférence épiscopale a publié dimanche un message lu dans les paroisses."
    assert spans(pipeline, text) == []


def test_a_narrators_adjunct_is_never_cut_inside_marks(pipeline):
    got = spans(pipeline, "Le roi avait appelé, lundi, le président voisin à «travailler ensemble, sans conditions, "
                          "à des relations fondées sur la confiance».")
    assert got == [("direct", "travailler ensemble, sans conditions, à des relations fondées sur la confiance")]


def test_a_promised_noun_phrase_in_marks(pipeline):
    got = spans(pipeline, "Le ministère promet une riposte « ferme et proportionnée » aux surtaxes européennes.")
    assert [t for t, _ in got] == ["mixed"] and got[0][1].startswith("une riposte « ferme et proportionnée »")


@pytest.mark.parametrize("text, content", [
    # `salue` tagged a participle here: the verb still has its subject, so it still reports
    ("L'Union africaine salue « le calme globalement observé » depuis le scrutin.", "« le calme globalement observé »"),
    ("Le ministre a annoncé « des mesures très fermes contre les fraudeurs ».",
     "« des mesures très fermes contre les fraudeurs »"),
])
def test_a_noun_phrase_wholly_in_marks_after_the_verb_is_mixed(pipeline, text, content):
    assert spans(pipeline, text) == [("mixed", content)]
