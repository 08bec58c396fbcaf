"""What the spreadsheet security tests share: the import and export URLs, a signed-in client, a snapshot of every
status (a refusal must leave it as it was), and a preview of an upload."""

import io

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from commitments.models import StatusUpdate

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
CONFIRM_URL = reverse("admin:commitments_statusupdate_process_import")
EXPORT_URL = reverse("admin:commitments_statusupdate_export")
HEADER = "id,version,status,target_year,note_en,note_fr\n"


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def snapshot():
    """Every status's values and version, and the number of history records."""
    rows = list(
        StatusUpdate.objects.order_by("pk").values_list(
            "pk", "status", "target_year", "note_en", "note_fr", "review", "review_comment", "version", "updated_at"
        )
    )
    return rows, StatusUpdate.history.count()


def named(content, name):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def preview(client, upload, file_format="0"):
    response = client.post(IMPORT_URL, {"format": file_format, "resource": "0", "import_file": upload})
    return response, response.content.decode()


def assert_no_internals(html):
    assert "Traceback" not in html and 'File "/' not in html and "['" not in html and "Error'" not in html
