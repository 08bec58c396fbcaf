"""The staff workflow in the admin: who may do what (a permission matrix), no lost updates, bad input,
spreadsheets both ways, the coordinator's dashboard, reminders, accounts."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from commitments.models import Deliverable, DeliverableLead, Department, ReportingPeriod, StatusUpdate, Task
from commitments.spreadsheets import StatusUpdateResource

ROLES = ["anonymous", "staff_a", "staff_b", "co_lead", "coordinator"]
ACCOUNTS = {"staff_a": "rcmp", "staff_b": "ps", "co_lead": "cbsa", "coordinator": "coordinator"}


@pytest.fixture
def target(demo):
    """2014-2015's status of a deliverable led by RCMP (department A) and co-led by CBSA; PS is department B."""
    return StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Dedicated Integrated Enforcement Team"
    )


def client_for(role):
    client = Client()
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=ACCOUNTS[role]))
    return client


def change_data(update, **changes):
    data = {
        "status": update.status,
        "target_year": update.target_year or "",
        "note_en": update.note_en,
        "note_fr": update.note_fr,
        "review": update.review,
        "review_comment": update.review_comment,
        "read_version": update.version,
    }
    return {**data, **changes}


MAY_CHANGE = {"anonymous": False, "staff_a": True, "staff_b": False, "co_lead": True, "coordinator": True}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_list_and_view(role, target):
    client = client_for(role)
    listing = client.get(reverse("admin:commitments_statusupdate_changelist"), {"q": "Dedicated Integrated"})
    change_url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    if role == "anonymous":
        assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
        return
    assert listing.status_code == 200
    assert (change_url in listing.content.decode()) is MAY_CHANGE[role]
    page = client.get(change_url)
    assert (page.status_code == 200) is MAY_CHANGE[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_change_by_crafted_post(role, target):
    client = client_for(role)
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    client.post(url, change_data(target, status="complete", note_en=f"Changed by {role}"))
    target.refresh_from_db()
    assert (target.note_en == f"Changed by {role}") is MAY_CHANGE[role]
    if MAY_CHANGE[role]:
        assert target.updated_by.username == ACCOUNTS[role]
        assert target.history.first().note_en == f"Changed by {role}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_bulk_action(role, target):
    other = StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Issue emergency travel"
    )
    before = other.status
    client_for(role).post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_in_progress", "_selected_action": [target.pk, other.pk]},
    )
    target.refresh_from_db()
    other.refresh_from_db()
    assert (target.status == "in_progress") is MAY_CHANGE[role]
    assert (other.status != before) is (role == "coordinator")  # PPTC leads it: only the coordinator


