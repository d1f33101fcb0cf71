"""Who holds a role, and which words name the speaker: the cases where a mention or a name was taken from
the wrong words (a place after `de`, a dateline, a name the parser cut from its role).

Sentences written here; each test reads one construction of real French news.
"""

from __future__ import annotations

from quotes.document import Document


def test_a_place_after_de_in_a_role_is_no_holder(attributed):
    got = attributed("« Les obus sont tombés près de l'école », raconte le président du conseil municipal de "
                     "Khiam, joint par téléphone. L'élu, Ali Hamadé, a déjà perdu sa maison. Il estime que la "
                     "municipalité aura besoin d'aide.")
    assert [(m, n) for _, _, m, n in got] == [("le président du conseil municipal de Khiam", "Ali Hamadé"),
                                               ("Il", "Ali Hamadé")]


def test_a_role_the_parser_cut_from_its_name_is_the_subject(attributed):
    got = attributed("La cheffe de file de la coalition pro-européenne Ensemble pour la Géorgie a répliqué que "
                     "le gouvernement «cherchait des coupables». La cheffe de file, Nino Tsereteli-Gabunia, a "
                     "ensuite quitté la salle.")
    assert got[0][3] == "Nino Tsereteli-Gabunia"


def test_a_hyphenated_organisation_is_whole(attributed):
    got = attributed("Grève : la CGT-Cheminots se dit prête à « suspendre » son préavis si le ministre la "
                     "reçoit avant vendredi")
    assert got[0][2:] == ("la CGT-Cheminots", "CGT-Cheminots")


def test_a_relative_speaks_for_its_antecedent(attributed):
    got = attributed("Deux policiers ont été arrêtés samedi, a annoncé le gouvernement du Kosovo, qui dénonce "
                     "un « enlèvement ».")
    assert [n for *_, n in got] == ["gouvernement du Kosovo", "gouvernement du Kosovo"]


def test_a_dateline_is_never_the_speaker(attributed):
    text = ("TUNIS, 7 mai (TAP) - Les délégations des deux assemblées, réunies à Gammarth, se sont engagées mardi "
            "à présenter « d'ici un mois » un projet de budget.")
    assert [n for *_, n in attributed(text)] == ["délégations des deux assemblées"]
    text = ("PRISTINA/BELGRADE 6/12 (BELGA) = Deux policiers ont été arrêtés samedi près de la frontière, a "
            "annoncé le gouvernement.")
    assert all("PRISTINA" not in (m or "") for _, _, m, _ in attributed(text))


def test_an_anonymous_role_taken_up_by_a_demonstrative_gets_its_name(attributed):
    got = attributed("Une porte-parole du ministère a précisé que les deux policiers avaient été présentés à un "
                     "juge. Cette porte-parole, Jelena Marković-Ilić, a ensuite quitté la salle.")
    assert got[0][3] == "Jelena Marković-Ilić"
    got = attributed("Un diplomate a affirmé que la paix était proche. Le ministre a quitté la salle.")
    assert got[0][3] == "Un diplomate"


def test_a_role_holder_named_in_the_next_sentence_with_a_qualified_role(attributed):
    got = attributed("« Nous ne répondrons pas à la provocation », a déclaré jeudi le porte-parole du "
                     "gouvernement. Le ministre délégué, Younès Bennani, a toutefois jugé la mesure injuste.")
    assert got[0][3] == "Younès Bennani"


def test_an_interviewers_prompt_does_not_hand_a_role_to_the_guest(pipeline):
    text = ("G. W.-K. : Le texte reporte encore les élections provinciales. C'est un constat.\n\n"
            "Le préfet de région affirme que l'État ne peut pas laisser la région sans élus. "
            "Que lui répondez-vous ?\n\n"
            "G. W.-K. : Que la légitimité ne se décrète pas depuis Paris.")
    got = [(q.text, q.speaker_name) for q in pipeline.annotate(Document("t", text)).quotes]
    assert ("l'État ne peut pas laisser la région sans élus", "préfet de région") in got
