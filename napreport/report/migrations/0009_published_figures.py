import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The figures a publication counts (PublishedFigures). Years published before it have none stored: the public
    pages count theirs on each request (PublishedFiguresManager.of), as they did before, until they are stored."""

    dependencies = [
        ("commitments", "0014_edition_numbers_and_collection_line"),
        ("napreport", "0008_open_data_files"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedFigures",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveSmallIntegerField(default=1)),
                ("figures", models.JSONField()),
                (
                    "period",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_figures",
                        to="commitments.reportingperiod",
                        verbose_name="period",
                    ),
                ),
            ],
            options={
                "verbose_name": "published figures",
                "verbose_name_plural": "published figures",
            },
        ),
    ]
