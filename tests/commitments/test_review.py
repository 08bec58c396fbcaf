"""The coordinator's review of the departments' updates (commitments.review) and the review queue
(commitments.admin.review, commitments.admin.status_actions)."""

import re

import pytest
from django.urls import reverse, reverse_lazy

from commitments.admin.status_updates import StatusUpdateAdmin
from commitments.models import Department, ReportingPeriod, StatusUpdate
from tests.charts import grow_chart
from tests.commitments.staff_requests import (
    change_data,
    client_for,
    list_data,
)


@pytest.mark.django_db
def test_returned_updates_come_first_and_an_answer_puts_them_back_in_review(rcmp_pair):
    target, other = rcmp_pair
    StatusUpdate.objects.filter(pk=other.pk).update(review="returned", review_comment="Say what was done.")
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist")).content.decode()
    assert page.index("Say what was done.") < page.index(target.deliverable.text_en[:40])
    assert f'name="form-0-id" value="{other.pk}"' in page
    other.refresh_from_db()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[other.pk]),
        change_data(other, note_en="Here is what was done."),
    )
    other.refresh_from_db()
    assert other.review == "pending" and other.note_en == "Here is what was done."


@pytest.mark.django_db
def test_in_review_the_coordinator_corrects_and_departments_no_longer_update(target):
    ReportingPeriod.objects.filter(start_year=2014).update(state="in_review")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    client_for("staff_a").post(url, change_data(target, note_en="Late department note"))
    target.refresh_from_db()
    assert target.note_en != "Late department note"
    assert (
        client_for("coordinator").post(url, change_data(target, note_en="Coordinator's correction")).status_code == 302
    )
    target.refresh_from_db()
    assert target.note_en == "Coordinator's correction"


# ---- review decisions that hold and leave a trace (issue #13)

LIST = reverse_lazy("admin:commitments_statusupdate_changelist")


def decide_by_action(action, updates, comment="", read=None):
    """The coordinator's list posting an action on `updates`: the selected rows, the comment beside the action,
    and each row's id and the version the page showed it at (`read`: pk → version, default the current one)."""
    data = {"action": action, "_selected_action": [update.pk for update in updates], "comment": comment}
    for index, update in enumerate(updates):
        data[f"form-{index}-id"] = update.pk
        data[f"form-{index}-read_version"] = (read or {}).get(update.pk, update.version)
    return client_for("coordinator").post(LIST, data, follow=True)


def stored(update):
    """Everything a refused decision must leave as it was, the history included."""
    row = StatusUpdate.objects.filter(pk=update.pk).values().get()
    return row, update.history.count()


@pytest.mark.django_db
def test_accepting_a_published_periods_status_is_refused_and_changes_nothing(target):
    published = StatusUpdate.objects.get(period__start_year=2013, deliverable=target.deliverable)
    before = stored(published), stored(target)
    response = decide_by_action("accept", [published])
    assert "1 update was left alone: its period is published" in response.content.decode()
    assert (stored(published), stored(target)) == before


@pytest.mark.django_db
def test_a_mixed_selection_accepts_the_open_rows_and_counts_the_published_ones(target):
    published = StatusUpdate.objects.filter(period__start_year=2013).order_by("pk")[:2]
    published_before = [stored(update) for update in published]
    page = decide_by_action("accept", [target, *published]).content.decode()
    assert "1 update accepted." in page and "2 updates were left alone" in page
    assert [stored(update) for update in published] == published_before
    target.refresh_from_db()
    assert target.review == StatusUpdate.Review.ACCEPTED


@pytest.mark.django_db
def test_returning_leaves_a_trace_of_who_when_and_the_comment(target):
    updated_by, version = target.updated_by_id, target.version
    page = decide_by_action("return_for_changes", [target], comment="Say what the team did in March.")
    assert "1 update returned to its department." in page.content.decode()
    target.refresh_from_db()
    assert (target.review, target.review_comment) == ("returned", "Say what the team did in March.")
    assert target.reviewed_by.username == "coordinator" and target.reviewed_at is not None
    record = target.history.first()
    assert record.history_user.username == "coordinator" and record.review == "returned"
    assert record.review_comment == "Say what the team did in March."
    # A decision is not an update of the status: who updated it, and the version a department's form holds, stay.
    assert (target.updated_by_id, target.version) == (updated_by, version)


