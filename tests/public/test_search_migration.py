"""Migration commitments 0015 gives the rows published before it their search texts, and loses nothing; with 0019's
stored vectors, they are found by the search."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commitments.models import PublishedDeliverable
from commitments.models.published import search_texts
from napreport.public.search import matching

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("commitments", "0014_edition_numbers_and_collection_line")]


def migrate(targets=None):
    """Migrate the test database to `targets` (every app's latest by default); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def before_0015():
    """The database as it was before 0015, migrated to the latest again whatever the test does."""
    try:
        yield migrate(BEFORE)
    finally:
        migrate()


def published_row(apps):
    """A row published before 0015, through the models of the time."""
    get = apps.get_model
    plan = get("commitments", "ActionPlan").objects.create(
        slug="nap", title_en="Plan", launched=datetime.date(2012, 6, 6)
    )
    pillar = get("commitments", "Pillar").objects.create(plan=plan, number=1, name_en="Prevention")
    objective = get("commitments", "Objective").objects.create(pillar=pillar, code="1.1", text_en="Aware")
    task = get("commitments", "Task").objects.create(objective=objective, code="1.11", title_en="Research")
    deliverable = get("commitments", "Deliverable").objects.create(task=task, text_en="Develop a toolkit.")
    period = get("commitments", "ReportingPeriod").objects.create(plan=plan, start_year=2013)
    return get("commitments", "PublishedDeliverable").objects.create(
        period=period,
        deliverable=deliverable,
        chart_order=1,
        pillar_number=1,
        pillar_name_en="Prevention",
        objective_code="1.1",
        objective_text_en="Aware",
        task_code="1.11",
        task_sort_key="0001.0011",
        task_title_en="Research on Shelters",
        task_title_fr="Recherche sur les refuges",
        text_en="Develop a toolkit for front-line workers.",
        text_fr="Élaborer une trousse à l'œuvre.",
        note_en="Completed in 2013-2014.",
        leads_en="RCMP",
    )


def stored(row_id):
    """Every column of the row, as the database holds it."""
    return PublishedDeliverable.objects.filter(pk=row_id).values().get()


def test_rows_published_before_0015_get_their_search_texts_and_lose_nothing(before_0015):
    row = published_row(before_0015)
    columns = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}

    migrate()  # 0015 fills the texts; 0019's vectors, computed by the database, are searched below (PostgreSQL)

    after = stored(row.pk)
    assert {column: after[column] for column in columns} == columns
    texts = search_texts(PublishedDeliverable.objects.get(pk=row.pk))
    assert {column: after[column] for column in texts} == texts
    assert after["search_text_fr"] == "elaborer une trousse a l'oeuvre. recherche sur les refuges "
    rows = PublishedDeliverable.objects.all()
    for words in ("oeuvre Élaborer", "FRONT-LINE workers", "shelter", "toolkit"):
        assert list(matching(rows, words).values_list("pk", flat=True)) == [row.pk], words
    assert not matching(rows, "collaborate").exists()
