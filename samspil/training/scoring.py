"""Pure arithmetic for measuring the three goals: scores, learning gain, item analysis, suppression.

Scores are shares in 0..1: a correct multiple-choice answer counts 1, a Likert answer (v - 1) / 4;
a participant's score for a goal is the mean over that goal's items. The maximum score is 1.

Learning gain is post minus pre; the normalised gain g = (post - pre) / (max - pre) says how much of
the possible improvement was achieved (undefined when pre is already the maximum). For a group the
gain is taken from the group's means (Hake's class-average gain).

Item analysis: difficulty p is the share who answered correctly; discrimination is the point-biserial
correlation between the item and the rest of the test (the participant's total without that item), and
the upper-lower index compares the best and the weakest 27 % of participants.

Aggregates shown to anyone but the course administrator hide groups under ``SUPPRESSION_THRESHOLD``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

SUPPRESSION_THRESHOLD = 5
MAX_SCORE = 1.0
UPPER_LOWER_SHARE = 0.27
# Items that are too hard, too easy or do not separate stronger from weaker participants are flagged.
HARD_BELOW = 0.2
EASY_ABOVE = 0.9
WEAK_DISCRIMINATION_BELOW = 0.2
FEW_RESPONSES_BELOW = 20

K = TypeVar("K", bound=Hashable)


def likert_score(value: int) -> float:
    """A Likert answer 1..5 as a share 0..1."""
    if not 1 <= value <= 5:
        raise ValueError("Likert answers run from 1 to 5")
    return (value - 1) / 4


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def raw_gain(pre: float, post: float) -> float:
    return post - pre


def normalised_gain(pre: float, post: float, maximum: float = MAX_SCORE) -> float | None:
    """(post - pre) / (maximum - pre); None when pre is already at the maximum (nothing left to gain)."""
    room = maximum - pre
    if room <= 1e-9:
        return None
    return (post - pre) / room


@dataclass(frozen=True)
class GoalSummary:
    """A group's result on one goal, over participants who answered both before and after."""

    n: int
    pre: float | None
    post: float | None

    @property
    def gain(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return raw_gain(self.pre, self.post)

    @property
    def normalised(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return normalised_gain(self.pre, self.post)


def summarise(pairs: Iterable[tuple[float | None, float | None]]) -> GoalSummary:
    """Means of the (pre, post) pairs where both exist."""
    complete = [(pre, post) for pre, post in pairs if pre is not None and post is not None]
    return GoalSummary(
        n=len(complete),
        pre=mean(pre for pre, _post in complete),
        post=mean(post for _pre, post in complete),
    )


def suppressed_cells(counts: Mapping[K, int], threshold: int = SUPPRESSION_THRESHOLD) -> tuple[set[K], bool]:
    """Which cells of a partition to hide, and whether to hide the total as well.

    Cells under the threshold are hidden. So that the total minus the shown cells cannot pin down a
    hidden one, the hidden cells must be at least two and together hold at least ``threshold``;
    otherwise the smallest shown cells are hidden too. A total under the threshold hides everything.
    """
    total = sum(counts.values())
    if total < threshold:
        return set(counts), True
    hidden = {key for key, count in counts.items() if count < threshold}
    shown = sorted((key for key in counts if key not in hidden), key=lambda key: (counts[key], str(key)))
    while hidden and (len(hidden) < 2 or sum(counts[key] for key in hidden) < threshold) and shown:
        hidden.add(shown.pop(0))
    return hidden, False


def display_count(count: int, hidden: bool) -> str:
    return f"<{SUPPRESSION_THRESHOLD}" if hidden else str(count)


@dataclass(frozen=True)
class ItemStatistics:
    item_id: int
    n: int
    difficulty: float | None
    point_biserial: float | None
    upper_lower: float | None

    @property
    def flags(self) -> list[str]:
        """Machine codes for weak items; the view turns them into sentences."""
        flags: list[str] = []
        if self.difficulty is not None:
            if self.difficulty < HARD_BELOW:
                flags.append("hard")
            elif self.difficulty > EASY_ABOVE:
                flags.append("easy")
        discrimination = self.point_biserial if self.point_biserial is not None else self.upper_lower
        # When everyone answered right (or wrong) there is nothing to compare, so no discrimination flag.
        varies = self.difficulty is None or 0.0 < self.difficulty < 1.0
        if discrimination is not None and varies:
            if discrimination < 0:
                flags.append("negative")
            elif discrimination < WEAK_DISCRIMINATION_BELOW:
                flags.append("weak")
        return flags

    @property
    def few_responses(self) -> bool:
        return self.n < FEW_RESPONSES_BELOW


def point_biserial(item: Sequence[int], rest: Sequence[float]) -> float | None:
    """Correlation between a 0/1 item and a continuous score; None when either does not vary."""
    n = len(item)
    if n == 0 or n != len(rest):
        return None
    p = sum(item) / n
    if p in (0.0, 1.0):
        return None
    overall = sum(rest) / n
    sd = math.sqrt(sum((x - overall) ** 2 for x in rest) / n)
    if sd == 0:
        return None
    mean_right = mean(r for i, r in zip(item, rest, strict=True) if i) or 0.0
    mean_wrong = mean(r for i, r in zip(item, rest, strict=True) if not i) or 0.0
    return (mean_right - mean_wrong) / sd * math.sqrt(p * (1 - p))


def upper_lower_index(
    item: Sequence[int], totals: Sequence[float], share: float = UPPER_LOWER_SHARE
) -> float | None:
    """Share correct among the best ``share`` of participants minus among the weakest; None under 2."""
    n = len(item)
    if n < 2:
        return None
    group = max(1, round(share * n))
    order = sorted(range(n), key=lambda i: (-totals[i], i))
    upper = [item[i] for i in order[:group]]
    lower = [item[i] for i in order[-group:]]
    return sum(upper) / group - sum(lower) / group


def item_statistics(matrix: Mapping[int, Mapping[int, int]], item_ids: Sequence[int]) -> list[ItemStatistics]:
    """Statistics per multiple-choice item from ``matrix[respondent][item] = 1 | 0``.

    A respondent's total is the sum over the given items they answered; the rest score for an item
    leaves that item out, so an item does not correlate with itself.
    """
    totals = {respondent: float(sum(row.get(i, 0) for i in item_ids)) for respondent, row in matrix.items()}
    result = []
    for item_id in item_ids:
        respondents = [r for r, row in matrix.items() if item_id in row]
        scores = [matrix[r][item_id] for r in respondents]
        rest = [totals[r] - matrix[r][item_id] for r in respondents]
        result.append(
            ItemStatistics(
                item_id=item_id,
                n=len(scores),
                difficulty=(sum(scores) / len(scores)) if scores else None,
                point_biserial=point_biserial(scores, rest),
                upper_lower=upper_lower_index(scores, [totals[r] for r in respondents]),
            )
        )
    return result
