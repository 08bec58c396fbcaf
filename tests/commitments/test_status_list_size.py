"""A full page of the status list can be posted: Django refuses a request with more than
DATA_UPLOAD_MAX_NUMBER_FIELDS fields (400, "Max number of fields exceeded"), and the list posts several fields a row
with every save and every action. The whole-season browser test found the coordinator's full list past the limit."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from commitments.models import StatusUpdate

pytestmark = pytest.mark.django_db


def posted_fields(html: str) -> int:
    """The fields the changelist form posts: every named input, select and textarea inside it."""
    form = html[html.index('<form id="changelist-form"') :]
    form = form[: form.index("</form>")]
    return len(re.findall(r"<(?:input|select|textarea)\b[^>]*\bname=", form))


def test_a_full_page_of_the_coordinator_s_list_is_under_django_s_field_limit(client, demo):
    client.force_login(User.objects.get(username="coordinator"))
    period = StatusUpdate.objects.filter(period__start_year=2014).values_list("period_id", flat=True).first()
    html = client.get(f"/admin/commitments/statusupdate/?period__id__exact={period}").content.decode()
    rows = html.count('name="_selected_action"')
    assert rows == min(StatusUpdate.objects.filter(period_id=period).count(), 50)  # a full page
    assert posted_fields(html) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
