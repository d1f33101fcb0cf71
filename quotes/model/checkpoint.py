"""A fine-tuned model folder: what is saved, and loading it back on its own base, offline.

    config.json          quotes' own: base model, LoRA settings, labels, temperatures, training facts
    adapter.safetensors  the LoRA weights (peft)
    heads.safetensors    the flag vectors and the two heads
    README.md            the model card, written by `python -m quotes.train`

The base is never copied in: the offline one is rebuilt by the set-up, a named one must be local.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..document import QuotesError
from .convert import BASE_NAME, DEFAULT_BASE_DIR
from .folders import replace_folder
from .features import N_FEATURES, STANCE_LABELS

log = logging.getLogger("quotes.model")

FORMAT = "quotes-model-1"
FILES = ("config.json", "adapter.safetensors", "heads.safetensors")
SHIPPED_NAME = "quotes-fr-e5-small"
# the model the repository ships, trained by the command in its model card
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "models" / SHIPPED_NAME
OFFLINE = "offline"


def base_entry(spec: str | None, path: str, description: str, encoder) -> dict:
    """How config.json names the base: the built offline base by its name, anything else as given."""
    offline = Path(path).resolve() == DEFAULT_BASE_DIR.resolve() if os.path.isdir(path) else False
    cfg = encoder.config
    return {"kind": OFFLINE if offline else "named", "name": BASE_NAME if offline else (spec or path),
            "description": description, "model_type": cfg.model_type, "hidden_size": cfg.hidden_size,
            "vocab_size": cfg.vocab_size, "num_hidden_layers": cfg.num_hidden_layers}


def _resolve(base: dict) -> tuple[str, str]:
    from .base import offline_base, resolve_base

    return offline_base() if base.get("kind") == OFFLINE else resolve_base(base["name"])


def save(folder: Path, model, peft_model, config: dict, card: str | None = None) -> Path:
    """Write the folder atomically: a half-written model must never be picked up."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    folder = Path(folder)
    with replace_folder(folder, "the model") as staged:
        tmp = staged.path
        adapter = {k: v.detach().to("cpu").contiguous() for k, v in get_peft_model_state_dict(peft_model).items()}
        save_file(adapter, str(tmp / "adapter.safetensors"), metadata={"format": "pt"})
        heads = {k: v.detach().to("cpu").contiguous() for k, v in model.heads_state_dict().items()}
        save_file(heads, str(tmp / "heads.safetensors"), metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if card is not None:
            (tmp / "README.md").write_text(card, encoding="utf-8")
    return folder


def read_config(folder: Path) -> dict:
    folder = Path(folder)
    if not folder.is_dir():
        raise QuotesError(f"model {folder}: no such folder (train one with python -m quotes.train, "
                          "or annotate with --rules-only)")
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise QuotesError(f"model {folder}: not a quotes model folder (missing {', '.join(missing)})")
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise QuotesError(f"model {folder}: unreadable config.json ({e})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise QuotesError(f"model {folder}: config.json is not a {FORMAT} model")
    return config


@dataclass
class Loaded:
    model: object  # QuoteModel, LoRA merged, eval mode
    tokenizer: object
    config: dict
    folder: Path

    @property
    def version(self) -> str:
        return f"model:{self.folder.name}@{self.config.get('trained', {}).get('date', '?')}/{self.config['base']['name']}"


def load(folder: Path) -> Loaded:
    """The model folder on its base, LoRA merged into the weights; QuotesError on anything that does not fit."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    from .base import load_encoder, load_tokenizer
    from .network import QuoteModel, lora_config, with_lora

    folder = Path(folder)
    config = read_config(folder)
    path, description = _resolve(config["base"])
    tokenizer = load_tokenizer(path)
    # a model trained on the base's first N layers loads only those
    encoder = load_encoder(path, tokenizer=tokenizer, num_hidden_layers=config["base"]["num_hidden_layers"])
    want = config["base"]
    got = encoder.config
    if (got.hidden_size, got.vocab_size, got.num_hidden_layers) != (want["hidden_size"], want["vocab_size"],
                                                                   want["num_hidden_layers"]):
        raise QuotesError(f"model {folder}: trained on a base with hidden size {want['hidden_size']}, "
                          f"{want['vocab_size']} tokens, {want['num_hidden_layers']} layers; {path} differs")
    lora = config["lora"]
    peft_model = with_lora(encoder, lora_config(got.model_type, lora["r"], lora["alpha"], lora["dropout"]))
    try:
        result = set_peft_model_state_dict(peft_model, load_file(str(folder / "adapter.safetensors")))
        heads = load_file(str(folder / "heads.safetensors"))
    except Exception as e:  # safetensors raises its own error types on a damaged file
        raise QuotesError(f"model {folder}: cannot read its weights ({type(e).__name__}: {e})") from None
    unexpected = getattr(result, "unexpected_keys", None)
    if unexpected:
        raise QuotesError(f"model {folder}: adapter weights do not fit the base ({unexpected[0]} ...)")
    encoder = peft_model.merge_and_unload()
    model = QuoteModel(encoder, got.hidden_size, config.get("n_features", N_FEATURES), len(STANCE_LABELS))
    missing, unexpected = model.load_state_dict(heads, strict=False)
    missing = [k for k in missing if not k.startswith("encoder.")]
    if missing or unexpected:
        raise QuotesError(f"model {folder}: head weights do not fit ({(missing or unexpected)[0]} ...)")
    model.eval()
    log.info("model %s on %s", folder, description)
    return Loaded(model, tokenizer, config, folder)
