"""A period's Action Items Chart as rows, the one shape that exports, pages and the report read.

A published period's rows are its stored PublishedDeliverable rows. Any other period's rows are the
same model, built unsaved from the live chart and that period's statuses, so a draft renders exactly
as it will once published.
"""

from commitments.models import Deliverable, PublishedDeliverable, ReportingPeriod, StatusUpdate


def chart_rows(period: ReportingPeriod) -> list[PublishedDeliverable]:
    """The period's chart in print order: deliverables, each followed by its tracked sub-items."""
    if period.is_published:
        return list(period.published_rows.order_by("chart_order"))
    return build_live_rows(period)


def build_live_rows(period: ReportingPeriod) -> list[PublishedDeliverable]:
    """Rows from the live chart and the period's statuses (three queries, whatever the size)."""
    statuses = {update.deliverable_id: update for update in StatusUpdate.objects.filter(period=period)}
    deliverables = list(
        Deliverable.objects.filter(task__objective__pillar__plan_id=period.plan_id).for_chart().in_chart_order()
    )
    rows: list[PublishedDeliverable] = []
    for deliverable in deliverables:
        if deliverable.new_in is not None and deliverable.new_in.start_year > period.start_year:
            continue  # added in a later year: not part of this period's chart
        rows.append(_row(period, deliverable, statuses.get(deliverable.pk), chart_order=len(rows) + 1))
    return rows


def _row(
    period: ReportingPeriod, deliverable: Deliverable, update: StatusUpdate | None, chart_order: int
) -> PublishedDeliverable:
    task = deliverable.task
    objective = task.objective
    pillar = objective.pillar
    links = list(deliverable.lead_links.all())
    row = PublishedDeliverable(
        period=period,
        deliverable=deliverable,
        parent_id=deliverable.parent_id,
        chart_order=chart_order,
        pillar_number=pillar.number,
        pillar_name_en=pillar.name_en,
        pillar_name_fr=pillar.name_fr,
        objective_code=objective.code,
        objective_text_en=objective.text_en,
        objective_text_fr=objective.text_fr,
        task_code=task.code,
        task_sort_key=task.sort_key,
        task_title_en=task.title_en,
        task_title_fr=task.title_fr,
        text_en=deliverable.text_en,
        text_fr=deliverable.text_fr,
        start_year=deliverable.start_year,
        status=update.status if update else "",
        target_year=update.target_year if update else None,
        note_en=update.note_en if update else "",
        note_fr=update.note_fr if update else "",
        leads_en=", ".join(link.department.acronym for link in links),
        leads_fr=", ".join(link.department.short_name_fr or link.department.acronym for link in links),
        lead_note_en=deliverable.lead_note_en,
        lead_note_fr=deliverable.lead_note_fr,
        is_new=deliverable.new_in_id == period.pk,
    )
    row.lead_departments = [link.department for link in links]
    return row
