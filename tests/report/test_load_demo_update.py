"""load_demo on a database loaded from older fixtures brings the live chart to the fixtures as they are now
(issue #16, "Fidelity to the source"): text and leads, without a second copy of a lead."""

import io

import pytest
from django.core.management import call_command

from commitments.models import Deliverable, DeliverableLead, Department

pytestmark = pytest.mark.django_db


def development_row():
    return Deliverable.objects.get(text_en__startswith="Build capacity of law enforcement in developing countries")


def test_load_demo_on_an_existing_database_updates_the_rows_the_source_prints_differently(demo):
    # The database as the fixtures loaded it before: DFATD with the qualifier "Development", 1.11 in one paragraph.
    row = development_row()
    DeliverableLead.objects.filter(deliverable=row).update(department=Department.objects.get(acronym="DFATD"))
    Deliverable.objects.filter(pk=row.pk).update(lead_note_en="Development", lead_note_fr="Développement")
    aboriginal = Deliverable.objects.get(text_en__startswith="Increase awareness among Aboriginal")
    Deliverable.objects.filter(pk=aboriginal.pk).update(text_en=aboriginal.text_en.replace("\n\n", " "))

    call_command("load_demo", stdout=io.StringIO())

    row.refresh_from_db()
    assert [lead.department.acronym for lead in row.lead_links.select_related("department")] == ["DFATD (Development)"]
    assert (row.lead_note_en, row.lead_note_fr) == ("", "")
    aboriginal.refresh_from_db()
    assert aboriginal.text_en.count("\n\n") == 1
