"""The demo's records as table rows, read once a session and written back for each test that uses `demo`.

`loaddata` of the demo's dump costs about 2,500 queries a test (each object saved on its own, every natural key
looked up): over the suite that was the largest single cost. Here the dump is loaded once, every row it wrote is
read back as the values an INSERT takes (`Field.get_db_prep_save`), and each test writes those rows again with one
`executemany` a table: the same records, the same primary keys, in a few dozen queries.

What loaddata finds by natural key is found again for each test, since a transactional test's flush recreates
content types and permissions with new primary keys: a group's permissions are rewritten to the ids the test
database gives them now. The migration's groups are kept where they still exist (loaddata would update them in
place). Where the database is not as expected (a table the demo fills already holds rows, or other groups),
`load` returns False and the caller falls back to loaddata itself.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction


def natural(model, pk):
    """The natural key of a content type or a permission, which stays the same when its primary key does not."""
    if model is ContentType:
        content_type = ContentType.objects.get(pk=pk)
        return (content_type.app_label, content_type.model)
    permission = Permission.objects.select_related("content_type").get(pk=pk)
    return (permission.content_type.app_label, permission.content_type.model, permission.codename)


class Table:
    """One table's rows as INSERT parameters; the columns holding a content type or a permission by natural key."""

    def __init__(self, model):
        self.model = model
        # A generated column (Deliverable.folded_text) is the database's to write.
        self.fields = [field for field in model._meta.local_concrete_fields if not field.generated]
        self.name = model._meta.db_table
        self.by_natural_key = {
            index: field.related_model
            for index, field in enumerate(self.fields)
            if field.is_relation and field.related_model in (ContentType, Permission)
        }
        self.rows = []
        for values in model._base_manager.order_by("pk").values_list(*(field.attname for field in self.fields)):
            row = [field.get_db_prep_save(value, connection) for field, value in zip(self.fields, values, strict=True)]
            for index, related in self.by_natural_key.items():
                row[index] = natural(related, row[index])
            self.rows.append(row)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.insert = f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({placeholders})"

    def parameters(self, ids):
        if not self.by_natural_key:
            return self.rows
        return [
            [
                ids[self.by_natural_key[index]][value] if index in self.by_natural_key else value
                for index, value in enumerate(row)
            ]
            for row in self.rows
        ]


class DemoRows:
    """Read while the dump is loaded (inside the caller's transaction); `load()` writes the rows again."""

    def __init__(self, labels):
        models = [apps.get_model(label) for label in labels]
        throughs = [
            field.remote_field.through
            for model in models
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        self.models = [*models, *throughs]
        self.tables = [Table(model) for model in self.models]
        self.groups = dict(Group.objects.values_list("pk", "name"))

    def load(self):
        """The demo's rows in the test database; False (nothing written) where it is not as expected."""
        with transaction.atomic():
            existing = dict(Group.objects.values_list("pk", "name"))
            if existing and existing != self.groups:
                return False
            group_permissions = Group.permissions.through._meta.db_table
            # The migration's groups are kept; loaddata sets each group's permissions to the dump's.
            kept = {Group._meta.db_table} if existing else set()
            replaced = {group_permissions} if existing else set()
            with connection.cursor() as cursor:
                for table in self.tables:
                    if table.name not in kept | replaced:
                        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table.name)} LIMIT 1")
                        if cursor.fetchone() is not None:
                            return False
                ids = {
                    ContentType: {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()},
                    Permission: {
                        (p.content_type.app_label, p.content_type.model, p.codename): p.pk
                        for p in Permission.objects.select_related("content_type")
                    },
                }
                try:
                    writes = [(table, table.parameters(ids)) for table in self.tables if table.name not in kept]
                except KeyError:  # a content type or permission the test database does not have
                    return False
                Group.permissions.through.objects.filter(group_id__in=existing).delete()
                for table, parameters in writes:
                    if parameters:
                        cursor.executemany(table.insert, parameters)
                # As loaddata does: the next row a test creates gets a new primary key (PostgreSQL's sequences).
                for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                    cursor.execute(sql)
        return True
