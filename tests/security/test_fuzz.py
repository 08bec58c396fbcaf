"""Property-based tests (hypothesis): arbitrary input at the public query parameters, the staff form
and the spreadsheet import never causes a 500 and never a partial write."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import StatusUpdate

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
PARAMETERS = ["q", "pillar", "objective", "task", "department", "status", "sort", "page", "download", "from", "to"]


@pytest.fixture
def staff_client(demo):
    client = Client()
    client.force_login(get_user_model().objects.get(username="rcmp"))
    return client


@pytest.mark.django_db
@FUZZ
@given(
    params=st.dictionaries(st.sampled_from(PARAMETERS), text, max_size=4),
    path=st.sampled_from(["progress/2013-2014/", "changes/", "", "downloads/"]),
)
def test_public_pages_never_fail_on_any_query(demo, client, params, path):
    response = client.get(f"/en/{path}", params)
    assert response.status_code in (200, 404)


@pytest.mark.django_db
@FUZZ
@given(segment=text)
def test_public_urls_never_fail_on_any_path(demo, client, segment):
    from urllib.parse import quote

    for template in ("/fr/progress/{}/", "/en/departments/{}/", "/en/downloads/{}/action-items.csv"):
        response = client.get(template.format(quote(segment, safe="")))
        assert response.status_code in (200, 301, 302, 404)


@pytest.mark.django_db
@FUZZ
@given(
    status=text | st.sampled_from(["complete", "on_track", "ongoing"]),
    target=text | st.integers(-5, 3000).map(str),
    note=text,
)
def test_the_status_form_never_fails_and_never_half_saves(demo, staff_client, status, target, note):
    update = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").first()
    before = StatusUpdate.objects.values().get(pk=update.pk)
    data = {"status": status, "target_year": target, "note_en": note, "note_fr": "", "read_version": update.version}
    response = staff_client.post(reverse("admin:commitments_statusupdate_change", args=[update.pk]), data)
    assert response.status_code in (200, 302)
    after = StatusUpdate.objects.values().get(pk=update.pk)
    if response.status_code == 200:  # refused: nothing changed
        assert after == before
    else:  # saved: all of it, in one version step, as this user's update
        assert after["status"] == status and after["version"] == before["version"] + 1
        assert after["updated_by_id"] == get_user_model().objects.get(username="rcmp").pk


@pytest.mark.django_db
@FUZZ
@given(body=st.binary(max_size=300) | text.map(str.encode))
def test_the_import_never_fails_and_never_writes_on_a_bad_file(demo, staff_client, body):
    before = list(StatusUpdate.objects.values_list("pk", "version", "status", "note_en").order_by("pk"))
    upload = io.BytesIO(body)
    upload.name = "updates.csv"
    response = staff_client.post(
        reverse("admin:commitments_statusupdate_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    assert list(StatusUpdate.objects.values_list("pk", "version", "status", "note_en").order_by("pk")) == before
