"""Fixtures of the security tests: two of RCMP's 2014-2015 statuses."""

import pytest

from commitments.models import StatusUpdate


@pytest.fixture
def target(demo):
    """2014-2015's status of a deliverable led by RCMP and co-led by CBSA."""
    return StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Dedicated Integrated Enforcement Team"
    )


@pytest.fixture
def other(target):
    """Another of RCMP's 2014-2015 statuses."""
    return (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )
