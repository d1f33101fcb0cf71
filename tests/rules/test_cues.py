"""quotes.rules.cues: the reporting-cue lexicon (data/cues.tsv) and the matcher over a spaCy parse."""

from __future__ import annotations

from importlib import resources

import pytest

from quotes.rules.cues import find_cues, load_lexicon, load_sources
from quotes.pipeline import load_pipeline


@pytest.fixture(scope="session")
def pipe():
    return load_pipeline()


def cues_of(pipe, text):
    return find_cues(pipe.nlp(text), pipe.matcher)


def cue_texts(pipe, text):
    return [c.span.text for c in cues_of(pipe, text)]


def the_cue(pipe, text, word):
    """The one cue whose span contains `word`."""
    found = [c for c in cues_of(pipe, text) if word in c.span.text]
    assert len(found) == 1, f"{word!r} in {[c.span.text for c in cues_of(pipe, text)]}"
    return found[0]


# -- the lexicon ------------------------------------------------------------------------------------


def _tsv_cues() -> list[str]:
    rows = resources.files("quotes.rules").joinpath("data/cues.tsv").read_text("utf-8").splitlines()
    return [r.split("\t")[0].strip() for r in rows if r.strip() and not r.startswith("#") and not r.startswith("cue\t")]


def test_lexicon_has_at_least_150_distinct_cues():
    cues = set(_tsv_cues())
    assert len(cues) >= 150
    assert len(load_lexicon()[1]) == len(cues)


def test_lexicon_has_multiword_expressions():
    cues = set(_tsv_cues())
    for mwe in ("mettre en garde", "faire savoir", "faire valoir"):
        assert mwe in cues
    assert sum(1 for c in cues if " " in c) >= 5


def test_source_phrases_include_the_prepositions():
    sources = set(load_sources())
    assert {"selon", "d'après", "pour", "aux yeux de"} <= sources


# -- inflection: tense, mood, voice ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence,cue",
    [
        ("Le ministre déclare que la situation est grave.", "déclare"),
        ("Le ministre déclarait que la situation était grave.", "déclarait"),
        ("Le ministre déclarera que la situation est grave.", "déclarera"),
        ("Le ministre déclarerait que la situation est grave.", "déclarerait"),
        ("Le ministre a déclaré que la situation est grave.", "a déclaré"),
        ("Le ministre avait déclaré que la situation était grave.", "avait déclaré"),
        ("Le ministre aurait déclaré que la situation était grave.", "aurait déclaré"),
        ("Le ministre, déclarant que la situation était grave, a quitté la salle.", "déclarant"),
        ("L'état d'urgence a été déclaré dans toute la région frontalière.", "a été déclaré"),
        ("Les ministres ont déclaré que la situation était grave.", "ont déclaré"),
        ("La porte-parole a indiqué que la réunion aurait lieu jeudi.", "a indiqué"),
        ("Le président avait pourtant promis que les troupes rentreraient.", "avait pourtant promis"),
        ("Il a aussi semblé se réjouir de la reprise du dialogue.", "a aussi semblé se réjouir"),
        ("Le ministre venait d'appeler Moscou à la retenue.", "venait d'appeler"),
        ("Le diplomate a reconnu que les pourparlers piétinaient.", "a reconnu"),
        ("Washington a averti Moscou qu'une invasion aurait un coût élevé.", "a averti"),
    ],
)
def test_inflected_forms_and_verb_groups(pipe, sentence, cue):
    c = the_cue(pipe, sentence, cue.split()[-1])
    assert c.span.text == cue
    assert c.kind == "verb"


