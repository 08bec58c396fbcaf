"""The coordinator's dashboard and its CSV (commitments.dashboard, commitments.admin.dashboard): the period's
totals, each department's figures with links to its outstanding and returned rows, the last reminders, the
links to it from the admin's home and sidebar, and who may open it."""

import csv
import datetime
import io
import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from commitments.chart_revision import count_own_changes, install_after_migrate, uninstall
from commitments.dashboard import count_figures, stored_or_counted
from commitments.models import (
    ChartRevision,
    DashboardFigures,
    Deliverable,
    DeliverableLead,
    Department,
    Objective,
    Pillar,
    ReportingPeriod,
    SentReminder,
    Status,
    StatusUpdate,
    Task,
)
from tests.charts import grow_chart, own_changes_counted
from tests.commitments.staff_requests import change_data, client_for
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:commitments_dashboard"
EXPORT = "admin:commitments_dashboard_export"


def dashboard_html(role="coordinator", language="en"):
    page = client_for(role).get(reverse(DASHBOARD), headers={"accept-language": language})
    assert page.status_code == 200
    return page.content.decode()


def department_row(html, acronym):
    return re.search(rf'<th scope="row">{re.escape(acronym)}</th>(.*?)</tr>', html, re.S).group(1)


def open_period():
    return ReportingPeriod.objects.get(start_year=2014)


# ---- what it shows


def test_the_dashboard_shows_the_periods_totals_by_review_state(target):
    updates = StatusUpdate.objects.filter(period=target.period)
    total = updates.count()
    updates.filter(pk=target.pk).update(updated_at=timezone.now(), review=StatusUpdate.Review.RETURNED)
    html = dashboard_html()
    totals = html.split('id="dashboard-totals"')[1].split("</table>")[0]
    assert f'<td id="dashboard-updated">1 / {total}</td>' in totals
    headers = re.findall(r'<th scope="col">([^<]+)</th>', totals)
    figures = re.findall(r"<td[^>]*>([^<]+)</td>", totals)
    assert headers == ["Updated", "Awaiting review", "Accepted", "Returned"]
    assert figures == [f"1 / {total}", str(total - 1), "0", "1"]


def test_each_department_shows_updated_outstanding_returned_and_last_activity(target):
    rcmp_updates = StatusUpdate.objects.filter(period=target.period, deliverable__leads__slug="rcmp")
    rcmp_total = rcmp_updates.count()
    assert rcmp_total > 2
    row = department_row(dashboard_html(), "RCMP")
    assert f'<td class="updated-count">0 / {rcmp_total}</td>' in row and "<td>—</td>" in row

    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Done.")
    )
    rcmp_updates.exclude(pk=target.pk).filter(pk=rcmp_updates.exclude(pk=target.pk).first().pk).update(
        review=StatusUpdate.Review.RETURNED
    )
    row = department_row(dashboard_html(), "RCMP")
    assert f'<td class="updated-count">1 / {rcmp_total}</td>' in row
    outstanding = re.search(r'<td class="outstanding-count"><a href="([^"]+)"[^>]*>(\d+)</a>', row)
    assert outstanding.group(2) == str(rcmp_total - 1)
    returned = re.search(r'<td class="returned-count"><a href="([^"]+)"[^>]*>(\d+)</a>', row)
    assert returned.group(2) == "1"
    updated_at = StatusUpdate.objects.get(pk=target.pk).updated_at
    assert timezone.localtime(updated_at).strftime("%Y-%m-%d %H:%M") in row


