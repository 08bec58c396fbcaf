"""Publishing a period: the one path that turns a period's live data into its frozen public record.

The admin (through a background task, napreport.report.tasks), `load_demo` and the tests all publish through
`publish_period`, so what the public sees is always produced the same way, and the cached public pages expire
whoever publishes, wherever it runs.
"""

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.chart import build_live_rows, chart_rows
from commitments.models import (
    Deliverable,
    Department,
    Objective,
    Pillar,
    PublishedDeliverable,
    PublishedDepartment,
    PublishedPillar,
    ReportingPeriod,
    StatusUpdate,
    Task,
)
from napreport.report.build import render_html, report_data_in
from napreport.report.edition import missing_numbers
from napreport.report.models import (
    OPEN_DATA_FORMATS,
    PART_KEYS,
    NarrativeSection,
    Publication,
    PublishedFigures,
    PublishedReport,
    SectionKey,
)
from napreport.report.open_data import open_data_name, render_open_data

# The cache aliases of the public pages (settings.CACHES); the public site caches into them, publishing empties
# them: the shared one for every instance, and this process's copies of its last second's pages (every other
# process's copies expire by themselves within PUBLIC_CACHE_RECENT_SECONDS).
PUBLIC_PAGES_CACHE = "public"
PUBLIC_PAGES_RECENT_CACHE = "public-recent"