def export_form(file_format):
    """The export page's form with every column ticked; file_format "0" is CSV, "1" XLSX."""
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    return {"format": file_format, "resource": "0", **columns}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_export(role, target):
    response = client_for(role).post(
        reverse("admin:commitments_statusupdate_export"),
        export_form("0"),
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = response.content.decode()
    assert (f"\n{target.pk}," in rows) is MAY_CHANGE[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_history_and_revert(role, target):
    coordinator = client_for("coordinator")
    coordinator.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="First")
    )
    target.refresh_from_db()
    earliest = target.history.order_by("history_date").first()
    client = client_for(role)
    history = client.get(reverse("admin:commitments_statusupdate_history", args=[target.pk]))
    assert (history.status_code == 200) is MAY_CHANGE[role]
    revert_url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, earliest.history_id])
    client.post(revert_url, change_data(target, note_en=earliest.note_en))
    target.refresh_from_db()
    assert (target.note_en == earliest.note_en) is (role == "coordinator")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_publish_and_period_actions(role, demo):
    period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    response = client_for(role).post(
        reverse("admin:commitments_reportingperiod_changelist"),
        {"action": "start_review", "_selected_action": [period.pk]},
    )
    period.refresh_from_db()
    assert (period.state == "in_review") is (role == "coordinator")
    if role == "coordinator":
        response = client_for(role).post(
            reverse("admin:commitments_reportingperiod_changelist"),
            {"action": "publish", "_selected_action": [period.pk]},
            follow=True,
        )
        assert "was not published" in response.content.decode() and "Foreword" in response.content.decode()


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_shows_the_other_change(target):
    first, second = client_for("staff_a"), client_for("co_lead")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    read = change_data(target)  # both opened the form at this version
    assert first.post(url, {**read, "note_en": "RCMP's note"}).status_code == 302
    refused = second.post(url, {**read, "note_en": "CBSA's note"}, follow=True)
    target.refresh_from_db()
    assert target.note_en == "RCMP's note"
    page = refused.content.decode()
    assert "Not saved" in page and "rcmp" in page and "RCMP&#x27;s note" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": "bogus"}, "Select a valid choice"),
        ({"status": "on_track", "target_year": ""}, "Say which fiscal year"),
        ({"status": "complete", "target_year": "2015"}, "Only “On track” takes a target year"),
        ({"status": "on_track", "target_year": "2001"}, "cannot come before the start"),
        ({"note_en": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(target, changes, message):
    client = client_for("staff_a")
    before = (target.status, target.note_en, target.version)
    response = client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert (target.status, target.note_en, target.version) == before


@pytest.mark.django_db
def test_html_in_a_note_is_stored_as_text_and_shown_escaped(target):
    client = client_for("staff_a")
    client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, note_en="<script>alert(1)</script>"),
    )
    target.refresh_from_db()
    assert target.note_en == "<script>alert(1)</script>"
    listing = client.get(
        reverse("admin:commitments_statusupdate_changelist"), {"q": "Dedicated Integrated"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;" in listing


def csv_file(text):
    upload = io.BytesIO(text.encode())
    upload.name = "updates.csv"
    return upload


@pytest.mark.django_db
def test_import_previews_then_writes_all_or_nothing(target):
    client = client_for("staff_a")
    other = StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Promote online training"
    )
    header = "id,version,status,target_year,note_en,note_fr\n"
    url = reverse("admin:commitments_statusupdate_import")
    bad = client.post(
        url,
        {
            "format": "0",
            "resource": "0",
            "import_file": csv_file(header + f"{target.pk},1,complete,,Imported,\n{other.pk},1,complete,,Not mine,\n"),
        },
    )
    page = bad.content.decode()
    assert f"You may not change status update {other.pk}" in page
    target.refresh_from_db()
    assert target.note_en != "Imported"
    for body, message in [
        (f"{target.pk},1,finished,,x,\n", "is not a status"),
        (f"{target.pk},1,on_track,20x4,x,\n", "is not a fiscal year"),
        ("wrong,headers\n1,2\n", "lacks the columns"),
    ]:
        response = client.post(
            url, {"format": "0", "resource": "0", "import_file": csv_file(body if "wrong" in body else header + body)}
        )
        assert message in response.content.decode()
    good = client.post(
        url, {"format": "0", "resource": "0", "import_file": csv_file(header + f"{target.pk},1,complete,,Imported,\n")}
    )
    assert "Imported" in good.content.decode()
    target.refresh_from_db()
    assert target.note_en != "Imported"  # nothing is written before the preview is confirmed


@pytest.mark.django_db
def test_the_coordinator_dashboard(target):
    page = client_for("coordinator").get(reverse("admin:commitments_dashboard"))
    html = page.content.decode()
    assert page.status_code == 200 and "<progress" in html and "RCMP" in html and "Statuses by pillar" in html
    assert client_for("staff_a").get(reverse("admin:commitments_dashboard")).status_code == 403


@pytest.mark.django_db
def test_reminders_list_outstanding_items_per_department(target):
    get_user_model().objects.filter(username="rcmp").update(email="rcmp@example.gc.ca")
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    rcmp = [message for message in mail.outbox if "rcmp@example.gc.ca" in message.to]
    assert rcmp and "Dedicated Integrated Enforcement Team" in rcmp[0].body
    assert "Sent" in out.getvalue()


@pytest.mark.django_db
def test_create_staff_user(demo):
    out = io.StringIO()
    call_command("create_staff_user", "analyst@rcmp-grc.gc.ca", "--department", "RCMP", stdout=out)
    user = get_user_model().objects.get(username="analyst@rcmp-grc.gc.ca")
    assert (
        user.is_staff
        and user.groups.filter(name="Department staff").exists()
        and user.departments.get().acronym == "RCMP"
    )
    for args, message in [
        (["not-an-email", "--department", "RCMP"], "not an e-mail address"),
        (["x@example.gc.ca", "--department", "NOPE"], "Unknown department"),
        (["x@example.gc.ca"], "either --department"),
        (["analyst@rcmp-grc.gc.ca", "--coordinator"], "already exists"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("create_staff_user", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_that_is_not_a_spreadsheet_is_refused(target):
    upload = io.BytesIO(b"\x00\x01 this is not a spreadsheet")
    upload.name = "updates.xlsx"
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_import"), {"format": "1", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page or "errorlist" in page
    target.refresh_from_db()
    assert target.version == 1


@pytest.mark.django_db
def test_staff_land_on_my_deliverables_and_the_coordinator_on_the_admin(target):
    staff = client_for("staff_a").get(reverse("admin:index"), follow=True)
    assert "My deliverables for 2014-2015" in staff.content.decode()
    assert client_for("coordinator").get(reverse("admin:index")).status_code == 200


# ---- the quick-update list


def list_data(updates, changes_by_pk=None):
    """The changelist's formset as the page posts it: each row's fields and the version it was read at."""
    data = {
        "form-TOTAL_FORMS": str(len(updates)),
        "form-INITIAL_FORMS": str(len(updates)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, update in enumerate(updates):
        row = {
            "id": update.pk,
            "status": update.status,
            "target_year": update.target_year or "",
            "note_en": update.note_en,
            "read_version": update.version,
            **(changes_by_pk or {}).get(update.pk, {}),
        }
        data.update({f"form-{index}-{name}": value for name, value in row.items()})
        # The values the page showed, which it posts back beside the edited ones.
        shown = {"status": update.status, "target_year": update.target_year or "", "note_en": update.note_en}
        data.update({f"initial-form-{index}-{name}": value for name, value in shown.items()})
    return data


@pytest.fixture
def rcmp_pair(target):
    """Two of RCMP's 2014-2015 statuses, as the list shows them."""
    other = (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )
    return [target, other]


@pytest.mark.django_db
def test_the_list_offers_each_row_for_a_quick_update_with_its_version(target):
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist")).content.decode()
    assert page.count('name="form-0-status"') == 1 and 'name="form-0-note_en"' in page
    assert 'name="form-0-read_version"' in page and f'value="{target.version}"' in page


@pytest.mark.django_db
def test_a_quick_update_saves_status_and_note_as_the_users_update(rcmp_pair):
    target, other = rcmp_pair
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        list_data(rcmp_pair, {target.pk: {"status": "complete", "note_en": "Done in March."}}),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_en, target.version) == ("complete", "Done in March.", 2)
    assert target.updated_by.username == "rcmp" and target.history.first().history_user.username == "rcmp"
    other_before = other.version
    other.refresh_from_db()
    assert other.version == other_before and other.updated_at is None  # an untouched row is not saved


@pytest.mark.django_db
def test_a_quick_update_over_a_newer_change_is_refused_and_saves_no_row(rcmp_pair):
    target, other = rcmp_pair
    first, second = client_for("staff_a"), client_for("coordinator")
    url = reverse("admin:commitments_statusupdate_changelist")
    stale_page = list_data(rcmp_pair)  # both read the list at these versions
    first.post(url, {**stale_page, "form-0-note_en": "RCMP's note"})
    refused = second.post(
        url,
        {**stale_page, "form-0-note_en": "Coordinator's note", "form-1-note_en": "Coordinator on the other row"},
        follow=True,
    )
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.note_en == "RCMP's note" and other.note_en == ""  # all rows or none
    page = refused.content.decode()
    assert "Not saved" in page and "rcmp" in page and "RCMP&#x27;s note" in page


@pytest.mark.django_db
def test_someone_elses_save_of_another_row_does_not_block_mine(rcmp_pair):
    target, other = rcmp_pair
    url = reverse("admin:commitments_statusupdate_changelist")
    page_read_earlier = list_data(rcmp_pair)
    client_for("coordinator").post(url, {**page_read_earlier, "form-0-note_en": "The coordinator's note"})
    client_for("staff_a").post(url, {**page_read_earlier, "form-1-note_en": "RCMP on the other row"})
    target.refresh_from_db()
    other.refresh_from_db()
    assert (target.note_en, other.note_en) == ("The coordinator's note", "RCMP on the other row")


@pytest.mark.django_db
def test_a_crafted_quick_update_of_another_departments_row_changes_nothing(target):
    pptc = StatusUpdate.objects.get(period__start_year=2014, deliverable__text_en__startswith="Issue emergency travel")
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"), list_data([pptc], {pptc.pk: {"note_en": "Hijacked"}})
    )
    pptc.refresh_from_db()
    assert pptc.note_en != "Hijacked" and pptc.version == 1
    assert response.status_code == 400  # the row is not in this user's list: Django refuses the whole form


@pytest.mark.django_db
def test_a_quick_update_with_bad_input_says_so_next_to_the_row(rcmp_pair):
    target, _other = rcmp_pair
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        list_data(rcmp_pair, {target.pk: {"status": "on_track", "target_year": ""}}),
    )
    assert response.status_code == 200 and "Say which fiscal year" in response.content.decode()
    target.refresh_from_db()
    assert target.version == 1


@pytest.mark.django_db
def test_the_bulk_action_moves_an_on_track_row_off_its_target_year(target):
    target.status, target.target_year = "on_track", 2015
    target.save()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_complete", "_selected_action": [target.pk]},
    )
    target.refresh_from_db()
    assert (target.status, target.target_year) == ("complete", None)


# ---- review


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


# ---- history


@pytest.mark.django_db
def test_the_history_says_what_changed_in_words(target):
    before = target.get_status_display()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, status="on_track", target_year="2015", note_en="Nearly there."),
    )
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_history", args=[target.pk]))
    html = page.content.decode()
    assert re.search(rf"{before}\s*&nbsp;&rarr;&nbsp;&nbsp;On track", html) and "2015/16" in html
    assert "Nearly there." in html
    assert "Version" not in html and "on_track" not in html
    assert "revert to a previous version" not in html  # department staff cannot revert
    change_page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_change", args=[target.pk]))
    assert f"Status: {before} → On track" in change_page.content.decode()