def test_each_departments_figures_are_those_counted_status_by_status(target):
    """count_by_lead_department's SQL against a count in Python of every status and its leads: a status led by
    two departments counts for each, every review state and update time (to the microsecond) as stored."""
    updates = StatusUpdate.objects.filter(period=target.period).order_by("pk")
    moments = [timezone.now() - datetime.timedelta(days=days, microseconds=days) for days in range(1, 4)]
    for update, moment, review in zip(updates[:3], moments, [StatusUpdate.Review.RETURNED] * 2 + [None], strict=True):
        StatusUpdate.objects.filter(pk=update.pk).update(updated_at=moment, review=review or update.review)
    expected, led_by_several = {}, 0
    for update in StatusUpdate.objects.filter(period=target.period).prefetch_related("deliverable__lead_links"):
        led_by_several += len(update.deliverable.lead_links.all()) > 1
        for link in update.deliverable.lead_links.all():
            figures = expected.setdefault(
                str(link.department_id), {"total": 0, "done": 0, "outstanding": 0, "returned": 0, "last": None}
            )
            figures["total"] += 1
            figures["done" if update.updated_at else "outstanding"] += 1
            figures["returned"] += update.review == StatusUpdate.Review.RETURNED
            if update.updated_at and (figures["last"] is None or update.updated_at > figures["last"]):
                figures["last"] = update.updated_at
    for figures in expected.values():
        figures["last"] = figures["last"] and figures["last"].isoformat()
    counted = count_figures(target.period)["departments"]
    assert counted == expected
    assert led_by_several  # the demo has deliverables with two or more leads
    assert sum(figures["returned"] for figures in counted.values()) >= 2
    assert sum(bool(figures["last"]) for figures in counted.values()) >= 1


def test_the_outstanding_link_opens_the_status_list_on_that_departments_rows_not_updated_yet(target):
    row = department_row(dashboard_html(), "RCMP")
    link = re.search(r'<td class="outstanding-count"><a href="([^"]+)"', row).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query == {"period__id__exact": [str(target.period_id)], "lead": ["rcmp"], "updated": ["no"]}
    page = client_for("coordinator").get(link)
    assert page.status_code == 200
    shown = page.context["cl"].queryset
    expected = StatusUpdate.objects.filter(
        period=target.period, deliverable__leads__slug="rcmp", updated_at__isnull=True
    )
    assert set(shown.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))


def test_the_dashboard_lists_no_deliverable_text_so_it_does_not_grow_with_the_chart(target):
    assert "Dedicated Integrated Enforcement Team" not in dashboard_html()


def test_the_dashboard_shows_the_last_reminders_sent_when_and_to_whom(target):
    assert "No reminder has been sent for this period." in dashboard_html()
    coordinator = get_user_model().objects.get(username="coordinator")
    rcmp, cbsa = Department.objects.get(slug="rcmp"), Department.objects.get(slug="cbsa")
    earlier = timezone.now() - timezone.timedelta(days=3)
    SentReminder.objects.create(
        period=target.period, department=cbsa, sent_at=earlier, recipients=["old@x.ca"], items=1
    )
    now = timezone.now()
    for department, address in ((rcmp, "rcmp@example.gc.ca"), (cbsa, "cbsa@example.gc.ca")):
        SentReminder.objects.create(
            period=target.period,
            department=department,
            sent_at=now,
            sent_by=coordinator,
            recipients=[address],
            items=2,
        )
    html = dashboard_html()
    last = html.split('id="dashboard-last-reminders">')[1].split("</p>")[0]
    assert "by coordinator" in last and "CBSA (cbsa@example.gc.ca)" in last and "RCMP (rcmp@example.gc.ca)" in last
    assert "old@x.ca" not in last  # an earlier sending
    assert timezone.localtime(now).strftime("%Y-%m-%d %H:%M") in department_row(html, "RCMP")


def test_the_dashboards_labels_are_in_french_for_a_french_user(target):
    html = dashboard_html(language="fr")
    for label in ("Mises à jour par ministère", "Dernière activité", "À faire", "Renvoyé", "Dernier rappel"):
        assert label in html, label
    assert '<th scope="row">GRC</th>' in html  # the department's French acronym
    assert "Envoyer des rappels…" in html and "Télécharger ce tableau (CSV)" in html


# ---- who may open it, and where it is linked


