"""The arithmetic of satisfaction, as pure functions (no database), checked against hand tables.

- satisfaction rate = answers counted as satisfied / (answers − not scored), where the
  unscored answer is 不了解;
- weighted score = Σ weight × count / scored answers, in percent;
- a Wilson 95 % interval around the rate;
- fewer responses than the survey's minimum sample give no rate at all (样本不足).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

#: The normal quantile of a two-sided 95 % interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Scale:
    """What the arithmetic needs of an answer choice: its weight (``None``: not scored)."""

    weight: int | None
    satisfied: bool


@dataclass(frozen=True)
class Rate:
    """The tally of one question (or of all ratings) for a set of responses."""

    #: Count per answer choice, in the scale's order.
    counts: tuple[int, ...]
    answers: int
    unscored: int
    satisfied: int
    responses: int
    min_sample: int
    threshold: int
    #: The weighted score whatever the sample; read :attr:`score`.
    weighted: float | None = None

    @property
    def scored(self) -> int:
        """Answers that count in the rate (all but 不了解)."""
        return self.answers - self.unscored

    @property
    def sufficient(self) -> bool:
        """True when there are enough responses to show a rate (else 样本不足)."""
        return self.responses >= self.min_sample

    @property
    def rate(self) -> float | None:
        """Satisfied share of scored answers, in percent; ``None`` without a sufficient sample."""
        if not self.sufficient or self.scored == 0:
            return None
        return 100 * self.satisfied / self.scored

    @property
    def score(self) -> float | None:
        """The weighted score in percent; ``None`` without a sufficient sample."""
        return self.weighted if self.sufficient else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson 95 % interval of the rate, in percent."""
        if self.rate is None:
            return None
        low, high = wilson_interval(self.satisfied, self.scored)
        return 100 * low, 100 * high

    @property
    def below_threshold(self) -> bool:
        """True when the rate is known and below the threshold: the unit redoes the work (补课)."""
        return self.rate is not None and self.rate < self.threshold


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` (as shares, 0–1)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def weighted_score(scale: Iterable[Scale], counts: Iterable[int]) -> float | None:
    """Σ weight × count over scored answers ÷ scored answers, in percent; ``None`` if none."""
    total = weights = 0
    for choice, count in zip(scale, counts, strict=True):
        if choice.weight is not None:
            total += count
            weights += choice.weight * count
    return weights / total if total else None


def tally(
    scale: list[Scale],
    counts: list[int],
    *,
    responses: int,
    min_sample: int,
    threshold: int,
) -> Rate:
    """Rate and weighted score of ``counts`` (one per choice of ``scale``) from ``responses``."""
    unscored = sum(c for choice, c in zip(scale, counts, strict=True) if choice.weight is None)
    satisfied = sum(c for choice, c in zip(scale, counts, strict=True) if choice.satisfied)
    return Rate(
        counts=tuple(counts),
        answers=sum(counts),
        unscored=unscored,
        satisfied=satisfied,
        responses=responses,
        min_sample=min_sample,
        threshold=threshold,
        weighted=weighted_score(scale, counts),
    )


def trend(previous: float | None, current: float | None) -> float | None:
    """Change of a rate between two rounds, in percentage points; ``None`` if either is unknown."""
    if previous is None or current is None:
        return None
    return current - previous
