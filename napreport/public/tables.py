"""The public progress table (django-tables2)."""

from typing import Any, Protocol

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from commitments.models import PublishedDeliverable, Status, fiscal_year_table, status_label
from napreport.public.search import fold
from napreport.public.typography import typography


def row_class(record: PublishedDeliverable) -> str:
    """A sub-item is indented under its parent row (the stylesheet's `.sub-item`)."""
    return "sub-item" if record.parent_id else ""


class PagedRows(TableQuerysetData):
    """A table's rows, paged in the database in two steps: the page's keys first, in the table's order (the
    database sorts and skips only the keys), then those rows, in the same order. In one step, the database built
    every row it skipped or sorted, all its columns and texts: the first page cost more as the chart grew, and the
    last page (an OFFSET past every other row) more still. `count`, when the caller knows it, spares the count."""

    def __init__(self, data: QuerySet[PublishedDeliverable], count: int | None = None) -> None:
        super().__init__(data)
        self._length = count

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self.data.filter(pk__in=self.data.values("pk")[key])
        return self.data[key]


class ProgressTable(tables.Table):
    task_code = tables.Column(verbose_name=_("Task"), order_by=("task_sort_key", "chart_order"))
    text = tables.Column(verbose_name=_("Deliverable"), accessor="text_en", order_by=("chart_order",))
    pillar_number = tables.Column(verbose_name=_("Pillar"))
    start_year = tables.Column(verbose_name=_("Timeline"))
    # empty_values=(): a row without a status says so in words ("No status reported"), not with a dash.
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "target_year"), empty_values=())
    leads_en = tables.Column(verbose_name=_("Lead"))

    class Meta:
        model = PublishedDeliverable
        fields = ("task_code", "text", "pillar_number", "start_year", "status", "leads_en")
        order_by = ("task_code",)
        attrs = {"class": "progress-table"}
        row_attrs = {"class": row_class}
        empty_text = _("No deliverable matches these filters.")

    def __init__(self, data: Any, *args: Any, count: int | None = None, **kwargs: Any) -> None:
        if isinstance(data, QuerySet):
            data = PagedRows(data, count)
        super().__init__(data, *args, **kwargs)
        self.parents: dict[int, PublishedDeliverable] | None = None

    def parent_of(self, record: PublishedDeliverable) -> PublishedDeliverable | None:
        """The row a sub-item is part of. The parents of the page's sub-items are read in one query, the first
        time a row asks (the page's rows are loaded by then), so the page never loads the year's other rows."""
        if not record.parent_id:
            return None
        if self.parents is None:
            # The page's rows (django-tables2's bound rows, each holding its record), else every row.
            shown = [row.record for row in self.page.object_list] if hasattr(self, "page") else list(self.data)
            wanted = {row.parent_id for row in shown if row.parent_id}
            # No ORDER BY (a dict needs none): the model's ordering joins the period and the plan, and with it
            # SQLite, which keeps no statistics here, read the year's every row through its chart-order index
            # (11 ms at 100x the chart) where the (period, deliverable) index finds the few parents at once.
            found = PublishedDeliverable.objects.filter(
                period_id=record.period_id, deliverable_id__in=wanted
            ).order_by()
            self.parents = {row.deliverable_id: row for row in found}
        return self.parents.get(record.parent_id)

    def render_text(self, record: PublishedDeliverable) -> SafeString:
        marker = format_html("<strong>{}</strong> ", _("NEW:")) if record.is_new else ""
        parent = self.parent_of(record)
        part_of = (
            # Text, not a link: the parent's own row, just above in chart order, links to it.
            format_html(
                '<span class="part-of">{} {}</span> ',
                _("Part of:"),
                typography(Truncator(first_line(parent)).chars(60)),
            )
            if parent
            else ""
        )
        return format_html(
            '{}{}<a href="{}">{}</a>', part_of, marker, record.get_absolute_url(), typography(first_line(record))
        )

    def render_pillar_number(self, record: PublishedDeliverable) -> str:
        return typography(record.pillar_name)

    def render_start_year(self, record: PublishedDeliverable) -> str:
        return fiscal_year_table(record.start_year) if record.start_year else ""

    def order_status(
        self, queryset: QuerySet[PublishedDeliverable], is_descending: bool
    ) -> tuple[QuerySet[PublishedDeliverable], bool]:
        """By the statuses' labels in the page's language ("Complete" before "Ongoing"; « En bonne voie » before
        « Terminé »), then the target year: the labels' rank is computed here, so no collation is involved."""
        labels = {status: str(label) for status, label in Status.choices} | {"": str(_("No status reported"))}
        ranks = {status: rank for rank, status in enumerate(sorted(labels, key=lambda code: fold(labels[code])))}
        rank = Case(
            *(When(status=status, then=Value(position)) for status, position in ranks.items()),
            output_field=IntegerField(),
        )
        order = F("status_rank").desc() if is_descending else F("status_rank").asc()
        return queryset.alias(status_rank=rank).order_by(order, "target_year", "chart_order"), True

    def render_status(self, record: PublishedDeliverable) -> SafeString:
        return format_html(
            '<span class="status status-{}">{}</span>',
            record.status,
            status_label(record.status, record.target_year, fiscal_year_table) or _("No status reported"),
        )

    def render_leads_en(self, record: PublishedDeliverable) -> str:
        return typography(record.leads_label)


def first_line(row: PublishedDeliverable) -> str:
    return row.text.split("\n", 1)[0]


class DepartmentTable(ProgressTable):
    """The deliverables a department leads: the progress table's rows without the pillar and timeline, in chart
    order (no sort links, so a department's pages are the only cached variants)."""

    class Meta(ProgressTable.Meta):
        exclude = ("pillar_number", "start_year")
        orderable = False


class ChangedRow(Protocol):
    """A later year's row as napreport.report.models.changed_rows annotates it with the earlier year's values."""

    earlier_status: str
    earlier_target: int | None


class ChangesTable(ProgressTable):
    """Deliverables whose status or target changed between two years: each row is the later year's, annotated
    with the earlier year's `earlier_status` and `earlier_target` (napreport.report.models.changed_rows)."""

    earlier_status = tables.Column()

    class Meta(ProgressTable.Meta):
        exclude = ("pillar_number", "start_year", "leads_en")
        sequence = ("task_code", "text", "earlier_status", "status")
        orderable = False
        empty_text = _("No status changed between these years.")

    def __init__(self, *args: Any, earlier: int, later: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The two status columns are headed by their years (the caption names the comparison).
        self.columns["earlier_status"].column.verbose_name = fiscal_year_table(earlier)
        self.columns["status"].column.verbose_name = fiscal_year_table(later)

    def render_earlier_status(self, record: "ChangedRow") -> SafeString:
        return format_html(
            '<span class="status status-{}">{}</span>',
            record.earlier_status,
            status_label(record.earlier_status, record.earlier_target, fiscal_year_table),
        )