@pytest.mark.django_db
def test_the_coordinator_reverts_through_the_history_form(target):
    coordinator = client_for("coordinator")
    change_url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    coordinator.post(change_url, change_data(target, note_en="First"))
    target.refresh_from_db()
    coordinator.post(change_url, change_data(target, note_en="Second"))
    first = target.history.get(note_en="First")
    revert_url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, first.history_id])
    form = coordinator.get(revert_url).content.decode()
    read_version = re.search(r'name="read_version" value="(\d+)"', form)[1]
    target.refresh_from_db()
    assert int(read_version) == target.version  # checked against today's version, not the old copy's
    response = coordinator.post(revert_url, change_data(target, note_en="First", read_version=read_version))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "First" and target.history.first().note_en == "First"


# ---- query counts: fixed whatever the number of rows and departments


def grow_open_period(count):
    """`count` more deliverables in 2014-2015, each led by RCMP and by a department of its own."""
    period = ReportingPeriod.objects.get(start_year=2014)
    task = Task.objects.order_by("pk").first()
    rcmp = Department.objects.get(slug="rcmp")
    for number in range(count):
        deliverable = Deliverable.objects.create(task=task, position=500 + number, text_en=f"Extra {number}")
        extra = Department.objects.create(acronym=f"X{number}", slug=f"x{number}", name_en=f"Extra {number}")
        DeliverableLead.objects.create(deliverable=deliverable, department=rcmp)
        DeliverableLead.objects.create(deliverable=deliverable, department=extra, position=2)
        StatusUpdate.objects.create(deliverable=deliverable, period=period, status="in_progress")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff_a", "coordinator"])
