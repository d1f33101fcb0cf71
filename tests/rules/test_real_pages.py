"""Constructions of real scraped pages (issue 10): each test sentence is written here, not taken
from a page. Through Pipeline.annotate with the rules alone, like tests/rules/test_extract.py."""

from __future__ import annotations

import pytest

from quotes.document import Document
from quotes.pipeline import load_pipeline


@pytest.fixture(scope="module")
def pipe():
    return load_pipeline()


def quotes_of(pipe, text):
    doc = pipe.annotate(Document("t", text))
    for q in doc.quotes:
        assert text[q.start:q.end] == q.text
    return doc.quotes


def find(qs, words):
    hits = [q for q in qs if words in q.text]
    assert len(hits) == 1, [(q.type, q.text) for q in qs]
    return hits[0]


def test_reporting_verb_inside_the_marks_is_a_direct_quote_of_the_subject(pipe):
    q = find(quotes_of(pipe, "L'Espagne « salue la reprise du dialogue entre les deux capitales ».\n"), "salue")
    assert (q.type, q.text, q.cue) == ("direct", "salue la reprise du dialogue entre les deux capitales", None)
    assert q.speaker.text == "L'Espagne"


def test_a_name_of_an_operation_in_marks_is_still_no_quote(pipe):
    assert quotes_of(pipe, "L'opération « Bouclier du désert » se poursuit dans le sud du pays.\n") == []


def test_lost_closing_mark_ends_before_the_incise(pipe):
    text = ("« Nous irons jusqu'au bout de cette procédure, a lancé le porte-parole Youssef Amrani. "
            "Le tribunal tranchera.\n\nLes avocats ont quitté la salle.\n")
    q = find(quotes_of(pipe, text), "Nous irons")
    assert (q.type, q.text) == ("direct", "Nous irons jusqu'au bout de cette procédure")
    assert q.speaker_name == "Youssef Amrani"


def test_closing_mark_without_its_opening_one(pipe):
    text = ("« Nous attendrons la décision du Conseil, a dit la ministre Salma Idrissi. La séance est levée.\n\n"
            "Les députés ont quitté l'hémicycle.\n\n"
            "Nous ne céderons rien sur nos frontières », a prévenu le chef de la diplomatie, Ahmed Ould Cheikh.\n")
    qs = quotes_of(pipe, text)
    assert find(qs, "attendrons").text == "Nous attendrons la décision du Conseil"
    q = find(qs, "céderons")
    assert (q.type, q.text, q.speaker_name) == ("direct", "Nous ne céderons rien sur nos frontières", "Ahmed Ould Cheikh")


def test_incise_inside_closed_multi_paragraph_quote_is_kept(pipe):
    text = ("« Nous voulons la paix, a-t-il déclaré, mais pas à n'importe quel prix.\n\n"
            "Nous attendons des garanties » a conclu le ministre Ivan Horvat.\n")
    qs = quotes_of(pipe, text)
    assert any(q.text.startswith("mais pas à n'importe quel prix") for q in qs), [q.text for q in qs]


def test_infinitive_after_de(pipe):
    text = ("Le ministre de l'Intérieur, Karim Benali, a promis de rouvrir les postes frontaliers avant l'été. "
            "Il avait proposé de créer une commission mixte avec Rabat.\n")
    qs = quotes_of(pipe, text)
    assert find(qs, "rouvrir").text == "rouvrir les postes frontaliers avant l'été"
    assert find(qs, "commission").text == "créer une commission mixte avec Rabat"


def test_se_dire_pret_a(pipe):
    q = find(quotes_of(pipe, "Le chef de l'Etat se dit prêt à rencontrer son homologue sans conditions.\n"), "prêt")
    assert (q.type, q.text) == ("indirect", "prêt à rencontrer son homologue sans conditions")


def test_alors_que_adjunct_is_the_narrator_s(pipe):
    q = find(quotes_of(pipe, "Le gouvernement a affirmé mardi que la frontière resterait fermée, "
                             "alors que les négociations piétinent à Genève.\n"), "frontière")
    assert q.text == "la frontière resterait fermée"


@pytest.mark.parametrize("text", [
    "Pour l'heure, aucune date n'a été fixée pour la reprise des pourparlers.\n",
    "Pour autant, la délégation n'a pas quitté la capitale avant jeudi.\n",
    "De son côté, le Premier ministre a tenu un point presse en fin de matinée.\n",
    "Pour la neuvième soirée consécutive, les opposants doivent se rassembler devant le Parlement.\n",
    "Pour la 34e année, les habitants du village se retrouvent devant la mairie.\n",
])
def test_adverbials_and_noun_uses_are_no_quotes(pipe, text):
    assert quotes_of(pipe, text) == []


def test_pour_a_source_is_still_a_source(pipe):
    q = find(quotes_of(pipe, "Pour Moscou, ces manœuvres constituent une provocation inacceptable.\n"), "manœuvres")
    assert q.speaker_name == "Moscou"


