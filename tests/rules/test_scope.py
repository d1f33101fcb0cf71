"""quotes.scope: where the article is in a scraped page (article_regions)."""

from __future__ import annotations

import pytest

from quotes.rules.scope import article_regions, in_regions, line_weight

TITLE = "Ukraine : Moscou et Kiev reprennent langue sous l'égide de la Turquie"
STANDFIRST = "Les délégations se retrouvent jeudi à Istanbul pour une première séance de travail depuis six mois."
BODY_1 = (
    "Le ministre turc des Affaires étrangères a annoncé mercredi que les deux délégations seraient reçues "
    "jeudi matin dans un palais de la rive européenne d'Istanbul, pour une séance de travail consacrée "
    "aux échanges de prisonniers."
)
BODY_2 = (
    "« Nous voulons que ce dialogue devienne régulier et que chacun y trouve son compte », a déclaré le "
    "ministre lors d'une conférence de presse à Ankara, sans préciser la durée des discussions."
)
INTERLEAVED = "À lire aussi : « Nous ne reculerons pas », prévient le chef de l'armée de terre"
BODY_3 = (
    "Du côté russe, le porte-parole du Kremlin a jugé que cette rencontre constituait « un pas dans la "
    "bonne direction », tout en se gardant de toute prévision sur un éventuel cessez-le-feu."
)
BODY_4 = (
    "La délégation ukrainienne sera conduite par le secrétaire du Conseil de sécurité, qui doit rentrer "
    "à Kiev dès vendredi soir pour rendre compte au président de l'avancée des échanges."
)
TEASER_HEAD = "À lire aussi"
TEASER_1 = "Pékin promet « une réponse ferme » après les manœuvres américaines près de Taïwan"
TEASER_2 = "Le Parlement européen adopte un nouveau paquet d'aide militaire..."
COMMENTS_HEAD = "3 commentaires"
COMMENT_1 = (
    "« Encore une réunion pour rien », comme d'habitude, on nous promet la paix et rien ne change "
    "jamais dans cette guerre."
)
COMMENT_2 = (
    "Il faut dire « assez » à ces discussions interminables qui ne servent qu'à gagner du temps pour les "
    "uns et les autres."
)

PAGE = "\n".join([
    "Accueil",
    "Menu",
    "International",
    "Politique",
    "Nous utilisons des cookies pour améliorer votre expérience. Tout accepter",
    "Partager Facebook Twitter",
    TITLE,
    STANDFIRST,
    "Publié le 12 mars 2024 à 10h15",
    BODY_1,
    BODY_2,
    INTERLEAVED,
    BODY_3,
    BODY_4,
    TEASER_HEAD,
    TEASER_1,
    TEASER_2,
    COMMENTS_HEAD,
    "Jean-Pierre D.",
    COMMENT_1,
    "Marie L.",
    COMMENT_2,
    "Mentions légales",
    "© 2024 Le Journal",
    "",
])


def span_of(page: str, part: str) -> tuple[int, int]:
    s = page.index(part)
    return s, s + len(part)


@pytest.fixture(scope="module")
def regions():
    return article_regions(PAGE)


@pytest.mark.parametrize("part", [TITLE, STANDFIRST, BODY_1, BODY_2, BODY_3, BODY_4],
                         ids=["title", "standfirst", "body1", "body2", "body3", "body4"])
def test_article_parts_are_in_scope(regions, part):
    assert in_regions(regions, *span_of(PAGE, part))


@pytest.mark.parametrize(
    "part",
    ["Accueil", "Nous utilisons des cookies", "Partager Facebook Twitter", INTERLEAVED, TEASER_1, TEASER_2,
     COMMENTS_HEAD, COMMENT_1, COMMENT_2, "Mentions légales", "© 2024 Le Journal"],
    ids=["menu", "cookies", "share", "interleaved-teaser", "teaser1", "teaser2", "comments-head", "comment1",
         "comment2", "footer", "copyright"],
)
def test_page_furniture_is_out_of_scope(regions, part):
    s, e = span_of(PAGE, part)
    assert not any(rs < e and s < re_ for rs, re_ in regions), part


def test_interleaved_teaser_splits_the_body_but_the_body_goes_on(regions):
    s, e = span_of(PAGE, INTERLEAVED)
    before = [r for r in regions if r[1] <= s]
    after = [r for r in regions if r[0] >= e]
    assert before and after
    assert in_regions(after, *span_of(PAGE, BODY_3))
    assert in_regions(after, *span_of(PAGE, BODY_4))


def test_regions_are_ordered_and_trimmed(regions):
    assert regions == sorted(regions)
    for s, e in regions:
        assert PAGE[s:e].strip()
        assert 0 <= s < e <= len(PAGE)


def test_plain_prose_without_furniture_is_all_in_scope():
    text = BODY_1 + "\n\n" + BODY_2
    regions = article_regions(text)
    assert in_regions(regions, 0, len(BODY_1))
    assert in_regions(regions, *span_of(text, BODY_2))


def test_empty_text_has_no_region():
    assert article_regions("") == []
    assert article_regions("\n\n  \n") == []


def test_line_weights():
    assert line_weight(BODY_1) > 0
    assert line_weight("Accueil") < 0
    assert line_weight("Partager Facebook Twitter") < 0
    assert line_weight("3 commentaires") < 0
    assert line_weight(INTERLEAVED) < 0
    assert line_weight(TEASER_2) < 0


# -- a short article under a long comment thread ----------------------------------------------------

