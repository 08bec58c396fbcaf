"""The annual report's own data: the narrative a coordinator writes for a period, and the files
that publishing a period stores once and for all.

The chart itself (Annex A) is not stored here: it is generated from commitments' data.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, F, FilteredRelation, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import PublishedDeliverable, ReportingPeriod, Translated
from napreport.report.html import clean_html


class SectionKey(models.TextChoices):
    """The report's narrative sections, in the order the report prints them (the 2013-2014 report's)."""

    FOREWORD = "foreword", _("Foreword")
    INTRODUCTION = "introduction", _("Introduction")
    PROGRESS = "progress", _("Progress to Date")
    PART_1 = "part-1", _("Part I")
    PART_2 = "part-2", _("Part II")
    PART_3 = "part-3", _("Part III")
    PART_4 = "part-4", _("Part IV")
    MOVING_FORWARD = "moving-forward", _("Moving Forward")
    CONCLUSION = "conclusion", _("Conclusion")
    ANNEX_B = "annex-b", _("Annex B: Resources and Links")


SECTION_ORDER = {key: position for position, key in enumerate(SectionKey.values)}
PART_KEYS = (SectionKey.PART_1, SectionKey.PART_2, SectionKey.PART_3, SectionKey.PART_4)
HTML_FIELDS = ("summary_en", "summary_fr", "achievements_en", "achievements_fr", "body_en", "body_fr")


class NarrativeSectionManager(models.Manager["NarrativeSection"]):
    def copy_source(self, period: ReportingPeriod) -> ReportingPeriod | None:
        """The period whose narrative `period` would start from: the latest earlier one that has one."""
        return (
            ReportingPeriod.objects.filter(start_year__lt=period.start_year, narrative_sections__isnull=False)
            .order_by("-start_year")
            .first()
        )

    def copy_previous(self, period: ReportingPeriod) -> tuple[ReportingPeriod, int]:
        """Copy the latest earlier narrative into `period`, which has none yet, as the starting point of its
        report: the period copied from and the number of sections. Each copy's history says where it came from.

        Raises ValidationError, changing nothing, if the period is published, already has a narrative, or no
        earlier period has one.
        """
        with transaction.atomic():
            period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
            if period.is_published:
                raise ValidationError(
                    gettext("%(period)s is published: its narrative can no longer change.") % {"period": period.label}
                )
            if self.filter(period=period).exists():
                raise already_written(period)
            source = self.copy_source(period)
            if source is None:
                raise ValidationError(gettext("No earlier period has a narrative to copy."))
            sections = list(self.filter(period=source))
            reason = gettext("Copied from %(period)s") % {"period": source.label}
            try:
                with transaction.atomic():
                    for section in sections:
                        section.pk, section.period = None, period
                        section._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
                        section.save()
            except IntegrityError:  # another coordinator's copy got there first
                raise already_written(period) from None
        return source, len(sections)


def already_written(period: ReportingPeriod) -> ValidationError:
    return ValidationError(
        gettext("%(period)s already has a narrative: nothing was copied.") % {"period": period.label}
    )


class NarrativeSection(models.Model):
    """One narrative section of a period's report, in English and French, as sanitised HTML.

    The four Parts (one per pillar) also have a summary (the pillar's statement) and their Key
    Achievements list; other sections use the body only.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="narrative_sections", verbose_name=_("period")
    )
    key = models.CharField(_("section"), max_length=20, choices=SectionKey)
    position = models.PositiveSmallIntegerField(editable=False, default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    summary_en = models.TextField(_("statement (English)"), blank=True)
    summary_fr = models.TextField(_("statement (French)"), blank=True)
    achievements_en = models.TextField(_("key achievements (English)"), blank=True)
    achievements_fr = models.TextField(_("key achievements (French)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_fr = models.TextField(_("text (French)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = Translated("title_en")
    summary = Translated("summary_en")
    achievements = Translated("achievements_en")
    body = Translated("body_en")

    history = HistoricalRecords()

    objects = NarrativeSectionManager()

    class Meta:
        ordering = ["period", "position"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.UniqueConstraint(fields=["period", "key"], name="one_section_per_key_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period.label} – {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.position = SECTION_ORDER[self.key]
        for name in HTML_FIELDS:
            setattr(self, name, clean_html(getattr(self, name)))
        super().save(*args, **kwargs)


class PublishedReport(models.Model):
    """A file rendered once when its period was published, never rendered again: the report (PDF, HTML) or the
    chart's open-data download (CSV, JSON), in one language."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        # Every year published up to this one, in one CSV (one row per deliverable per year).
        ALL_YEARS_CSV = "all-years-csv", _("CSV, all years")
        # The Frictionless data package describing the edition's downloads (datapackage.json).
        DATAPACKAGE = "datapackage", _("Data package")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="published_reports", verbose_name=_("period")
    )
    # Blank for a file in both languages (the data package).
    language = models.CharField(_("language"), max_length=2, choices=Language, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format)
    file = models.FileField(_("file"), upload_to="reports/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["period", "language", "format"]
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        constraints = [
            models.UniqueConstraint(fields=["period", "language", "format"], name="one_report_file_per_kind"),
        ]

    def __str__(self) -> str:
        """“2013-2014 report, English PDF”, “2013-2014 open data, French CSV”, in the reader's language (reads
        self.period: select_related it for a list)."""
        if self.format == self.Format.DATAPACKAGE:  # in both languages
            file = gettext("data package")
        else:
            kind = self.get_format_display()
            if self.format == self.Format.ALL_YEARS_CSV:
                kind = gettext("CSV of all years")
            in_language: dict[str, str] = {
                self.Language.ENGLISH: gettext("English %(format)s"),
                self.Language.FRENCH: gettext("French %(format)s"),
            }
            file = in_language[self.language] % {"format": kind}
        if self.format in REPORT_FORMATS:
            return gettext("%(period)s report, %(file)s") % {"period": self.period.label, "file": file}
        return gettext("%(period)s open data, %(file)s") % {"period": self.period.label, "file": file}


# The formats of the annual report itself; the others are the chart's downloads (napreport.report.exports).
REPORT_FORMATS = (PublishedReport.Format.HTML, PublishedReport.Format.PDF)
CHART_FORMATS = (PublishedReport.Format.CSV, PublishedReport.Format.JSON)
# Every file of the edition's open data, which its data package describes (napreport.report.datapackage).
OPEN_DATA_FORMATS = (*CHART_FORMATS, PublishedReport.Format.ALL_YEARS_CSV, PublishedReport.Format.DATAPACKAGE)


class Publication(models.Model):
    """One request to publish a period, carried out by a background task; its stage is the progress the
    coordinator watches. Pressing Publish again makes a new one, which replaces any still under way."""

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING_EN_HTML = "rendering-en-html", _("Rendering the English HTML")
        RENDERING_EN_PDF = "rendering-en-pdf", _("Rendering the English PDF")
        RENDERING_FR_HTML = "rendering-fr-html", _("Rendering the French HTML")
        RENDERING_FR_PDF = "rendering-fr-pdf", _("Rendering the French PDF")
        FREEZING = "freezing", _("Freezing the chart and storing the files")
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Not published")
        FAILED = "failed", _("Failed")
        HANDED_OVER = "handed-over", _("Left to another request")

    FINISHED = (Stage.PUBLISHED, Stage.REFUSED, Stage.FAILED, Stage.HANDED_OVER)

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="publications", verbose_name=_("period")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage, default=Stage.QUEUED)
    # The coordinator's language when they pressed Publish: the task writes its problems in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE, editable=False)
    # Why it was not published: one sentence each (what is missing, or the error).
    problems = models.JSONField(_("problems"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last progress"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        get_latest_by = ["requested_at", "pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        """“Publication of 2013-2014: Rendering the English PDF” (reads self.period)."""
        return gettext("Publication of %(period)s: %(stage)s") % {
            "period": self.period.label,
            "stage": self.get_stage_display(),
        }

    @property
    def is_finished(self) -> bool:
        return self.stage in self.FINISHED

    def is_stalled(self, now: datetime | None = None) -> bool:
        """No progress for STALLED_AFTER: the worker running it has stopped (or none is running)."""
        if self.is_finished:
            return False
        return (now or timezone.now()) - self.updated_at > STALLED_AFTER


# A stage (one PDF of a very large chart) takes well under a minute; no news for this long means no worker.
STALLED_AFTER = timedelta(minutes=5)


# The shape of PublishedFigures.figures: change it with what `count_published` returns, so that figures stored by
# older code are counted again on the fly rather than misread.
FIGURES_VERSION = 1


class PublishedFiguresManager(models.Manager["PublishedFigures"]):
    def store(self, period: ReportingPeriod) -> "PublishedFigures":
        """Count the frozen rows of `period` and keep the figures (publishing, once the chart is frozen)."""
        figures, _created = self.update_or_create(
            period=period, defaults={"version": FIGURES_VERSION, "figures": count_published(period)}
        )
        return figures

    def of(self, period: ReportingPeriod) -> dict[str, Any]:
        """The figures of a published period: one read of the stored ones. A year published before they were
        stored (or stored in an older shape, FIGURES_VERSION) is counted on its first request and kept, so that
        no data migration has to run the app's counting code, and every later request reads them."""
        stored = self.filter(period=period, version=FIGURES_VERSION).values_list("figures", flat=True).first()
        if stored is not None:
            return stored
        if period.state != ReportingPeriod.State.PUBLISHED:  # rows that may still change are counted, not kept
            return count_published(period)
        return self.store(period).figures


class PublishedFigures(models.Model):
    """What the public pages count of a published year, counted once when it is published (its rows never change
    again), so that no page aggregates the year's rows on each request: `count_published` says what is kept."""

    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.CASCADE, related_name="published_figures", verbose_name=_("period")
    )
    version = models.PositiveSmallIntegerField(default=FIGURES_VERSION)
    figures = models.JSONField()

    objects = PublishedFiguresManager()

    class Meta:
        verbose_name = _("published figures")
        verbose_name_plural = _("published figures")

    def __str__(self) -> str:
        """“Published figures of 2013-2014” (reads self.period)."""
        return gettext("Published figures of %(period)s") % {"period": self.period.label}


# The columns of the year's outline (its pillars, objectives and tasks, each once): the progress table's filter
# choices, in both languages.
OUTLINE_FIELDS = (
    "pillar_number",
    "pillar_name_en",
    "pillar_name_fr",
    "objective_code",
    "objective_text_en",
    "objective_text_fr",
    "task_code",
    "task_title_en",
    "task_title_fr",
)
# The columns of each entry of figures["counts"], the rows counted by pillar and status.
COUNT_FIELDS = ("pillar_number", "pillar_name_en", "pillar_name_fr", "status", "starts", "heading", "count")


def count_published(period: ReportingPeriod) -> dict[str, Any]:
    """The figures of `period`'s published rows, as plain JSON data, in three aggregate queries and a count for
    each earlier published year:

    - "counts": the rows by pillar (number and names), status, whether a row without a status starts after the
      year ("starts": its start year, else null), and whether it is a heading (no status of its own, and
      sub-items, each with theirs): what the report's chart_blocks and the pages' coverage count;
    - "outline": the year's pillars, objectives and tasks, each once (OUTLINE_FIELDS);
    - "departments": [department id, status, rows] for each lead department (a row counts for each of its leads);
    - "changes": {earlier period's id: how many rows changed since} for each year published before it
      (`changed_rows`; a year published later than a later year is counted by the page itself).
    """
    rows = PublishedDeliverable.objects.filter(period=period).order_by()
    heading = Q(status="", deliverable_id__in=rows.filter(parent_id__isnull=False).values("parent_id"))
    later = Q(status="", start_year__gt=period.start_year) & ~heading
    counts = (
        rows.annotate(
            starts=Case(When(later, then=F("start_year")), default=None),
            heading=Case(When(heading, then=True), default=False, output_field=models.BooleanField()),
        )
        .values_list(*COUNT_FIELDS[:-1])
        .annotate(count=Count("pk"))
        .order_by(*COUNT_FIELDS[:-1])
    )
    outline = rows.values_list(*OUTLINE_FIELDS).distinct().order_by(*OUTLINE_FIELDS)
    departments = (
        rows.filter(leads__isnull=False)
        .values_list("leads", "status")
        .annotate(count=Count("pk"))
        .order_by("leads", "status")
    )
    earlier_years = ReportingPeriod.objects.filter(
        plan_id=period.plan_id, state=ReportingPeriod.State.PUBLISHED, start_year__lt=period.start_year
    )
    return {
        "counts": [list(entry) for entry in counts],
        "outline": [list(entry) for entry in outline],
        "departments": [list(entry) for entry in departments],
        "changes": {str(earlier.pk): changed_rows(earlier, period).count() for earlier in earlier_years},
    }


def changed_rows(earlier: ReportingPeriod, later: ReportingPeriod) -> QuerySet[PublishedDeliverable]:
    """The later year's rows whose status or target differs from the earlier year's row of the same deliverable
    (one join in the database), each annotated with `earlier_status` and `earlier_target`. Deliverables that
    only one of the years published are not changes."""
    same_deliverable_earlier = Q(deliverable__published_rows__period=earlier)
    return (
        PublishedDeliverable.objects.filter(period=later)
        .order_by("chart_order")
        .annotate(earlier_row=FilteredRelation("deliverable__published_rows", condition=same_deliverable_earlier))
        .filter(earlier_row__isnull=False)
        .annotate(earlier_status=F("earlier_row__status"), earlier_target=F("earlier_row__target_year"))
        # A target may be empty in either year: 0 stands for "none" (no fiscal year starts in year 0), so that
        # "none" to "none" is no change and "none" to a year is one.
        .alias(target=Coalesce("target_year", 0), earlier_target_or_none=Coalesce("earlier_row__target_year", 0))
        .exclude(status=F("earlier_status"), target=F("earlier_target_or_none"))
    )
