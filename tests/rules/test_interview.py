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
