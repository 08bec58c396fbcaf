"""The coordinator's dashboard and its CSV (commitments.dashboard, commitments.admin.dashboard): the period's
totals, each department's figures with links to its outstanding and returned rows, the last reminders, the
links to it from the admin's home and sidebar, and who may open it."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from commitments.models import Department, ReportingPeriod, SentReminder, StatusUpdate
from tests.charts import grow_chart
from tests.commitments.staff_requests import change_data, client_for

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
    client.get(url)  # content types and the like are cached by the first request
    # session, user, coordinator?, the period, the user's and groups' permissions (sidebar), the period's
    # totals, the departments' figures (grouped by lead) and the departments (the last reminder as a subquery),
    # statuses per pillar, the last sending, the targets moved later (last year's status as subqueries), saving
    # the session (3)
    expected = 15
    with django_assert_num_queries(expected):
        small = client.get(url).content.decode()
    rows = StatusUpdate.objects.filter(period=target.period).count()
    grow_chart(10, target.period)
    assert StatusUpdate.objects.filter(period=target.period).count() >= 9 * rows
    with django_assert_num_queries(expected):
        large = client.get(url).content.decode()
    assert f"0 / {rows}</td>" in small and re.search(r'id="dashboard-updated">0 / (\d+)<', large)[1] != str(rows)
    assert len(large) < len(small) * 1.2  # the page does not grow with the chart


def test_the_csv_runs_the_same_queries_at_1x_and_10x_the_chart(target, django_assert_num_queries):
    client = client_for("coordinator")
    url = reverse(EXPORT)
    client.get(url)
    # session, user, coordinator?, the period, the totals, the departments' figures and the departments,
    # statuses per pillar, the last sending, saving the session (3)
    expected = 12
    with django_assert_num_queries(expected):
        client.get(url)
    grow_chart(10, target.period)
    with django_assert_num_queries(expected):
        client.get(url)


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