def test_department_staff_cannot_open_the_dashboard_or_its_csv(target):
    before = list(SentReminder.objects.all()), list(StatusUpdate.objects.values_list("pk", "version", "updated_at"))
    for role in ("staff_a", "staff_b", "co_lead"):
        for name in (DASHBOARD, EXPORT):
            assert client_for(role).get(reverse(name)).status_code == 403
    assert client_for("anonymous").get(reverse(EXPORT)).status_code == 302  # to the sign-in page
    after = list(SentReminder.objects.all()), list(StatusUpdate.objects.values_list("pk", "version", "updated_at"))
    assert after == before


def test_the_dashboard_is_linked_from_the_coordinators_home_and_sidebar_only(target):
    dashboard_url = reverse(DASHBOARD)
    home = client_for("coordinator").get(reverse("admin:index")).content.decode()
    assert f'href="{dashboard_url}"' in home
    sidebar = dashboard_html().split('id="nav-sidebar"')[1].split("</nav>")[0]
    assert f'href="{dashboard_url}" aria-current="page"' in sidebar
    assert f'href="{reverse("admin:commitments_reminders")}"' in sidebar
    department_list = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist"))
    assert dashboard_url not in department_list.content.decode()


# ---- query counts


def test_the_dashboard_runs_the_same_queries_at_1x_and_10x_the_chart(target, django_assert_num_queries):
    client = client_for("coordinator")
    url = reverse(DASHBOARD)
    SentReminder.objects.create(
        period=target.period, department=Department.objects.get(slug="rcmp"), recipients=["a@b.ca"], items=1
    )
    client.get(url)  # content types and the like are cached by the first request, and the figures stored
    # session, user, coordinator?, the period, the user's and groups' permissions (sidebar), the chart's revision
    # with the figures stored at it, the departments (the last reminder as a subquery), the last sending, the
    # targets moved later (last year's status as subqueries), saving the session (3)
    stored = 13 + own_changes_counted()
    with django_assert_num_queries(stored):
        small = client.get(url).content.decode()
    rows = StatusUpdate.objects.filter(period=target.period).count()
    grow_chart(10, target.period)
    assert StatusUpdate.objects.filter(period=target.period).count() >= 9 * rows
    # The chart changed: the period's totals, the departments' figures (grouped by lead) and the statuses per
    # pillar are counted again, and stored.
    with django_assert_num_queries(stored + 4):
        counted = client.get(url).content.decode()
    with django_assert_num_queries(stored):
        large = client.get(url).content.decode()
    assert f"0 / {rows}</td>" in small and re.search(r'id="dashboard-updated">0 / (\d+)<', large)[1] != str(rows)
    assert large == counted.replace(csrf_token(counted), csrf_token(large))
    assert len(large) < len(small) * 1.2  # the page does not grow with the chart


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def test_the_csv_runs_the_same_queries_at_1x_and_10x_the_chart(target, django_assert_num_queries):
    client = client_for("coordinator")
    url = reverse(EXPORT)
    client.get(url)
    # session, user, coordinator?, the period, the chart's revision with the stored figures, the departments,
    # the last sending, saving the session (3)
    stored = 10 + own_changes_counted()
    with django_assert_num_queries(stored):
        client.get(url)
    grow_chart(10, target.period)
    with django_assert_num_queries(stored + 4):  # counted again, and stored
        counted = client.get(url).content
    with django_assert_num_queries(stored):
        assert client.get(url).content == counted


# ---- the figures kept between requests


