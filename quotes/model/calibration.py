"""Confidences that mean what they say, fitted on dev after training.

Stance: one temperature, the scalar that minimises dev NLL over the three classes.

Speaker: a temperature over the candidates, then a logistic map of the chosen candidate's
probability, `sigmoid(a · logit(p) + b)`, fitted on every dev quote the scorer matches, against
whether the scorer counts its speaker right. The temperature alone is fitted on quotes whose gold
speaker is among the candidates; the quotes whose speaker no candidate names (an unresolved role, a
name the rules never proposed) are wrong whatever the ranking, so temperature-scaled confidences
stay too high. The logistic map learns that shortfall; it is monotone, so it never changes which
candidate wins or the order of the review queue.
"""

from __future__ import annotations

import math

MIN_TEMPERATURE_ROWS = 10
MIN_SPEAKER_POINTS = 20
IDENTITY = (1.0, 0.0)


def fit_temperature(logits: list, labels: list[int]) -> float:
    """The temperature that minimises dev NLL (logits: 1-D tensors, maybe of different lengths)."""
    import torch

    pairs = [(l.float(), y) for l, y in zip(logits, labels) if y >= 0]
    if len(pairs) < MIN_TEMPERATURE_ROWS:
        return 1.0
    best, best_t = math.inf, 1.0
    for t in [0.5 + 0.05 * i for i in range(71)]:  # 0.5 … 4.0: a grid is enough for one scalar
        nll = sum(float(-torch.log_softmax(l / t, -1)[y]) for l, y in pairs)
        if nll < best:
            best, best_t = nll, t
    return round(best_t, 3)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def fit_logistic(points: list[tuple[float, bool]]) -> tuple[float, float]:
    """(a, b) minimising the log loss of sigmoid(a · logit(confidence) + b) against right/wrong;
    the identity when there are too few points or only one outcome."""
    import torch

    if len(points) < MIN_SPEAKER_POINTS or len({ok for _, ok in points}) < 2:
        return IDENTITY
    x = torch.tensor([_logit(c) for c, _ in points], dtype=torch.float64)
    y = torch.tensor([1.0 if ok else 0.0 for _, ok in points], dtype=torch.float64)
    w = torch.tensor(IDENTITY, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(w[0] * x + w[1], y)
        loss.backward()
        return loss

    opt.step(closure)
    a, b = (round(float(v), 4) for v in w.detach())
    return (a, b) if math.isfinite(a) and math.isfinite(b) else IDENTITY


def apply_logistic(p: float, ab: tuple[float, float]) -> float:
    if tuple(ab) == IDENTITY:
        return p
    a, b = ab
    return 1.0 / (1.0 + math.exp(-(a * _logit(p) + b)))
