"""The staff's searches through the deliverables' stored lower-cased texts (commitments/models/search_text.py,
issue #17) find exactly what Django's own search (icontains on each text) finds, on SQLite and PostgreSQL alike."""

import io
import json
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Value
from django.db.models.functions import Lower
from django.urls import reverse

from commitments.admin.chart import DeliverableAdmin
from commitments.admin.status_updates import StatusUpdateAdmin
from commitments.models import Deliverable, PublishedDeliverable, StatusUpdate
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db

STATUS_LIST = reverse("admin:commitments_statusupdate_changelist")
DELIVERABLE_LIST = reverse("admin:commitments_deliverable_changelist")
# Upper and lower case, accented capitals, a phrase in quotes, several words, a task's code, text in a note.
SEARCHES = [
    "awareness",
    "AWARENESS",
    "Élaborer",
    "ÉLABORER",
    "élaboration",
    "sensibilisation",
    '"human trafficking"',
    "trafficking awareness",
    "1.11",
    "Note searched",
    "100%",
    "under_score",
    "nothing like this",
]


def shown(client, url, search):
    """The count the list prints and the keys of the rows it shows, on every page."""
    response = client.get(url, {"q": search, "all": ""})
    html = response.content.decode()
    assert response.status_code == 200
    return re.findall(r"(\d+) (?:status updates?|deliverables?)\b", html)[:1], sorted(
        set(re.findall(r'name="_selected_action" value="(\d+)"', html))
    )


def djangos_search(model_admin, fields, monkeypatch):
    """The admin searching as Django's does by default: icontains on each of the original fields."""
    monkeypatch.setattr(model_admin, "search_fields", fields)
    monkeypatch.setattr(model_admin, "get_search_results", admin.ModelAdmin.get_search_results)


@pytest.mark.parametrize("search", SEARCHES)
def test_the_status_list_finds_what_djangos_own_search_finds(demo, search, monkeypatch):
    StatusUpdate.objects.filter(pk=StatusUpdate.objects.order_by("pk")[3].pk).update(note_en="A note searched")
    client = client_for("coordinator")
    ours = shown(client, STATUS_LIST, search)
    djangos_search(
        StatusUpdateAdmin,
        ["deliverable__text_en", "deliverable__text_fr", "deliverable__task__code", "note_en", "note_fr"],
        monkeypatch,
    )
    assert ours == shown(client, STATUS_LIST, search)
    if search != "nothing like this" and "%" not in search and "_" not in search:
        assert ours[1], "the search finds something"


@pytest.mark.parametrize("search", SEARCHES)
def test_the_deliverable_list_finds_what_djangos_own_search_finds(demo, search, monkeypatch):
    client = client_for("coordinator")
    ours = shown(client, DELIVERABLE_LIST, search)
    djangos_search(DeliverableAdmin, ["text_en", "text_fr", "task__code"], monkeypatch)
    assert ours == shown(client, DELIVERABLE_LIST, search)


def test_a_text_changed_by_any_path_is_searched_as_it_now_reads(demo):
    client = client_for("coordinator")
    deliverable = Deliverable.objects.order_by("pk").first()
    # A bulk update does not call save(): the database keeps the folded copy itself.
    Deliverable.objects.filter(pk=deliverable.pk).update(text_fr="Un texte INTROUVABLE ailleurs")
    _count, keys = shown(client, DELIVERABLE_LIST, "introuvable")
    assert keys == [str(deliverable.pk)]
    deliverable.refresh_from_db()
    deliverable.text_fr = "Réécrit"
    deliverable.save()
    assert shown(client, DELIVERABLE_LIST, "introuvable")[1] == []
    # (SQLite's LOWER(), like its LIKE, folds only ASCII letters; PostgreSQL's folds « É » too)
    assert shown(client, DELIVERABLE_LIST, "RéécriT")[1] == [str(deliverable.pk)]


def test_the_stored_search_columns_are_neither_loaded_with_the_rows_nor_serialized(demo):
    # The database compares them; a page, a file, a report or a backup has no use for them.
    assert "folded_text" not in str(Deliverable.objects.all().query)
    assert "search_vector" not in str(PublishedDeliverable.objects.all().query)
    dump = io.StringIO()
    call_command("dumpdata", "commitments.deliverable", "commitments.publisheddeliverable", stdout=dump)
    records = json.loads(dump.getvalue())
    assert {record["model"] for record in records} == {"commitments.deliverable", "commitments.publisheddeliverable"}
    assert not any({"folded_text", "search_vector_en", "search_vector_fr"} & set(r["fields"]) for r in records)
    # Each row still finds its own text, which the database folds again whenever it is written.
    deliverable = Deliverable.objects.order_by("pk").first()
    assert Deliverable.objects.filter(
        pk=deliverable.pk, folded_text=Lower(Value(f"{deliverable.text_en} {deliverable.text_fr}"))
    ).exists()
