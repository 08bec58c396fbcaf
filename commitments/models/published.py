"""A published period's record, frozen as it was published: all the public side ever reads."""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from commitments.models.periods import ReportingPeriod
from commitments.models.plan import Deliverable, Department
from commitments.models.search_text import SearchColumnsDeferred, full_text
from commitments.models.tracking import SlipReason, Status, slip_label, status_label
from commitments.models.values import Translated, timeline_label

# The French ligatures, written out: "oeuvre" finds « œuvre » (Unicode does not decompose them).
LIGATURES = {"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"}
# The fields a search reads, in each language.
SEARCHED_FIELDS = {"en": ("text_en", "task_title_en", "note_en"), "fr": ("text_fr", "task_title_fr", "note_fr")}
WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents or ligatures: “Élaborer” → “elaborer”, « Œuvre » → “oeuvre”."""
    if text.isascii():  # nothing to decompose (most English text): the same result, several times faster
        return text.lower()
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def words(text: str) -> list[str]:
    """The whole words of a text, folded: "Élaborer l'œuvre" → ["elaborer", "l", "oeuvre"]."""
    return WORD.findall(fold(text))


def search_texts(row: Any) -> dict[str, str]:
    """What a search of `row` reads, computed once as the row is published (a published row never changes).

    `search_text_en` and `search_text_fr`: each language's fields folded, for PostgreSQL's full-text search, which
    parses them as written ("anti-trafficking", "2013-2014"). `search_words`: every word of both languages once,
    each followed by what it may be the plural of ("shelters shelter", "travaux travau"), between spaces, so that
    on SQLite a word is a whole word of the row, or its plural in s, es or x, when `search_words` contains
    " word " (a plain LIKE). `row` is a PublishedDeliverable, or the migration's historical model of one.
    """
    folded = {
        language: [fold(getattr(row, field) or "") for field in fields] for language, fields in SEARCHED_FIELDS.items()
    }
    found: dict[str, None] = {}  # an ordered set
    for text in (*folded["en"], *folded["fr"]):
        for word in WORD.findall(text):  # words(), on the text folded once
            found[word] = None
            if word.endswith(("s", "x")) and len(word) > 1:
                found[word[:-1]] = None
            if word.endswith("es") and len(word) > 2:
                found[word[:-2]] = None
    return {
        "search_text_en": " ".join(folded["en"]),
        "search_text_fr": " ".join(folded["fr"]),
        "search_words": f" {' '.join(found)} ",
    }


class PublishedDeliverableQuerySet(models.QuerySet["PublishedDeliverable"]):
    def bulk_create(
        self, objs: Iterable["PublishedDeliverable"], *args: Any, **kwargs: Any
    ) -> list["PublishedDeliverable"]:
        """Rows stored with their search texts, as save() stores them (bulk_create does not call save())."""
        rows = list(objs)
        for row in rows:
            row.fill_search_texts()
        return super().bulk_create(rows, *args, **kwargs)


class PublishedDeliverable(models.Model):
    """One row of a published period's chart, frozen as it was published.

    Public pages and downloads read only these rows: later edits to the live chart, and the
    statuses of periods still open, cannot reach them.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="published_rows", verbose_name=_("period")
    )
    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="published_rows")
    parent = models.ForeignKey(Deliverable, on_delete=models.PROTECT, null=True, related_name="+")
    chart_order = models.PositiveIntegerField(_("chart order"))
    pillar_number = models.PositiveSmallIntegerField(_("pillar number"))
    pillar_name_en = models.CharField(max_length=200)
    pillar_name_fr = models.CharField(max_length=200, blank=True)
    objective_code = models.CharField(max_length=10)
    objective_text_en = models.TextField()
    objective_text_fr = models.TextField(blank=True)
    task_code = models.CharField(_("task code"), max_length=10)
    task_sort_key = models.CharField(max_length=60)
    task_title_en = models.CharField(max_length=500)
    task_title_fr = models.CharField(max_length=500, blank=True)
    text_en = models.TextField()
    text_fr = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, blank=True)
    target_year = models.PositiveSmallIntegerField(null=True)
    note_en = models.TextField(blank=True)
    note_fr = models.TextField(blank=True)
    leads = models.ManyToManyField(Department, related_name="published_rows")
    leads_en = models.CharField(_("leads (English)"), max_length=300, help_text="Acronyms as printed, joined by “, ”.")
    leads_fr = models.CharField(max_length=300, blank=True)
    lead_note_en = models.CharField(max_length=200, blank=True)
    lead_note_fr = models.CharField(max_length=200, blank=True)
    is_new = models.BooleanField(default=False)
    # A target moved later than the year before (the department's reason, frozen as published).
    slip_reason = models.CharField(max_length=30, choices=SlipReason, blank=True)
    slip_from_status = models.CharField(max_length=20, choices=Status, blank=True)
    slip_from_target = models.PositiveSmallIntegerField(null=True)
    slip_note_en = models.TextField(blank=True)
    slip_note_fr = models.TextField(blank=True)
    # Filled from the fields above as the row is stored (search_texts): what the public search reads.
    search_text_en = models.TextField(blank=True, editable=False)
    search_text_fr = models.TextField(blank=True, editable=False)
    search_words = models.TextField(blank=True, editable=False)
    # The two texts as PostgreSQL's full-text search parses them, kept by the database (NULL on SQLite).
    search_vector_en = full_text("search_text_en", "english")
    search_vector_fr = full_text("search_text_fr", "french")

    pillar_name = Translated()
    objective_text = Translated()
    task_title = Translated()
    text = Translated()
    note = Translated()
    leads_label = Translated(english="leads_en")
    lead_note = Translated()
    slip_note = Translated()

    # Set only on the unsaved rows commitments.chart builds from the live chart: the lead departments, which
    # publishing links to the row once saved (an unsaved row has no many-to-many yet).
    lead_departments: list[Department]

    objects = SearchColumnsDeferred.from_queryset(PublishedDeliverableQuerySet)()

    class Meta:
        ordering = ["period", "chart_order"]
        verbose_name = _("published deliverable")
        verbose_name_plural = _("published deliverables")
        constraints = [
            models.UniqueConstraint(fields=["period", "deliverable"], name="one_published_row_per_deliverable"),
            models.UniqueConstraint(fields=["period", "chart_order"], name="unique_published_chart_order"),
        ]
        # The progress table's order (task, then chart): its page of a year's keys is an index walk, not a sort
        # of every row of the year.
        indexes = [models.Index(fields=["period", "task_sort_key", "chart_order"], name="published_task_order")]

    def __str__(self) -> str:
        return self.text_en.split("\n", 1)[0][:100]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_search_texts()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("public:deliverable-detail", kwargs={"pk": self.deliverable_id})

    def fill_search_texts(self) -> None:
        for field, value in search_texts(self).items():
            setattr(self, field, value)

    @property
    def status_label(self) -> str | Promise:
        return status_label(self.status, self.target_year)

    @property
    def timeline(self) -> str:
        return timeline_label(self.start_year) if self.start_year else ""

    @property
    def slip(self) -> str:
        """“Target moved from 2014 to 2015 to 2015 to 2016: partner dependency”, or "" if it did not slip."""
        if not self.slip_reason:
            return ""
        before = (self.slip_from_status, self.slip_from_target)
        return slip_label(*before, self.status, self.target_year, self.slip_reason)


class PublishedPillar(models.Model):
    """A pillar of the plan, named as a period published it (the public pages never read the live Pillar)."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="published_pillars")
    number = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)

    name = Translated()

    class Meta:
        ordering = ["period", "number"]
        verbose_name = _("published pillar")
        verbose_name_plural = _("published pillars")
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="one_published_pillar_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name_en}"


class PublishedDepartment(models.Model):
    """A lead department's names and page address as a period published them."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="published_departments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    acronym = models.CharField(max_length=40)
    short_name_fr = models.CharField(max_length=40, blank=True)
    slug = models.SlugField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)

    name = Translated()
    short_name = Translated(english="acronym")

    class Meta:
        ordering = ["period", "acronym"]
        verbose_name = _("published department")
        verbose_name_plural = _("published departments")
        constraints = [
            models.UniqueConstraint(fields=["period", "department"], name="one_published_department_per_period"),
            models.UniqueConstraint(fields=["period", "slug"], name="unique_published_department_slug"),
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("public:department-detail", kwargs={"slug": self.slug})
