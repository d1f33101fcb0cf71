"""quotes.extract: direct, indirect and mixed quotes, through Pipeline.annotate on short French texts.

Spans follow shared/spec/annotation-scheme.md: the reported content only (no marks, no cue,
no speaker, no outer spaces or punctuation; a final full stop inside the marks may be in or out).
"""

from __future__ import annotations

import pytest

from quotes.document import Document
from quotes.rules.extract import propose
from quotes.pipeline import load_pipeline


@pytest.fixture(scope="session")
def pipe():
    return load_pipeline()


def quotes_of(pipe, text):
    doc = pipe.annotate(Document("t", text))
    for q in doc.quotes:
        # Offsets are the truth; the text fields repeat them.
        assert text[q.start:q.end] == q.text
        if q.cue is not None:
            assert text[q.cue.start:q.cue.end] == q.cue.text
        if q.speaker is not None:
            assert text[q.speaker.start:q.speaker.end] == q.speaker.text
    return doc.quotes


def one(pipe, text):
    qs = quotes_of(pipe, text)
    assert len(qs) == 1, [(q.type, q.text) for q in qs]
    return qs[0]


def core(s: str) -> str:
    """The span as the scorer compares it: a final full stop may be in or out."""
    return s.strip().rstrip(".").strip()


def assert_clean(q):
    """No marks, spaces or outer punctuation at the ends of a direct quote."""
    assert q.text == q.text.strip()
    assert q.text[:1] not in "«»“”\"‹›,;:"
    assert q.text[-1:] not in "«»“”\"‹›,;:"


# -- direct ---------------------------------------------------------------------------------------


def test_direct_with_incise(pipe):
    text = ("« Nous ne laisserons personne toucher à notre souveraineté », a déclaré Sergueï Lavrov "
            "lors d'une conférence de presse à Moscou.")
    q = one(pipe, text)
    assert q.type == "direct"
    assert q.text == "Nous ne laisserons personne toucher à notre souveraineté"
    assert q.cue.text == "a déclaré"
    assert q.speaker.text == "Sergueï Lavrov"
    assert_clean(q)


def test_direct_with_inverted_cue(pipe):
    text = "« La réunion aura lieu à Genève la semaine prochaine », a-t-elle précisé devant les journalistes."
    q = one(pipe, text)
    assert q.type == "direct"
    assert q.text == "La réunion aura lieu à Genève la semaine prochaine"
    assert q.cue.text == "a-t-elle précisé"
    assert q.speaker.text == "elle"


def test_direct_with_glued_guillemets_and_nbsp(pipe):
    text = "«\u00a0Les pourparlers avancent lentement mais sûrement\u00a0», dit-elle à la sortie de la réunion."
    q = one(pipe, text)
    assert q.text == "Les pourparlers avancent lentement mais sûrement"
    assert q.cue.text == "dit-elle"


def test_direct_intro_with_colon(pipe):
    text = ("Le chef de la diplomatie russe a déclaré : « Nous sommes prêts à reprendre les discussions "
            "sans conditions préalables. »")
    q = one(pipe, text)
    assert q.type == "direct"
    assert core(q.text) == "Nous sommes prêts à reprendre les discussions sans conditions préalables"
    assert q.cue.text == "a déclaré"
    assert q.speaker.text == "Le chef de la diplomatie russe"


def test_direct_intro_with_colon_after_an_indirect_object(pipe):
    text = ("Le ministre a déclaré à la presse : « Nous sommes prêts à discuter. Mais nous ne céderons rien "
            "sur l'essentiel. »")
    q = one(pipe, text)
    assert core(q.text) == "Nous sommes prêts à discuter. Mais nous ne céderons rien sur l'essentiel"
    assert q.cue.text == "a déclaré"
    assert q.speaker.text == "Le ministre"


def test_direct_colon_after_a_named_source(pipe):
    text = "Le ministre : « Nous ne céderons à aucune forme de chantage, ni aujourd'hui ni demain. »"
    q = one(pipe, text)
    assert q.type == "direct"
    assert core(q.text) == "Nous ne céderons à aucune forme de chantage, ni aujourd'hui ni demain"
    assert q.cue.text == ":"
    assert q.cue.start == text.index(":")
    assert q.speaker.text == "Le ministre"


def test_two_quotes_share_one_cue(pipe):
    text = ("« Nous voulons la paix », mais « nous ne la signerons pas à n'importe quel prix », "
            "a dit le président ukrainien.")
    qs = quotes_of(pipe, text)
    assert [q.text for q in qs] == ["Nous voulons la paix", "nous ne la signerons pas à n'importe quel prix"]
    assert all(q.type == "direct" for q in qs)
    assert all(q.cue.text == "a dit" and q.cue.start == text.index("a dit") for q in qs)
    assert all(q.speaker.text == "le président ukrainien" for q in qs)


