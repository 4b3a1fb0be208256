"""Small-number suppression for the Infohus Netværk figures.

The published tables have categories as rows (municipalities, outcomes), complete calendar quarters as
columns and a total per column; there are deliberately no row totals. Each column is one count split
into parts, and it is protected on its own:

- primary suppression: every part under the threshold (5) is shown as "<5"; so is a total under 5;
- secondary suppression: the column total is hidden (shown as "skjult") whenever publishing it would
  let a reader work out a "<5" part. With one small part that is always so (total minus the rest).
  With several, the reader knows their sum (total minus the published parts) and that each lies
  between 0 and 4: the sum pins them when it is 0 or 1 (all zero, or nearly) or within 1 of its
  maximum (all four, or nearly), so then the total is hidden too.

The decision uses only what the reader can see anyway (which parts are small, and their sum when the
total is shown), so knowing the rule does not help a reader either: a hidden total tells them only
that the small parts' sum is at an edge, which still leaves each part at least two possible values.
No published part is ever hidden for the sake of another, so "<5" always means under 5. Because a
column depends only on its own numbers and complete quarters no longer change, the same quarter is
shown the same way in every later view, so comparing two views reveals nothing new (a sliding row
total would). Differences (the trend) are only computed between published totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

THRESHOLD = 5
EDGE = 1  # how close the small parts' sum may come to 0 or to its maximum before the total is hidden

PUBLISHED = "published"
PRIMARY = "primary"  # under the threshold: shown as "<5"
SECONDARY = "secondary"  # a total hidden to protect small parts: shown as "skjult"


@dataclass(frozen=True)
class Shown:
    """One published figure: its state and, only when published, its value."""

    state: str
    value: int | None

    @property
    def is_published(self) -> bool:
        return self.state == PUBLISHED


@dataclass(frozen=True)
class ProtectedColumn:
    parts: tuple[Shown, ...]
    total: Shown


def total_state(parts: Sequence[int], threshold: int = THRESHOLD) -> str:
    """Whether a column's total can be published, as the module docstring explains."""
    total = sum(parts)
    if total < threshold:
        return PRIMARY
    small = [v for v in parts if v < threshold]
    if not small:
        return PUBLISHED
    if len(small) == 1:
        return SECONDARY
    small_sum = sum(small)
    highest = (threshold - 1) * len(small)
    return PUBLISHED if EDGE < small_sum < highest - EDGE else SECONDARY


def protect_column(parts: Sequence[int], threshold: int = THRESHOLD) -> ProtectedColumn:
    """Suppress one column (parts and their total)."""
    if any(v < 0 for v in parts):
        raise ValueError("Counts cannot be negative.")
    state = total_state(parts, threshold)
    return ProtectedColumn(
        parts=tuple(Shown(PUBLISHED, v) if v >= threshold else Shown(PRIMARY, None) for v in parts),
        total=Shown(state, sum(parts) if state == PUBLISHED else None),
    )


@dataclass(frozen=True)
class ProtectedTable:
    """Rows of categories, columns of periods, a total per column, and the change of each published
    total from the previous column's published total."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    rows: tuple[tuple[Shown, ...], ...]
    totals: tuple[Shown, ...]
    changes: tuple[int | None, ...]

    @property
    def body(self) -> list[tuple[str, tuple[Shown, ...]]]:
        return list(zip(self.row_labels, self.rows, strict=True))


def protect_table(
    row_labels: Sequence[str], column_labels: Sequence[str], counts: Sequence[
        Sequence[int]
    ], threshold: int = THRESHOLD
) -> ProtectedTable:
    """``counts[row][column]``; each column is protected on its own (``protect_column``)."""
    columns = [protect_column([row[c] for row in counts], threshold) for c in range(len(column_labels))]
    totals = tuple(column.total for column in columns)
    changes = (None, *(
        current.value - previous.value if current.value is not None and previous.value is not None else None
        for previous, current in pairwise(totals)
    ))
    return ProtectedTable(
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        rows=tuple(tuple(column.parts[r] for column in columns) for r in range(len(row_labels))),
        totals=totals,
        changes=changes[: len(totals)],
    )
