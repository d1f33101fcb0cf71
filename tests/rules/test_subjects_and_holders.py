"""Subjects the parser gets wrong (two subjects, a resumptive pronoun, a demonym read as a verb, an
apposition between commas), incise subjects past a longer setting, and roles whose holder is named
after them or elsewhere in the article.

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations


def test_a_town_inside_the_quote_is_not_its_speaker(attributed):
    got = attributed("« Pas un litre ne quittera Es-Sider ou Ras Lanouf tant que l'argent servira une seule moitié "
                     "du pays », a lancé devant la presse le porte-parole du conseil régional, basé à Benghazi, "
                     "Ali Ben Ghalia. « Le temps des promesses est terminé », a-t-il ajouté.")
    assert [n for *_, n in got] == ["Ali Ben Ghalia", "Ali Ben Ghalia"]


def test_a_stressed_pronoun_takes_up_the_noun_phrase(attributed):
    got = attributed("La diplomatie ghanéenne, elle, se dit prête à accueillir les deux délégations à Accra.")
    assert got[0][3] == "diplomatie ghanéenne"


def test_a_demonym_read_as_a_verb_stays_in_the_subject(attributed):
    got = attributed("La délégation quitte la salle.\n\n« Un arrêt attendu »\n\nLa ministre guyanienne des "
                     "Affaires étrangères a rétorqué que le tracé de 1905 avait été « reconnu par tous ».")
    assert got[0][2] == "La ministre guyanienne des Affaires étrangères"


def test_the_subject_nearer_the_verb_wins_over_a_title_topic(attributed):
    got = attributed("EN DIRECT - Sahara occidental : l'émissaire de l'ONU à Tindouf, le Polisario dénonce une "
                     "visite « sous escorte »\n\nDirect démarré le 12 décembre.")
    assert got[0][3] == "Polisario"


def test_a_relative_clause_subject_does_not_win(attributed):
    got = attributed("Le président Karim Hadjadj, qui recevait à Alger une délégation de sénateurs, a appelé "
                     "les deux camps à « respecter la trêve ».")
    assert got[0][3] == "Karim Hadjadj"


def test_the_name_before_an_apposition_is_the_source(attributed):
    got = attributed("Les renforts sont arrivés mardi.\nLa Minusca, la mission de l'ONU en Centrafrique, a "
                     "indiqué avoir doublé ses patrouilles autour de Bria.")
    assert got[0][3] == "Minusca"


def test_a_generic_noun_takes_up_the_organisation_named_as_subject(attributed):
    got = attributed("La Banque centrale des États d'Afrique de l'Ouest, qui gère la monnaie commune, a réagi "
                     "dans la soirée. Dans un communiqué, l'institution a jugé que « les réserves restent "
                     "suffisantes ».")
    assert got[0][3] == "Banque centrale des États d'Afrique de l'Ouest"


def test_an_incise_subject_past_a_place_with_its_complement(attributed):
    texts = ["« Nous appelons les deux pays à la retenue », a indiqué depuis le siège genevois des Nations unies "
             "la porte-parole Alessandra Vellucci.",
             "« Nous respecterons l'arrêt », a déclaré à la sortie de l'audience le ministre, Ivan Tomašević.",
             "« Le dialogue reste possible », a déclaré ce soir le ministre brésilien de la Défense."]
    got = [attributed(t)[0][3] for t in texts]
    assert got == ["Alessandra Vellucci", "Ivan Tomašević", "ministre brésilien de la Défense"]


def test_incise_verbs_of_manner(attributed):
    got = attributed("« Les deux capitales ont besoin de cette crise », analyse Inès Carvalho, chercheuse à "
                     "Lisbonne.\n\n"
                     "« On a déjà signé trois accords », soupire Goran Petković, commerçant.\n\n"
                     "« Ici, la frontière, c'est un champ », sourit Adama Traoré, chef du village.")
    assert [n for *_, n in got] == ["Inès Carvalho", "Goran Petković", "Adama Traoré"]


def test_the_role_before_the_name_is_the_last_one(attributed):
    got = attributed("La ministre togolaise des Affaires étrangères a rétorqué que la frontière était « ouverte "
                     "depuis février ».\n\n"
                     "« Nous ne céderons rien », a déclaré à la sortie du conseil la ministre, Akossiwa "
                     "Mensah-Dogbe.")
    assert [n for *_, n in got] == ["Akossiwa Mensah-Dogbe", "Akossiwa Mensah-Dogbe"]


def test_a_participle_takes_the_main_clause_speaker_only_in_its_sentence(attributed):
    got = attributed("Le ministre de l'Économie aurait affirmé que le dossier « avance ».\n\n"
                     "Interrogé par la radio locale, le préfet de la région, Ousmane Diallo, a refusé de donner "
                     "une date, estimant que la décision était « entre les mains de Bamako ».")
    assert got[-1][3] == "Ousmane Diallo"


def test_masculine_first_names_ending_in_a(attributed):
    got = attributed("Le directeur du port, Juha Laaksonen, a décrit l'incident. « Personne n'a été blessé », "
                     "a-t-il précisé.\n\nLa porte-parole, Anna Virtanen, a confirmé l'enquête.")
    assert got[0][3] == "Juha Laaksonen"


def test_a_role_holder_must_agree_in_qualifiers(attributed):
    got = attributed("Frontière : le ministre malien du Commerce se dit prêt à une réouverture « par étapes »\n\n"
                   "Au lendemain de la réunion, Sidiki Coulibaly accuse Dakar de poser des conditions.\n\n"
                   "Mardi, les délégations se sont séparées. Le ministre sénégalais des Affaires étrangères a "
                   "affirmé que « toutes les portes » restaient ouvertes.")
    assert got[-1][3] == "ministre sénégalais des Affaires étrangères"


def test_a_name_after_a_demonym_in_apposition_to_a_source(attributed):
    got = attributed("Les appels se multiplient. Pour l'envoyée spéciale de la Cédéao, la Malienne Fatoumata "
                     "Sangaré-Diallo, le dialogue « n'aura de sens que s'il rassemble tout le monde ». « Il faut du "
                     "temps », estime-t-elle.")
    assert [n for *_, n in got] == ["Fatoumata Sangaré-Diallo", "Fatoumata Sangaré-Diallo"]


def test_a_definite_noun_takes_up_its_fuller_description(attributed):
    got = attributed("Le consulat général du Maroc à Bordeaux a fait part de son « vif mécontentement ». Dans ce "
                     "courrier, le consulat met en garde contre toute initiative qui « porterait atteinte à la "
                     "souveraineté » du royaume.")
    assert got[-1][3] == "consulat général du Maroc à Bordeaux"


def test_a_post_abroad_is_part_of_the_role(attributed):
    got = attributed("« Personne ne veut parier ses navires sur leur parole », tranche le représentant à Djibouti "
                     "d'un grand armateur européen, qui a requis l'anonymat.")
    assert got[0][3] == "représentant à Djibouti d'un grand armateur européen"
