"""Every URL of the URL configuration, library views included, checked against every role, with GET and POST.

The URLs are discovered from the resolver (the admin's, django-simple-history's history and revert views,
django-import-export's import and export, the autocomplete, the public pages); each must match an
expectation below, so a new URL without one fails this test until someone decides who may open it and who
may write through it. A POST is built from the form the page really shows (as the coordinator sees it), with
its text changed, so a write that the server does not refuse would succeed and show up here.

After every request that must not write, the database is compared with a snapshot taken before it: a
refusal that still changed something fails, whatever its status code. And no response to a role contains a
draft it may not read (the open period's notes of deliverables its department does not lead).
"""

import re
from fnmatch import fnmatch
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from commitments.models import Deliverable, ReportingPeriod, StatusUpdate

ROLES = ["anonymous", "staff_a", "colead", "staff_b", "coordinator"]
# The sample status update (“Fast Facts”, 2014-2015, open) is led by RCMP (staff_a) and co-led by PS; CBSA
# (staff_b) leads neither.
ACCOUNTS = {"staff_a": "rcmp", "colead": "ps", "staff_b": "cbsa", "coordinator": "coordinator"}
EVERYONE = set(ROLES)
STAFF = {"staff_a", "colead", "staff_b", "coordinator"}
LEAD = {"staff_a", "colead", "coordinator"}
COORDINATOR = {"coordinator"}
NOBODY = set()

# Draft notes of the open period, and who may read each.
DRAFTS = {
    "DRAFT-NOTE-OF-RCMP-AND-PS": {"staff_a", "colead", "coordinator"},  # the sample status update
    "DRAFT-NOTE-OF-CBSA-ONLY": {"staff_b", "coordinator"},
    "DRAFT-NOTE-OF-RCMP-ONLY": {"staff_a", "coordinator"},
}

# (URL name pattern, roles that may open it with GET, roles that may write through it with POST).
# The first matching pattern applies. The sample objects: see sample_objects().
EXPECTATIONS = [
    ("public:*", EVERYONE, NOBODY),  # public pages: published data only
    ("healthz", EVERYONE, NOBODY),
    ("robots-txt", EVERYONE, NOBODY),  # public: robots.txt, its sitemap line
    ("sitemap-xml", EVERYONE, NOBODY),  # public: published pages only
    ("set_language", EVERYONE, NOBODY),  # a cookie, not the database
    ("admin_password_reset", EVERYONE, NOBODY),  # sends an e-mail; stores nothing
    ("password_reset_*", EVERYONE, NOBODY),
    ("admin:login", {"anonymous"}, NOBODY),  # signed-in users are sent on to the admin
    ("admin:logout", NOBODY, NOBODY),  # POST only
    ("admin:index", STAFF, NOBODY),
    ("admin:password_change*", STAFF, STAFF),  # one's own password
    ("admin:jsi18n", STAFF, NOBODY),
    ("admin:app_list", STAFF, NOBODY),
    ("admin:view_on_site", STAFF, NOBODY),
    ("admin:autocomplete", STAFF, NOBODY),  # deliverables for the status form's field: staff may view the chart
    ("admin:commitments_dashboard", COORDINATOR, NOBODY),  # GET only: reminders are sent from their own page
    ("admin:commitments_dashboard_export", COORDINATOR, NOBODY),  # the dashboard as CSV
    ("admin:commitments_reminders", COORDINATOR, COORDINATOR),  # GET: what would be sent; POST sends, records
    ("admin:commitments_statusupdate_changelist", STAFF, LEAD),  # each sees and changes only their own rows
    ("admin:commitments_statusupdate_export", STAFF, NOBODY),
    ("admin:commitments_statusupdate_import", STAFF, NOBODY),  # a preview writes nothing
    ("admin:commitments_statusupdate_process_import", NOBODY, LEAD),  # POST only
    ("admin:commitments_statusupdate_change", LEAD, LEAD),
    ("admin:commitments_statusupdate_history", LEAD, NOBODY),
    ("admin:commitments_statusupdate_simple_history", LEAD, COORDINATOR),  # viewing; reverting is the coordinator's
    ("admin:commitments_statusupdate_*", COORDINATOR, COORDINATOR),  # add, delete
    ("admin:commitments_deliverable_changelist", STAFF, COORDINATOR),  # staff may view the chart
    ("admin:commitments_deliverable_change", STAFF, COORDINATOR),
    ("admin:commitments_deliverable_history", STAFF, NOBODY),
    ("admin:commitments_deliverable_simple_history", STAFF, NOBODY),  # view only: the chart is never reverted
    # The sample period is the published 2013-2014: its record never changes, not even by the coordinator.
    ("admin:commitments_reportingperiod_add", COORDINATOR, COORDINATOR),
    # The period page's lifecycle buttons: POST only (a GET is refused); the sample is the open 2014-2015.
    ("admin:commitments_reportingperiod_lifecycle", NOBODY, COORDINATOR),
    # The period page's "Copy last year's narrative" button: POST only; the sample open period has no narrative.
    ("admin:commitments_reportingperiod_copy_narrative", NOBODY, COORDINATOR),
    ("admin:commitments_reportingperiod_delete", NOBODY, NOBODY),
    ("admin:commitments_reportingperiod_*", COORDINATOR, NOBODY),
    ("admin:commitments_publisheddeliverable_changelist", COORDINATOR, NOBODY),
    ("admin:commitments_publisheddeliverable_change", COORDINATOR, NOBODY),
    ("admin:commitments_publisheddeliverable_history", COORDINATOR, NOBODY),
    ("admin:commitments_publisheddeliverable_*", NOBODY, NOBODY),  # add, delete
    # The sample section belongs to the published year: read-only for everyone.
    ("admin:napreport_narrativesection_add", COORDINATOR, COORDINATOR),
    ("admin:napreport_narrativesection_delete", NOBODY, NOBODY),
    ("admin:napreport_narrativesection_*", COORDINATOR, NOBODY),
    ("admin:napreport_report_preview", COORDINATOR, NOBODY),
    ("admin:napreport_publishedreport_changelist", COORDINATOR, NOBODY),
    ("admin:napreport_publishedreport_change", COORDINATOR, NOBODY),
    ("admin:napreport_publishedreport_history", COORDINATOR, NOBODY),
    ("admin:napreport_publishedreport_*", NOBODY, NOBODY),
    ("admin:commitments_*", COORDINATOR, COORDINATOR),  # the chart: plan, pillars, objectives, tasks, departments
    ("admin:auth_*", NOBODY, NOBODY),  # accounts: create_staff_user or a superuser
    ("admin:axes_*", NOBODY, NOBODY),
    ("admin:django_tasks_database_*", NOBODY, NOBODY),  # the background tasks' records: superusers only
]

