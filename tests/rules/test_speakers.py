"""quotes.speakers: the speaker mention (rule_speaker) and the resolved speaker_name (NameResolver).

`speaker` is the mention the cue links to; `speaker_name` the fullest name the article gives,
organisations keeping their name without the article (scheme, "Speaker").
"""

from __future__ import annotations

import pytest

from quotes.document import Document
from quotes.rules.extract import propose
from quotes.pipeline import load_pipeline
from quotes.rules.names import NameResolver
from quotes.rules.speakers import Mention, fold, person_spans, rule_speaker


@pytest.fixture(scope="session")
def pipe():
    return load_pipeline()


def quotes_of(pipe, text):
    return pipe.annotate(Document("t", text)).quotes


def only(pipe, text):
    qs = quotes_of(pipe, text)
    assert len(qs) == 1, [(q.type, q.text) for q in qs]
    return qs[0]


def last(pipe, text):
    qs = quotes_of(pipe, text)
    assert qs
    return qs[-1]


def same_name(a: str | None, b: str) -> bool:
    """Equal after the scorer's folding of case, accents and apostrophes."""
    return a is not None and fold(a).strip() == fold(b).strip()


# -- the mention --------------------------------------------------------------------------------------


def test_speaker_is_the_name_inside_a_long_role(pipe):
    text = ("« Nous attendons des réponses écrites à nos propositions », a déclaré le ministre russe des "
            "Affaires étrangères Sergueï Lavrov devant la presse.")
    q = only(pipe, text)
    assert q.speaker.text == "Sergueï Lavrov"
    assert q.speaker_name == "Sergueï Lavrov"


def test_speaker_name_before_the_cue_inside_a_long_role(pipe):
    text = "Le porte-parole du Kremlin Dmitri Peskov a jugé que la situation restait « très tendue » à la frontière."
    q = only(pipe, text)
    assert q.speaker.text == "Dmitri Peskov"
    assert q.speaker_name == "Dmitri Peskov"


def test_intermediary_the_speaker_is_the_one_who_speaks(pipe):
    text = ("« Les États-Unis restent ouverts à la discussion », a déclaré Ned Price au nom d'Antony Blinken "
            "lors d'un point de presse.")
    q = only(pipe, text)
    assert q.speaker.text == "Ned Price"
    assert q.speaker_name == "Ned Price"


def test_inverted_pronoun_is_the_mention(pipe):
    text = "« La réunion aura lieu à Genève la semaine prochaine », a-t-elle précisé devant les journalistes."
    q = only(pipe, text)
    assert q.speaker.text == "elle"
    assert q.speaker.start == text.index("elle")


@pytest.mark.parametrize(
    "text,mention",
    [
        ("« Nos soldats ne répondront pas aux provocations », a déclaré la porte-parole devant les journalistes.",
         "la porte-parole"),
        ("« Nos soldats ne répondront pas aux provocations », a déclaré la porte-parole du ministère de la Défense.",
         "la porte-parole du ministère de la Défense"),
        ("« C'est une provocation inacceptable », a réagi la Chine dans un communiqué.", "la Chine"),
    ],
    ids=["role", "role-of-org", "country"],
)
def test_role_mention_after_the_cue_keeps_its_article(pipe, text, mention):
    assert only(pipe, text).speaker.text == mention


def test_role_mention_after_the_cue_keeps_its_article_when_it_is_masculine(pipe):
    text = "« Toute nouvelle sanction serait une erreur historique », a averti le Kremlin dans un communiqué."
    assert only(pipe, text).speaker.text == "le Kremlin"


def test_mention_stops_before_an_adjunct(pipe):
    text = ("« Nous ne voyons aucun signe de retrait », a ajouté un haut responsable américain sous couvert "
            "d'anonymat.")
    q = only(pipe, text)
    assert q.speaker.text == "un haut responsable américain"


def test_coordinated_subject_is_the_whole_mention(pipe):
    text = "Washington et ses alliés accusent Moscou d'avoir massé plus de cent mille soldats à la frontière."
    q = only(pipe, text)
    assert q.speaker.text == "Washington et ses alliés"


def test_coordinated_subject_with_article(pipe):
    text = "L'Ukraine et ses alliés occidentaux accusent la Russie de préparer une invasion de grande ampleur."
    q = only(pipe, text)
    assert q.speaker.text == "L'Ukraine et ses alliés occidentaux"