def test_multi_paragraph_direct_quote_is_one_quote(pipe):
    text = (
        "Le ministre a pris la parole devant les députés mardi après-midi.\n\n"
        "« Nous ne céderons pas à la pression, ni aujourd'hui ni demain.\n\n"
        "« Nous resterons fermes, quoi qu'il arrive à nos frontières.\n\n"
        "« Mais la porte du dialogue reste ouverte », a-t-il conclu."
    )
    q = one(pipe, text)
    assert q.type == "direct"
    assert q.text.startswith("Nous ne céderons pas à la pression")
    assert q.text.endswith("Mais la porte du dialogue reste ouverte")
    assert q.cue.text == "a-t-il conclu"


def test_quoted_first_person_words_are_one_direct_quote(pipe):
    text = "« J'espère que les deux parties sauront trouver un terrain d'entente », a-t-il dit."
    q = one(pipe, text)
    assert q.type == "direct"
    assert q.text == "J'espère que les deux parties sauront trouver un terrain d'entente"


def test_incise_inside_the_marks_splits_one_direct_quote(pipe):
    text = "« Nous voulons la paix, a-t-il déclaré, mais pas à n'importe quel prix. »"
    qs = quotes_of(pipe, text)
    assert [core(q.text) for q in qs] == ["Nous voulons la paix", "mais pas à n'importe quel prix"]
    assert all(q.type == "direct" and q.cue.text == "a-t-il déclaré" for q in qs)


# -- indirect -----------------------------------------------------------------------------------------


def test_indirect_que_clause_starts_after_que(pipe):
    text = "Le porte-parole du gouvernement a affirmé que les négociations reprendraient la semaine prochaine à Genève."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == "les négociations reprendraient la semaine prochaine à Genève"
    assert q.cue.text == "a affirmé"
    assert q.speaker.text == "Le porte-parole du gouvernement"


def test_indirect_elided_qu(pipe):
    text = "La diplomate a affirmé qu'il n'y aurait aucune concession sur la question des frontières."
    q = one(pipe, text)
    assert q.text == "il n'y aurait aucune concession sur la question des frontières"
    assert not q.text.lower().startswith(("que", "qu'"))


def test_indirect_que_after_time_and_indirect_object(pipe):
    text = "Le président a annoncé mardi soir à la télévision que les troupes seraient retirées d'ici la fin du mois."
    q = one(pipe, text)
    assert q.text == "les troupes seraient retirées d'ici la fin du mois"
    assert q.cue.text == "a annoncé"


def test_infinitive_after_chained_cue(pipe):
    text = "La ministre a dit espérer une reprise rapide des pourparlers entre les deux pays."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == "une reprise rapide des pourparlers entre les deux pays"
    assert q.cue.text == "a dit espérer"


def test_infinitive_after_dire(pipe):
    text = "Le président français a dit vouloir poursuivre le dialogue avec Moscou malgré les tensions actuelles."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == "vouloir poursuivre le dialogue avec Moscou malgré les tensions actuelles"


def test_appeler_x_a(pipe):
    text = "Le secrétaire général a appelé les deux parties à faire preuve de retenue dans les jours qui viennent."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text in ("les deux parties à faire preuve de retenue dans les jours qui viennent",
                      "faire preuve de retenue dans les jours qui viennent")
    assert q.cue.text == "a appelé"
    assert q.speaker.text == "Le secrétaire général"


def test_accuser_x_de(pipe):
    text = "Moscou accuse Washington de vouloir étendre l'Alliance atlantique jusqu'à ses frontières."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text in ("Washington de vouloir étendre l'Alliance atlantique jusqu'à ses frontières",
                      "de vouloir étendre l'Alliance atlantique jusqu'à ses frontières",
                      "vouloir étendre l'Alliance atlantique jusqu'à ses frontières")
    assert q.cue.text == "accuse"
    assert q.speaker.text == "Moscou"


@pytest.mark.parametrize(
    "text,content,cue,speaker",
    [
        ("Selon le Kremlin, les troupes russes regagneront leurs casernes à la fin des manœuvres.",
         "les troupes russes regagneront leurs casernes à la fin des manœuvres", "Selon", "le Kremlin"),
        ("Les troupes russes regagneront leurs casernes à la fin des manœuvres, selon le Kremlin.",
         "Les troupes russes regagneront leurs casernes à la fin des manœuvres", "selon", "le Kremlin"),
        ("D'après Moscou, les exercices militaires prendront fin comme prévu le 20 février.",
         "les exercices militaires prendront fin comme prévu le 20 février", "D'après", "Moscou"),
        ("Aux yeux de Washington, la Russie cherche surtout à gagner du temps avant une offensive.",
         "la Russie cherche surtout à gagner du temps avant une offensive", "Aux yeux de", "Washington"),
        ("Pour Moscou, l'élargissement de l'Otan vers l'est constitue une menace directe pour sa sécurité.",
         "l'élargissement de l'Otan vers l'est constitue une menace directe pour sa sécurité", "Pour", "Moscou"),
    ],
    ids=["selon-front", "selon-back", "d-apres", "aux-yeux-de", "pour"],
)
def test_source_phrases(pipe, text, content, cue, speaker):
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == content
    assert q.cue.text == cue
    assert q.speaker.text == speaker


