"""The published report files: read-only, since only publishing creates them."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from napreport.report.models import REPORT_FORMATS, PublishedReport
from napreport.report.open_data import open_data_name


@admin.register(PublishedReport)
class PublishedReportAdmin(admin.ModelAdmin):
    list_display = ["period", "language", "format", "size", "sha256", "created_at", "download"]
    list_filter = ["period", "language", "format"]
    readonly_fields = ["period", "language", "format", "file", "sha256", "size", "created_at"]

    @admin.display(description=_("File"))
    def download(self, report: PublishedReport) -> SafeString:
        label = report.period.label
        if report.format in REPORT_FORMATS:
            url = reverse("public:report-file", args=[label, report.language, report.format])
        else:  # the open data, under the name its data package gives it (the package itself has no language)
            url = reverse(
                "public:open-data-file", args=[label, open_data_name(report.period, report.language, report.format)]
            )
        return format_html("<a href='{}'>{}</a>", url, _("Download"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only publishing creates them

    def has_change_permission(self, request: HttpRequest, obj: PublishedReport | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublishedReport | None = None) -> bool:
        return False
