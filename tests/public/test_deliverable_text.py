"""The public deliverable page prints a deliverable's bullet lines as a list, as the report does (issue #16:
task 1.14's five items were dash lines)."""

import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from commitments.models import Deliverable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr"])
def test_task_1_14s_bullets_are_a_list_on_its_public_page(client, demo, language):
    row = Deliverable.objects.get(text_en__startswith="Through the Children and Youth Strategy")
    with translation.override(language):
        response = client.get(reverse("public:deliverable-detail", kwargs={"pk": row.pk}))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    text = lxml_html.fromstring(response.content).find_class("deliverable-text")[0]
    assert len(text.findall(".//ul/li")) == 5
    assert "- " not in text.text_content()