# -- speaker_name: resolved in the document --------------------------------------------------------------


def test_surname_resolves_to_the_full_name_given_earlier(pipe):
    text = (
        "Le ministre russe des Affaires étrangères, Sergueï Lavrov, s'est rendu mardi à Genève pour y "
        "rencontrer son homologue américain.\n\n"
        "« Nous attendons des réponses écrites à nos propositions », a déclaré Lavrov devant la presse."
    )
    q = last(pipe, text)
    assert q.speaker.text == "Lavrov"
    assert q.speaker_name == "Sergueï Lavrov"


def test_initial_and_title_resolve_to_the_full_name_given_later(pipe):
    text = (
        "« Nous attendons des réponses écrites », a déclaré M. Lavrov devant la presse.\n\n"
        "Le ministre russe des Affaires étrangères Sergueï Lavrov doit se rendre à Genève vendredi."
    )
    q = only(pipe, text)
    assert q.speaker.text == "M. Lavrov"
    assert q.speaker_name == "Sergueï Lavrov"


def test_elle_resolves_to_the_woman_introduced_just_before(pipe):
    text = (
        "La porte-parole de la diplomatie russe, Maria Zakharova, a tenu mercredi son point de presse "
        "hebdomadaire à Moscou.\n\n"
        "« Aucune décision n'a été prise sur le calendrier des prochaines rencontres », a-t-elle précisé."
    )
    q = only(pipe, text)
    assert q.speaker.text == "elle"
    assert q.speaker_name == "Maria Zakharova"


def test_elle_resolves_to_the_last_female_speaker_past_a_man(pipe):
    text = (
        "« Nous ne laisserons pas tomber l'Ukraine », a assuré Annalena Baerbock à son arrivée à Kiev.\n\n"
        "Le chancelier Olaf Scholz doit la rejoindre mercredi pour une visite de deux jours.\n\n"
        "« Nous attendons de Moscou des gestes concrets », a-t-elle ajouté."
    )
    q = last(pipe, text)
    assert q.speaker_name == "Annalena Baerbock"


def test_il_resolves_to_the_man_introduced_since(pipe):
    text = (
        "« Nous ne laisserons pas tomber l'Ukraine », a assuré Annalena Baerbock à son arrivée à Kiev.\n\n"
        "Le chancelier Olaf Scholz doit la rejoindre mercredi pour une visite de deux jours.\n\n"
        "« Nous attendons de Moscou des gestes concrets », a-t-il ajouté."
    )
    q = last(pipe, text)
    assert q.speaker_name == "Olaf Scholz"


def test_elle_skips_a_man_named_without_gendered_title(pipe):
    text = (
        "« Nous ne fermerons pas la porte aux discussions », a déclaré Maria Zakharova lors de son point de "
        "presse hebdomadaire.\n\n"
        "Le chef de la diplomatie, Sergueï Lavrov, doit se rendre à Genève vendredi pour rencontrer son homologue.\n\n"
        "« Mais nous attendons des garanties écrites », a-t-elle ajouté."
    )
    q = last(pipe, text)
    assert q.speaker_name == "Maria Zakharova"


def test_ce_responsable_resolves_to_the_anonymous_source_introduced(pipe):
    text = (
        "Un responsable américain a indiqué que Washington attendait toujours une réponse de Moscou sur ce point.\n\n"
        "« Nous ne voyons aucun signe de retrait des troupes pour l'instant », a ajouté ce responsable."
    )
    qs = quotes_of(pipe, text)
    assert len(qs) == 2
    assert same_name(qs[0].speaker_name, "un responsable américain")
    assert qs[1].speaker.text == "ce responsable"
    assert same_name(qs[1].speaker_name, "un responsable américain")


def test_role_resolves_to_the_person_introduced_with_it(pipe):
    text = (
        "La porte-parole du ministère, Anna Kovalenko, a tenu mardi un point de presse consacré à la "
        "situation dans l'est du pays.\n\n"
        "« Nos soldats ne répondront pas aux provocations », a déclaré la porte-parole devant les journalistes."
    )
    q = last(pipe, text)
    assert q.speaker_name == "Anna Kovalenko"