def changes_to_what_the_dashboard_counts(period):
    """Each way the figures can change, by every kind of write a program or a person can make."""
    update = StatusUpdate.objects.filter(period=period).order_by("pk").first()
    deliverable = update.deliverable
    other_pillar_task = Task.objects.exclude(objective__pillar=deliverable.task.objective.pillar).first()
    not_leading = Department.objects.exclude(lead_links__deliverable=deliverable).first()

    def save_one():
        update.status = Status.COMPLETE
        update.updated_at = timezone.now()
        update.save()

    def raw_sql():
        with connection.cursor() as cursor:
            table = StatusUpdate._meta.db_table
            cursor.execute(f"UPDATE {table} SET review = %s WHERE id = %s", [StatusUpdate.Review.RETURNED, update.pk])

    def move_task():
        task = deliverable.task
        task.objective = Objective.objects.exclude(pillar=task.objective.pillar).first()
        task.save()

    def renumber_pillars():
        pillars = list(Pillar.objects.order_by("number"))
        Pillar.objects.filter(pk=pillars[0].pk).update(number=99)

    return {
        "a status saved": save_one,
        "statuses updated in bulk": lambda: StatusUpdate.objects.filter(period=period).update(
            updated_at=timezone.now()
        ),
        "raw SQL": raw_sql,
        "a status deleted": lambda: StatusUpdate.objects.filter(period=period).order_by("-pk").first().delete(),
        "statuses created in bulk": lambda: grow_chart(2, period),
        "a lead added": lambda: DeliverableLead.objects.create(
            deliverable=deliverable, department=not_leading, position=9
        ),
        "a lead removed": lambda: DeliverableLead.objects.filter(deliverable=deliverable).delete(),
        "a deliverable moved to another pillar's task": lambda: Deliverable.objects.filter(pk=deliverable.pk).update(
            task=other_pillar_task
        ),
        "a task moved to another pillar": move_task,
        "a pillar renumbered": renumber_pillars,
    }


def test_the_stored_figures_are_counted_again_after_every_kind_of_change(target):
    period = target.period
    assert stored_or_counted(period) == count_figures(period)
    for change, make in changes_to_what_the_dashboard_counts(period).items():
        before = stored_or_counted(period)
        assert DashboardFigures.objects.filter(period=period).exists()
        make()
        after = stored_or_counted(period)
        assert after == count_figures(period), change
        assert after != before, change  # each change makes a difference the figures show


def test_the_stored_figures_are_read_while_nothing_changes(target, django_assert_num_queries):
    period = target.period
    counted = stored_or_counted(period)
    DashboardFigures.objects.filter(period=period).update(figures={**counted, "marker": True})
    with django_assert_num_queries(1 + own_changes_counted()):
        assert stored_or_counted(period)["marker"]  # read, not counted
    Department.objects.filter(slug="rcmp").update(name_en="Changed")  # not counted: read fresh each time
    SentReminder.objects.create(period=period, department=Department.objects.get(slug="rcmp"), items=1)
    assert stored_or_counted(period)["marker"]
    DashboardFigures.objects.filter(period=period).update(figures={**counted, "version": 0, "marker": True})
    assert stored_or_counted(period) == counted  # stored in an earlier shape: counted again


def test_the_triggers_are_installed_again_by_migrate_and_flush(target):
    """After `migrate` and `flush` (post_migrate): SQLite's schema editor drops a table's triggers when it
    rebuilds the table to alter it, and `flush` empties the revision's table."""
    period = target.period
    stored = stored_or_counted(period)  # with count_own_changes: PostgreSQL drops no trigger with events pending
    revision = ChartRevision.objects.get().number
    uninstall(connection)  # as a migration rebuilding the statuses' table would on SQLite
    StatusUpdate.objects.filter(pk=target.pk).update(updated_at=timezone.now())  # raises nothing
    assert ChartRevision.objects.get().number == revision and stored != count_figures(period)  # stale, until:
    install_after_migrate(using="default")
    assert not DashboardFigures.objects.exists()  # nothing stored before can be trusted
    assert stored_or_counted(period) == count_figures(period) != stored
    StatusUpdate.objects.filter(pk=target.pk).update(review=StatusUpdate.Review.RETURNED)  # raises it again
    assert stored_or_counted(period) == count_figures(period)
    assert stored_or_counted(period)["totals"][StatusUpdate.Review.RETURNED] == 1


