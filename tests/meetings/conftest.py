"""Meeting tests in the shared world (tests/conftest.py): the key-person group has the three key members
and the coordinator; the coordinator runs the meetings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from samspil.cases.models import Case
from samspil.meetings.models import Meeting, MeetingSeries

from ..conftest import World
from .helpers import Inbox, free_port, meeting_in, psp_case, series_of


@pytest.fixture
def series(world: World) -> MeetingSeries:
    return series_of(world)


@pytest.fixture
def meeting(world: World, series: MeetingSeries) -> Meeting:
    """A planned meeting a week from now, chaired by the coordinator."""
    return meeting_in(world, series=series)


@pytest.fixture
def case(world: World) -> Case:
    """Identified, all three sectors involved, raised by the frontline worker."""
    return psp_case(
        world, identified=True, referred_by=world.users["frontline_worker"], pseudonym="Borger M-1001"
    )


@pytest.fixture
def police_case(world: World) -> Case:
    """Police and psychiatry only: the municipality (social worker, coordinator) is not involved."""
    return psp_case(
        world, involved=("police", "region"), lead="police", identified=True, pseudonym="Borger M-2002"
    )


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    """A real SMTP server on a free loopback port; Django sends to it through its SMTP backend."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()