# What a refusal must leave as it was: everything but sessions (renewed on every request).
# Not the app's data: the sessions; the dashboard's figures, counted from the rows compared here and kept by the
# coordinator's own reads of the dashboard (commitments/dashboard.py); and the chart's revision, which the database
# raises on any change to those rows (commitments/chart_revision.py: on PostgreSQL a test's own earlier writes raise
# it when the dashboard reads it, within the test's one transaction).
SKIPPED_MODELS = {"sessions.session", "commitments.dashboardfigures", "commitments.chartrevision"}


def discover(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from discover(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern
        # Unnamed admin patterns only redirect old-style URLs to the named change views checked here.


def expectation(name):
    for pattern, readers, writers in EXPECTATIONS:
        if fnmatch(name, pattern):
            return readers, writers
    return None


def snapshot():
    """Every row of every table the app and its libraries keep, as plain values."""
    state = {}
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED_MODELS:
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        state[model._meta.label_lower] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def changed_tables(before, after):
    return sorted(label for label in before if before[label] != after[label])


def model_of(name):
    """The model behind an admin URL name such as admin:commitments_statusupdate_change."""
    if not name.startswith("admin:"):
        return None
    app_model = name.split(":")[1]
    for model in admin.site._registry:
        if app_model.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def sample_objects(target):
    cbsa_only = Deliverable.objects.get(status_updates__note_en="DRAFT-NOTE-OF-CBSA-ONLY")
    return {
        StatusUpdate: target,
        Deliverable: cbsa_only,  # another department's, for staff_a and the co-lead
        ReportingPeriod: ReportingPeriod.objects.get(start_year=2013),  # published
    }


def sample_url(name, pattern, target, samples):
    model = model_of(name)
    obj = None
    if model is not None:
        obj = samples.get(model) or model._default_manager.order_by("pk").first()
    if name.endswith("_simple_history"):  # simple_history's URL is a regex with two positional groups
        return reverse(name, args=[obj.pk, obj.history.order_by("history_id").first().history_id])
    kwargs = {}
    for key in pattern.pattern.converters or pattern.pattern.regex.groupindex:
        if key in ("object_id", "id"):
            kwargs[key] = str(obj.pk) if obj else "1"
        elif key == "app_label":
            kwargs[key] = "commitments"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(Deliverable).pk
        elif key == "pk":
            kwargs[key] = target.deliverable_id
        elif key == "period_id":
            kwargs[key] = target.period_id
        elif key == "year":
            kwargs[key] = "2013-2014"
        elif key == "step":
            kwargs[key] = "start_review"
        elif key == "slug":
            kwargs[key] = "rcmp"
        elif key == "language":
            kwargs[key] = "en"
        elif key == "file_format":
            kwargs[key] = "pdf" if "report" in name else "csv"
        elif key == "name":  # a stored file of a year's open data
            kwargs[key] = "datapackage.json"
        elif key in ("uidb64", "token"):
            kwargs[key] = "MQ" if key == "uidb64" else "set-password"
        else:
            raise AssertionError(f"No sample value for <{key}> in {name}")
    url = reverse(name, kwargs=kwargs)
    if name == "admin:autocomplete":  # the lookup the status form's deliverable field makes
        url += "?app_label=commitments&model_name=statusupdate&field_name=deliverable&term=a"
    return url


class FormFields(HTMLParser):
    """The fields of the largest POST form on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = []
            self.forms.append(self.current)
        if self.current is None or not attrs.get("name"):
            if tag == "option" and self.select is not None and "selected" in attrs:
                self.current.append((self.select, attrs.get("value", "")))
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("file", "button", "image", "reset"):
                return
            self.current.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self.textarea = name
            self.current.append((name, ""))
        elif tag == "select":
            self.select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None and self.current:
            name, value = self.current[-1]
            self.current[-1] = (name, value + data)


def probe_payload(page):
    """The page's form with every text changed: what a write through this page would submit."""
    parser = FormFields()
    parser.feed(page)
    fields = max(parser.forms, key=len, default=[])
    payload = {}
    for name, value in fields:
        if name.endswith(("_en", "_fr", "title", "note", "comment", "text")) or name.startswith("body"):
            value = f"{value} probe"
        elif name in ("start_year", "position", "number"):
            value = str(int(value) - 1) if value.isdigit() else value
        payload.setdefault(name, []).append(value)
    return payload or {"probe": ["1"]}


def action_payloads(name, obj):
    """Each admin action of a changelist applied to the sample object, as a crafted POST would."""
    model = model_of(name)
    model_admin = admin.site._registry[model]
    names = [
        "delete_selected",
        *(action if isinstance(action, str) else action.__name__ for action in model_admin.actions or []),
    ]
    selected = str(obj.pk) if obj else "1"
    return [{"action": action, "_selected_action": [selected], "index": "0"} for action in names]


@pytest.fixture
def target(demo):
    """The sample status update, and draft notes in the open period that only some roles may read."""
    target = StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Develop and launch RCMP"
    )
    assert {d.acronym for d in target.deliverable.leads.all()} == {"PS", "RCMP"}
    for note, lead in (
        ("DRAFT-NOTE-OF-RCMP-AND-PS", None),
        ("DRAFT-NOTE-OF-CBSA-ONLY", "CBSA"),
        ("DRAFT-NOTE-OF-RCMP-ONLY", "RCMP"),
    ):
        update = target
        if lead:
            update = next(
                u
                for u in StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__acronym=lead)
                if [d.acronym for d in u.deliverable.leads.all()] == [lead]
            )
        update.note_en = note
        update.save()  # through save(), so the history holds the draft too
    return StatusUpdate.objects.get(pk=target.pk)


