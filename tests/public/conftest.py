import pytest
from django.core.cache import cache, caches

from commitments.models import Deliverable, DeliverableLead, PublishedDeliverable, ReportingPeriod
from napreport.report.models import NarrativeSection, PublishedFigures
from napreport.report.publishing import publish_period

MARKER = "DRAFT-MARKER-7f3a9c"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    caches["public"].clear()
    yield
    cache.clear()
    caches["public"].clear()


@pytest.fixture
def published(demo):
    return ReportingPeriod.objects.get(plan=demo, start_year=2013)


@pytest.fixture
def draft_marker(demo):
    """A unique marker written everywhere the open (unpublished) year can hold text."""
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    open_period.status_updates.update(note_en=MARKER, note_fr=MARKER)
    open_period.status_updates.exclude(status="on_track").update(status="complete")
    template = Deliverable.objects.filter(parent=None).first()
    added = Deliverable.objects.create(
        task=template.task,
        position=999,
        text_en=f"{MARKER} new deliverable",
        text_fr=MARKER,
        new_in=open_period,
        start_year=2014,
    )
    DeliverableLead.objects.create(deliverable=added, department=template.leads.first())
    open_period.narrative_sections.create(key="foreword", title_en=MARKER, body_en=f"<p>{MARKER}</p>")
    return open_period


def grow_published(period, times):
    """Add (times - 1) published copies of every row of `period` (new deliverables, same leads)."""
    rows = list(PublishedDeliverable.objects.filter(period=period).prefetch_related("leads"))
    order = len(rows)
    for copy in range(1, times):
        clones = Deliverable.objects.bulk_create(
            Deliverable(
                task_id=row.deliverable.task_id,
                position=200 + 120 * copy + row.chart_order,
                text_en=row.text_en,
                text_fr=row.text_fr,
            )
            for row in rows
        )
        published = []
        for row, clone in zip(rows, clones, strict=True):
            order += 1
            published.append(
                PublishedDeliverable(
                    **{
                        f.attname: getattr(row, f.attname)
                        for f in PublishedDeliverable._meta.concrete_fields
                        if f.attname not in ("id", "deliverable_id", "chart_order", "parent_id") and not f.generated
                    },
                    deliverable=clone,
                    chart_order=order,
                )
            )
        PublishedDeliverable.objects.bulk_create(published)
        Lead = PublishedDeliverable.leads.through
        Lead.objects.bulk_create(
            Lead(publisheddeliverable_id=new.pk, department_id=department.pk)
            for row, new in zip(rows, published, strict=True)
            for department in row.leads.all()
        )
    # Publishing counts a year's rows once (PublishedFigures): the copies join the year as if published with it.
    PublishedFigures.objects.store(period)


def publish_second_year(demo, published, capture_on_commit):
    """Publish 2014-2015 with the narrative of 2013-2014, so that "What changed" lists changes."""
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, open_period
        section.save()
    open_period.status_updates.filter(status="in_progress").update(status="complete")
    open_period.start_review()
    with capture_on_commit(execute=True):
        publish_period(open_period)
    return open_period
