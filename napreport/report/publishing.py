"""Publishing a period: the one path that turns a period's live data into its frozen public record.

The admin, `load_demo` and the tests all publish through `publish_period`, so what the public sees
is always produced the same way, and the cached public pages expire whoever publishes.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.chart import build_live_rows
from commitments.models import (
    Deliverable,
    Objective,
    Pillar,
    PublishedDeliverable,
    PublishedDepartment,
    PublishedPillar,
    ReportingPeriod,
    StatusUpdate,
    Task,
)
from napreport.report.build import render_html
from napreport.report.models import PART_KEYS, NarrativeSection, PublishedReport, SectionKey

# The cache alias of the public pages (settings.CACHES); the public site caches into it, publishing empties it.
PUBLIC_PAGES_CACHE = "public"


class PublishingError(Exception):
    """Publishing was refused; `missing` lists what must be written first, one sentence each."""

    def __init__(self, missing):
        super().__init__("; ".join(missing))
        self.missing = missing


def missing_for_publication(period):
    """What a period still lacks before it can be published (empty when it is ready)."""
    sections = {section.key: section for section in NarrativeSection.objects.filter(period=period)}
    missing = []
    for key in SectionKey:
        section = sections.get(key)
        if section is None or not section.body_en:
            missing.append(_("The section “%(section)s” has no English text.") % {"section": key.label})
            continue
        required = ["title_fr", "body_fr"]
        if key in PART_KEYS:
            required += ["summary_en", "summary_fr", "achievements_en", "achievements_fr"]
        for name in required:
            if not getattr(section, name):
                field = NarrativeSection._meta.get_field(name).verbose_name
                missing.append(
                    _("The section “%(section)s” has no %(field)s.") % {"section": key.label, "field": field}
                )
    return missing + missing_chart_french(period)


def missing_chart_french(period):
    """The chart's public texts that have no French yet (the French report and pages would fall back)."""
    plan = period.plan_id
    missing = [
        _("Objective %(code)s has no French text.") % {"code": code}
        for code in Objective.objects.filter(pillar__plan_id=plan, text_fr="").values_list("code", flat=True)
    ]
    missing += [
        _("Task %(code)s has no French title.") % {"code": code}
        for code in Task.objects.filter(objective__pillar__plan_id=plan, title_fr="").values_list("code", flat=True)
    ]
    untranslated = (
        Deliverable.objects.filter(task__objective__pillar__plan_id=plan)
        .filter(Q(text_fr="") | (~Q(lead_note_en="") & Q(lead_note_fr="")))
        .exclude(new_in__start_year__gt=period.start_year)
        .select_related("task")
    )
    missing += [
        _("A deliverable of task %(code)s has no French text: “%(text)s”.")
        % {"code": deliverable.task.code, "text": deliverable.text_en[:60]}
        for deliverable in untranslated
    ]
    return missing


@transaction.atomic
def publish_period(period):
    """Publish `period`, or raise PublishingError listing what is missing.

    Freezes the chart, then renders the report in English and French, HTML and PDF, once: the files
    are stored with their SHA-256 and never rendered again, whatever later happens to the live data
    or the templates. A failure leaves the period unpublished and removes the files written so far.
    """
    # Re-read under a lock: two coordinators publishing at once must not both pass the check.
    period = ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
    if period.is_published:
        raise PublishingError([_("%(period)s is already published.") % {"period": period.label}])
    missing = missing_for_publication(period)
    if missing:
        raise PublishingError(missing)
    period = publish_chart(period)
    from napreport.report.pdf import pdf_from_html  # loads WeasyPrint only when publishing

    saved = []
    try:
        for language, _name in settings.LANGUAGES:
            html = render_html(period, language).encode()
            pdf = pdf_from_html(render_html(period, language, for_pdf=True))
            saved.append(store_report(period, language, PublishedReport.Format.HTML, html))
            saved.append(store_report(period, language, PublishedReport.Format.PDF, pdf))
    except BaseException:
        for report in saved:
            report.file.storage.delete(report.file.name)
        raise
    # Once the publication is committed (not before: a failure rolls it back), the public pages cached by every
    # instance are stale: empty their cache, the alias settings.CACHES names for them. `robust`: the
    # publication stands even if the cache cannot be reached; the failure is logged.
    transaction.on_commit(expire_public_pages, robust=True)
    return period


def expire_public_pages():
    caches[PUBLIC_PAGES_CACHE].clear()


def store_report(period, language, file_format, content):
    name = f"reports/{period.plan.slug}/{period.label}/annual-report-{period.label}-{language}.{file_format}"
    stored_name = default_storage.save(name, ContentFile(content))
    return PublishedReport.objects.create(
        period=period,
        language=language,
        format=file_format,
        file=stored_name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


def publish_chart(period):
    """Freeze the period's chart into PublishedDeliverable rows, with the names the public pages show (the plan's
    title, its pillars, the lead departments), and mark the period published."""
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_published:
        raise ValueError(f"{period.label} is already published.")
    rows = build_live_rows(period)
    freeze_slips(period, rows)
    PublishedDeliverable.objects.bulk_create(rows)
    Lead = PublishedDeliverable.leads.through
    Lead.objects.bulk_create(
        Lead(publisheddeliverable_id=row.pk, department_id=department.pk)
        for row in rows
        for department in row.lead_departments
    )
    freeze_names(period, {department.pk: department for row in rows for department in row.lead_departments})
    period.state = ReportingPeriod.State.PUBLISHED
    period.published_at = timezone.now()
    period.save(update_fields=["state", "published_at", "plan_title_en", "plan_title_fr", "plan_launched"])
    return period


def freeze_slips(period, rows):
    """Copy onto the (unsaved) rows each later target's reason and the status it moved from."""
    slips = {update.deliverable_id: update for update in StatusUpdate.objects.filter(period=period).slipped()}
    for row in rows:
        if update := slips.get(row.deliverable_id):
            row.slip_reason, row.slip_note_en, row.slip_note_fr = (
                update.slip_reason,
                update.slip_note_en,
                update.slip_note_fr,
            )
            row.slip_from_status, row.slip_from_target = update.previous_status or "", update.previous_target


def freeze_names(period, departments):
    """Copy the plan's title, its pillars and the `departments` (id → Department) onto the period (unsaved)."""
    plan = period.plan
    period.plan_title_en, period.plan_title_fr, period.plan_launched = plan.title_en, plan.title_fr, plan.launched
    PublishedPillar.objects.bulk_create(
        PublishedPillar(period=period, number=pillar.number, name_en=pillar.name_en, name_fr=pillar.name_fr)
        for pillar in Pillar.objects.filter(plan_id=period.plan_id)
    )
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
        for department in departments.values()
    )