class PublishingError(Exception):
    """Publishing was refused; `missing` lists what must be written first, one sentence each."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


def missing_for_publication(period: ReportingPeriod) -> list[str]:
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
                field = NarrativeSection._meta.get_field(name).verbose_name  # type: ignore[union-attr]  # a concrete field
                missing.append(
                    _("The section “%(section)s” has no %(field)s.") % {"section": key.label, "field": field}
                )
    return missing + missing_chart_french(period) + missing_numbers(period)


def missing_chart_french(period: ReportingPeriod) -> list[str]:
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


def publish_period(period: ReportingPeriod, progress: Callable[[str], None] | None = None) -> ReportingPeriod:
    """Publish `period`, or raise PublishingError saying why not.

    Renders the report in English and French, HTML and PDF, once, and the chart's open-data downloads (CSV and
    JSON, in each language) from the frozen rows: the files are stored with their SHA-256 and never rendered
    again, whatever later happens to the live data or the templates. All or nothing: the files
    are rendered under staging names, then ONE transaction, under the period's row lock, checks again, freezes
    the chart, checks that the frozen record renders exactly what was rendered, renders the downloads from it
    into the same staging folder, moves the files to their final
    names (the canonical ones, never a variant with a suffix), records them and marks the period published.
    Failing anywhere (an error, a full disk), it removes every file it wrote. Killed anywhere before that commit
    (kill -9 of the worker), it leaves the period unpublished and no file on any page (only recorded files are
    served); the next successful attempt removes what interrupted ones left. `progress(stage)` is called as each
    stage starts (a Publication.Stage value); it may raise to stop the publication.
    """
    from napreport.report.pdf import pdf_from_html  # loads WeasyPrint only when publishing

    progress = progress or _no_progress
    period = remove_leftovers(period)
    # This attempt's own staging folder: another attempt may be staging beside it at the same time.
    staging = f"{report_directory(period)}/staging/{secrets.token_hex(8)}"
    staged = []
    try:
        rows = None  # the chart's rows, read once for both languages
        for language, _name in settings.LANGUAGES:
            data = None  # the report's rows and narrative in this language, read once for its HTML and its PDF
            for file_format in PublishedReport.Format.HTML, PublishedReport.Format.PDF:
                progress(f"rendering-{language}-{file_format}")
                if rows is None:
                    rows = chart_rows(period)
                data = data or report_data_in(period, language, rows)
                pdf = file_format == PublishedReport.Format.PDF
                source = render_html(period, language, for_pdf=pdf, data=data)
                content = pdf_from_html(source) if pdf else source.encode()
                staged.append(stage_report(staging, period, language, file_format, source, content))
        moved = []
        try:
            with transaction.atomic():
                # Re-read under the lock: two publications at once must not both pass the check.
                period = lock_publishable(period)
                progress(Publication.Stage.FREEZING)
                period = publish_chart(period)
                frozen_rows = chart_rows(period)  # the published record, read once for both languages
                frozen = {code: report_data_in(period, code, frozen_rows) for code, _name in settings.LANGUAGES}
                for report in staged:
                    pdf = report.format == PublishedReport.Format.PDF
                    source = render_html(period, report.language, for_pdf=pdf, data=frozen[report.language])
                    if sha256(source.encode()) != report.source_sha256:
                        raise PublishingError([changed_while_rendering()])
                    moved.append(store_report(period, report).file.name)
                # The downloads are the frozen rows themselves, so they can only be rendered now, under the lock.
                for download in stage_chart_downloads(staging, period):
                    moved.append(store_report(period, download).file.name)
                # Once the publication is committed (not before: a failure rolls it back), the public pages cached
                # by every instance are stale: empty their cache, the alias settings.CACHES names for them.
                # `robust`: the publication stands even if the cache cannot be reached; the failure is logged.
                transaction.on_commit(expire_public_pages, robust=True)
                # Published: whatever any other attempt staged can go (each one finds the period published).
                transaction.on_commit(lambda: remove_tree(f"{report_directory(period)}/staging"), robust=True)
        except BaseException:
            for name in moved:  # rolled back: recorded nowhere
                default_storage.delete(name)
            raise
    finally:
        # Whatever happened, this attempt's staged files go: moved into place, or never to be used.
        remove_tree(staging)
    return period


def _no_progress(stage: str) -> None:
    pass


def changed_while_rendering() -> str:
    return _("The chart or the narrative changed while the report was being rendered: publish again.")


def check_publishable(period: ReportingPeriod) -> None:
    """Raise PublishingError unless `period` is in review and complete (reads it as given, without a lock)."""
    if period.is_published:
        raise PublishingError([_("%(period)s is already published.") % {"period": period.label}])
    if not period.is_in_review:
        raise PublishingError(
            [
                _("%(period)s is still open for updates: close it for review before publishing.")
                % {"period": period.label}
            ]
        )
    missing = missing_for_publication(period)
    if missing:
        raise PublishingError(missing)


def lock_publishable(period: ReportingPeriod) -> ReportingPeriod:
    """`period` re-read under its row lock (inside a transaction), if it can be published."""
    if connection.vendor == "sqlite":
        # SQLite has no row locks: a write first takes the database's write lock for the transaction, so two
        # publications are serialised there too (a read first would let both pass the check).
        ReportingPeriod.objects.filter(pk=period.pk).update(state=F("state"))
    period = ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
    check_publishable(period)
    return period


def remove_leftovers(period: ReportingPeriod) -> ReportingPeriod:
    """Delete the files an interrupted publication of `period` moved into place but never recorded.

    Under the period's lock, so a publication committing its files at that moment is waited for, and then
    found published. Staged files stay: another attempt may be rendering now; the publication that succeeds
    removes them all."""
    with transaction.atomic():
        period = lock_publishable(period)
        directory = report_directory(period)
        recorded = set(PublishedReport.objects.filter(period=period).values_list("file", flat=True))
        remove_files(
            name
            for name in stored_files(directory)
            if name not in recorded and not name.startswith(f"{directory}/staging/")
        )
    return period


def remove_files(names: Iterable[str]) -> None:
    for name in list(names):
        default_storage.delete(name)


def remove_tree(directory: str) -> None:
    """Delete the files under `directory`, then its folders that are left empty (on storages with folders)."""
    remove_files(stored_files(directory))
    try:
        top = default_storage.path(directory)
    except NotImplementedError:
        return
    for folder, _children, _files in os.walk(top, topdown=False):
        with contextlib.suppress(OSError):  # gone already, or another attempt is staging into it right now
            os.rmdir(folder)


def stored_files(directory: str) -> Iterator[str]:
    try:
        directories, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    yield from (f"{directory}/{name}" for name in files)
    for child in directories:
        yield from stored_files(f"{directory}/{child}")


def report_directory(period: ReportingPeriod) -> str:
    return f"reports/{period.plan.slug}/{period.label}"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class StagedReport:
    language: str
    format: str
    staging_name: str
    source_sha256: str  # of the HTML it was rendered from
    sha256: str
    size: int


def stage_report(
    staging: str, period: ReportingPeriod, language: str, file_format: str, source: str, content: bytes
) -> StagedReport:
    """Store a rendered file in the attempt's `staging` folder, which no page serves."""
    name = f"{staging}/{report_name(period, language, file_format)}"
    try:
        staging_name = default_storage.save(name, ContentFile(content))
    except BaseException:
        default_storage.delete(name)  # what a full disk let through: a truncated file
        raise
    return StagedReport(language, file_format, staging_name, sha256(source.encode()), sha256(content), len(content))


