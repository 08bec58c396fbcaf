"""Property-based tests (hypothesis): arbitrary input at the public query parameters, every admin URL's path
parameters (library views included), every admin form, and the spreadsheet import never causes a 500 and
never a partial write."""

import io
import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import StatusUpdate
from tests.security.test_url_permissions import FormFields, changed_tables, discover, snapshot

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

    for template in ("/fr/progres/{}/", "/en/departments/{}/", "/en/downloads/{}/action-items.csv"):
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


# ---- every admin URL and form, library views included

ADMIN_ROUTES = [
    (name, str(pattern.pattern))
    for name, pattern in discover(get_resolver().url_patterns)
    if name.startswith("admin:") and re.search(r"<|\(", str(pattern.pattern))
]
SEGMENT = text | st.sampled_from(["99999999999999999999", "-1", "0", "1e5", "..", "%00", "1 OR 1=1", "１"])


def fill(route, segments):
    """The route with each path parameter (converter or regex group) replaced by the next segment."""
    values = iter(segments)
    path = re.sub(r"<[^>]+>|\((?:\?P<\w+>)?[^)]*\)", lambda match: quote(next(values), safe=""), route)
    return "/" + path.replace("^", "").replace("$", "")


def parameter_count(route):
    return len(re.findall(r"<[^>]+>|\((?:\?P<\w+>)?[^)]*\)", route))


@pytest.fixture
def clients(demo):
    signed_in = {}
    for username in ("rcmp", "coordinator"):
        signed_in[username] = Client()
        signed_in[username].force_login(get_user_model().objects.get(username=username))
    return signed_in


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(SEGMENT, min_size=3, max_size=3), method=st.sampled_from(["get", "post"]))
def test_no_admin_url_fails_on_any_path_parameter(clients, segments, method):
    for name, route in ADMIN_ROUTES:
        url = fill(route, segments[: parameter_count(route)])
        for client in clients.values():
            response = getattr(client, method)(url)
            assert response.status_code < 500, (name, url, method, response.status_code)


def form_fields(page):
    parser = FormFields()
    parser.feed(page)
    return max(parser.forms, key=len, default=[])


def admin_forms(client):
    """(URL, field names) of every add, change and history form the client can open."""
    forms = []
    for model in admin.site._registry:
        opts = model._meta
        obj = model._default_manager.order_by("pk").first()
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            if hasattr(obj, "history") and obj.history.exists():
                version = obj.history.order_by("history_id").first().history_id
                urls.append(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])
                )
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                forms.append((url, sorted({name for name, _value in form_fields(response.content.decode())})))
    return forms


@pytest.fixture
def forms(clients):
    """Each client's forms, read once for all the examples (the pages' fields do not change between them)."""
    return [(client, admin_forms(client)) for client in clients.values()]


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(SEGMENT, min_size=40, max_size=40))
def test_no_admin_form_fails_on_any_value(forms, values):
    for client, client_forms in forms:
        for url, names in client_forms:
            data = dict(zip(names, values, strict=False))
            response = client.post(url, data)
            assert response.status_code < 500, (url, data, response.status_code)


def changelist_actions(client):
    """(changelist URL, action name) of every action the client is offered, on every model's list."""
    offered = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url)
        if page.status_code == 200:
            offered += [(url, action) for action in model_admin.get_actions(page.wsgi_request)]
    return offered


@pytest.mark.django_db
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(SEGMENT, min_size=1, max_size=3))
def test_no_action_fails_or_writes_on_selected_rows_that_are_no_rows(clients, keys):
    """Django's admin filters the rows by the posted keys: a key its field cannot read was a server error."""
    keys = [key for key in keys if not (key.isascii() and key.isdigit() and len(key) < 19)] or ["x"]
    before = snapshot()
    for client in clients.values():
        for url, action in changelist_actions(client):
            response = client.post(url, {"action": action, "_selected_action": keys, "comment": "Forged"})
            assert response.status_code < 500, (url, action, keys, response.status_code)
    assert changed_tables(before, snapshot()) == []
