"""Published rows store what the search reads (issue #17): their texts folded, and on PostgreSQL a GIN index on
the full-text expressions napreport.public.search queries; the rows already published get theirs here."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

from commitments.models.published import search_texts

# The expressions napreport.public.search.full_text_vectors() queries, one index each. PostgreSQL only, and outside
# the models' state (SQLite has no GIN index), so they are created and dropped here.
INDEXES = [
    GinIndex(SearchVector("search_text_en", config="english"), name="published_search_en"),
    GinIndex(SearchVector("search_text_fr", config="french"), name="published_search_fr"),
]
SEARCH_FIELDS = ["search_text_en", "search_text_fr", "search_words"]


def fill_search_texts(apps, schema_editor):
    PublishedDeliverable = apps.get_model("commitments", "PublishedDeliverable")
    rows = PublishedDeliverable.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    # A thousand rows at a time, each batch read before it is written.
    while batch := list(rows.filter(pk__gt=last)[:1000]):
        for row in batch:
            for field, value in search_texts(row).items():
                setattr(row, field, value)
        rows.bulk_update(batch, SEARCH_FIELDS)
        last = batch[-1].pk


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("commitments", "PublishedDeliverable")
        for index in INDEXES:
            schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("commitments", "PublishedDeliverable")
        for index in INDEXES:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0014_edition_numbers_and_collection_line"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="publisheddeliverable",
                name=name,
                field=models.TextField(blank=True, default="", editable=False),
                preserve_default=False,
            )
            for name in SEARCH_FIELDS
        ),
        migrations.RunPython(fill_search_texts, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
