"""The arithmetic of measurement: scores, gains, item analysis and small-group suppression."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspil.organisations.models import Sector
from samspil.training.reports import ParticipantResult, by_sector
from samspil.training.scoring import (
    SUPPRESSION_THRESHOLD,
    ItemStatistics,
    display_count,
    item_statistics,
    likert_score,
    normalised_gain,
    point_biserial,
    raw_gain,
    summarise,
    suppressed_cells,
    upper_lower_index,
)

share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def test_likert_score__maps_one_to_five_onto_zero_to_one() -> None:
    assert [likert_score(v) for v in (1, 2, 3, 4, 5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    with pytest.raises(ValueError):
        likert_score(6)


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (0.4, 0.7, 0.5),
        (0.0, 1.0, 1.0),
        (0.5, 0.25, -0.5),
        (0.8, 0.8, 0.0),
        (1.0, 0.9, None),
        (1.0, 1.0, None),
    ],
)
def test_normalised_gain__hand_computed(pre: float, post: float, expected: float | None) -> None:
    result = normalised_gain(pre, post)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_summarise__uses_only_pairs_with_both_answers_and_takes_the_gain_from_the_means() -> None:
    summary = summarise([(0.5, 0.75), (0.25, 0.75), (None, 1.0), (0.5, None)])
    assert summary.n == 2
    assert (summary.pre, summary.post) == (pytest.approx(0.375), pytest.approx(0.75))
    assert summary.gain == pytest.approx(0.375)
    assert summary.normalised == pytest.approx(0.6)


def test_summarise__of_nobody_has_no_numbers() -> None:
    summary = summarise([])
    assert (summary.n, summary.pre, summary.post, summary.gain, summary.normalised) == (
        0,
        None,
        None,
        None,
        None,
    )


@given(pre=share, post=share)
def test_gain__is_bounded(pre: float, post: float) -> None:
    assert -1.0 <= raw_gain(pre, post) <= 1.0
    g = normalised_gain(pre, post)
    if pre >= 1.0 - 1e-9:
        assert g is None
    else:
        assert g is not None
        assert g <= 1.0 + 1e-9
        assert (g >= 0) == (post >= pre) or math.isclose(post, pre)
        if pre <= 0.5:
            assert g >= -1.0 - 1e-9


def test_point_biserial__hand_computed() -> None:
    assert point_biserial([1, 1, 0, 0], [3, 2, 1, 0]) == pytest.approx(0.894427, abs=1e-6)
    assert point_biserial([1, 1, 1], [3, 2, 1]) is None  # everyone right: no variation
    assert point_biserial([1, 0], [1, 1]) is None  # the rest does not vary


def test_upper_lower_index__compares_the_top_and_bottom_27_percent() -> None:
    assert upper_lower_index([1, 1, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1]) == pytest.approx(1.0)
    assert upper_lower_index([1, 1, 0, 0, 1, 0, 0, 0, 1, 1], list(range(10, 0, -1))) == pytest.approx(0.0)
    assert upper_lower_index([1], [1]) is None


def test_item_statistics__difficulty_and_rest_score_discrimination() -> None:
    matrix = {1: {10: 1, 20: 1}, 2: {10: 1, 20: 0}, 3: {10: 0, 20: 1}, 4: {10: 0, 20: 0}}
    first, second = item_statistics(matrix, [10, 20])
    assert (first.item_id, first.n, first.difficulty) == (10, 4, 0.5)
    assert first.point_biserial == pytest.approx(0.0)
    assert (second.item_id, second.difficulty) == (20, 0.5)


@pytest.mark.parametrize(
    ("statistics", "flags"),
    [
        (ItemStatistics(1, 30, 0.1, 0.4, 0.5), ["hard"]),
        (ItemStatistics(1, 30, 0.95, 0.4, 0.5), ["easy"]),
        (ItemStatistics(1, 30, 0.5, 0.1, 0.3), ["weak"]),
        (ItemStatistics(1, 30, 0.5, -0.3, -0.2), ["negative"]),
        (ItemStatistics(1, 30, 0.5, None, 0.1), ["weak"]),
        (ItemStatistics(1, 30, 0.6, 0.45, 0.5), []),
    ],
)
def test_item_statistics__flags_weak_items(statistics: ItemStatistics, flags: list[str]) -> None:
    assert statistics.flags == flags


@pytest.mark.parametrize(
    ("counts", "hidden", "total_hidden"),
    [
        ({"a": 6, "b": 7}, set(), False),
        ({"a": 10, "b": 3, "c": 7}, {"b", "c"}, False),
        ({"a": 2, "b": 1}, {"a", "b"}, True),
        ({"a": 12, "b": 0, "c": 0}, {"a", "b", "c"}, False),
        ({"a": 20, "b": 4, "c": 2}, {"b", "c"}, False),
        ({"a": 20, "b": 3, "c": 1, "d": 9}, {"b", "c", "d"}, False),
    ],
)
def test_suppressed_cells__hand_computed(
    counts: dict[str, int], hidden: set[str], total_hidden: bool
) -> None:
    assert suppressed_cells(counts) == (hidden, total_hidden)


def _feasible_values(hidden_count: int, remainder: int) -> list[set[int]]:
    """What an onlooker can work out for each hidden cell, knowing only that the hidden cells sum to
    ``remainder``."""
    values: list[set[int]] = [set() for _ in range(hidden_count)]
    for combo in itertools.product(range(remainder + 1), repeat=hidden_count):
        if sum(combo) == remainder:
            for index, value in enumerate(combo):
                values[index].add(value)
    return values


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4))
def test_suppression__never_reveals_a_count_under_5(raw: list[int]) -> None:
    counts = dict(enumerate(raw))
    hidden, total_hidden = suppressed_cells(counts)
    shown = {key: display_count(count, key in hidden) for key, count in counts.items()}
    assert all(
        text == f"<{SUPPRESSION_THRESHOLD}" or int(text) >= SUPPRESSION_THRESHOLD for text in shown.values()
    )
    if total_hidden:
        assert hidden == set(counts)
        return
    total = sum(counts.values())
    assert total >= SUPPRESSION_THRESHOLD
    if hidden:
        remainder = total - sum(counts[key] for key in counts if key not in hidden)
        feasible = _feasible_values(len(hidden), remainder)
        assert all(len(options) >= 2 for options in feasible)


@given(st.lists(st.sampled_from([Sector.POLICE, Sector.SOCIAL_SERVICES, Sector.PSYCHIATRY]), max_size=25))
def test_by_sector__with_suppression_shows_no_group_under_5(sectors: list[str]) -> None:
    people = [
        ParticipantResult(i, f"P{i}", sector, "Org", pre={"g1": 0.5}, post={"g1": 0.75})
        for i, sector in enumerate(sectors)
    ]
    overall, groups = by_sector(people, suppress=True)
    for group in [overall, *groups]:
        assert group.hidden or group.n >= SUPPRESSION_THRESHOLD
        if group.hidden:
            assert group.n_display == "<5"
            assert all(summary is None for _label, summary in group.rows())
