"""quotes.rules.lexicons: one home per word list, read by every stage."""

from __future__ import annotations

import re
from pathlib import Path

from quotes.rules.lexicons import fold, time_words, words

RULES = Path(__file__).resolve().parents[2] / "quotes" / "rules"


def test_time_words_split_adverbs_from_phrase_parts():
    adverbs, all_ = time_words(), time_words(phrases=True)
    assert {"mardi", "hier", "aussi", "d’abord"} <= adverbs
    # "cette source", "ce dernier": never skipped before a subject
    assert not {"cette", "dernier"} & adverbs and {"cette", "dernier"} <= all_
    assert adverbs < all_


def test_no_stage_keeps_a_private_time_word_set():
    for path in RULES.glob("*.py"):
        src = path.read_text("utf-8")
        assert not re.search(r'\{\s*"lundi",\s*"mardi"', src), f"{path.name} has its own list of days"


def test_org_nouns_cover_the_heads_stats_counts_and_names():
    orgs = words("org_nouns.txt")
    assert {"gouvernement", "ministère", "kremlin", "syndicat", "hamas"} <= orgs
    assert "moscou" in words("places.txt") and "moscou" not in orgs


def test_fold():
    assert fold("L’Élysée") == "l'elysee"
