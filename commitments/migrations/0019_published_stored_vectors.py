"""Published rows store their full-text vectors (issue #17): napreport.public.search compares the stored columns,
indexed (GIN, PostgreSQL only), where it computed to_tsvector for each row; the expression indexes of 0015 go."""

import importlib

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

import commitments.models.search_text

# 0015's name starts with a digit: imported by name.
EXPRESSION_INDEXES = importlib.import_module("commitments.migrations.0015_published_search_texts").INDEXES
COLUMN_INDEXES = [
    GinIndex(fields=["search_vector_en"], name="published_vector_en"),
    GinIndex(fields=["search_vector_fr"], name="published_vector_fr"),
]


def swap_indexes(old, new):
    def swap(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model("commitments", "PublishedDeliverable")
            for index in old:
                schema_editor.remove_index(model, index)
            for index in new:
                schema_editor.add_index(model, index)

    return swap


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0018_deliverable_folded_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="publisheddeliverable",
            name="search_vector_en",
            field=commitments.models.search_text.full_text("search_text_en", "english"),
        ),
        migrations.AddField(
            model_name="publisheddeliverable",
            name="search_vector_fr",
            field=commitments.models.search_text.full_text("search_text_fr", "french"),
        ),
        migrations.RunPython(
            swap_indexes(EXPRESSION_INDEXES, COLUMN_INDEXES), swap_indexes(COLUMN_INDEXES, EXPRESSION_INDEXES)
        ),
    ]