def signed_in_clients():
    # A server error is recorded with the rest (and the request's transaction undone), not raised.
    clients = {role: Client(raise_request_exception=False) for role in ROLES}
    for role, username in ACCOUNTS.items():
        clients[role].force_login(get_user_model().objects.get(username=username))
    return clients


def opened(response):
    """Whether the role got the page (or a redirect onward), rather than a refusal."""
    if response.status_code in (400, 401, 403, 404, 405):
        return False
    location = response.get("Location", "")
    return not (response.status_code == 302 and ("/admin/login/" in location or location.rstrip("/") == "/admin"))


# Statements that cannot change a table the snapshot compares: reads, savepoints, and the session's own row.
CANNOT_WRITE = re.compile(
    r"\s*(?:(?:SELECT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b"
    r'|(?:INSERT INTO|UPDATE|DELETE FROM) "django_session")',
    re.IGNORECASE,
)


class Writes:
    """Whether the connection ran any statement that could have changed a compared table (a database wrapper)."""

    def __init__(self):
        self.seen = False

    def __call__(self, execute, sql, params, many, context):
        self.seen = self.seen or not CANNOT_WRITE.match(sql)
        return execute(sql, params, many, context)


def request_and_compare(client, method, url, data, state):
    """One request in a savepoint that is undone afterwards: its response, and the tables it changed.

    Undoing every request keeps each starting from the same data (a deletion or an allowed write does not
    change what the next request meets), and a request that broke its transaction does not break the next.
    Every table is compared with the snapshot after any request that ran a statement other than a read (a write
    undone within the request, as an import's preview does, leaves nothing changed); after reads alone nothing
    can have changed, and the comparison, which reads every row of every table, is skipped.
    """
    writes = Writes()
    with transaction.atomic(), connection.execute_wrapper(writes):
        response = getattr(client, method)(url, data)
        response.body = b"".join(response.streaming_content) if response.streaming else response.content
        broken = transaction.get_connection().needs_rollback
        changed = [] if broken or not writes.seen else changed_tables(state, snapshot())
        transaction.set_rollback(True)
    return response, changed