def test_the_status_list_runs_a_fixed_number_of_queries(role, target, django_assert_num_queries):
    client = client_for(role)
    url = reverse("admin:commitments_statusupdate_changelist")
    client.get(url)  # content types and the like are cached by the first request
    # session, user, coordinator?, [department staff: the open period, for the title], the user's and
    # groups' permissions, the period filter's choices, the filtered count, the full count, the rows
    # (with last year's status as a subquery), then saving the session (savepoint, update, release)
    expected = {"staff_a": 13, "coordinator": 12}[role]
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow_open_period(30)
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    assert "Extra 29" in page or role == "coordinator"  # the coordinator's first page holds other rows


@pytest.mark.django_db
def test_the_dashboard_runs_a_fixed_number_of_queries(target, django_assert_num_queries):
    client = client_for("coordinator")
    url = reverse("admin:commitments_dashboard")
    client.get(url)
    # session, user, coordinator?, the period, the user's and groups' permissions (sidebar), outstanding
    # rows and their leads, progress per department, counts per pillar, saving the session (3)
    expected = 13
    with django_assert_num_queries(expected):
        client.get(url)
    grow_open_period(30)
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    assert "X29" in page and "Extra 29" in page


@pytest.mark.django_db
def test_the_dashboard_follows_each_update(target):
    coordinator = client_for("coordinator")
    url = reverse("admin:commitments_dashboard")

    def rcmp_row():
        html = coordinator.get(url).content.decode()
        return re.search(r'<th scope="row">RCMP</th>\s*<td class="updated-count">(\d+) / (\d+)</td>', html).groups()

    done, total = rcmp_row()
    assert done == "0" and int(total) > 1
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Done.")
    )
    assert rcmp_row() == ("1", total)
    html = coordinator.get(url).content.decode()
    assert "Statuses by pillar" in html and "In progress" in html and "in_progress" not in html


