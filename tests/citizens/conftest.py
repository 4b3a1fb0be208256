"""The cases fixtures (tests/cases/conftest.py) are used here too."""

from ..cases.conftest import case, citizen, only_cases_panels  # noqa: F401