@pytest.mark.django_db
def test_returning_without_a_comment_is_refused_and_changes_nothing(target):
    before = stored(target)
    page = decide_by_action("return_for_changes", [target]).content.decode()
    assert "Nothing was returned: write in the comment" in page
    assert stored(target) == before


@pytest.mark.django_db
def test_a_decision_on_a_row_the_department_saved_since_the_list_was_read_is_refused(rcmp_pair):
    target, other = rcmp_pair
    page_read = {update.pk: update.version for update in rcmp_pair}
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="New")
    )
    before = stored(target), stored(other)
    page = decide_by_action("accept", rcmp_pair, read=page_read).content.decode()
    assert "Not saved" in page  # the department's change is named, and nothing is accepted
    assert (stored(target), stored(other)) == before


@pytest.mark.django_db
def test_a_department_form_opened_before_a_return_still_saves_and_answers_it(target):
    opened = change_data(target)  # the department opened its form here
    decide_by_action("return_for_changes", [target], comment="Which provinces?")
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), {**opened, "note_en": "Ontario, B.C."}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "Ontario, B.C." and target.review == StatusUpdate.Review.PENDING


@pytest.mark.django_db
def test_an_accepted_update_saved_by_its_department_goes_back_to_awaiting_review(target):
    decide_by_action("accept", [target])
    target.refresh_from_db()
    client_for("co_lead").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, note_en="One more arrest."),
    )
    target.refresh_from_db()
    assert target.review == StatusUpdate.Review.PENDING and target.note_en == "One more arrest."
    assert target.reviewed_at is not None  # what tells the queue it changed since it was accepted


@pytest.mark.django_db
def test_the_coordinators_comment_on_the_form_neither_updates_the_status_nor_makes_the_department_stale(target):
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Ours")
    )
    target.refresh_from_db()
    department_opened = change_data(target)
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    reviewed = client_for("coordinator").post(
        url, change_data(target, review="returned", review_comment="Add the number of victims helped.")
    )
    assert reviewed.status_code == 302
    target.refresh_from_db()
    assert target.updated_by.username == "rcmp" and target.review == "returned"
    assert target.history.first().history_user.username == "coordinator"
    saved = client_for("staff_a").post(url, {**department_opened, "note_en": "Ours, with 12 victims helped."})
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "Ours, with 12 victims helped." and target.review == "pending"


@pytest.mark.django_db
def test_a_status_update_reads_as_its_task_deliverable_and_period(target):
    assert str(target) == "3.13 Dedicated Integrated Enforcement Team consisting of … — 2014-2015"


# ---- the coordinator's review queue


def queue_rows(html):
    return re.findall(r'<td class="field-task_code">([^<]+)</td><td class="field-leads_display">([^<]*)</td>', html)


@pytest.mark.django_db
def test_the_queue_puts_returned_and_changed_since_accepted_first_with_their_leads(rcmp_pair):
    target, other = rcmp_pair
    decide_by_action("accept", [target])
    target.refresh_from_db()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Changed")
    )
    decide_by_action("return_for_changes", [other], comment="Which city?")
    html = client_for("coordinator").get(LIST).content.decode()
    first, second = html.index(f'value="{other.pk}"'), html.index(f'value="{target.pk}"')
    rows = queue_rows(html)
    assert first < second and rows[:2] == [
        (other.deliverable.task.code, ", ".join(other.deliverable.lead_acronyms)),
        (target.deliverable.task.code, "RCMP, CBSA"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ({"review": "changed"}, "changed"),
        ({"review": "returned"}, "returned"),
        ({"review": "pending"}, "never reviewed"),
        ({"lead": "cbsa"}, "co-led"),
        ({"updated": "yes"}, "updated"),
    ],
)
def test_the_queue_filters_by_review_state_lead_and_update(rcmp_pair, query, expected):
    target, other = rcmp_pair
    decide_by_action("accept", [target])
    target.refresh_from_db()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Changed")
    )
    decide_by_action("return_for_changes", [other], comment="Which city?")
    html = client_for("coordinator").get(LIST, {"period__id__exact": target.period_id, **query}).content.decode()
    listed = {int(pk) for pk in re.findall(r'name="form-\d+-id" value="(\d+)"', html)}
    wanted = {
        "changed": {target.pk},
        "returned": {other.pk},
        "updated": {target.pk},
        "co-led": set(
            StatusUpdate.objects.filter(period=target.period, deliverable__leads__slug="cbsa").values_list(
                "pk", flat=True
            )
        ),
        "never reviewed": set(
            StatusUpdate.objects.filter(period=target.period)
            .exclude(pk__in=[row.pk for row in rcmp_pair])
            .values_list("pk", flat=True)
        ),
    }[expected]
    # One page of the list: all of them, or the first full page of them where they are more.
    assert listed <= wanted
    assert len(listed) == min(len(wanted), StatusUpdateAdmin.list_per_page)


