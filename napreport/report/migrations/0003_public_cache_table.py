"""Create the public pages' cache table (settings.CACHES["public"]) in databases migrated before it existed.
`createcachetable` makes every database cache's table that is missing, so it is harmless when all exist, or
when the public cache is Redis."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("napreport", "0002_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
