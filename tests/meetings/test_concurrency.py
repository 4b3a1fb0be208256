"""Many writers saving the same minutes at the same moment (PostgreSQL row locks): nobody's text is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from samspil.meetings.models import MeetingStatus, MinutesEntry, MinutesRevision
from samspil.meetings.services import minutes_save

from .helpers import KEY_MEMBERS, acknowledge, item_on, meeting_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real concurrency"
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writers", [2, 20])
def test_writers_saving_from_the_same_version_at_once__all_keep_their_text(world, case, writers) -> None:
    meeting = meeting_in(world, status=MeetingStatus.OPEN)
    item = item_on(meeting, case=case)
    for persona in KEY_MEMBERS:
        acknowledge(meeting, world.users[persona])
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            user = world.users[KEY_MEMBERS[n % len(KEY_MEMBERS)]]
            minutes_save(
                actor=user, item=item, text=f"Skriver {n} noterer sit punkt (fiktivt).\n", base_version=0
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entry = MinutesEntry.objects.scoped().get(item=item, organisation__isnull=True)
    for n in range(writers):
        assert f"Skriver {n} noterer sit punkt (fiktivt).\n" in entry.text
    assert entry.version == writers
    assert MinutesRevision.objects.scoped().filter(entry=entry).count() == writers
