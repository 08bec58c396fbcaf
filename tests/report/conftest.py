import pytest

from commitments.models import ReportingPeriod


@pytest.fixture
def published(demo):
    return ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2013)
