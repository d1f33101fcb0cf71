"""`python -m quotes.train`: fine-tune the speaker and stance model on gold JSONL.

    python -m quotes.train --train annotations/train.jsonl [pulled.jsonl ...] --dev annotations/dev.jsonl \\
        --test annotations/test.jsonl --output models/my-model

The rule layer proposes quotes and speaker candidates in every gold document; proposals the
scorer matches to a gold quote become training rows (the gold speaker's candidate, the gold
stance). The base encoder gets LoRA adapters (peft), its word embeddings stay frozen, and the
heads train with them. After each epoch the model annotates the dev set and `quotes.score`
scores it; the best epoch is kept, training stops early when dev stops improving, and the
confidences are temperature-scaled on dev. The output folder gets the weights, config.json with
the calibration, metrics.json and a model card.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .document import QuotesError, run_command

log = logging.getLogger("quotes.train")


@dataclass
class DataArguments:
    train: list[str] = field(metadata={"help": "gold JSONL files to learn from: corpus splits, files pulled from Label Studio"})
    dev: str = field(metadata={"help": "gold JSONL scored after every epoch: picks the best epoch and the calibration"})
    test: str | None = field(default=None, metadata={"help": "gold JSONL scored once at the end, for the model card only"})


@dataclass
class ModelArguments:
    base_model: str | None = field(default=None, metadata={
        "help": "base encoder folder or cached hub name (default: $QUOTES_BASE_MODEL, camembert-base when cached, "
                "else the offline base built by the set-up)"})
    num_layers: int = field(default=0, metadata={
        "help": "keep only the base's first N layers (0: all): fewer layers, faster annotation"})
    window_left: int = field(default=240, metadata={"help": "characters of context before a quote"})
    window_right: int = field(default=120, metadata={"help": "characters of context after a quote"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator"})
    lora_dropout: float = field(default=0.1, metadata={"help": "dropout on the LoRA path"})


@dataclass
class TrainingArguments:
    output: str = field(metadata={"help": "model folder to write (replaced atomically at the end)"})
    epochs: int = field(default=5, metadata={"help": "passes over the training rows at most"})
    max_steps: int = field(default=0, metadata={"help": "stop after this many optimiser steps (0: no limit)"})
    batch_size: int = field(default=16, metadata={"help": "rows per step"})
    learning_rate: float = field(default=5e-4, metadata={"help": "for the LoRA adapters"})
    head_learning_rate: float = field(default=1e-3, metadata={"help": "for the heads and the flag vectors"})
    warmup_ratio: float = field(default=0.06, metadata={"help": "linear warm-up share of the steps"})
    patience: int = field(default=2, metadata={"help": "epochs without dev improvement before stopping"})
    average_last: int = field(default=0, metadata={
        "help": "keep the mean of the trainable weights over the last N epochs run instead of the best epoch "
                "(0: the best epoch on dev); dev's epoch-to-epoch swings make a single best epoch a noisy pick"})
    seed: int = field(default=13, metadata={"help": "seed for initialisation, dropout and shuffling"})
    bf16: bool = field(default=True, metadata={"help": "bf16 autocast on CPU (measured: same figures, faster)"})
    quiet: bool = field(default=False, metadata={"help": "no progress bars"})


def parse(argv: list[str] | None):
    from transformers import HfArgumentParser

    parser = HfArgumentParser((DataArguments, ModelArguments, TrainingArguments), prog="python -m quotes.train",
                              description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    *parsed, rest = parser.parse_args_into_dataclasses(args=argv, return_remaining_strings=True)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")  # one line and exit 2, not a traceback
    return parsed


def _read_gold(paths: list[str]):
    from .document import read_jsonl

    docs, counts = [], []
    for p in paths:
        if not os.path.isfile(p):
            raise QuotesError(f"{p}: no such file")
        d = read_jsonl(p)
        if not d:
            raise QuotesError(f"{p}: no documents")
        docs += d
        counts.append({"file": p, "documents": len(d), "quotes": sum(len(x.quotes) for x in d)})
    return docs, counts


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    data_args, model_args, train_args = parse(argv)

    def body() -> int:
        from .model.training import run
        from .pipeline import Pipeline

        run(data_args, model_args, train_args, Pipeline(decider="rules"), _read_gold)
        return 0

    return run_command(body, interrupted="interrupted; nothing was written")


if __name__ == "__main__":
    sys.exit(main())
