"""Speaker confidence calibration: a logistic map of the chosen candidate's probability, fitted on dev."""

from __future__ import annotations

import random

from quotes.model.calibration import IDENTITY, apply_logistic, fit_logistic, fit_temperature


def _overconfident(n=400, seed=0):
    """Confidences near 0.95 that are right only about 70 % of the time."""
    rng = random.Random(seed)
    return [(min(0.999, 0.9 + 0.09 * rng.random()), rng.random() < 0.7) for _ in range(n)]


def test_map_brings_overconfident_scores_down_to_the_observed_rate():
    pts = _overconfident()
    ab = fit_logistic(pts)
    mapped = [apply_logistic(c, ab) for c, _ in pts]
    observed = sum(ok for _, ok in pts) / len(pts)
    assert abs(sum(c for c, _ in pts) / len(pts) - observed) > 0.2
    assert abs(sum(mapped) / len(mapped) - observed) < 0.02


def test_map_is_monotone_so_rankings_and_the_review_queue_keep_their_order():
    ab = fit_logistic(_overconfident(seed=1) + [(0.3, False)] * 30 + [(0.6, True)] * 20)
    assert ab[0] > 0
    grid = [i / 100 for i in range(1, 100)]
    mapped = [apply_logistic(p, ab) for p in grid]
    assert all(a < b for a, b in zip(mapped, mapped[1:]))


def test_fit_is_deterministic():
    pts = _overconfident(seed=2)
    assert fit_logistic(pts) == fit_logistic(list(pts))


def test_too_few_points_or_one_outcome_leave_confidences_as_they_are():
    assert fit_logistic([(0.9, True)] * 5 + [(0.8, False)] * 5) == IDENTITY
    assert fit_logistic([(0.9, True)] * 100) == IDENTITY
    assert apply_logistic(0.8123, IDENTITY) == 0.8123


def test_temperature_softens_an_overconfident_head():
    import torch

    torch.manual_seed(0)
    logits, labels = [], []
    for i in range(200):
        y = i % 3
        wrong = i % 5 == 0  # right 80 % of the time, but with logits that say 99 %
        z = torch.full((3,), -3.0)
        z[(y + 1) % 3 if wrong else y] = 3.0
        logits.append(z)
        labels.append(y)
    assert fit_temperature(logits, labels) > 1.5
    assert fit_temperature(logits[:5], labels[:5]) == 1.0
