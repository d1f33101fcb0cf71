"""The network: one encoder pass per quote window, two heads on top.

The window's tokens get a learned flag vector added to their embeddings: one for the quote's
tokens, one for the tokens of every candidate mention. The stance head reads the quote's tokens
(mean) beside the first token; the speaker head scores each candidate from the quote's vector,
the candidate mention's vector (or a learned "not in the window" vector) and the facts the rule
layer knows about it (features.candidate_features), with a softmax over a quote's candidates.

The encoder is any Hugging Face `AutoModel`; LoRA adapters (peft) are what training changes in
it, and they are merged into the weights for inference.
"""

from __future__ import annotations

import torch
from torch import nn

PLAIN, QUOTE, MENTION = 0, 1, 2
# Linear layers LoRA adapts in BERT-family encoders (CamemBERT, XLM-R, BERT); other families use peft's defaults.
LORA_TARGETS = {"camembert": ["query", "key", "value", "dense"], "xlm-roberta": ["query", "key", "value", "dense"],
                "roberta": ["query", "key", "value", "dense"], "bert": ["query", "key", "value", "dense"]}


class QuoteModel(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int, n_features: int, n_stances: int = 3, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.marks = nn.Embedding(3, hidden)
        nn.init.normal_(self.marks.weight, std=0.02)
        with torch.no_grad():
            self.marks.weight[PLAIN].zero_()
        self.absent = nn.Parameter(torch.zeros(hidden))
        self.dropout = nn.Dropout(dropout)
        self.stance_head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.GELU(), nn.Dropout(dropout),
                                         nn.Linear(hidden, n_stances))
        self.speaker_head = nn.Sequential(nn.Linear(3 * hidden + n_features, hidden), nn.GELU(),
                                          nn.Dropout(dropout), nn.Linear(hidden, 1))

    def heads_state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("encoder.")}

    def forward(self, input_ids, attention_mask, marks, cand_spans, cand_feats, cand_mask):
        """input_ids, attention_mask, marks: [B, T]; cand_spans: [B, C, 2] token [start, end) (equal: not in
        the window); cand_feats: [B, C, F]; cand_mask: [B, C] true for real candidates.
        Returns (stance logits [B, S], speaker logits [B, C], masked with -inf)."""
        emb = self.encoder.get_input_embeddings()(input_ids) + self.marks(marks)
        hidden = self.encoder(inputs_embeds=emb, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        quote = (marks == QUOTE).to(hidden.dtype).unsqueeze(-1)
        q_vec = (hidden * quote).sum(1) / quote.sum(1).clamp(min=1.0)
        stance = self.stance_head(torch.cat([hidden[:, 0], q_vec], -1))

        T = hidden.shape[1]
        pos = torch.arange(T, device=hidden.device).view(1, 1, T)
        span = ((pos >= cand_spans[..., :1]) & (pos < cand_spans[..., 1:])).to(hidden.dtype)  # [B, C, T]
        n = span.sum(-1, keepdim=True)
        c_vec = torch.einsum("bct,bth->bch", span, hidden) / n.clamp(min=1.0)
        c_vec = torch.where(n > 0, c_vec, self.absent.to(hidden.dtype).expand_as(c_vec))
        q_rep = q_vec.unsqueeze(1).expand_as(c_vec)
        pair = torch.cat([q_rep, c_vec, q_rep * c_vec, cand_feats.to(hidden.dtype)], -1)
        speaker = self.speaker_head(pair).squeeze(-1)
        speaker = speaker.float().masked_fill(~cand_mask, float("-inf"))
        return stance.float(), speaker


def lora_config(model_type: str, r: int = 16, alpha: int = 32, dropout: float = 0.1):
    from peft import LoraConfig

    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=LORA_TARGETS.get(model_type),
                      bias="none")


def with_lora(encoder, config):
    """peft's wrapper around `encoder`; peft's own call of a deprecated transformers property is not ours to warn about."""
    import warnings

    from peft import get_peft_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return get_peft_model(encoder, config)
