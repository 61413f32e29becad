"""The satisfaction arithmetic against tables computed by hand."""

import pytest

from rectify.evaluation.rates import Scale, tally, trend, weighted_score, wilson_interval

#: 满意 / 比较满意 / 基本满意 / 不满意 / 不了解 with the default weights.
SCALE = [
    Scale(100, True),
    Scale(90, True),
    Scale(75, True),
    Scale(55, False),
    Scale(None, False),
]


def _tally(counts, responses=None, min_sample=5, threshold=60):
    return tally(
        SCALE,
        counts,
        responses=sum(counts) if responses is None else responses,
        min_sample=min_sample,
        threshold=threshold,
    )


def test_mixed_table_rate_score_and_interval():
    # 10 + 5 + 3 satisfied of 25 answers, 5 不了解: 18 / 20 = 90 %;
    # score (10·100 + 5·90 + 3·75 + 2·55) / 20 = 1785 / 20 = 89.25;
    # Wilson 95 % for 18/20 is 69.90 % – 97.21 % (textbook value).
    result = _tally([10, 5, 3, 2, 5])
    assert result.answers == 25 and result.unscored == 5 and result.scored == 20
    assert result.rate == pytest.approx(90.0)
    assert result.score == pytest.approx(89.25)
    low, high = result.interval
    assert low == pytest.approx(69.90, abs=0.01)
    assert high == pytest.approx(97.21, abs=0.01)
    assert not result.below_threshold


def test_below_threshold_flags_redo():
    # 2 + 1 satisfied of 8 scored (1 不了解): 37.5 % < 60 %: 补课.
    result = _tally([2, 0, 1, 5, 1])
    assert result.rate == pytest.approx(37.5)
    assert result.score == pytest.approx((200 + 75 + 5 * 55) / 8)
    assert result.below_threshold


def test_exactly_at_threshold_is_not_flagged():
    result = _tally([3, 0, 0, 2, 0])  # 3 / 5 = 60 %
    assert result.rate == pytest.approx(60.0)
    assert not result.below_threshold


def test_zero_responses_have_no_rate_and_no_flag():
    result = _tally([0, 0, 0, 0, 0])
    assert result.answers == 0
    assert result.rate is None and result.score is None and result.interval is None
    assert not result.sufficient and not result.below_threshold


def test_all_dont_know_has_no_rate_even_with_enough_responses():
    result = _tally([0, 0, 0, 0, 7])
    assert result.sufficient
    assert result.scored == 0
    assert result.rate is None and result.score is None and result.interval is None
    assert not result.below_threshold


def test_small_sample_shows_no_rate():
    # 4 responses, minimum 5: 样本不足 however clear the answers.
    result = _tally([1, 0, 0, 3, 0])
    assert not result.sufficient
    assert result.rate is None and result.score is None
    assert not result.below_threshold
    assert result.counts == (1, 0, 0, 3, 0)  # counts stay visible


def test_minimum_sample_counts_responses_not_answers():
    result = _tally([5, 0, 0, 0, 0], responses=4)
    assert result.rate is None
    assert _tally([5, 0, 0, 0, 0], responses=5).rate == pytest.approx(100.0)


def test_wilson_interval_edges():
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4) and high == pytest.approx(1.0)
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_weighted_score_ignores_unscored():
    assert weighted_score(SCALE, [1, 0, 0, 1, 100]) == pytest.approx(77.5)
    assert weighted_score(SCALE, [0, 0, 0, 0, 3]) is None


def test_trend_in_points():
    assert trend(55.0, 72.5) == pytest.approx(17.5)
    assert trend(None, 72.5) is None
