"""Periods published before the names were frozen: take the plan's title, its pillars and the lead departments
from the live data as it is now (the closest record of what those pages showed)."""

from django.db import migrations


def freeze_published_names(apps, schema_editor):
    ReportingPeriod = apps.get_model("commitments", "ReportingPeriod")
    Pillar = apps.get_model("commitments", "Pillar")
    Department = apps.get_model("commitments", "Department")
    PublishedPillar = apps.get_model("commitments", "PublishedPillar")
    PublishedDepartment = apps.get_model("commitments", "PublishedDepartment")
    Lead = apps.get_model("commitments", "PublishedDeliverable").leads.through
    for period in ReportingPeriod.objects.filter(state="published").select_related("plan"):
        if not period.plan_title_en:
            period.plan_title_en, period.plan_title_fr = period.plan.title_en, period.plan.title_fr
            period.plan_launched = period.plan.launched
            period.save(update_fields=["plan_title_en", "plan_title_fr", "plan_launched"])
        if not PublishedPillar.objects.filter(period=period).exists():
            PublishedPillar.objects.bulk_create(
                PublishedPillar(period=period, number=pillar.number, name_en=pillar.name_en, name_fr=pillar.name_fr)
                for pillar in Pillar.objects.filter(plan_id=period.plan_id)
            )
        if not PublishedDepartment.objects.filter(period=period).exists():
            leads = Lead.objects.filter(publisheddeliverable__period=period).values("department_id")
            PublishedDepartment.objects.bulk_create(
                PublishedDepartment(
                    period=period,
                    department=department,
                    acronym=department.acronym,
                    short_name_fr=department.short_name_fr,
                    slug=department.slug,
                    name_en=department.name_en,
                    name_fr=department.name_fr,
                )
                for department in Department.objects.filter(pk__in=leads)
            )


def forget_published_names(apps, schema_editor):
    """Going back: the frozen names go with the tables and columns 0006 removes."""
    apps.get_model("commitments", "PublishedPillar").objects.all().delete()
    apps.get_model("commitments", "PublishedDepartment").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0006_published_names"),
    ]

    operations = [
        migrations.RunPython(freeze_published_names, forget_published_names),
    ]
