"""Interview pages: an answer after its speaker's name and a colon, without marks, follows a question."""

from __future__ import annotations

from quotes.document import Document

PAGE = ("Entretien\n\n"
        "La Gazette : Le port sera-t-il bloqué tout l'été ?\n"
        "Yannick Le Goff : Nous ne bloquerons rien. Nous demandons seulement que la direction rouvre les "
        "discussions sur les horaires de nuit.\n\n"
        "La Gazette : Et si elle refuse ?\n"
        "Yannick Le Goff : Alors nous consulterons les adhérents, comme toujours.\n")


def test_each_answer_is_one_quote_of_the_person_named_before_the_colon(pipeline):
    doc = pipeline.annotate(Document("t", PAGE))
    answers = [q for q in doc.quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.text for q in answers] == [
        "Nous ne bloquerons rien. Nous demandons seulement que la direction rouvre les discussions sur les horaires "
        "de nuit",
        "Alors nous consulterons les adhérents, comme toujours",
    ]
    assert {q.speaker_name for q in answers} == {"Yannick Le Goff"}
    assert {q.type for q in answers} == {"indirect"}
    # the report inside the answer is the answer's, not a quote of its own
    assert len(doc.quotes) == 2


def test_a_name_and_colon_not_after_a_question_is_no_answer(pipeline):
    text = ("Le quai était désert ce matin.\n"
            "Yannick Le Goff : délégué syndical depuis 2019, docker depuis vingt ans sur le terminal.\n")
    assert pipeline.annotate(Document("t", text)).quotes == []


LABELLED = ("Karima Ouédraogo-Lenoir dirige depuis mars la mission d'observation au Sahel.\n\n"
            "La Gazette : Les observateurs pourront-ils se déplacer librement ?\n\n"
            "K. O.-L. : Pas partout. Trois préfectures restent fermées, et nous le disons dans chaque rapport.\n\n"
            "La Gazette : Qu'attendez-vous des autorités ?\n\n"
            "K. Ouédraogo-Lenoir : Une réponse écrite avant la fin du mois, rien de plus.\n")


def test_answers_labelled_by_initials_or_initial_and_surname_are_the_interviewees(pipeline):
    doc = pipeline.annotate(Document("t", LABELLED))
    answers = [q for q in doc.quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.text for q in answers] == [
        "Pas partout. Trois préfectures restent fermées, et nous le disons dans chaque rapport",
        "Une réponse écrite avant la fin du mois, rien de plus",
    ]
    assert {q.speaker_name for q in answers} == {"Karima Ouédraogo-Lenoir"}


def test_a_label_the_tagger_misses_counts_when_it_opens_several_answers(pipeline):
    text = ("Radio Sud : La situation est-elle grave dans les provinces du sud du pays ?\n\n"
            "Aws al-Haddad : Dramatique. Les puits du sud sont à sec depuis juin et les familles partent.\n\n"
            "Radio Sud : Que proposerez-vous à la délégation turque la semaine prochaine ?\n\n"
            "Aws al-Haddad : Un calendrier de lâchers d'eau garanti, et j'irai à Ankara avec la volonté d'aboutir.\n")
    doc = pipeline.annotate(Document("t", text))
    assert [q.speaker_name for q in doc.quotes] == ["Aws al-Haddad", "Aws al-Haddad"]


def test_a_follow_up_that_is_no_question_still_precedes_an_answer(pipeline):
    text = ("Radio Sud : Que répondez-vous à ceux qui vous accusent de vouloir annexer le port ?\n\n"
            "Dawit Haile : C'est une accusation commode pour un régime qui n'a jamais organisé d'élection.\n\n"
            "Radio Sud : Le président parle d'une erreur historique à corriger. Cela ressemble à une menace.\n\n"
            "Dawit Haile : Un pays de cent millions d'habitants ne peut pas dépendre d'un seul port étranger.\n")
    doc = pipeline.annotate(Document("t", text))
    answers = [q for q in doc.quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.text[:12] for q in answers] == ["C'est une ac", "Un pays de c"]
    assert {q.speaker_name for q in answers} == {"Dawit Haile"}


def test_a_label_with_particles(pipeline):
    text = ("Le Devoir : Dans quel état d'esprit arrivez-vous à Montréal, à trois semaines de l'échéance ?\n\n"
            "De la Garza : Serein, mais sans naïveté. Nous exportons chaque jour pour des milliards de dollars "
            "vers les États-Unis, et une taxe frapperait d'abord les ouvriers des deux pays.\n\n"
            "Le Devoir : Washington vous accuse de laisser passer le fentanyl. Que répondez-vous ?\n\n"
            "De la Garza : C'est faux, et les chiffres le montrent. Nos saisies ont triplé en un an dans les "
            "États du Nord, où nous avons déployé dix mille agents supplémentaires.\n")
    answers = [q for q in pipeline.annotate(Document("t", text)).quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.text[:8] for q in answers] == ["Serein, ", "C'est fa"]


HANGING = ("Nadia Qadri-Mansour a été ambassadrice à Kaboul pendant trois ans.\n\n"
           "Les talibans parlent-ils encore au Pakistan ?\n\n"
           "N. Q.-M. : Très peu. Les canaux officiels sont gelés depuis octobre.\n\n"
           "Kaboul se dit pourtant prêt à négocier à Doha…\n\n"
           "N. Q.-M. : Je prends cette offre au sérieux. Je plaide pour une réouverture immédiate des postes, "
           "quoi qu'il arrive sur le front, et Islamabad devrait accepter.\n")


def test_an_answer_after_a_hanging_prompt_is_whole_with_its_own_reports(pipeline):
    doc = pipeline.annotate(Document("t", HANGING))
    answers = [q for q in doc.quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.text for q in answers] == [
        "Très peu. Les canaux officiels sont gelés depuis octobre",
        "Je prends cette offre au sérieux. Je plaide pour une réouverture immédiate des postes, quoi qu'il arrive "
        "sur le front, et Islamabad devrait accepter",
    ]
    assert {q.speaker_name for q in answers} == {"Nadia Qadri-Mansour"}
    # `je plaide pour …` is inside the answer, not a quote of its own
    assert not any(q.text.startswith("une réouverture") for q in doc.quotes)


def test_a_label_of_initials_counts_a_capitalised_particle(pipeline):
    text = ("L'envoyé spécial de l'Union africaine, le Mauritanien Cheikh Ahmed Ould Beddah, a répondu à nos questions.\n\n"
            "Les belligérants se parlent-ils encore ?\n\n"
            "C. A. O. B. : Non, pas directement. Nous passons par des intermédiaires depuis le mois d'août.\n")
    answers = [q for q in pipeline.annotate(Document("t", text)).quotes if q.cue is not None and q.cue.text == ":"]
    assert [q.speaker_name for q in answers] == ["Cheikh Ahmed Ould Beddah"]
