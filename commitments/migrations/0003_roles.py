"""Create the Coordinator and Department staff groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist before using them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    coordinator, _ = Group.objects.get_or_create(name="Coordinator")
    coordinator.permissions.set(Permission.objects.filter(content_type__app_label__in=["commitments", "napreport"]))
    staff, _ = Group.objects.get_or_create(name="Department staff")
    staff.permissions.set(
        Permission.objects.filter(
            content_type__app_label="commitments",
            codename__in=["view_statusupdate", "change_statusupdate", "view_deliverable"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0002_longer_task_titles"),
        ("napreport", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
