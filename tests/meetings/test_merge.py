"""The three-way merge behind live minutes: two secretaries never lose text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from samspil.meetings.merge import merge_texts

MARKER = "[Samtidig tekst]"


def test_changes_in_different_places__are_both_kept_without_a_marker() -> None:
    base = "Punkt om bolig.\nPunkt om økonomi.\nPunkt om netværk.\n"
    mine = "Punkt om bolig: varsel om udsættelse.\nPunkt om økonomi.\nPunkt om netværk.\n"
    theirs = "Punkt om bolig.\nPunkt om økonomi.\nPunkt om netværk: søster kontaktes.\n"
    result = merge_texts(base, mine, theirs, marker=MARKER)
    assert (
        result.text
        == "Punkt om bolig: varsel om udsættelse.\nPunkt om økonomi.\nPunkt om netværk: søster kontaktes.\n"
    )
    assert not result.conflicted


def test_both_adding_at_the_end__keeps_both_stored_text_first() -> None:
    result = merge_texts(
        "Indledning.\n",
        "Indledning.\nPoliti: set i weekenden.\n",
        "Indledning.\nPsykiatri: indlagt kort.\n",
        marker=MARKER,
    )
    assert result.text == "Indledning.\nPsykiatri: indlagt kort.\nPoliti: set i weekenden.\n"
    assert not result.conflicted


def test_both_changing_the_same_line__keeps_both_versions_with_a_marker() -> None:
    result = merge_texts("Status: uklar", "Status: stabil, bor hjemme", "Status: forværret", marker=MARKER)
    assert result.text == f"Status: forværret\n{MARKER}\nStatus: stabil, bor hjemme"
    assert result.conflicted


def test_an_incoming_save_without_changes__keeps_the_stored_text() -> None:
    assert merge_texts("a\n", "a\n", "a\nb\n", marker=MARKER).text == "a\nb\n"


lines = st.lists(
    st.sampled_from(["Borger set.", "Politi kontakter.", "Bolig.", "Søster.", "Ingen ændring.", ""]),
    max_size=6,
)


@given(lines, lines, lines)
def test_every_line_either_writer_added__is_in_the_result(base_lines, mine_lines, theirs_lines) -> None:
    base, mine, theirs = ("\n".join(x) + "\n" if x else "" for x in (base_lines, mine_lines, theirs_lines))
    result = merge_texts(base, mine, theirs, marker=MARKER).text
    for line in set(mine.splitlines()) - set(base.splitlines()):
        assert line in result.splitlines()
    for line in set(theirs.splitlines()) - set(base.splitlines()):
        assert line in result.splitlines()