@pytest.mark.parametrize(
    "sentence,cue,pronoun",
    [
        ("« La réunion aura lieu jeudi », a-t-elle précisé.", "a-t-elle précisé", "elle"),
        ("« La réunion aura lieu jeudi », a-t-il dit.", "a-t-il dit", "il"),
        ("La situation reste très tendue à la frontière, estime-t-il.", "estime-t-il", "il"),
        ("« Les pourparlers avancent lentement », dit-elle.", "dit-elle", "elle"),
        ("« Rien n'est encore décidé », avait-il prévenu.", "avait-il prévenu", "il"),
    ],
)
def test_inversions_keep_the_pronoun_in_the_cue(pipe, sentence, cue, pronoun):
    c = the_cue(pipe, sentence, cue.split("-")[0])
    assert c.span.text == cue
    assert c.inverted_subject is not None
    assert c.inverted_subject.text.lstrip("-") == pronoun


@pytest.mark.parametrize(
    "sentence,cue",
    [
        ("Le Kremlin a mis en garde contre toute provocation à ses frontières.", "a mis en garde"),
        ("Le Kremlin a fait savoir qu'il ne céderait pas aux pressions.", "a fait savoir"),
        ("Le Kremlin a fait valoir que les sanctions étaient illégales.", "a fait valoir"),
    ],
)
def test_multiword_cues(pipe, sentence, cue):
    c = the_cue(pipe, sentence, cue.split()[1])
    assert c.span.text == cue


def test_multiword_cue_needs_its_fixed_words(pipe):
    # "a fait" alone (no savoir/valoir) is not a cue.
    assert cue_texts(pipe, "L'armée a fait trois prisonniers lors de l'opération de mardi.") == []


def test_chained_cue_verb(pipe):
    c = the_cue(pipe, "Le ministre a dit espérer une solution rapide au conflit.", "dit")
    assert c.span.text == "a dit espérer"
    assert [e.cue for e in c.chained] == ["espérer"]
    # "espérer" inside the group is not a second cue.
    assert cue_texts(pipe, "Le ministre a dit espérer une solution rapide au conflit.") == ["a dit espérer"]


def test_reflexive_cue_keeps_its_pronoun(pipe):
    c = the_cue(pipe, "La ministre s'est félicitée de la reprise des discussions.", "félicitée")
    assert c.span.text == "s'est félicitée"


@pytest.mark.parametrize(
    "sentence",
    ["Elle s'est dite prête à négocier sans conditions.", "Ils se sont dits prêts à négocier sans conditions."],
)
def test_se_dire_agrees_in_gender_and_number(pipe, sentence):
    assert any(c.head.lower_ in ("dite", "dits") for c in cues_of(pipe, sentence))


# -- source phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence,phrase",
    [
        ("Selon le Kremlin, les discussions se poursuivent normalement.", "Selon"),
        ("Les discussions se poursuivent normalement, selon le Kremlin.", "selon"),
        ("D'après Moscou, les exercices militaires prendront fin le 20 février.", "D'après"),
        ("Aux yeux de Washington, la Russie cherche surtout à gagner du temps.", "Aux yeux de"),
        ("Pour Moscou, l'élargissement de l'Otan constitue une menace directe.", "Pour"),
        ("Pour le chef de la diplomatie allemande, une solution négociée reste possible.", "Pour"),
    ],
)
def test_source_phrases(pipe, sentence, phrase):
    sources = [c for c in cues_of(pipe, sentence) if c.kind == "source"]
    assert [c.span.text for c in sources] == [phrase]


@pytest.mark.parametrize(
    "sentence",
    [
        "Il milite pour la paix depuis plus de trente ans dans sa région natale.",
        "Les manifestants se sont rassemblés pour la paix devant l'ambassade, dimanche.",
        "Le sommet a été reporté pour des raisons de sécurité.",
    ],
)
def test_pour_is_not_a_source_inside_a_clause(pipe, sentence):
    assert [c for c in cues_of(pipe, sentence) if c.kind == "source"] == []


# -- noun uses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "La note diplomatique a été remise à l'ambassadeur mardi soir.",
        "Il a gagné l'estime de ses collègues au fil des années.",
        "Une déclaration commune sera publiée à l'issue du sommet.",
    ],
)
def test_noun_uses_are_not_cues(pipe, sentence):
    assert cue_texts(pipe, sentence) == []
