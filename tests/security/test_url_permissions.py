"""Every URL of the URL configuration, checked against every role.

The URLs are discovered from the resolver; each must match an expectation below, so a new URL without
one fails this test until someone decides who may open it.
"""

from fnmatch import fnmatch

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from commitments.models import Deliverable, StatusUpdate

ROLES = ["anonymous", "staff_a", "staff_b", "coordinator"]
ACCOUNTS = {"staff_a": "rcmp", "staff_b": "ps", "coordinator": "coordinator"}
EVERYONE = set(ROLES)
STAFF = {"staff_a", "staff_b", "coordinator"}
LEAD = {"staff_a", "coordinator"}  # the sample status update is RCMP's (department A)
COORDINATOR = {"coordinator"}
NOBODY = set()

# (URL name pattern, roles that may open it with GET). The first matching pattern applies.
EXPECTATIONS = [
    ("commitments:*", EVERYONE),  # public pages: published data only
    ("healthz", EVERYONE),
    ("set_language", EVERYONE),
    ("admin:login", {"anonymous"}),  # signed-in users are sent on to the admin
    ("admin:logout", NOBODY),  # POST only
    ("admin:index", STAFF),
    ("admin:password_change*", STAFF),
    ("admin:jsi18n", STAFF),
    ("admin:app_list", STAFF),
    ("admin:view_on_site", STAFF),
    ("admin:autocomplete", NOBODY),  # needs its query parameters
    ("admin:commitments_dashboard", COORDINATOR),
    ("admin:commitments_statusupdate_changelist", STAFF),  # each sees only their own rows
    ("admin:commitments_statusupdate_export", STAFF),
    ("admin:commitments_statusupdate_import", STAFF),
    ("admin:commitments_statusupdate_process_import", NOBODY),  # POST only
    ("admin:commitments_statusupdate_change", LEAD),
    ("admin:commitments_statusupdate_history", LEAD),
    ("admin:commitments_statusupdate_simple_history", LEAD),  # viewing; reverting is the coordinator's
    ("admin:commitments_deliverable_changelist", STAFF),  # staff may view the chart
    ("admin:commitments_deliverable_change", STAFF),
    ("admin:commitments_deliverable_history", STAFF),
    ("admin:commitments_deliverable_simple_history", STAFF),
    # The record of a published year is never deleted or added to by hand, not even by the coordinator.
    ("admin:commitments_reportingperiod_delete", NOBODY),
    ("admin:commitments_publisheddeliverable_add", NOBODY),
    ("admin:commitments_publisheddeliverable_delete", NOBODY),
    ("admin:napreport_narrativesection_delete", NOBODY),  # the sample section belongs to the published year
    ("admin:napreport_publishedreport_add", NOBODY),
    ("admin:napreport_publishedreport_delete", NOBODY),
    ("admin:commitments_*", COORDINATOR),
    ("admin:napreport_*", COORDINATOR),
    ("admin:auth_*", NOBODY),  # accounts: create_staff_user or a superuser
    ("admin:axes_*", NOBODY),
]


def discover(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from discover(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern
        # Unnamed admin patterns only redirect old-style URLs to the named change views checked here.


def expectation(name):
    for pattern, roles in EXPECTATIONS:
        if fnmatch(name, pattern):
            return roles
    return None


def sample_kwargs(name, pattern, target):
    kwargs = {}
    model = None
    if name.startswith("admin:") and name.count("_") >= 2:
        app_model = name.split(":")[1]
        for candidate in ContentType.objects.all():
            if app_model.startswith(f"{candidate.app_label}_{candidate.model}_"):
                model = candidate.model_class()
    for key in pattern.pattern.converters or pattern.pattern.regex.groupindex:
        if key == "object_id":
            obj = target if model is StatusUpdate else (model.objects.order_by("pk").first() if model else None)
            kwargs[key] = str(obj.pk) if obj else "1"
        elif key == "version_id":
            obj = target if model is StatusUpdate else model.objects.order_by("pk").first()
            kwargs[key] = str(obj.history.first().history_id)
        elif key == "app_label":
            kwargs[key] = "commitments"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(Deliverable).pk
        elif key in ("pk", "period_id"):
            kwargs[key] = target.deliverable_id if key == "pk" else target.period_id
        elif key == "year":
            kwargs[key] = "2013-2014"
        elif key == "slug":
            kwargs[key] = "rcmp"
        elif key == "language":
            kwargs[key] = "en"
        elif key == "file_format":
            kwargs[key] = "pdf" if "preview" in name or "report" in name else "csv"
        elif key == "id":
            kwargs[key] = "1"
        else:
            raise AssertionError(f"No sample value for <{key}> in {name}")
    return kwargs


def opened(response):
    """Whether the role got the page (or a redirect onward), rather than a refusal."""
    if response.status_code in (401, 403, 404, 405):
        return False
    location = response.get("Location", "")
    return not (response.status_code == 302 and ("/admin/login/" in location or location.rstrip("/") == "/admin"))


@pytest.mark.django_db
def test_every_url_has_an_expectation_and_meets_it(demo):
    target = StatusUpdate.objects.get(period__start_year=2014, deliverable__text_en__startswith="Dedicated Integrated")
    clients = {role: Client() for role in ROLES}
    for role, username in ACCOUNTS.items():
        clients[role].force_login(get_user_model().objects.get(username=username))
    unexpected, wrong = [], []
    discovered = list(discover(get_resolver().url_patterns))
    assert len(discovered) > 60
    for name, pattern in discovered:
        roles = expectation(name)
        if roles is None:
            unexpected.append(name)
            continue
        kwargs = sample_kwargs(name, pattern, target)
        if name.endswith("_simple_history"):  # simple_history's URL is a regex with two positional groups
            model = ContentType.objects.get(
                app_label=name.split(":")[1].split("_")[0], model=name.split("_")[1]
            ).model_class()
            obj = target if model is StatusUpdate else model.objects.order_by("pk").first()
            url = reverse(name, args=[obj.pk, obj.history.first().history_id])
        else:
            url = reverse(name, kwargs=kwargs)
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code < 500, (name, role, response.status_code)
            if opened(response) is not (role in roles):
                wrong.append((name, role, response.status_code, response.get("Location", "")))
    assert unexpected == [], "URLs without an expectation"
    assert wrong == [], "\n".join(map(str, wrong))
