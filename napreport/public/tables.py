"""The public progress table (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from commitments.models import PublishedDeliverable, fiscal_year_table, status_label
from napreport.public.typography import typography


class ProgressTable(tables.Table):
    task_code = tables.Column(verbose_name=_("Task"), order_by=("task_sort_key", "chart_order"))
    text = tables.Column(verbose_name=_("Deliverable"), accessor="text_en", order_by=("chart_order",))
    pillar_number = tables.Column(verbose_name=_("Pillar"))
    start_year = tables.Column(verbose_name=_("Timeline"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "target_year"))
    leads_en = tables.Column(verbose_name=_("Lead"))

    class Meta:
        model = PublishedDeliverable
        fields = ("task_code", "text", "pillar_number", "start_year", "status", "leads_en")
        order_by = ("task_code",)
        attrs = {"class": "progress-table"}
        empty_text = _("No deliverable matches these filters.")

    def render_text(self, record: PublishedDeliverable) -> SafeString:
        marker = format_html("<strong>{}</strong> ", _("NEW:")) if record.is_new else ""
        return format_html(
            '{}<a href="{}">{}</a>', marker, record.get_absolute_url(), typography(record.text.split("\n")[0])
        )

    def render_pillar_number(self, record: PublishedDeliverable) -> str:
        return typography(record.pillar_name)

    def render_start_year(self, record: PublishedDeliverable) -> str:
        return fiscal_year_table(record.start_year) if record.start_year else ""

    def render_status(self, record: PublishedDeliverable) -> SafeString:
        return format_html(
            '<span class="status status-{}">{}</span>',
            record.status,
            status_label(record.status, record.target_year, fiscal_year_table),
        )

    def render_leads_en(self, record: PublishedDeliverable) -> str:
        return typography(record.leads_label)
