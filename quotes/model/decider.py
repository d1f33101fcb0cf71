"""The `model` decider: the fine-tuned encoder chooses each proposal's speaker and stance.

The rule decider still builds each quote (span, type, cue, quote confidence); the model then
replaces the speaker by the candidate it ranks first and the stance by its class, with
calibrated probabilities as the confidences (calibration.py). All of a document's quotes go through the
encoder in batches, in one pass each, under bf16 autocast on CPU.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..document import Document, Quote, QuotesError, Span
from . import checkpoint
from .calibration import IDENTITY, apply_logistic
from .data import Prepared, collate, row, tokenize
from .features import STANCE_LABELS, Window, build_inputs

log = logging.getLogger("quotes.model")
BATCH = 32


class Predictor:
    """A loaded model folder that turns rows into (speaker probabilities, stance probabilities)."""

    def __init__(self, model, tokenizer, temperature: dict | None = None, bf16: bool = True, version: str = "",
                 shape: Window = Window(), speaker_map=IDENTITY):
        import torch

        self.model = model
        self.tokenizer = tokenizer
        t = temperature or {}
        self.t_speaker, self.t_stance = float(t.get("speaker", 1.0)), float(t.get("stance", 1.0))
        self.bf16 = bf16 and torch.backends.mkldnn.is_available()
        self.version = version
        self.shape = shape
        self.speaker_map = tuple(speaker_map)

    @classmethod
    def from_folder(cls, folder: Path) -> "Predictor":
        loaded = checkpoint.load(folder)
        return cls(loaded.model, loaded.tokenizer, loaded.config.get("temperature"), version=loaded.version,
                   shape=Window(**loaded.config.get("window", {})),
                   speaker_map=loaded.config.get("speaker_confidence", IDENTITY))

    def logits(self, rows: list[dict]):
        """Raw logits, in the order of `rows`: (list of speaker logit lists, stance logits [N, 3])."""
        import torch

        toks = [tokenize(r, self.tokenizer) | {"cand_feats": r["cand_feats"], "speaker_label": -100,
                                                "stance_label": -100} for r in rows]
        order = sorted(range(len(toks)), key=lambda i: len(toks[i]["input_ids"]))
        speaker: list = [None] * len(toks)
        stance = torch.zeros((len(toks), len(STANCE_LABELS)))
        pad = self.tokenizer.pad_token_id
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            for k in range(0, len(order), BATCH):
                idx = order[k:k + BATCH]
                batch, _, _ = collate([toks[i] for i in idx], pad)
                st, sp = self.model(**batch)
                for j, i in enumerate(idx):
                    n = len(toks[i]["cand_tok_spans"])
                    speaker[i] = sp[j, :n].float()
                    stance[i] = st[j].float()
        return speaker, stance

    def predict(self, rows: list[dict]):
        speaker, stance = self.logits(rows)
        return [(s / self.t_speaker).softmax(-1) for s in speaker], (stance / self.t_stance).softmax(-1)


@lru_cache(maxsize=2)
def _predictor(folder: str) -> Predictor:
    return Predictor.from_folder(Path(folder))


def decide_prepared(predictor: Predictor, prep: Prepared, rule_quotes: list[Quote]) -> list[Quote]:
    """The model's choices over the rule decider's quotes (one per proposal, same order)."""
    if not prep.inputs:
        return rule_quotes
    text = prep.doc.text
    speaker, stance = predictor.predict([row(text, q, shape=predictor.shape) for q in prep.inputs])
    out = []
    for q, rq, sp, st in zip(prep.inputs, rule_quotes, speaker, stance):
        k = int(sp.argmax())
        c = q.candidates[k]
        s = int(st.argmax())
        m = c.mention
        conf = dict(rq.confidence or {})
        conf["speaker"] = round(apply_logistic(float(sp[k]), predictor.speaker_map), 4)
        conf["stance"] = round(float(st[s]), 4)
        out.append(replace(rq, speaker=Span.of(text, m.start, m.end) if m is not None and c.name else None,
                           speaker_name=c.name, stance=STANCE_LABELS[s], confidence=conf))
    return out


class ModelDecider:
    """The pipeline's `model` decider; `rules` is the rule decider whose quotes it refines (the pipeline
    passes its own, so that this package never imports the pipeline); `model_dir` defaults to the shipped model."""

    name = "model"

    def __init__(self, rules, model_dir: str | Path | None = None):
        folder = Path(model_dir) if model_dir is not None else checkpoint.SHIPPED_DIR
        self.predictor = _predictor(str(folder.expanduser().resolve()))
        self.version = self.predictor.version
        self._rules = rules

    def decide(self, doc: Document, regions, items) -> list[Quote]:
        rule_quotes = self._rules.decide(doc, regions, items)
        prep = Prepared(doc, regions, items, build_inputs(doc, regions, items, self.predictor.shape))
        if len(prep.inputs) != len(rule_quotes):
            raise QuotesError(f"document {doc.id!r}: {len(prep.inputs)} model inputs for {len(rule_quotes)} proposals")
        return decide_prepared(self.predictor, prep, rule_quotes)