@pytest.mark.django_db
def test_the_coordinator_sends_reminders_from_the_dashboard(target):
    get_user_model().objects.filter(username="rcmp").update(email="rcmp@example.gc.ca")
    url = reverse("admin:commitments_dashboard")
    assert client_for("staff_a").post(url).status_code == 403 and not mail.outbox
    response = client_for("coordinator").post(url, follow=True)
    assert "Reminders sent to" in response.content.decode() and "RCMP" in response.content.decode()
    (rcmp,) = [message for message in mail.outbox if "rcmp@example.gc.ca" in message.to]
    assert "Dedicated Integrated Enforcement Team" in rcmp.body and "2014-2015" in rcmp.subject


# ---- spreadsheets: the import in the permission matrix, and a real round trip


def hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def import_and_confirm(client, upload, file_format):
    """Upload a file, then confirm its preview as the page's Confirm import button does."""
    preview = client.post(
        reverse("admin:commitments_statusupdate_import"),
        {"format": file_format, "resource": "0", "import_file": upload},
    )
    html = preview.content.decode()
    if preview.status_code != 200 or "Confirm import" not in html:
        return preview, html
    confirmed = client.post(reverse("admin:commitments_statusupdate_process_import"), hidden_fields(html))
    return confirmed, html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_import(role, target):
    header = "id,version,status,target_year,note_en,note_fr\n"
    body = f"{target.pk},1,on_track,2015-2016,Imported by {role},\n"
    response, html = import_and_confirm(client_for(role), csv_file(header + body), "0")
    target.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    elif not MAY_CHANGE[role]:
        assert f"You may not change status update {target.pk}" in html
    assert (target.note_en == f"Imported by {role}") is MAY_CHANGE[role]
    if MAY_CHANGE[role]:
        assert (target.status, target.target_year, target.version) == ("on_track", 2015, 2)
        assert target.updated_by.username == ACCOUNTS[role]
        assert target.history.first().history_user.username == ACCOUNTS[role]


@pytest.mark.django_db
def test_an_exported_spreadsheet_edited_offline_imports_back(target):
    import openpyxl

    client = client_for("staff_a")
    exported = client.post(
        reverse("admin:commitments_statusupdate_export"),
        export_form("1"),
    )
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").values_list(
            "pk", flat=True
        )
    )
    rows[target.pk][header.index("status")].value = "complete"
    rows[target.pk][header.index("note_fr")].value = "Terminé hors ligne, « vérifié »."
    edited = io.BytesIO()
    workbook.save(edited)
    edited.seek(0)
    edited.name = "my-deliverables.xlsx"
    response, preview = import_and_confirm(client, edited, "1")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_fr) == ("complete", "Terminé hors ligne, « vérifié ».")
    assert StatusUpdate.objects.filter(period__start_year=2014, version__gt=1).count() == 1  # only the edited row


@pytest.mark.django_db
def test_an_import_over_a_change_saved_since_the_export_is_refused(rcmp_pair):
    target, other = rcmp_pair
    exported_at = {update.pk: update.version for update in rcmp_pair}
    client_for("co_lead").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="CBSA's")
    )
    header = "id,version,status,target_year,note_en,note_fr\n"
    stale = f"{target.pk},{exported_at[target.pk]},{target.status},,My offline note,\n"
    fresh = f"{other.pk},{exported_at[other.pk]},complete,,Mine,\n"
    response, html = import_and_confirm(client_for("staff_a"), csv_file(header + stale + fresh), "0")
    assert "changed this status after the file was exported" in html and "CBSA&#x27;s" in html
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.note_en == "CBSA's" and other.note_en == ""  # all or nothing
    # Left out of the file (as the message suggests), the stale row no longer stops the rest.
    response, html = import_and_confirm(client_for("staff_a"), csv_file(header + fresh), "0")
    other.refresh_from_db()
    target.refresh_from_db()
    assert response.status_code == 302 and other.note_en == "Mine" and target.note_en == "CBSA's"