def test_son_parti_is_the_organisation_that_spoke_before(pipe):
    text = ("Le Front populaire tunisien a affirmé que le scrutin était « joué d'avance ». "
            "Son parti a ajouté que les élections seraient boycottées.\n")
    q = find(quotes_of(pipe, text), "boycottées")
    assert q.speaker_name == "Front populaire tunisien"


def test_dateline_and_photo_credit_are_never_speakers(pipe):
    text = ("TUNIS/ Le président a assuré que le référendum aurait lieu en juillet.\n\n"
            "« Le calme est revenu dans la capitale après trois jours de heurts. »\n— Marc Delorme/AFP\n")
    names = [q.speaker_name or "" for q in quotes_of(pipe, text)]
    assert names and not any("TUNIS" in n or "Delorme" in n for n in names), names


def test_refuser_de_is_an_action_not_a_report(pipe):
    assert quotes_of(pipe, "L'opposition refuse depuis mars de siéger au Conseil national de transition.\n") == []


def test_subject_with_a_relative_clause_is_not_content(pipe):
    text = ("Dakar, qui entretient de bonnes relations avec les deux camps, a appelé les deux organisations "
            "à se parler franchement.\n")
    qs = quotes_of(pipe, text)
    assert [q.text for q in qs] == ["se parler franchement"]  # the object of appeler X à stays out
    assert qs[0].speaker_name == "Dakar"


def test_avant_after_a_comma_is_no_participle(pipe):
    text = "Le médiateur avait proposé de réunir à Lomé, avant la fin du mois, les chefs de la diplomatie des deux blocs.\n"
    q = find(quotes_of(pipe, text), "réunir")
    assert q.text == "réunir à Lomé, avant la fin du mois, les chefs de la diplomatie des deux blocs"


def test_pour_with_a_hyphenated_name_is_a_source(pipe):
    text = "Pour l'analyste Aïchatou Boubacar-Maïga, un accord sur le pétrole arrangera tout le monde.\n"
    q = find(quotes_of(pipe, text), "accord")
    assert q.speaker_name == "Aïchatou Boubacar-Maïga"


PAGE = """SAHEL INFOS
Accueil | Politique | Sécurité | Économie

Frontière : Nouakchott affirme que deux bergers ont été tués par des soldats venus du Mali

Mis à jour le 04/04/2024 à 20:05

Frontière : Nouakchott affirme que deux bergers ont été tués par des soldats venus du Mali

NOUAKCHOTT, 4 avril (AMI) - Deux éleveurs ont été tués mardi près de la frontière, à une quinzaine de kilomètres à l'intérieur du territoire national, selon les autorités régionales qui ont ouvert une enquête.
Le ministre de la Défense a affirmé mercredi que l'armée renforcerait ses patrouilles dans toute la zone frontalière dès la semaine prochaine, sans donner de chiffre.
« Nous ne laisserons aucune violation de notre territoire impunie », a déclaré le porte-parole du gouvernement, Ahmed Ould Sidi, lors d'un point de presse à Nouakchott.
Les familles des victimes réclament justice et demandent que les responsables soient jugés rapidement par un tribunal.
"""


def test_title_above_a_date_line_is_in_scope_and_its_repeat_is_not(pipe):
    qs = quotes_of(pipe, PAGE)
    titles = [q for q in qs if "bergers" in q.text]
    assert len(titles) == 1 and titles[0].start == PAGE.index("deux bergers")
    assert titles[0].speaker_name == "Nouakchott"


def test_alors_que_clause_still_attributed_to_the_speaker_stays_in(pipe):
    text = ("Le ministre a estimé que c'était à Moscou de faire un geste, alors que Kiev ne représente "
            "selon lui aucune menace pour la Russie.\n")
    q = find(quotes_of(pipe, text), "geste")
    assert q.text.endswith("aucune menace pour la Russie")


def test_a_title_source_before_a_marked_verb_phrase(pipe):
    text = ("Oléoduc : Niamey « ne transigera pas » sur la sécurité de sa frontière\n\n"
            "Le ministre nigérien du Pétrole a affirmé que les chargements pourraient être suspendus.\n")
    q = find(quotes_of(pipe, text), "transigera")
    assert (q.type, q.text, q.speaker_name) == ("direct", "ne transigera pas", "Niamey")


def test_a_body_sentence_with_a_marked_verb_phrase_needs_a_reporting_verb(pipe):
    text = "Le convoi « roulait trop vite » sur la piste, selon les premiers éléments de l'enquête.\n"
    assert all(q.text != "roulait trop vite" for q in quotes_of(pipe, text))


def test_a_live_blog_title_above_its_summary_box_is_in_the_article(pipe):
    text = ("EN DIRECT\n\n"
            "Géorgie : Bruxelles appelle le pouvoir à « renoncer à la force » face aux manifestants\n\n"
            "Publié le 7 décembre 2026 à 08h02\nLive animé par Jeanne Martin\n\n"
            "L'essentiel\n"
            "• Le Premier ministre affirme qu'« aucune révolution ne passera ».\n"
            "• Les ministres de l'UE doivent évoquer la crise lundi.\n\n"
            "18h47\n"
            "Le ministère de l'Intérieur a annoncé l'interpellation de trente manifestants devant le Parlement. "
            "La police a fait usage de canons à eau pendant plus d'une heure, selon des témoins sur place. "
            "Les opposants ont promis de revenir chaque soir jusqu'à la tenue de nouvelles élections.\n")
    got = quotes_of(pipe, text)
    assert any(q.text.startswith("« renoncer à la force »") and q.speaker_name == "Bruxelles" for q in got)
    assert not any("révolution" in q.text for q in got)  # summary bullets stay out


