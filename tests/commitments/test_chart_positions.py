import pytest

from commitments.models import Deliverable

pytestmark = pytest.mark.django_db


def test_sub_items_move_with_their_deliverable(task, deliverable):
    first = Deliverable.objects.create(task=task, parent=deliverable, position=1, text_en="First item.")
    second = Deliverable.objects.create(task=task, parent=deliverable, position=2, text_en="Second item.")
    other = Deliverable.objects.create(task=task, position=2, text_en="The next deliverable.")
    deliverable.refresh_from_db()
    deliverable.position = 3  # moved after “The next deliverable”
    deliverable.save()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.chart_position, second.chart_position) == ("0003.0001", "0003.0002")
    in_order = list(Deliverable.objects.filter(task=task).in_chart_order().values_list("pk", flat=True))
    assert in_order == [other.pk, deliverable.pk, first.pk, second.pk]
