import pytest

from posestudio.bench.stats import percentile, ratio, summarise


def test_percentile_interpolates_between_ranks() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_ignores_input_order_and_handles_one_value() -> None:
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile([7.0], 99) == 7.0


def test_percentile_of_nothing_is_none_and_q_is_checked() -> None:
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_ratio_refuses_missing_and_zero_denominators() -> None:
    assert ratio(45.0, 50.0) == 0.9
    assert ratio(1.0, 0.0) is None
    assert ratio(None, 2.0) is None
    assert ratio(2.0, None) is None


def test_summarise_gives_count_mean_and_tail() -> None:
    summary = summarise([float(v) for v in range(1, 101)])
    assert summary.count == 100
    assert summary.mean == 50.5
    assert summary.p50 == pytest.approx(50.5)
    assert summary.p99 == pytest.approx(99.01)
    empty = summarise([])
    assert (empty.count, empty.mean, empty.p50) == (0, None, None)
