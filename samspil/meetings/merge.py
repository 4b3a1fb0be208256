"""Merging two saves of the same minutes so that no text is ever lost.

Two secretaries type into the same item's minutes; each save carries the version it started from.
When the stored text moved on in the meantime, the save is merged line by line against that common
version (a three-way merge):

- changes in different places are both applied;
- both adding text at the same place keeps both, the stored text first;
- both changing the same lines keeps both versions, the stored one first, then a marker line naming the
  other writer and the time, then the incoming one (``MergeResult.conflicted``).

So every line either writer added or changed is in the result; only lines both left alone or one of
them deliberately deleted can be missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

Change = tuple[int, int, list[str]]


@dataclass(frozen=True)
class MergeResult:
    text: str
    conflicted: bool


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _changes(base: list[str], other: list[str]) -> list[Change]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base: list[str], changes: Sequence[Change], lo: int, hi: int) -> list[str]:
    out: list[str] = []
    position = lo
    for i1, i2, replacement in changes:
        out.extend(base[position:i1])
        out.extend(replacement)
        position = i2
    out.extend(base[position:hi])
    return out


def _touches(change: Change, lo: int, hi: int) -> bool:
    i1, i2, _replacement = change
    return i1 < hi or (i1 == hi and (i1 == i2 or lo == hi))


def _ended(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


def merge_texts(base: str, mine: str, theirs: str, *, marker: str) -> MergeResult:
    """Merge ``mine`` (the incoming save) and ``theirs`` (what is stored now), both made from ``base``."""
    if mine in (theirs, base):
        return MergeResult(theirs, False)
    if theirs == base:
        return MergeResult(mine, False)
    base_lines = _lines(base)
    events = sorted(
        [(change, "mine") for change in _changes(base_lines, _lines(mine))]
        + [(change, "theirs") for change in _changes(base_lines, _lines(theirs))],
        key=lambda event: (event[0][0], event[0][1], event[1] == "mine"),
    )
    result: list[str] = []
    position, index, conflicted = 0, 0, False
    while index < len(events):
        first, _side = events[index]
        lo, hi = first[0], first[1]
        cluster = [events[index]]
        index += 1
        while index < len(events) and _touches(events[index][0], lo, hi):
            cluster.append(events[index])
            hi = max(hi, events[index][0][1])
            index += 1
        result.extend(base_lines[position:lo])
        own = [change for change, side in cluster if side == "mine"]
        other = [change for change, side in cluster if side == "theirs"]
        own_part = _apply(base_lines, own, lo, hi)
        other_part = _apply(base_lines, other, lo, hi)
        if not own:
            result.extend(other_part)
        elif not other or own_part == other_part:
            result.extend(own_part)
        elif lo == hi:
            result.extend(_ended(other_part))
            result.extend(own_part)
        else:
            conflicted = True
            result.extend(_ended(other_part))
            result.append(marker + "\n")
            result.extend(own_part)
        position = hi
    result.extend(base_lines[position:])
    return MergeResult("".join(result), conflicted)
