"""A covering index of the deliverables' chart order (issue #17), PostgreSQL only.

The status list sorts its statuses in the chart's order, which it reads from each status's deliverable (its
task and chart position). PostgreSQL joined them by reading the whole deliverable table, both texts and their
search copy included (15 ms at 100x the chart, a third of a department's page query); with the key and the two
ordering columns in one index, it reads the index alone (3 ms). SQLite keeps no columns beside an index's keys
(Django's INCLUDE is PostgreSQL's), so the index is created here, outside the models' state, as 0015's are."""

from django.db import migrations, models

INDEX = models.Index(fields=["id"], include=["task", "chart_position"], name="deliverable_chart_order")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("commitments", "Deliverable"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("commitments", "Deliverable"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0019_published_stored_vectors"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