@pytest.mark.parametrize(
    "text,name",
    [
        ("« Toute nouvelle sanction serait une erreur historique », a averti le Kremlin dans un communiqué.",
         "Kremlin"),
        ("Le Kremlin a affirmé que les manœuvres militaires prendraient fin comme prévu à la mi-février.",
         "Kremlin"),
        ("Le département d'Etat américain a fait savoir que l'ambassade de Kiev serait partiellement évacuée.",
         "département d'Etat américain"),
        ("Selon le Kremlin, les troupes russes regagneront leurs casernes à la fin des manœuvres.", "Kremlin"),
        ("D'après Moscou, les exercices militaires prendront fin comme prévu le 20 février.", "Moscou"),
    ],
)
def test_organisations_keep_their_name_without_article(pipe, text, name):
    assert only(pipe, text).speaker_name == name


def test_no_source_no_name(pipe):
    text = "« La réunion aura lieu à Genève la semaine prochaine », a-t-elle précisé."
    q = only(pipe, text)
    assert q.speaker.text == "elle"
    assert q.speaker_name is None


# -- the pieces ---------------------------------------------------------------------------------------


def test_rule_speaker_puts_the_chosen_mention_first(pipe):
    text = "« Nous attendons des réponses écrites », a déclaré Sergueï Lavrov à Genève, aux côtés d'Antony Blinken."
    doc = pipe.nlp(text)
    (p,) = propose(text, doc, 0, pipe.matcher, [])
    choice = rule_speaker(p)
    assert choice.mention.text == "Sergueï Lavrov"
    assert choice.candidates[0] is choice.mention
    assert any(c.text == "Antony Blinken" for c in choice.candidates)


def test_person_spans_finds_names(pipe):
    doc = pipe.nlp("Sergueï Lavrov a rencontré Antony Blinken à Genève, en présence de Maria Zakharova.")
    names = [s.text for s in person_spans(doc)]
    assert "Sergueï Lavrov" in names
    assert "Antony Blinken" in names
    assert "Maria Zakharova" in names


def test_name_resolver_fullest(pipe):
    text = "Le ministre Sergueï Lavrov a rencontré Antony Blinken jeudi à Genève pour des discussions."
    resolver = NameResolver([(0, pipe.nlp(text))])
    assert resolver.fullest("Lavrov") == "Sergueï Lavrov"
    assert resolver.fullest("M. Lavrov") == "Sergueï Lavrov"
    assert resolver.fullest("S. Lavrov") == "Sergueï Lavrov"
    assert resolver.fullest("Blinken") == "Antony Blinken"
    assert resolver.fullest("Scholz") == "Scholz"


def test_fold():
    assert fold("L’Élysée") == "l'elysee"
    assert fold("Sergueï") == "serguei"


def test_acronym_resolves_to_the_full_name_the_article_gives(pipe):
    text = (
        "Le Département fédéral des affaires étrangères (DFAE) suit la situation de près.\n\n"
        "« La Suisse appelle toutes les parties à la retenue », a indiqué le DFAE dans un communiqué."
    )
    q = last(pipe, text)
    assert q.speaker.text == "le DFAE"
    assert q.speaker_name == "Département fédéral des affaires étrangères"


def test_sentences_and_people_are_derived_once_per_parsed_region(pipeline):
    from quotes.rules.speakers import sentences

    doc = pipeline.nlp("Le ministre Jean Dupont a parlé. Marie Curie a répondu.")
    first = sentences(doc)
    assert [s.text for s in first] == [s.text for s in doc.sents]
    assert sentences(doc) is first and person_spans(doc) is person_spans(doc)
    assert sentences(pipeline.nlp("Une autre phrase.")) is not first


@pytest.mark.parametrize("text, name", [
    ("Le Caire s'inquiète de la crue, tandis qu'Addis-Abeba assure vouloir reprendre les négociations au plus vite.",
     "Addis-Abeba"),
    ("Le député autonomiste Marcel Wakaté-Nouma a reproché au gouvernement de « décider seul » du calendrier.",
     "Marcel Wakaté-Nouma"),
    ("« Le dialogue reste la seule voie », insiste la ministre Hélène Brassard-Ouimet.", "Hélène Brassard-Ouimet"),
])
def test_a_hyphenated_name_is_never_cut_at_its_hyphen(pipe, text, name):
    q = only(pipe, text)
    assert q.speaker is not None and text[q.speaker.start:q.speaker.end] == q.speaker.text
    assert q.speaker_name == name


