"""quotes.stance: the lexicon baseline (score) and the stance the pipeline puts on quotes."""

from __future__ import annotations

import math

import pytest

from quotes.document import STANCES, Document
from quotes.pipeline import load_pipeline
from quotes.rules.stance import score


@pytest.fixture(scope="session")
def pipe():
    return load_pipeline()


@pytest.mark.parametrize(
    "quote,cue",
    [
        ("Si Kiev franchit cette ligne rouge, nous riposterons par la force et de nouvelles sanctions suivront",
         "a menacé"),
        ("Toute agression entraînera des sanctions massives et une riposte militaire immédiate", "a averti"),
        ("Nous lançons un ultimatum à Moscou : retirez vos troupes d'ici vendredi", None),
        ("Nous imposerons des sanctions sévères et immédiates à tous les responsables", None),
        ("Moscou a quarante-huit heures pour retirer ses troupes, sinon nous imposerons des sanctions", None),
    ],
    ids=["threat", "warning", "ultimatum", "sanctions", "deadline"],
)
def test_clear_escalation(quote, cue):
    assert score(quote, cue).label == "escalation"


@pytest.mark.parametrize(
    "quote,cue",
    [
        ("Nous appelons toutes les parties au dialogue et à la désescalade", None),
        ("Nous sommes prêts à négocier et à trouver une solution diplomatique", None),
        ("Il faut reprendre les négociations au plus vite pour parvenir à un règlement pacifique", "a plaidé"),
        ("La désescalade est la seule voie possible", None),
        ("Nous sommes prêts au dialogue", None),
    ],
    ids=["dialogue", "negotiation", "settlement", "de-escalation", "readiness"],
)
def test_clear_diplomacy(quote, cue):
    assert score(quote, cue).label == "diplomacy"


@pytest.mark.parametrize(
    "quote,cue",
    [
        ("La prochaine réunion aura lieu jeudi à Genève", None),
        ("Les délégations se retrouveront mardi à 14 heures au palais des Nations", "a précisé"),
        ("On verra la semaine prochaine", None),
    ],
    ids=["meeting", "schedule", "on-verra"],
)
def test_neutral_schedule(quote, cue):
    assert score(quote, cue).label == "neutral"


@pytest.mark.parametrize(
    "quote",
    [
        "Nous ne voulons pas de guerre",
        "Nous ne voulons pas la guerre avec nos voisins",
        "Il n'y aura pas de sanctions supplémentaires",
    ],
)
def test_negated_escalation_is_diplomacy(quote):
    assert score(quote).label == "diplomacy"


@pytest.mark.parametrize("quote", ["La Russie n'envahira pas l'Ukraine", "Nous n'attaquerons personne"])
def test_elided_negation_is_diplomacy(quote):
    assert score(quote).label == "diplomacy"


def test_scores_are_a_probability_distribution():
    for quote in ("Nous imposerons des sanctions sévères", "La réunion aura lieu jeudi", "Nous voulons le dialogue"):
        r = score(quote)
        assert set(r.scores) == set(STANCES)
        assert math.isclose(sum(r.scores.values()), 1.0, rel_tol=1e-6)
        assert all(0.0 < p < 1.0 for p in r.scores.values())
        assert r.label == max(r.scores, key=r.scores.get)
        assert r.confidence == r.scores[r.label]


def test_confidence_is_higher_for_strong_one_sided_evidence_than_for_none():
    strong = score("Toute agression entraînera des sanctions massives, une riposte militaire et la guerre",
                   "a menacé")
    none = score("La réunion aura lieu jeudi à Genève")
    assert strong.label == "escalation" and none.label == "neutral"
    assert strong.confidence > none.confidence + 0.2
    assert none.evidence == ()
    assert strong.evidence


def test_confidence_grows_with_evidence():
    one = score("Nous voulons le dialogue")
    two = score("Nous voulons le dialogue, la négociation et la désescalade")
    assert one.label == two.label == "diplomacy"
    assert two.confidence > one.confidence


def test_cue_prior_leans_the_label():
    plain = score("Les conséquences seront lourdes pour Moscou")
    threatened = score("Les conséquences seront lourdes pour Moscou", "a menacé")
    called = score("Les conséquences seront lourdes pour Moscou", "a appelé")
    assert threatened.scores["escalation"] > plain.scores["escalation"]
    assert called.scores["diplomacy"] > plain.scores["diplomacy"]


# -- through the pipeline -----------------------------------------------------------------------------


def test_pipeline_puts_stance_and_its_confidence_on_quotes(pipe):
    text = (
        "« Toute nouvelle agression entraînera des sanctions massives et une riposte militaire », a menacé le "
        "président américain lors d'une allocution télévisée.\n\n"
        "La prochaine réunion aura lieu jeudi à Genève, a précisé la porte-parole de la Maison Blanche."
    )
    qs = pipe.annotate(Document("t", text)).quotes
    assert [q.stance for q in qs] == ["escalation", "neutral"]
    confs = [q.confidence["stance"] for q in qs]
    assert all(0.0 < c <= 1.0 for c in confs)
    assert confs[0] > confs[1]


def test_pipeline_diplomacy_quote(pipe):
    text = ("Le secrétaire général a appelé les deux parties à reprendre le dialogue et à s'engager dans une "
            "désescalade immédiate.")
    qs = pipe.annotate(Document("t", text)).quotes
    assert len(qs) == 1
    assert qs[0].stance == "diplomacy"
