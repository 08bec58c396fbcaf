import pytest

from commitments.models import StatusUpdate


@pytest.fixture
def rcmp_pair(target):
    """Two of RCMP's 2014-2015 statuses, as the list shows them."""
    other = (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )
    return [target, other]
