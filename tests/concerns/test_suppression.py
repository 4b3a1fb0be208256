"""Infohus Netværk: no published number under 5, and no small number that can be worked out from the
totals (secondary suppression). Checked against every table hypothesis can think of."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.concerns.models import Concern, ConcernStatus, Decision
from samspil.concerns.stats import complete_quarters, network_figures
from samspil.concerns.suppression import PRIMARY, PUBLISHED, SECONDARY, Shown, protect_column, protect_table
from samspil.core.scoping import unscoped

from .helpers import at_status, raise_concern

S = ConcernStatus
counts = st.integers(min_value=0, max_value=14)
columns = st.lists(counts, min_size=1, max_size=6)


def _possible_values(shown, index: int) -> set[int]:
    """Every value the "<5" part ``index`` can have, as a reader sees the column: published parts are
    exact, "<5" parts lie between 0 and 4, and the parts add up to the total if it is published (to
    under 5 if it shows "<5", to at least 5 if it is hidden)."""
    known = sum(p.value for p in shown.parts if p.state == PUBLISHED)
    others = sum(1 for i, p in enumerate(shown.parts) if i != index and p.state == PRIMARY)
    possible = set()
    for value in range(5):
        low, high = known + value, known + value + 4 * others
        if shown.total.state == PUBLISHED:
            fits = low <= shown.total.value <= high
        elif shown.total.state == PRIMARY:
            fits = low <= 4
        else:
            fits = high >= 5
        if fits:
            possible.add(value)
    return possible


@settings(max_examples=500, deadline=None)
@given(columns)
def test_column__publishes_no_number_under_5_and_no_small_number_can_be_worked_out(parts) -> None:
    shown = protect_column(parts)
    for value, cell in zip(parts, shown.parts, strict=True):
        assert cell == (Shown(PUBLISHED, value) if value >= 5 else Shown(PRIMARY, None))
    assert shown.total.state != PUBLISHED or (shown.total.value == sum(parts) >= 5)
    assert shown.total.state != PRIMARY or sum(parts) < 5
    for index, cell in enumerate(shown.parts):
        if cell.state == PRIMARY:
            assert parts[index] in _possible_values(shown, index)
            assert len(_possible_values(shown, index)) >= 2, (parts, shown)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=4))
def test_column__even_a_reader_who_knows_the_rule_finds_two_values_for_every_small_number(parts) -> None:
    """Every table of counts that the rule would show exactly the same way: each "<5" part must still
    have at least two possible values among them."""
    shown = protect_column(parts)
    candidates = [t for t in itertools.product(range(12), repeat=len(parts)) if protect_column(t) == shown]
    for index, cell in enumerate(shown.parts):
        if cell.state == PRIMARY:
            assert len({t[index] for t in candidates}) >= 2, (parts, shown)


@pytest.mark.parametrize(
    ("parts", "total"),
    [
        ([3, 7, 12], SECONDARY),  # one small part: total minus the rest would give it away
        ([0, 0, 9], SECONDARY),  # the small parts add up to 0: all zero
        ([1, 0, 9], SECONDARY),  # they add up to 1: each is 0 or 1, and together exactly 1
        ([4, 4, 6], SECONDARY),  # they add up to 8, their maximum: all four
        ([2, 1, 9], PUBLISHED),  # 3: each small part could be 0-3
        ([6, 9], PUBLISHED),
        ([1, 2], PRIMARY),
        ([4, 4], SECONDARY),  # no published part: the hidden total is at least 5, so the parts are 3 or 4
    ],
)
def test_column__hides_the_total_exactly_when_it_would_give_a_small_number_away(parts, total) -> None:
    assert protect_column(parts).total.state == total


def test_table__protects_each_quarter_on_its_own_so_a_later_look_shows_it_the_same_way() -> None:
    early = protect_table(["A", "B", "C"], ["Q1", "Q2"], [[3, 9], [8, 1], [9, 2]])
    later = protect_table(["A", "B", "C"], ["Q2", "Q3"], [[9, 2], [1, 6], [2, 7]])
    assert [row[1] for row in early.rows] == [row[0] for row in later.rows]
    assert early.totals[1] == later.totals[0]


def test_table__changes_are_only_given_between_published_totals() -> None:
    table = protect_table(["A", "B"], ["Q1", "Q2", "Q3", "Q4"], [[6, 2, 9, 8], [7, 1, 9, 12]])
    assert [t.state for t in table.totals] == [PUBLISHED, PRIMARY, PUBLISHED, PUBLISHED]
    assert table.changes == (None, None, None, 2)


def _raised_at(concern: Concern, moment: datetime) -> None:
    Concern.objects.filter(pk=concern.pk).scoped().update(raised_at=moment)


def test_network_page__shows_counts_by_municipality_and_quarter_without_personal_data(
    people, client_for
) -> None:
    quarter = complete_quarters(timezone.localdate())[-1]
    inside = quarter.starts + timedelta(days=3)
    for _ in range(6):
        _raised_at(raise_concern(people, subject="Fiktiv Navn Nummer Et"), inside)
    # the running quarter is left out
    _raised_at(raise_concern(people, subject="Fiktiv Navn Nummer To"), timezone.now())
    figures = network_figures(people.police)
    assert figures.raised.row_labels == (people.municipality.name,)
    assert [c.value for c in figures.raised.rows[0]] == [None, None, None, 6]
    assert [c.state for c in figures.raised.rows[0]] == [PRIMARY, PRIMARY, PRIMARY, PUBLISHED]
    assert figures.raised.totals[-1] == Shown(PUBLISHED, 6)
    response = client_for("police_officer").get(reverse("concerns:network"))
    page = response.content.decode()
    assert response.status_code == 200
    assert people.police.name in page and people.municipality.name in page
    assert "&lt;5" in page
    assert "Fiktiv Navn" not in page
    with unscoped("test reads the log"):
        [event] = AuditEvent.objects.filter(action=actions.CONCERN_NETWORK_VIEWED)
    assert event.detail == {"districts": [people.police.pk]}


def test_network_figures__count_outcomes_by_the_quarter_they_were_reached(people) -> None:
    quarter = complete_quarters(timezone.localdate())[-1]
    inside = quarter.starts + timedelta(days=5)
    for _ in range(5):
        concern = at_status(people, S.CLOSED, decision=Decision.UNFOUNDED)
        Concern.objects.filter(pk=concern.pk).scoped().update(decided_at=inside, closed_at=inside)
    figures = network_figures(people.police)
    unfounded = figures.concluded.rows[0]
    assert figures.concluded.row_labels[0] == "Ubegrundet"
    assert (unfounded[-1].state, unfounded[-1].value) == (PUBLISHED, 5)


def test_complete_quarters__are_the_four_before_the_running_one() -> None:
    quarters = complete_quarters(date(2026, 2, 10))
    assert [q.label for q in quarters] == ["1. kvt. 2025", "2. kvt. 2025", "3. kvt. 2025", "4. kvt. 2025"]
    assert timezone.localtime(quarters[-1].ends).date() == date(2026, 1, 1)


def test_frontline_worker__has_no_network_view(people, client_for) -> None:
    assert client_for("frontline_worker").get(reverse("concerns:network")).status_code == 403