@pytest.mark.django_db
def test_the_queue_filters_by_pillar(target):
    pillar = target.deliverable.task.objective.pillar
    html = client_for("coordinator").get(LIST, {"pillar": pillar.pk, "period__id__exact": target.period_id})
    codes = {code for code, _leads in queue_rows(html.content.decode())}
    assert codes and all(code.startswith(f"{pillar.number}.") for code in codes)


@pytest.mark.django_db
def test_the_lead_filter_offers_each_leading_department_once_in_acronym_order(demo):
    Department.objects.create(acronym="ZZZ", slug="zzz", name_en="Leads nothing")
    html = client_for("coordinator").get(LIST).content.decode()
    offered = re.findall(r'href="\?lead=([\w-]+)"', html)
    leading = Department.objects.filter(lead_links__isnull=False).distinct().order_by("acronym")
    assert offered == [department.slug for department in leading]
    assert "zzz" not in offered and len(offered) > 5


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"review": "pending", "lead": "rcmp", "pillar": "1", "updated": "no"}])
def test_the_review_queue_runs_as_many_queries_at_ten_times_the_chart(target, query, django_assert_num_queries):
    client = client_for("coordinator")
    client.get(LIST, query)  # content types and the like are cached by the first request
    # session, user, coordinator?, the user's and groups' permissions, the choices of the lead, pillar and period
    # filters, the filtered count (with the page's keys), the full count (when filters narrow the list), the rows
    # (last year's status, target and notes as subqueries), their leads (one prefetch), then saving the session
    # (savepoint, update, release)
    expected = 15 if query else 14
    with django_assert_num_queries(expected):
        assert client.get(LIST, query).status_code == 200
    grow_chart(10, target.period)
    with django_assert_num_queries(expected):
        page = client.get(LIST, query).content.decode()
    assert queue_rows(page)


def reported_by_rcmp(target, status="ongoing"):
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, status=status)
    )
    target.refresh_from_db()
    return target


@pytest.mark.django_db
def test_the_coordinators_quick_update_of_a_reported_status_asks_for_the_form_and_saves_nothing(rcmp_pair):
    target, other = rcmp_pair
    reported_by_rcmp(target)
    before = stored(target)
    response = client_for("coordinator").post(
        LIST, list_data([target], {target.pk: {"status": "complete"}}), HTTP_ACCEPT_LANGUAGE="fr-CA"
    )
    assert response.status_code == 200
    assert "Le ministère a déclaré «\xa0En cours\xa0»\xa0: ouvrez le formulaire" in response.content.decode()
    assert stored(target) == before


@pytest.mark.django_db
def test_the_coordinators_bulk_status_over_a_reported_one_needs_the_reason_in_the_comment(target):
    reported_by_rcmp(target)
    before = stored(target)
    data = {"action": "mark_complete", "_selected_action": [target.pk]}
    refused = client_for("coordinator").post(LIST, data, follow=True).content.decode()
    assert "Nothing was changed: 1 of these statuses was reported by its department" in refused
    assert stored(target) == before
    reason = "The final report was tabled in March."
    client_for("coordinator").post(LIST, {**data, "comment": reason})
    target.refresh_from_db()
    assert (target.status, target.reported_status) == ("complete", "ongoing")
    assert target.history.first().history_change_reason == reason


@pytest.mark.django_db
def test_only_the_coordinator_sees_the_comment_beside_the_actions(target):
    assert 'name="comment"' in client_for("coordinator").get(LIST).content.decode()
    assert 'name="comment"' not in client_for("staff_a").get(LIST).content.decode()
