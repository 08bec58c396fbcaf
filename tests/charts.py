"""The chart at several times its size, for the tests that promise a page, a file or a report costs the same
queries whatever the size of the chart (the benchmarks grow it the same way, at their own scale), and what such a
test counts besides the page's own queries."""

from django.db import connection

from commitments.models import Deliverable, DeliverableLead, StatusUpdate


def grow_chart(times, period=None, *, task_code=None):
    """Copy every top-level deliverable (times - 1) times, with its leads in their order, by bulk inserts so a
    test can afford ten times the chart.

    With a `period`, each copy gets an "ongoing" status in it; without one, each copy gets a copy of every status
    of its original, in every period (so last year's values come along). `task_code` grows one task only."""
    originals = Deliverable.objects.filter(parent=None).order_by("pk").prefetch_related("lead_links")
    if task_code is not None:
        originals = originals.filter(task__code=task_code)
    originals = list(originals)
    leads = {original.pk: list(original.lead_links.all()) for original in originals}
    updates = [] if period is not None else list(StatusUpdate.objects.filter(deliverable__in=originals).order_by("pk"))
    for copy in range(1, times):
        clones = Deliverable.objects.bulk_create(
            Deliverable(
                task_id=original.task_id,
                position=copy * 1000 + original.position,
                # What save() would store (bulk_create does not call it): the chart's order, after the originals.
                chart_position=f"{copy * 1000 + original.position:04d}",
                text_en=original.text_en,
                text_fr=original.text_fr,
                start_year=original.start_year,
                target_year=original.target_year,
            )
            for original in originals
        )
        clone_of = {original.pk: clone.pk for original, clone in zip(originals, clones, strict=True)}
        DeliverableLead.objects.bulk_create(
            DeliverableLead(deliverable_id=clone, department_id=lead.department_id, position=lead.position)
            for original, clone in clone_of.items()
            for lead in leads[original]
        )
        if period is not None:
            StatusUpdate.objects.bulk_create(
                StatusUpdate(deliverable_id=clone.pk, period=period, status="ongoing") for clone in clones
            )
        else:
            StatusUpdate.objects.bulk_create(
                StatusUpdate(
                    **{
                        field.attname: getattr(update, field.attname)
                        for field in StatusUpdate._meta.concrete_fields
                        if field.attname not in ("id", "deliverable_id")
                    },
                    deliverable_id=clone_of[update.deliverable_id],
                )
                for update in updates
            )


def own_changes_counted():
    """On PostgreSQL a test runs in one transaction, whose changes the dashboard first counts: one statement
    (chart_revision.count_own_changes). A request in production runs outside a transaction and makes none."""
    return 1 if connection.vendor == "postgresql" else 0