def test_pour_inside_a_clause_is_not_a_source(pipe):
    text = "Des milliers de manifestants se sont rassemblés pour la paix devant l'ambassade dimanche après-midi."
    assert quotes_of(pipe, text) == []


def test_incise_indirect(pipe):
    text = "Les sanctions ne changeront rien à la position de Moscou, a estimé le porte-parole du Kremlin."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == "Les sanctions ne changeront rien à la position de Moscou"
    assert q.cue.text == "a estimé"
    assert q.speaker.text == "le porte-parole du Kremlin"


@pytest.mark.parametrize("text", [
    "Des renforts, pour la plupart venus du nord du pays, ont été déployés autour de la centrale dans la nuit.",
    "Le ministre, pour sa part, s'est rendu à la frontière mercredi matin avec deux généraux.",
])
def test_pour_la_plupart_and_pour_sa_part_are_not_sources(pipe, text):
    assert quotes_of(pipe, text) == []


@pytest.mark.parametrize("text, content, speaker", [
    # a subject with a relative clause before `s'est dit prêt à`: the content is what follows
    ("Le Qatar, qui dialogue avec les deux camps depuis des mois, s'est dit prêt à accueillir les négociations.",
     "prêt à accueillir les négociations", "Le Qatar"),
    # a subject with a participle phrase before the cue: the content is the verb's complement
    ("La gouverneure de la province, arrivée mardi dans la capitale, a appelé les deux parties à cesser le feu.",
     ("les deux parties à cesser le feu", "cesser le feu"), "La gouverneure de la province"),
])
def test_a_subject_with_an_aside_is_not_reported_content(pipe, text, content, speaker):
    q = one(pipe, text)
    assert q.text in ((content,) if isinstance(content, str) else content)
    assert q.speaker is not None and q.speaker.text == speaker


def test_an_aside_does_not_hide_the_verb_of_reported_content(pipe):
    text = "La Russie, qui a envahi le pays, devra payer pour chaque ville détruite, a affirmé le ministre."
    q = one(pipe, text)
    assert q.text == "La Russie, qui a envahi le pays, devra payer pour chaque ville détruite"
    assert q.cue.text == "a affirmé"


@pytest.mark.parametrize("text, content, cue, speaker", [
    ("La cheffe du gouvernement Ilse Vandamme aurait fait savoir à Kinshasa qu'elle était prête à une rencontre "
     "avec son homologue, selon plusieurs sources diplomatiques.",
     "elle était prête à une rencontre avec son homologue", "aurait fait savoir", "Ilse Vandamme"),
    ("D'après le quotidien Izvestia, le conseiller diplomatique du président, Piotr Sorokine, aurait affirmé à "
     "des visiteurs occidentaux que Moscou ne céderait rien.", "Moscou ne céderait rien", "aurait affirmé",
     "Piotr Sorokine"),
])
def test_a_report_relayed_by_selon_is_the_reporters_quote(pipe, text, content, cue, speaker):
    q = one(pipe, text)
    assert (q.text, q.cue.text, q.speaker_name) == (content, cue, speaker)


def test_incise_indirect_inverted(pipe):
    text = "L'Otan ne menace personne et reste une alliance purement défensive, a-t-il martelé."
    q = one(pipe, text)
    assert q.type == "indirect"
    assert q.text == "L'Otan ne menace personne et reste une alliance purement défensive"
    assert q.cue.text == "a-t-il martelé"


# -- mixed -------------------------------------------------------------------------------------------


def test_mixed_infinitive_with_quoted_words(pipe):
    text = "Le chef de l'agence a déclaré avoir décelé «des signes» montrant que la centrale avait été bombardée."
    q = one(pipe, text)
    assert q.type == "mixed"
    assert q.text == "avoir décelé «des signes» montrant que la centrale avait été bombardée"
    assert q.cue.text == "a déclaré"


def test_mixed_que_clause_with_quoted_words(pipe):
    text = ("Le porte-parole du Kremlin a estimé que les propositions américaines ne répondaient pas aux "
            "« préoccupations fondamentales » de la Russie.")
    q = one(pipe, text)
    assert q.type == "mixed"
    assert q.text == "les propositions américaines ne répondaient pas aux « préoccupations fondamentales » de la Russie"