def test_cached_sentence_lookup_is_spacys_own(pipe):
    from quotes.rules.parse import sentence_of

    doc = pipe.nlp("Le ministre a parlé.\nLa porte-parole, elle, a répondu : « Non. » Puis il est parti. Fin")
    for t in doc:
        assert (sentence_of(doc, t.i).start, sentence_of(doc, t.i).end) == (t.sent.start, t.sent.end)


@pytest.mark.parametrize("text, name", [
    # a foreign name set off after a role, which NER tags as a place
    ("Le chef de la mission européenne à Riga, Kārlis Bērziņš, a assuré que la mission resterait sur place "
     "jusqu'en juin.", "Kārlis Bērziņš"),
    # the holder named only after the role: closing the same sentence, after a comma
    ("« Nous ne désarmerons pas », a déclaré le porte-parole du mouvement rebelle, qui tient la ville depuis "
     "mars, Amani Baraka.", "Amani Baraka"),
    # … or opening the next sentence, alone or after a role noun
    ("« Personne ne quittera la table avant jeudi », a promis l'émissaire norvégien mardi soir. "
     "Le diplomate Erik Solbakken, qui suit le dossier depuis 2021, rencontrera les deux délégations.",
     "Erik Solbakken"),
    ("« Le cessez-le-feu tient pour l'instant », a assuré le Premier ministre devant les députés, le 3 mai. "
     "Tomás Ferreira, qui dirige une coalition fragile, sait que la trêve peut tomber.", "Tomás Ferreira"),
])
def test_a_role_resolves_to_the_name_given_right_after_it(pipe, text, name):
    assert same_name(quotes_of(pipe, text)[0].speaker_name, name)


@pytest.mark.parametrize("text", [
    # the next sentence names someone of the other gender: not the role's holder
    "« Le cessez-le-feu tient pour l'instant », a assuré le Premier ministre devant les députés. "
    "Marie Castelnau, qui dirige l'opposition, sait que la trêve peut tomber.",
    # a name two sentences on is too far to be the holder
    "« Le cessez-le-feu tient pour l'instant », a assuré le Premier ministre devant les députés. "
    "La séance a duré trois heures. Tomás Ferreira a quitté l'hémicycle à midi.",
])
def test_a_role_does_not_take_a_name_that_cannot_be_its_holder(pipe, text):
    assert same_name(quotes_of(pipe, text)[0].speaker_name, "Premier ministre")


def test_a_participle_opening_a_sentence_is_not_a_person(pipe):
    # NER tags `Assis` PER here, and the tagger calls it a proper noun
    doc = pipe.nlp("Le sommet s'est ouvert à midi. Assis au côté de M. Okafor, John Mbeki a affirmé vouloir un accord.")
    assert "Assis" in {e.text for e in doc.ents if e.label_ == "PER"}
    assert {e.text for e in person_spans(doc)} == {"M. Okafor", "John Mbeki"}


def test_an_entity_tagged_person_on_a_sentence_initial_participle_is_dropped(pipe):
    from spacy.tokens import Span

    doc = pipe.nlp("Le cortège est parti à dix heures.\n\nReçue en milieu de matinée, une délégation a été entendue.")
    i = next(t.i for t in doc if t.text == "Reçue")
    doc.ents = [Span(doc, i, i + 1, label="PER")]  # what NER does to it in some contexts
    assert doc[i].pos_ in ("VERB", "ADJ")
    assert list(person_spans(doc)) == []


def test_a_hyphenated_name_set_off_after_a_role_is_a_person(pipe):
    text = ("Le porte-parole du gouvernement, Alpha Ibrahima Condé-Touré, a assuré que la porte du dialogue "
            "restait ouverte.\n")
    assert same_name(last(pipe, text).speaker_name, "Alpha Ibrahima Condé-Touré")


def test_a_short_role_linked_to_a_name_resolves_the_longer_role(pipe):
    text = ("La ministre des Pêches et de l'Économie maritime a promis que les navires seraient saisis. "
            "« Nos eaux ne sont pas en libre-service », a martelé la ministre, Aminata Ndiaye-Fall.\n")
    assert same_name(quotes_of(pipe, text)[0].speaker_name, "Aminata Ndiaye-Fall")


def test_a_military_title_between_role_and_name_links_the_role(pipe):
    text = ("« Nos forces sont prêtes », a déclaré le ministre de la Défense, le général Ramón Ortega Vidal. "
            "Plus tard, le ministre de la Défense a affirmé que les manœuvres dureraient une semaine.\n")
    assert same_name(last(pipe, text).speaker_name, "Ramón Ortega Vidal")