BRIEF = [
    "Sommet de Genève : Washington et Moscou se donnent une semaine",
    "Le secrétaire d'Etat américain et son homologue russe se sont quittés vendredi sans accord, mais avec "
    "la promesse de se reparler rapidement.",
    "« Nous n'attendions pas de percée aujourd'hui », a reconnu le chef de la diplomatie américaine, qui a "
    "promis une réponse écrite aux propositions russes la semaine prochaine.",
]
THREAD = [
    ("Paul83", "Franchement je ne comprends pas comment on peut encore croire à ces discussions, cela fait des "
               "mois que les mêmes responsables répètent « nous voulons la paix » et rien ne bouge sur le terrain."),
    ("Claire M.", "Il faudrait surtout écouter les gens qui vivent là-bas au lieu de ces diplomates qui se "
                  "serrent la main devant les caméras avant de repartir chacun de leur côté sans rien régler."),
    ("Observateur", "Une semaine de plus pour rien, on connaît la chanson depuis le début de cette crise et "
                    "chaque camp accuse l'autre de bloquer pendant que les troupes continuent de se masser."),
    ("Jean-Marc", "Ce qui est certain, c'est que ni l'un ni l'autre ne veut perdre la face, alors ils font "
                  "semblant de discuter en attendant de voir qui craquera le premier dans les semaines à venir."),
    ("Sophie_L", "On nous parle de « réponse écrite » comme si c'était une avancée historique, alors qu'il "
                 "s'agit simplement de faire traîner les choses encore un peu plus longtemps, comme toujours."),
    ("Bernard", "Il y a vingt ans déjà on entendait exactement les mêmes discours sur la sécurité en Europe, "
                "et on voit où cela nous a menés : des promesses, des sommets et toujours plus de tensions."),
]
def thread_page(reply_buttons: bool) -> str:
    comments = [line for who, said in THREAD for line in ((who, said, "Répondre") if reply_buttons else (who, said))]
    return "\n".join(["Accueil", "International"] + BRIEF + ["6 commentaires"] + comments + ["Mentions légales", ""])


def assert_article_not_comments(page: str) -> None:
    regions = article_regions(page)
    for part in BRIEF:
        assert in_regions(regions, *span_of(page, part)), part
    for _, said in THREAD:
        s, e = span_of(page, said)
        assert not any(rs < e and s < re_ for rs, re_ in regions), said


def test_long_comment_thread_with_reply_buttons_is_out_of_scope():
    assert_article_not_comments(thread_page(reply_buttons=True))


def test_long_comment_thread_does_not_replace_the_article():
    assert_article_not_comments(thread_page(reply_buttons=False))


def test_a_box_of_links_inside_the_article_is_cut_out_and_the_article_goes_on():
    text = "\n\n".join([TITLE, BODY_1, BODY_2, TEASER_HEAD, "- " + TEASER_1,
                       "- Tarifs : Ottawa répond à Washington par « des mesures ciblées »", BODY_3, BODY_4])
    regions = article_regions(text)
    for body in (BODY_1, BODY_2, BODY_3, BODY_4):
        s = text.index(body)
        assert in_regions(regions, s, s + len(body)), body[:30]
    s = text.index(TEASER_1)
    assert not in_regions(regions, s, s + len(TEASER_1))


def test_a_comment_thread_after_a_box_of_links_is_not_the_article():
    comments = ["Vos réactions (3)", "Lucien_33 : « Que les chefs se parlent », c'est exactement ce qu'il faut faire "
                "maintenant, au lieu de bloquer les routes et de laisser les commerçants payer la note."]
    text = "\n\n".join([TITLE, BODY_1, BODY_2, BODY_3, TEASER_HEAD, "- " + TEASER_1] + comments)
    regions = article_regions(text)
    s = text.index("Lucien_33")
    assert not in_regions(regions, s, s + 20)


def test_a_paragraph_opening_on_reportage_is_prose_and_a_credit_line_is_not():
    assert line_weight("Reportage de nos équipes à Abobo, où la plupart des commerces ont baissé le rideau. "
                       "« On a fermé à midi, par précaution », explique une vendeuse.") > 0
    assert line_weight("(Reportage Aidan Lewis et Nafisa Eltahir; version française Jean Terzian, édité par "
                       "Sophie Louet)") < 0


def test_consent_banners_are_noise_but_prose_ending_on_refuser_is_not():
    assert line_weight("Votre consentement : nos 142 partenaires stockent des informations sur votre appareil, "
                       "dont des cookies et des traceurs publicitaires. [Accepter] [Refuser] [En savoir plus]") < 0
    assert line_weight("Chaque frappe fournit au mouvement de nouvelles recrues et au gouvernement un prétexte "
                       "pour refuser toute coopération.") > 0


def test_the_title_above_a_share_bar_and_a_resume_heading_is_in_scope():
    page = "\n\n".join([
        "TV INFO MONDE   Direct   Replay   Info   Météo",
        "EN DIRECT - Missile : Séoul dénonce une « provocation grave », Pékin appelle au calme",
        "Publié le 07/12/2026 à 06h12",
        "Partager : Facebook · X · WhatsApp · Copier le lien",
        "Résumé",
        BODY_1, BODY_2, BODY_3, BODY_4,
    ])
    regions = article_regions(page)
    title = page.index("EN DIRECT")
    assert in_regions(regions, title, title + 20)
    assert not in_regions(regions, page.index("Partager"), page.index("Partager") + 8)