def check_url(name, pattern, readers, writers, clients, target, samples, state):
    """GET and POST the URL as every role; what each got that it should not have."""
    wrong, writes, leaks = [], [], []
    url = sample_url(name, pattern, target, samples)
    # The form as the coordinator sees it: the most a POST through this page could carry.
    page, _changed = request_and_compare(clients["coordinator"], "get", url, None, state)
    payloads = [probe_payload(page.body.decode(errors="replace"))]
    if name.endswith("_changelist"):
        payloads += action_payloads(name, samples.get(model_of(name)) or model_of(name)._default_manager.first())
    for role in ROLES:
        requests = [("get", None), *(("post", payload) for payload in payloads)]
        for method, payload in requests:
            response, changed = request_and_compare(clients[role], method, url, payload, state)
            what = (method.upper(), name, role, (payload or {}).get("action"))
            if response.status_code >= 500:
                wrong.append((*what, response.status_code, "server error"))
            if method == "get" and opened(response) is not (role in readers):
                wrong.append((*what, response.status_code, response.get("Location", "")))
            if changed and (method == "get" or role not in writers):
                writes.append((*what, changed))
            leaks += [(*what, note) for note in DRAFTS if role not in DRAFTS[note] and note.encode() in response.body]
    return wrong, writes, leaks


@pytest.mark.slow
@pytest.mark.django_db
def test_every_url_has_an_expectation_and_meets_it_for_get_and_post(target):
    clients = signed_in_clients()
    samples = sample_objects(target)
    discovered = list(discover(get_resolver().url_patterns))
    assert len(discovered) > 100
    unexpected, wrong, writes, leaks = [], [], [], []
    state = snapshot()
    for name, pattern in discovered:
        found = expectation(name)
        if found is None:
            unexpected.append(name)
            continue
        readers, writers = found
        url_wrong, url_writes, url_leaks = check_url(name, pattern, readers, writers, clients, target, samples, state)
        wrong += url_wrong
        writes += url_writes
        leaks += url_leaks
        if name == "admin:logout":  # its POST signed every role out: sign them in again
            clients = signed_in_clients()
            state = snapshot()
    report = [
        ("URLs without an expectation", unexpected),
        ("Refused where allowed, allowed where refused, or a server error", wrong),
        ("Requests that should have been refused changed the database", writes),
        ("Drafts shown to a role that may not read them", leaks),
    ]
    assert not any(problems for _title, problems in report), "\n".join(
        f"{title}:\n  " + "\n  ".join(map(str, problems)) for title, problems in report if problems
    )


@pytest.mark.django_db
def test_every_registered_model_has_its_admin_urls_in_the_expectations():
    names = {name for name, _pattern in discover(get_resolver().url_patterns)}
    for model in admin.site._registry:
        changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        assert changelist in names
        assert expectation(changelist) is not None, model
