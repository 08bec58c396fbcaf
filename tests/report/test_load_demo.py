"""load_demo is idempotent: a second run writes nothing, not even history."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command


def record_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(demo):
    before = record_counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert record_counts() == before
    assert "(0 records written)" in out.getvalue()
    assert "coordinator" in out.getvalue()