def test_mixed_incise(pipe):
    text = "Il faut désormais « passer des paroles aux actes », a estimé le chef de la diplomatie européenne."
    q = one(pipe, text)
    assert q.type == "mixed"
    assert q.text == "Il faut désormais « passer des paroles aux actes »"


# -- nested reporting ----------------------------------------------------------------------------------


def test_nested_reporting_keeps_the_inner_speaker(pipe):
    text = "Le président a dit espérer une issue rapide aux discussions, a rapporté l'agence Reuters."
    q = one(pipe, text)
    assert q.text == "une issue rapide aux discussions"
    assert q.speaker.text == "Le président"
    assert "rapporté" not in q.text


def test_nested_reporting_que_clause(pipe):
    text = "Le ministre a affirmé que la France se tenait prête, a indiqué son cabinet dans un communiqué."
    q = one(pipe, text)
    assert q.text == "la France se tenait prête"
    assert q.cue.text == "a affirmé"
    assert q.speaker.text == "Le ministre"


# -- not quotes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "L'armée a lancé l'opération \"Bouclier\" dans la nuit de mardi à mercredi près de la frontière.",
        "L'armée a lancé l'opération 'Bouclier' dans la nuit de mardi à mercredi près de la frontière.",
        "Il a publié en 2019 un livre intitulé « Les Frontières de l'Empire russe » chez un éditeur parisien.",
        "Le film « La Guerre froide » sera projeté samedi à Genève en présence du réalisateur et des acteurs.",
        "Les combattants de la brigade \"Azov\" ont été évacués mardi de l'usine assiégée.",
        "Le sommet, surnommé « le rendez-vous de la dernière chance » par la presse, s'ouvre lundi à Vienne.",
    ],
    ids=["operation-straight", "operation-single", "book", "film", "unit", "nickname"],
)
def test_scare_quotes_and_titles_are_not_quotes(pipe, text):
    assert quotes_of(pipe, text) == []


def test_teaser_quotes_outside_the_article_are_not_reported(pipe):
    body = [
        "Le ministre turc des Affaires étrangères a annoncé mercredi que les deux délégations seraient reçues "
        "jeudi matin à Istanbul pour une séance de travail consacrée aux échanges de prisonniers.",
        "La délégation ukrainienne sera conduite par le secrétaire du Conseil de sécurité, qui doit rentrer à "
        "Kiev dès vendredi soir pour rendre compte au président de l'avancée des échanges.",
    ]
    text = "\n".join(
        ["Accueil", "Monde", "Istanbul accueille une nouvelle session de pourparlers russo-ukrainiens"]
        + body
        + ["À lire aussi",
           "« Nous ne reculerons pas », prévient le chef d'état-major des armées",
           "Pékin promet « une réponse ferme » après les manœuvres américaines...",
           "Mentions légales", ""]
    )
    qs = quotes_of(pipe, text)
    assert len(qs) == 1
    assert qs[0].text.startswith("les deux délégations seraient reçues")
    teaser_start = text.index("À lire aussi")
    assert all(q.end <= teaser_start for q in qs)


# -- the rule layer itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,rule",
    [
        ("« Nous attendons des réponses écrites à nos propositions », a déclaré le ministre.", "direct_incise"),
        ("Le ministre a déclaré : « Nous attendons des réponses écrites à nos propositions. »", "direct_intro"),
        ("Le ministre : « Nous attendons des réponses écrites à nos propositions. »", "direct_colon"),
        ("Le ministre a affirmé que la Russie attendait des réponses écrites.", "frame_que"),
        ("Selon le ministre, la Russie attend des réponses écrites à ses propositions.", "source_front"),
        ("La Russie attend des réponses écrites à ses propositions, selon le ministre.", "source_back"),
        ("La Russie attend des réponses écrites à ses propositions, a déclaré le ministre.", "incise_indirect"),
    ],
)
def test_propose_names_the_rule(pipe, text, rule):
    doc = pipe.nlp(text)
    props = propose(text, doc, 0, pipe.matcher, [])
    assert [p.rule for p in props] == [rule]
    p = props[0]
    assert 0 <= p.start < p.end <= len(text)


def test_propose_skips_taken_spans(pipe):
    text = "« Nous attendons des réponses écrites à nos propositions », a déclaré le ministre."
    doc = pipe.nlp(text)
    assert propose(text, doc, 0, pipe.matcher, [(0, len(text))]) == []


def test_source_with_a_name_in_apposition_keeps_the_name_out_of_the_quote(pipe):
    text = "D'après le porte-parole de la diplomatie européenne, Peter Stano, la rencontre aura lieu mardi à Bruxelles."
    qs = pipe.annotate(Document("x", text)).quotes
    assert [q.text for q in qs] == ["la rencontre aura lieu mardi à Bruxelles"]
    assert qs[0].type == "indirect" and qs[0].cue.text == "D'après"
    assert qs[0].speaker_name == "Peter Stano"