def test_without_the_revisions_row_the_figures_are_counted_and_not_kept(target):
    ChartRevision.objects.all().delete()  # as a flush leaves it, until post_migrate
    assert stored_or_counted(target.period) == count_figures(target.period)
    assert not DashboardFigures.objects.exists()
    install_after_migrate(using="default")
    assert ChartRevision.objects.get().number == 0
    stored_or_counted(target.period)
    assert DashboardFigures.objects.get(period=target.period).revision == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_changing_the_same_statuses_do_not_deadlock_on_the_revision(demo):
    """T1 changes row a; T2 changes row b and commits while T1 waits for b. Were the revision raised at once, T1
    would hold its row and T2 wait for it at its commit: a deadlock. Deferred to the commit, both commit."""
    period = ReportingPeriod.objects.get(start_year=2014)
    a, b = StatusUpdate.objects.filter(period=period).order_by("pk").values_list("pk", flat=True)[:2]
    revision = ChartRevision.objects.get().number
    t2_changed_b = threading.Event()

    def first():
        with transaction.atomic():
            StatusUpdate.objects.filter(pk=a).update(note_en="T1")
            t2_changed_b.wait(10)
            StatusUpdate.objects.filter(pk=b).update(note_en="T1")  # waits until T2 commits

    def second():
        with transaction.atomic():
            StatusUpdate.objects.filter(pk=b).update(note_en="T2")
            t2_changed_b.set()
            time.sleep(0.5)  # T1 is now waiting for row b

    assert run_in_threads(first, second) == []
    assert StatusUpdate.objects.get(pk=b).note_en == "T1"
    assert ChartRevision.objects.get().number == revision + 2  # once by each transaction


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_transaction_raises_the_revision_once_however_many_rows_it_writes(target):
    """Raised on each row, the revision's row would keep a version for each in the transaction, each update
    slower than the last: seconds for the carry-forward of a large chart."""
    count_own_changes(connection)
    revision = ChartRevision.objects.get().number
    grow_chart(3, target.period)  # hundreds of statuses and lead links
    StatusUpdate.objects.filter(period=target.period).update(updated_at=timezone.now())
    count_own_changes(connection)
    assert ChartRevision.objects.get().number == revision + 1


# ---- the CSV


def read_csv(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as Excel wants it
    text = content.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF line ends only
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_a_row_per_department_and_the_totals(target):
    response = client_for("coordinator").get(reverse(EXPORT))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-2014-2015.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "Department",
        "Updated",
        "Deliverables",
        "Outstanding",
        "Returned",
        "Last activity",
        "Last reminder",
    ]
    rcmp = next(row for row in rows if row[0] == "RCMP")
    rcmp_total = StatusUpdate.objects.filter(period=target.period, deliverable__leads__slug="rcmp").count()
    assert rcmp[1:5] == ["0", str(rcmp_total), str(rcmp_total), "0"]
    total = StatusUpdate.objects.filter(period=target.period).count()
    assert rows[-1] == ["All departments", "0", str(total), str(total), "0", "", ""]
    leading = Department.objects.filter(lead_links__deliverable__status_updates__period=target.period).distinct()
    assert [row[0] for row in rows[1:-1]] == sorted((d.acronym for d in leading), key=str.casefold)


def test_the_csvs_headers_are_in_the_users_language(target):
    response = client_for("coordinator").get(reverse(EXPORT), headers={"accept-language": "fr"})
    rows = read_csv(response)
    assert rows[0][:5] == ["Ministère", "Mis à jour", "Produits livrables", "À faire", "Renvoyé"]
    assert rows[-1][0] == "Tous les ministères" and any(row[0] == "GRC" for row in rows)
    names = [row[0] for row in rows[1:-1]]
    assert names.index("CANAFE") < names.index("GRC") < names.index("SP")  # French order for French names
    assert "tableau-de-bord-2014-2015.csv" in response["Content-Disposition"]


def test_the_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula(target):
    Department.objects.filter(slug="rcmp").update(acronym='=HYPERLINK("http://x.example","RCMP")')
    rows = read_csv(client_for("coordinator").get(reverse(EXPORT)))
    assert '\'=HYPERLINK("http://x.example","RCMP")' in [row[0] for row in rows]
    assert not any(row[0].startswith("=") for row in rows)
