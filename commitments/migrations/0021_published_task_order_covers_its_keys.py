"""The progress table's order index covers each row's key (issue #17), PostgreSQL only.

A page of the table reads a year's keys in `published_task_order`'s order (period, task, chart order) and skips
the pages before it. Without the key in the index, PostgreSQL judged reading the rows in index order dearer than
sorting the whole year, and a page halfway down the table took 15 ms at 100x the chart (the first page, a
short walk, was unaffected); with it, it walks the index alone (0.7 ms). The index is replaced in place by one of
the same name and columns that also INCLUDEs the key; SQLite's indexes hold the row's key already, and the models'
state keeps the plain index, as 0020 does for its index."""

from django.db import migrations, models

FIELDS = ["period", "task_sort_key", "chart_order"]
PLAIN = models.Index(fields=FIELDS, name="published_task_order")
COVERING = models.Index(fields=FIELDS, include=["id"], name="published_task_order")


def replace(old, new):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model("commitments", "PublishedDeliverable")
            schema_editor.remove_index(model, old)
            schema_editor.add_index(model, new)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0020_deliverable_chart_order_index"),
    ]

    operations = [migrations.RunPython(replace(PLAIN, COVERING), replace(COVERING, PLAIN))]