def stage_chart_downloads(staging: str, period: ReportingPeriod) -> Iterator[StagedReport]:
    """Stage the open data of the (just frozen) `period` (napreport.report.open_data): the chart's downloads in
    each language, the CSV of every year published up to it, and the data package describing them."""
    for data_file, content in render_open_data(period):
        yield stage_report(staging, period, data_file.language, data_file.format, content.decode(), content)


def report_name(period: ReportingPeriod, language: str, file_format: str) -> str:
    if file_format in OPEN_DATA_FORMATS:
        return open_data_name(period, language, file_format)
    return f"annual-report-{period.label}-{language}.{file_format}"


def expire_public_pages() -> None:
    caches[PUBLIC_PAGES_CACHE].clear()
    caches[PUBLIC_PAGES_RECENT_CACHE].clear()


def store_report(period: ReportingPeriod, report: StagedReport) -> PublishedReport:
    """Move a staged file to its final name and record it (inside the publication's transaction).

    The name is always the canonical one: under the period's lock, with the period unpublished, a file already
    there was left by an attempt killed before it committed (after `remove_leftovers` ran for this one), and the
    move replaces it."""
    name = f"{report_directory(period)}/{report_name(period, report.language, report.format)}"
    move(report.staging_name, name)
    return PublishedReport.objects.create(
        period=period,
        language=report.language,
        format=report.format,
        file=name,
        sha256=report.sha256,
        size=report.size,
    )


def move(source: str, target: str) -> None:
    """Rename a stored file over `target`: atomic on the file system; a copy then a delete on storages without
    paths (which would otherwise save beside an existing `target` under a name with a random suffix)."""
    try:
        source_path, target_path = default_storage.path(source), default_storage.path(target)
    except NotImplementedError:
        default_storage.delete(target)
        with default_storage.open(source) as file:
            saved = default_storage.save(target, file)
        if saved != target:
            default_storage.delete(saved)
            raise FileExistsError(f"{target} was stored meanwhile") from None
        default_storage.delete(source)
    else:
        os.makedirs(os.path.dirname(target_path), exist_ok=True)
        os.replace(source_path, target_path)


def publish_chart(period: ReportingPeriod) -> ReportingPeriod:
    """Freeze the period's chart into PublishedDeliverable rows, with the names the public pages show (the plan's
    title, its pillars, the lead departments), count them once for the public pages (PublishedFigures), and mark
    the period published."""
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
    PublishedFigures.objects.store(period)
    period.state = ReportingPeriod.State.PUBLISHED
    period.published_at = timezone.now()
    period.save(update_fields=["state", "published_at", "plan_title_en", "plan_title_fr", "plan_launched"])
    return period


def freeze_slips(period: ReportingPeriod, rows: list[PublishedDeliverable]) -> None:
    """Copy onto the (unsaved) rows each later target's reason and the status it moved from."""
    slips = {update.deliverable_id: update for update in StatusUpdate.objects.filter(period=period).slipped()}
    for row in rows:
        if update := slips.get(row.deliverable_id):
            row.slip_reason, row.slip_note_en, row.slip_note_fr = (
                update.slip_reason,
                update.slip_note_en,
                update.slip_note_fr,
            )
            # previous_status and previous_target are annotations of slipped() (with_previous), not model fields.
            row.slip_from_status, row.slip_from_target = (
                update.previous_status or "",  # type: ignore[attr-defined]
                update.previous_target,  # type: ignore[attr-defined]
            )


def freeze_names(period: ReportingPeriod, departments: dict[int, Department]) -> None:
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
