"""Fixtures of the security tests: a second of RCMP's 2014-2015 statuses, beside tests/conftest.py's `target`."""

import pytest

from commitments.models import StatusUpdate


@pytest.fixture
def other(target):
    """Another of RCMP's 2014-2015 statuses."""
    return (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )
