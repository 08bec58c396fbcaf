"""create_staff_user: an account for a department's staff or the coordinator, and its refusals."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


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