@pytest.mark.django_db
def test_a_save_between_the_preview_and_the_confirmation_stops_the_import(target):
    client = client_for("staff_a")
    upload = csv_file(f"id,version,status,target_year,note_en,note_fr\n{target.pk},1,complete,,From the file,\n")
    preview = client.post(
        reverse("admin:commitments_statusupdate_import"), {"format": "0", "resource": "0", "import_file": upload}
    ).content.decode()
    assert "Confirm import" in preview
    client_for("co_lead").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="CBSA's")
    )
    confirmed = client.post(
        reverse("admin:commitments_statusupdate_process_import"), hidden_fields(preview), follow=True
    )
    assert "Nothing was imported" in confirmed.content.decode()
    target.refresh_from_db()
    assert target.note_en == "CBSA's"


@pytest.mark.django_db
def test_the_coordinator_adds_a_new_deliverable_that_the_lead_department_then_updates(target):
    coordinator = client_for("coordinator")
    add_url = reverse("admin:commitments_deliverable_add")
    period = ReportingPeriod.objects.get(start_year=2014)
    assert f'<option value="{period.pk}" selected>' in coordinator.get(add_url).content.decode()  # NEW this year
    task = Task.objects.get(code="3.11")
    data = {
        "task": task.pk,
        "position": 40,
        "text_en": "Train border officers on new indicators.",
        "text_fr": "Former les agents frontaliers aux nouveaux indicateurs.",
        "start_year": 2014,
        "new_in": period.pk,
        "lead_links-TOTAL_FORMS": "1",
        "lead_links-INITIAL_FORMS": "0",
        "lead_links-0-department": Department.objects.get(slug="rcmp").pk,
        "lead_links-0-position": "1",
        "first_status": "in_progress",
    }
    response = coordinator.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = (
        client_for("staff_a")
        .get(reverse("admin:commitments_statusupdate_changelist"), {"q": "new indicators"})
        .content.decode()
    )
    assert "Train border officers on new indicators." in listing
    assert client_for("staff_a").post(add_url, data).status_code == 403  # staff never add to the chart


@pytest.mark.django_db
def test_the_staff_screens_speak_french_to_a_french_browser(target):
    client = client_for("staff_a")
    page = client.get(reverse("admin:commitments_statusupdate_changelist"), HTTP_ACCEPT_LANGUAGE="fr-CA")
    html = page.content.decode()
    assert "Mes produits livrables pour 2014-2015" in html and "État de cette année" in html
    assert 'lang="fr"' in html


@pytest.mark.django_db
def test_the_coordinator_adds_a_missing_status_and_a_duplicate_is_refused_with_a_message(target):
    deliverable = Deliverable.objects.get(text_en__startswith="Create Advocacy tool kit")  # NEW, no status yet
    period = ReportingPeriod.objects.get(start_year=2014)
    url = reverse("admin:commitments_statusupdate_add")
    data = {"deliverable": deliverable.pk, "period": period.pk, "status": "in_progress", "review": "pending"}
    assert client_for("coordinator").post(url, data).status_code == 302
    assert StatusUpdate.objects.get(deliverable=deliverable, period=period).status == "in_progress"
    again = client_for("coordinator").post(url, data)
    assert again.status_code == 200 and "already has a status for this period" in again.content.decode()
    assert client_for("staff_a").post(url, data).status_code == 403


@pytest.mark.django_db
def test_a_bulk_action_racing_someone_elses_save_changes_no_row_and_says_so(rcmp_pair, monkeypatch):
    save = StatusUpdate.save_unless_stale
    raced = []

    def save_while_someone_saves_the_other_row(update, user, read_version):
        if not raced:  # as the first row is written, someone saves the second one
            (other,) = [row for row in rcmp_pair if row.pk != update.pk]
            StatusUpdate.objects.filter(pk=other.pk).update(version=F("version") + 1, note_en="Meanwhile")
            raced.append(other)
        return save(update, user, read_version)

    monkeypatch.setattr(StatusUpdate, "save_unless_stale", save_while_someone_saves_the_other_row)
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_in_progress", "_selected_action": [row.pk for row in rcmp_pair]},
        follow=True,
    )
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    for row in rcmp_pair:
        before = row.status
        row.refresh_from_db()
        assert row.status == before and row.updated_at is None  # the first row's save was rolled back too


@pytest.mark.django_db
def test_a_published_status_is_not_offered_for_revert(target):
    published = StatusUpdate.objects.get(period__start_year=2013, deliverable=target.deliverable)
    record = published.history.first()
    url = reverse("admin:commitments_statusupdate_simple_history", args=[published.pk, record.history_id])
    page = client_for("coordinator").get(url).content.decode()
    assert 'value="Revert"' not in page
    open_record = target.history.first()
    url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, open_record.history_id])
    assert 'value="Revert"' in client_for("coordinator").get(url).content.decode()
