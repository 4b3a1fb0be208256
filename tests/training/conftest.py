"""Training tests: a course administrator, the two-day course and an open offering in the shared world."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from samspil.accounts.models import User
from samspil.training.models import Course, Offering

from ..conftest import World, verified_client
from .helpers import course_admin, offering_of, psp_course


@pytest.fixture(autouse=True)
def media_root(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Uploaded files go to a temporary directory, never to the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    return tmp_path / "media"


@pytest.fixture
def admin(world: World) -> User:
    return course_admin()


@pytest.fixture
def admin_client(admin: User) -> Client:
    return verified_client(admin)


@pytest.fixture
def course(db: None) -> Course:
    return psp_course()


@pytest.fixture
def offering(course: Course) -> Offering:
    return offering_of(course)