def test_a_pronoun_right_after_an_anonymous_source_continues_it(pipe):
    text = ("Le ministre irakien Aws al-Janabi a affirmé que les réserves du pays étaient au plus bas.\n\n"
            "Joint par la radio, un conseiller du ministère turc de l'Agriculture a jugé que ces critiques étaient "
            "« injustes et mal informées ». « Nous avons partagé l'eau même les années sèches », a-t-il ajouté.\n")
    q = find(quotes_of(pipe, text), "partagé")
    assert q.speaker_name == "un conseiller du ministère turc de l'Agriculture"


@pytest.mark.parametrize("text", [
    "Interrogé sur les sanctions, le ministre de l'Économie n'a répondu que par un silence.\n",
    "La délégation, elle, n'a répondu que par un communiqué de trois lignes.\n",
])
def test_restrictive_ne_que_introduces_no_content(pipe, text):
    assert quotes_of(pipe, text) == []


def test_an_apposition_after_the_cue_of_an_unclosed_quote_is_no_quote(pipe):
    text = ("« On a déjà vu trois trêves ici, et personne ne dort tranquille, raconte Marlene Ortiz, "
            "institutrice du village.\n\nLe soir, la place reste vide.\n")
    got = quotes_of(pipe, text)
    assert [q.text for q in got] == ["On a déjà vu trois trêves ici, et personne ne dort tranquille"]


def test_a_title_printed_twice_is_annotated_at_its_first_copy(pipe):
    title = "Ormuz : Téhéran affirme que le pétrolier saisi transportait du carburant « de contrebande »"
    text = (f"Dépêches > Golfe\n\n{title}\n\nPublié le 09/11/2026 à 11:05\nPartager : Facebook | X | Courriel\n\n"
            f"{title}\n\nDUBAÏ, 9 novembre 2026 (AFP) - La marine iranienne a annoncé lundi avoir arraisonné un "
            "pétrolier dans le détroit. Les autorités portuaires ont confirmé la saisie dans la soirée, selon "
            "plusieurs médias locaux. L'armateur a démenti toute activité illégale de son navire.\n")
    hits = [q for q in quotes_of(pipe, text) if "contrebande" in q.text]
    assert len(hits) == 1 and hits[0].start < text.index("Publié")


def test_a_summary_box_with_dashes_stays_out(pipe):
    text = ("EN DIRECT - Colombie : la guérilla se dit prête à un cessez-le-feu « bilatéral » de six mois\n\n"
            "Publié le 23 septembre 2026 à 12h30\n\n"
            "Ce qu'il faut retenir\n- La cheffe de la délégation parle d'« une porte que nous ouvrons ».\n\n"
            "17h02\nLe président doit s'adresser à la nation dans la soirée depuis le palais présidentiel. "
            "Les négociateurs sont rentrés de La Havane dans la matinée, selon la présidence. "
            "La mission de l'ONU a confirmé qu'elle vérifierait la trêve dans les zones rurales.\n")
    got = quotes_of(pipe, text)
    assert any(q.text.startswith("prête à un cessez-le-feu") for q in got)
    assert not any("porte que nous" in q.text for q in got)


def test_a_subject_the_tagger_reads_as_a_noun_still_makes_a_clause(pipe):
    text = "Moussa Diarra dirige le conseil. D'après lui, près de 40 % du fret malien transite encore par Dakar.\n"
    q = find(quotes_of(pipe, text), "fret")
    assert q.speaker_name == "Moussa Diarra"


@pytest.mark.parametrize("text, words, name", [
    ("Le porte-parole de la flotte a dénoncé dans la soirée un « acte de harcèlement ». Cet officier, le "
     "capitaine de frégate Daniel Ostrowski, a confirmé que des drones avaient suivi l'opération.\n",
     "harcèlement", "Daniel Ostrowski"),
    ("Le ministre de la Sécurité a estimé lundi que la résolution constituait « une attaque directe ». "
     "Nermin Hadžić, en poste depuis 2023, a saisi dans la foulée le parquet.\n", "attaque", "Nermin Hadžić"),
])
def test_a_role_whose_holder_is_named_next(pipe, text, words, name):
    assert find(quotes_of(pipe, text), words).speaker_name == name


def test_a_demonym_before_the_name_in_apposition_to_the_source(pipe):
    text = ("Pour l'envoyée spéciale de l'Union africaine, la Burkinabè Aminata Sawadogo-Kaboré, le forum « n'aura "
            "de sens que s'il rassemble tout le monde ».\n")
    assert find(quotes_of(pipe, text), "forum").text == "le forum « n'aura de sens que s'il rassemble tout le monde »"
