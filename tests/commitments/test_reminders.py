"""send_reminders: each department is e-mailed what it has not updated yet (commitments.reminders)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command


@pytest.mark.django_db
def test_reminders_list_outstanding_items_per_department(target):
    get_user_model().objects.filter(username="rcmp").update(email="rcmp@example.gc.ca")
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    rcmp = [message for message in mail.outbox if "rcmp@example.gc.ca" in message.to]
    assert rcmp and "Dedicated Integrated Enforcement Team" in rcmp[0].body
    assert "Sent" in out.getvalue()
