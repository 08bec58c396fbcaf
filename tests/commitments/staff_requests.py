"""The requests the staff screens' tests make: a signed-in client per role, and the POST data of the status
change form, the quick-update list, the export form and the import's preview and confirmation."""

import csv
import io
import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from commitments.models import Deliverable, DeliverableLead, Department, ReportingPeriod, StatusUpdate, Task
from commitments.spreadsheet_template import machine_names
from commitments.spreadsheets import StatusUpdateResource

ROLES = ["anonymous", "staff_a", "staff_b", "co_lead", "coordinator"]


ACCOUNTS = {"staff_a": "rcmp", "staff_b": "ps", "co_lead": "cbsa", "coordinator": "coordinator"}


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


def export_form(file_format):
    """The export page's form with every column ticked; file_format "0" is CSV, "1" XLSX."""
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    return {"format": file_format, "resource": "0", **columns}


def csv_file(text):
    upload = io.BytesIO(text.encode())
    upload.name = "updates.csv"
    return upload


def edited_export(client, changes, delimiter=",", line_end="\n", encoding="utf-8"):
    """The CSV the export gives `client`, edited and saved as a department's program saves it: `changes` maps a
    row's id to the values typed in it ({machine name: text}); the other rows as exported."""
    exported = client.post(reverse("admin:commitments_statusupdate_export"), export_form("0"))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    names = machine_names(rows[0])
    for row in rows[1:]:
        for name, value in changes.get(int(row[names.index("id")]), {}).items():
            row[names.index(name)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode(encoding)


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