def test_a_participle_inside_an_organisations_name_stays_in_the_mention(pipe):
    text = "« Les stocks seront épuisés en mars », ont averti les Nations unies dans un rapport publié jeudi.\n"
    assert same_name(only(pipe, text).speaker_name, "Nations unies")


def test_a_feminine_role_is_not_resolved_to_a_man_linked_to_the_same_noun(pipe):
    text = ("Le ministre de l'Économie, Étienne Marchal, a présenté le budget mardi. "
            "La ministre des Comptes publics, Claire Vasseur, était à ses côtés. "
            "La ministre a affirmé que le déficit serait ramené sous 5 % en 2027.\n")
    assert same_name(last(pipe, text).speaker_name, "Claire Vasseur")


def test_a_masculine_first_name_ending_in_a_is_not_read_as_feminine(pipe):
    text = ("Le porte-parole du gouvernement, Moussa Keita, a tenu un point presse. "
            "Le porte-parole a assuré que les élections auraient lieu en juin.\n")
    assert same_name(last(pipe, text).speaker_name, "Moussa Keita")


def test_a_label_before_a_colon_is_not_the_subject(pipe):
    text = "Entretien\n\nLa Gazette : Bruxelles estime que Lisbonne « traîne » sur la réforme. Que répondez-vous ?\n"
    assert same_name(only(pipe, text).speaker_name, "Bruxelles")


def test_a_season_and_a_setting_between_commas_sit_between_the_cue_and_its_subject(pipe):
    text = ("« Nous ne céderons rien sur le barrage », avait averti l'hiver dernier, devant le Parlement, "
            "le ministre de l'Eau, Karim Haddad.\n")
    assert same_name(only(pipe, text).speaker_name, "Karim Haddad")


def test_a_pronoun_takes_up_the_subject_not_a_name_in_a_complement(pipe):
    # `Ben Guerdane` reads as a person to the tagger, but it is the député's town, not the subject
    text = "Slim Ben Fredj répondait jeudi à une question orale du député de Ben Guerdane. Il a ajouté"
    resolver = NameResolver([(0, pipe.nlp(text))])
    assert [(n, subj) for _, _, n, subj in resolver.persons_at] == [("Slim Ben Fredj", True), ("Ben Guerdane", False)]
    resolver.resolve(Mention(0, 5, "Tunis", "org"), 0, text)  # the last speaker, of no gender
    at = text.index("Il a")
    assert resolver.resolve(Mention(at, at + 2, "Il", "pronoun"), at, text) == "Slim Ben Fredj"


def test_a_name_in_apposition_to_the_subject_is_the_subject(pipe):
    text = "Le président Nicolás Maduro, qui s'exprimait devant des partisans, a tenu un discours ambigu."
    resolver = NameResolver([(0, pipe.nlp(text))])
    assert [(n, subj) for _, _, n, subj in resolver.persons_at] == [("Nicolás Maduro", True)]


def test_a_masculine_first_name_from_the_list_lets_le_ministre_find_its_holder(pipe):
    text = ("« Notre patience a des limites », a prévenu jeudi le ministre pakistanais de la Défense devant "
            "l'Assemblée. Le ministre, Khawaja Raza-Ul-Haq, a ensuite quitté l'hémicycle.\n")
    assert same_name(quotes_of(pipe, text)[0].speaker_name, "Khawaja Raza-Ul-Haq")


def test_a_holders_name_tagged_an_organisation_after_the_role(pipe):
    text = ("« Toute présence militaire étrangère sur notre côte sera traitée comme une agression », a averti "
            "le Premier ministre somalien, Abdirahman Cali Warsame, devant le Parlement fédéral.\n\n"
            "Le chef du gouvernement a affirmé que le protocole signé était « nul et non avenu ».\n")
    assert same_name(last(pipe, text).speaker_name, "Abdirahman Cali Warsame")


def test_an_acronym_resolves_to_the_words_it_spells_not_the_whole_sentence_before(pipe):
    text = ("Quelques heures après l'annonce par la Commission électorale indépendante (CEI) des résultats, "
            "la tension est montée.\n\nLa CEI a affirmé que le scrutin s'était déroulé « dans la transparence ».\n")
    assert last(pipe, text).speaker_name == "Commission électorale indépendante"
